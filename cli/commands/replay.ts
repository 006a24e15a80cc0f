import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { fastReplay, type ShardInterleaving } from '../../local/replay/fast-replay';
import { replay } from '../../local/replay/replay';
import { COST_PROFILES, costProfileSettings, type CostProfileName } from '../../lib/cost-profile';
import { table } from '../format';
import { nonNegativeInt, policyOption, positiveInt } from '../options';
import { Progress } from '../progress';

interface ReplayCommandOptions {
  out: string;
  force?: boolean;
  policy?: string;
  shards: number;
  batchSize?: number;
  engine: 'local' | 'memory';
  interleaving?: ShardInterleaving;
  batchingWindow?: number;
  costProfile?: CostProfileName;
  streamStore: 'memory' | 'disk';
}

export function registerReplayCommand(program: Command): void {
  program
    .command('replay')
    .description(
      'Run an event file (JSON Lines, timestamp order) through the whole pipeline on local services ' +
        '(or, with --engine memory, through the same scoring core on in-memory adapters)',
    )
    .argument('<file>', 'usage events, one JSON object per line (e.g. from `cauterize simulate`)')
    .requiredOption(
      '--out <dir>',
      'folder for accounts.jsonl, cases.jsonl, summary.json, rejected.jsonl, bus-events.jsonl and a local ' +
        'cases store (dynamodb/) that `cauterize cases --local DIR` opens',
    )
    .option(
      '--force',
      "replace --out if it holds an earlier replay's results (only once the new run is complete)",
    )
    .option('--policy <file>', 'policy to run under (default: config/policy.yaml)')
    .option('--shards <n>', 'shards of the local stream', positiveInt, 2)
    .option('--batch-size <n>', "scorer batch size (default: the stack's event source mapping)", positiveInt)
    .addOption(
      new Option(
        '--engine <engine>',
        'local: the whole pipeline on local services; memory: the same scoring core on in-memory ' +
          'adapters, about 10x faster, for backtests and tuning',
      )
        .choices(['local', 'memory'])
        .default('local'),
    )
    .addOption(
      new Option(
        '--interleaving <order>',
        "memory engine: score the shards' batches in turns as the local poller does (poller, the " +
          'default: same decisions as --engine local) or as the events happen, as on AWS (event-time)',
      ).choices(['poller', 'event-time']),
    )
    .addOption(
      new Option(
        '--batching-window <seconds>',
        'memory engine: cut batches as the event source mapping does on AWS, where events arrive as ' +
          'they happen: a batch spans at most this many seconds of event time (the stack: 60). ' +
          'Without it, batches are cut by size only, as a replayed backlog is (one batch spans hours)',
      ).argParser(nonNegativeInt),
    )
    .addOption(
      new Option(
        '--cost-profile <profile>',
        "the deployment profile's batches and workflows: with --engine memory, batches cut as on AWS " +
          '(event-time) at the span its batches really have (default 60 s, optimised 300 s; ' +
          '--batching-window overrides it); with --engine local, its workflow types (optimised: the ' +
          'account workflow and clusters under 500 members on Express)',
      ).choices([...COST_PROFILES]),
    )
    .addOption(
      new Option(
        '--stream-store <where>',
        'local engine: where the stream keeps its records: memory (fastest; memory grows with the ' +
          'file, about 5.5 GB per GB of events) or disk (flat memory for files of any size, about a quarter slower)',
      )
        .choices(['memory', 'disk'])
        .default('disk'),
    )
    .action(async (file: string, options: ReplayCommandOptions) => {
      if (options.interleaving && options.engine !== 'memory') {
        throw new Error('--interleaving applies to --engine memory only');
      }
      if (options.batchingWindow !== undefined && options.engine !== 'memory') {
        throw new Error('--batching-window applies to --engine memory only');
      }
      const progress = new Progress('replaying', 100, ' MB');
      const common = {
        file,
        outDir: options.out,
        force: options.force,
        policyFile: policyOption(options.policy),
        shards: options.shards,
        batchSize: options.batchSize,
        onProgress: (read: number, total: number) => progress.update(read / 1e6, total / 1e6),
      };
      // A profile's batches span its window at the rates it is sized for (docs/performance.md).
      const profileSpan =
        options.costProfile === undefined
          ? undefined
          : costProfileSettings(options.costProfile).scorerBatchingWindowSeconds;
      const batchingWindowSeconds = options.batchingWindow ?? profileSpan;
      const summary =
        options.engine === 'memory'
          ? await fastReplay({
              ...common,
              interleaving:
                options.interleaving ?? (options.costProfile === undefined ? undefined : 'event-time'),
              batchingWindowSeconds,
            })
          : await replay({ ...common, streamStore: options.streamStore, costProfile: options.costProfile });
      progress.done();
      process.stdout.write(
        `${table(
          [
            'engine',
            'events read',
            'rejected',
            'accounts',
            'review',
            'suspended',
            'cases',
            'events/s',
            'seconds',
          ],
          [
            [
              options.engine,
              summary.eventsRead,
              summary.rejected,
              summary.accounts,
              summary.review,
              summary.suspended,
              summary.cases,
              summary.eventsPerSecond,
              summary.seconds,
            ],
          ],
        )}\n\nwrote ${options.out}/{accounts.jsonl,cases.jsonl,summary.json,rejected.jsonl,bus-events.jsonl} ` +
          `and a local cases store (cauterize cases list --local ${options.out})\n`,
      );
      if (summary.eventsRead === 0) {
        throw new Error(`${file} holds no events, only blank lines: nothing was replayed`);
      }
      if (summary.eventsRead === summary.rejected) {
        throw new Error(
          `no valid event: all ${summary.eventsRead} lines read were rejected (see ` +
            `${join(options.out, 'rejected.jsonl')}); is ${file} a usage event file (JSON Lines)?`,
        );
      }
      if (summary.outOfOrder > 0) {
        process.stderr.write(
          `warning: ${summary.outOfOrder} events were earlier than an event before them; replay expects timestamp order\n`,
        );
      }
    });
}
