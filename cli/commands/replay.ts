import { Option, type Command } from 'commander';
import { fastReplay } from '../../local/fast-replay';
import { replay } from '../../local/replay';
import { table } from '../format';
import { positiveInt } from '../options';
import { Progress } from '../progress';

interface ReplayCommandOptions {
  out: string;
  policy?: string;
  shards: number;
  batchSize?: number;
  engine: 'local' | 'memory';
}

export function registerReplayCommand(program: Command): void {
  program
    .command('replay')
    .description(
      'Run an event file (JSON Lines, timestamp order) through the whole pipeline on local services ' +
        '(or, with --engine memory, through the same scoring core on in-memory adapters)',
    )
    .argument('<file>', 'usage events, one JSON object per line (e.g. from `cauterize simulate`)')
    .requiredOption('--out <dir>', 'folder for accounts.jsonl, cases.jsonl, summary.json, rejected.jsonl')
    .option('--policy <file>', 'policy to run under (default: config/policy.yaml)')
    .option('--shards <n>', 'shards of the local stream', positiveInt, 2)
    .option('--batch-size <n>', "scorer batch size (default: the stack's event source mapping)", positiveInt)
    .addOption(
      new Option(
        '--engine <engine>',
        'local: the whole pipeline on local services; memory: the same scoring core on in-memory ' +
          'adapters, 10x+ faster, for backtests and tuning',
      )
        .choices(['local', 'memory'])
        .default('local'),
    )
    .action(async (file: string, options: ReplayCommandOptions) => {
      const progress = new Progress('replaying', 100, ' MB');
      const run = options.engine === 'memory' ? fastReplay : replay;
      const summary = await run({
        file,
        outDir: options.out,
        policyFile: options.policy,
        shards: options.shards,
        batchSize: options.batchSize,
        onProgress: (read, total) => progress.update(read / 1e6, total / 1e6),
      });
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
        )}\n\nwrote ${options.out}/{accounts.jsonl,cases.jsonl,summary.json,rejected.jsonl,bus-events.jsonl}\n`,
      );
      if (summary.outOfOrder > 0) {
        process.stderr.write(
          `warning: ${summary.outOfOrder} events were earlier than an event before them; replay expects timestamp order\n`,
        );
      }
    });
}
