import type { Command } from 'commander';
import { Option } from 'commander';
import { PRESETS, writeSimulation, type PresetName } from '../../sim';
import { sameFile } from '../../sim/write';
import { formatRate, table } from '../format';
import { nonNegativeNumber, positiveInt } from '../options';
import { Progress } from '../progress';

interface SimulateOptions {
  out: string;
  truth?: string;
  seed: number;
  scale: number;
  preset: PresetName;
  days?: number;
}

export function registerSimulateCommand(program: Command): void {
  program
    .command('simulate')
    .description('Write labelled synthetic traffic (usage events v1, JSON Lines) and its ground truth')
    .requiredOption('--out <file>', 'events file to write (JSON Lines, one usage event per line)')
    .option('--truth <file>', 'ground-truth file to write (JSON)', undefined)
    .option('--seed <n>', 'random seed: the same seed gives byte-identical files', positiveInt, 1)
    .option(
      '--scale <s>',
      'multiplies cohort and campaign sizes (1 = the preset as designed)',
      nonNegativeNumber,
      1,
    )
    .addOption(
      new Option(
        '--preset <name>',
        'traffic mix: demo, default, or random (every cohort with parameters drawn for the seed; ' +
          'see sim/world-seeds.ts for the tuning and held-out seeds)',
      )
        .choices(Object.keys(PRESETS))
        .default('default'),
    )
    .option('--days <n>', "simulated days (default: the preset's)", positiveInt)
    .action(async (options: SimulateOptions) => {
      const truth = options.truth ?? options.out.replace(/(\.jsonl)?$/, '.truth.json');
      if (await sameFile(options.out, truth)) {
        throw new Error(
          `--truth ${truth} is the --out file: the truth would replace the events; name another file ` +
            '(without --truth: FILE.truth.json beside the events)',
        );
      }
      const progress = new Progress('simulating', 100, '%');
      const summary = await writeSimulation(options.out, truth, {
        seed: options.seed,
        scale: options.scale,
        preset: options.preset,
        days: options.days,
        onProgress: (p) => progress.update(p.fraction * 100),
      });
      progress.done();
      const rows = Object.entries(summary.byCohort).map(([cohort, c]) => [cohort, c.accounts, c.events]);
      process.stdout.write(
        `${table(['cohort', 'accounts', 'events'], [...rows, ['total', summary.accounts, summary.events]])}\n\n` +
          `wrote ${options.out} and ${truth} (${summary.firstTs} .. ${summary.lastTs}, ` +
          `${formatRate(summary.events, summary.elapsedMs)})\n`,
      );
    });
}
