import { once } from 'node:events';
import { mkdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { writeFileAtomic } from '../local/atomic-file';
import { generateTraffic, type GenerateOptions } from './generate';
import { SummaryCollector, type SimulationProgress, type SimulationSummary } from './summary';
import type { GroundTruth } from './types';

export interface WriteSimulationOptions extends GenerateOptions {
  /** Called every `progressEvery` events and once at the end. */
  readonly onProgress?: (progress: SimulationProgress) => void;
  /** @default 100_000 */
  readonly progressEvery?: number;
}

const CHUNK_LINES = 2_000;

async function write(stream: Writable, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

/**
 * Streams the simulation to disk:
 * - `outFile`: JSON Lines, one contract usage event per line, no labels, in `ts` order;
 * - `truthFile`: one JSON document (format "cauterize-sim-truth/v1", see README in sim/): the run's
 *   options, window and model release, cohorts (with account and event counts), campaigns with
 *   their accounts and shared infrastructure, then one account label per line inside `accounts`.
 */
export async function writeSimulation(
  outFile: string,
  truthFile: string,
  options: WriteSimulationOptions,
): Promise<SimulationSummary> {
  if (await sameFile(outFile, truthFile)) {
    throw new Error(`the events file and the truth file are the same file (${outFile}): name two files`);
  }
  const { events, truth } = generateTraffic(options);
  const every = options.progressEvery ?? 100_000;
  await mkdir(dirname(outFile), { recursive: true });
  await mkdir(dirname(truthFile), { recursive: true });

  // Each file is written beside its target and renamed into place when complete; the truth file
  // (written last, once the events are) goes into place just before the events file.
  let summary: SimulationSummary | undefined;
  await writeFileAtomic(outFile, async (out) => {
    const collector = new SummaryCollector(truth);
    let lines: string[] = [];
    for (const labelled of events) {
      collector.add(labelled);
      lines.push(JSON.stringify(labelled.event));
      if (lines.length >= CHUNK_LINES) {
        await write(out, lines.join('\n') + '\n');
        lines = [];
      }
      if (options.onProgress && collector.count % every === 0) options.onProgress(collector.progress());
    }
    if (lines.length > 0) await write(out, lines.join('\n') + '\n');
    options.onProgress?.(collector.progress());
    const finished = collector.finish();
    await writeFileAtomic(truthFile, (truthOut) => writeTruth(truthOut, truth, finished));
    summary = finished;
  });
  if (!summary) throw new Error('the simulation wrote no summary');
  return summary;
}

/** Whether two paths name one file: the same path, or (when it exists) the same file by another name. */
export async function sameFile(a: string, b: string): Promise<boolean> {
  const canonical = async (path: string) =>
    join(await realpath(dirname(resolve(path))).catch(() => dirname(resolve(path))), basename(path));
  if ((await canonical(a)) === (await canonical(b))) return true;
  const [sa, sb] = await Promise.all([stat(a).catch(() => undefined), stat(b).catch(() => undefined)]);
  return sa !== undefined && sb !== undefined && sa.dev === sb.dev && sa.ino === sb.ino;
}

/** The truth document, written piecewise so that millions of account labels never form one string. */
async function writeTruth(out: Writable, truth: GroundTruth, summary: SimulationSummary): Promise<void> {
  const { accounts, cohorts, campaigns, ...header } = truth;
  const head = JSON.stringify(
    {
      ...header,
      stats: {
        events: summary.events,
        accounts: summary.accounts,
        attackEvents: summary.attackEvents,
        attackAccounts: summary.attackAccounts,
        firstTs: summary.firstTs,
        lastTs: summary.lastTs,
      },
      cohorts: cohorts.map((c) => ({
        ...c,
        activeAccounts: summary.byCohort[c.id]?.activeAccounts ?? 0,
        events: summary.byCohort[c.id]?.events ?? 0,
      })),
    },
    null,
    2,
  );
  await write(out, head.slice(0, head.lastIndexOf('}')).trimEnd() + ',\n  "campaigns": [\n');
  for (let i = 0; i < campaigns.length; i++) {
    await write(out, '    ' + JSON.stringify(campaigns[i]) + (i < campaigns.length - 1 ? ',\n' : '\n'));
  }
  await write(out, '  ],\n  "accounts": [\n');
  let chunk: string[] = [];
  for (let i = 0; i < accounts.length; i++) {
    chunk.push('    ' + JSON.stringify(accounts[i]) + (i < accounts.length - 1 ? ',' : ''));
    if (chunk.length >= CHUNK_LINES) {
      await write(out, chunk.join('\n') + '\n');
      chunk = [];
    }
  }
  if (chunk.length > 0) await write(out, chunk.join('\n') + '\n');
  await write(out, '  ]\n}\n');
  out.end();
}
