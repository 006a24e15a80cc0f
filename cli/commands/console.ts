import { existsSync, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { userInfo } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { ApiConsoleSource } from '../../console/server/api-source';
import { ConsoleServer } from '../../console/server/console-server';
import type { ConsoleSource } from '../../console/server/console-source';
import { EventFile } from '../../console/server/event-file';
import { LocalConsoleSource } from '../../console/server/local-source';
import type { ConsoleRole, EvaluationReport } from '../../console/shared/api';
import { evaluate } from '../../sim/evaluation';
import { readEventRefs, readResultAccounts, readTruthFile } from '../../sim/evaluation-files';
import { policyOption, positiveInt } from '../options';

export interface ConsoleOptions {
  local?: string;
  api?: string;
  region?: string;
  port?: number;
  role: ConsoleRole;
  actor?: string;
  events?: string;
  truth?: string;
  results?: string;
  policy?: string;
}

/** Everything `cauterize console` starts, and how to stop it. */
export interface RunningConsole {
  readonly server: ConsoleServer;
  readonly url: string;
  close(): Promise<void>;
}

/** The event file a replay folder names in its summary.json, if it is there to read. */
function replayedEventFile(dir: string): string | undefined {
  const summary = join(dir, 'summary.json');
  if (!existsSync(summary)) return undefined;
  try {
    const file = (JSON.parse(readFileSync(summary, 'utf8')) as { file?: unknown }).file;
    if (typeof file !== 'string' || file === '') return undefined;
    for (const candidate of isAbsolute(file) ? [file] : [resolve(file), join(dir, file)]) {
      if (existsSync(candidate)) return candidate;
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** Starts the console's server over the chosen source (the command, the tests and the bench use it). */
export async function startConsole(options: ConsoleOptions): Promise<RunningConsole> {
  if (options.local && options.api) throw new Error('pass either --local DIR or --api URL, not both');
  if (!options.local && !options.api) {
    throw new Error(
      'no cases to show: pass --local DIR (a replay or `cases --local` store) or --api URL (the deployed cases API)',
    );
  }
  const source: ConsoleSource = options.local
    ? await LocalConsoleSource.open({
        dir: options.local,
        role: options.role,
        actor: options.actor ?? `${userInfo().username} (console)`,
        policyFile: policyOption(options.policy),
      })
    : new ApiConsoleSource({ url: options.api!, region: options.region });
  try {
    const eventsPath = options.events ?? (options.local ? replayedEventFile(options.local) : undefined);
    if (options.events && !existsSync(options.events))
      throw new Error(`--events ${options.events}: no such file`);
    const resultsDir = options.results ?? options.local;
    let evaluation: (() => Promise<EvaluationReport>) | undefined;
    if (options.truth) {
      if (!resultsDir) throw new Error('--truth needs the replay results: pass --results DIR');
      if (!eventsPath) throw new Error('--truth needs the replayed event file: pass --events FILE');
      const truthFile = options.truth;
      evaluation = async () =>
        evaluate({
          truth: await readTruthFile(truthFile),
          results: readResultAccounts(join(resultsDir, 'accounts.jsonl')),
          events: readEventRefs(eventsPath),
        });
    }
    const server = await ConsoleServer.start({
      source,
      ...(eventsPath ? { events: new EventFile(eventsPath) } : {}),
      ...(evaluation ? { evaluation } : {}),
      ...(options.port !== undefined ? { port: options.port } : {}),
    });
    return { server, url: server.url, close: () => server.close() };
  } catch (error) {
    await source.close();
    throw error;
  }
}

export function registerConsoleCommand(program: Command): void {
  program
    .command('console')
    .description(
      'The investigator console in your browser: case queue, evidence, cluster graph, decisions and ' +
        'evaluation, served on 127.0.0.1 only',
    )
    .option('--local <dir>', 'a local cases store: the folder of `replay --out DIR` or `cases --local DIR`')
    .option(
      '--api <url>',
      'the deployed cases API (with its stage); requests are signed with your AWS credentials',
    )
    .option('--region <region>', 'region of the cases API (default: from its URL)')
    .option('--port <n>', 'port on 127.0.0.1 (default: any free port)', positiveInt)
    .addOption(
      new Option('--role <role>', 'local mode: the role decisions are checked against')
        .choices(['investigator', 'compliance'])
        .default('investigator'),
    )
    .option('--actor <name>', 'local mode: who decisions are recorded as (default: your user name)')
    .option(
      '--events <file>',
      "the replayed event file, for sample events (default: the replay's summary.json)",
    )
    .option('--truth <file>', 'the simulation truth file: adds the evaluation view')
    .option('--results <dir>', 'replay output with accounts.jsonl for the evaluation (default: --local)')
    .option('--policy <file>', 'policy the local reinstatement workflow is synthesized with')
    .action(async (options: ConsoleOptions) => {
      const running = await startConsole(options);
      process.stdout.write(`Cauterize console: ${running.url}  (Ctrl-C stops it)\n`);
      await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
      await running.close();
    });
}
