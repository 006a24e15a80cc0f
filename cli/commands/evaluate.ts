import { access, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import {
  percent,
  QUALITY_BARS,
  Evaluator,
  type EvaluationReport,
  type GroupFigures,
} from '../../sim/evaluation';
import {
  readEventRefs,
  readResultAccounts,
  readResultCases,
  readTruthFile,
  replayedEventsFile,
} from '../../sim/evaluation-files';
import { WORLD_SPLITS, type WorldSplit } from '../../sim/world-seeds';
import { checkOutputPath, writeTextAtomic } from '../../local/atomic-file';
import { COST_PROFILES, costProfileSettings, type CostProfileName } from '../../lib/cost-profile';
import { table } from '../format';
import { nonNegativeInt, nonNegativeNumber, positiveInt } from '../options';
import { Progress } from '../progress';
import { runWorldsEvaluation, summarizeSavedWorlds } from './evaluate-worlds';

interface EvaluateOptions {
  truth?: string;
  results?: string;
  events?: string;
  json?: string;
  worlds?: WorldSplit;
  count: number;
  offset: number;
  scale: number;
  days: number;
  policy?: string;
  costProfile: CostProfileName;
  jobs: number;
  from?: string[];
}

const write = (text: string) => process.stdout.write(`${text}\n`);

export function registerEvaluateCommand(program: Command): void {
  program
    .command('evaluate')
    .description(
      "Score a replay's decisions against the simulator's ground truth: recall per strategy, legitimate " +
        'accounts suspended, throttled or reviewed, attacker requests served before suspension, time to first ' +
        'suspension per campaign, and a PASS/FAIL verdict per quality bar (exit code 0 either way). ' +
        "With --worlds: generate, replay (in memory, event time, at the cost profile's batch span: 60 s, or " +
        '300 s with --cost-profile optimised) and evaluate N ' +
        'randomised worlds of the tuning or held-out split, and report the median and the worst world per ' +
        'strategy and per legitimate cohort against the held-out bars',
    )
    .option('--truth <file>', 'ground truth written by `cauterize simulate` (*.truth.json)')
    .option('--results <dir>', 'replay output folder (accounts.jsonl, cases.jsonl, summary.json)')
    .option('--events <file>', "the replayed event file (default: summary.json's `file`)")
    .option('--json <file>', 'also write the figures as JSON here')
    .addOption(
      new Option(
        '--worlds <split>',
        'evaluate randomised worlds of this seed split (sim/world-seeds.ts): tune on tuning, quote held-out',
      ).choices(WORLD_SPLITS),
    )
    .option('--count <n>', 'with --worlds: how many worlds (consecutive seeds of the split)', positiveInt, 10)
    .option('--offset <k>', "with --worlds: skip the split's first k seeds", nonNegativeInt, 0)
    .option('--scale <s>', 'with --worlds: scale of each world (1 = as designed)', nonNegativeNumber, 1)
    .option('--days <d>', 'with --worlds: days of each world', positiveInt, 7)
    .option('--policy <file>', 'with --worlds: policy to replay under (default: config/policy.yaml)')
    .addOption(
      new Option(
        '--cost-profile <profile>',
        "with --worlds: batches cut at the span this deployment profile's batches really have " +
          '(default 60 s, optimised 300 s)',
      )
        .choices([...COST_PROFILES])
        .default('default'),
    )
    .option(
      '--jobs <j>',
      'with --worlds: worlds evaluated at once, each in a process of its own',
      positiveInt,
      1,
    )
    .option(
      '--from <files...>',
      'summarize worlds saved by earlier --worlds runs (their <--json>.worlds.jsonl): a run cut short, or one split over several runs',
    )
    .action(async (options: EvaluateOptions) => {
      if (options.from) {
        if (options.worlds || options.truth || options.results || options.events) {
          throw new Error(
            '--from summarizes saved worlds: leave out --worlds, --truth, --results and --events',
          );
        }
        await summarizeSavedWorlds(options.from, options.json);
        return;
      }
      if (options.worlds) {
        if (options.truth || options.results || options.events) {
          throw new Error('--worlds generates its own worlds: leave out --truth, --results and --events');
        }
        await runWorldsEvaluation({
          ...options,
          split: options.worlds,
          batchingWindowSeconds: costProfileSettings(options.costProfile).scorerBatchingWindowSeconds,
        });
        return;
      }
      if (!options.truth || !options.results) {
        throw new Error('pass --truth and --results (one replay), or --worlds held-out|tuning (many worlds)');
      }
      await runEvaluate({ ...options, truth: options.truth, results: options.results });
    });
}

async function runEvaluate(
  options: EvaluateOptions & { readonly truth: string; readonly results: string },
): Promise<void> {
  if (options.json) checkOutputPath(options.json, '--json');
  const truth = await readTruthFile(options.truth);
  const eventsFile = options.events ?? (await replayedEventsFile(join(options.results, 'summary.json')));
  const evaluator = new Evaluator(truth);
  for await (const result of readResultAccounts(join(options.results, 'accounts.jsonl')))
    evaluator.addResult(result);
  // Older result folders may have no cases.jsonl: the case figures are then 0 (inputs.cases says so).
  const casesFile = join(options.results, 'cases.jsonl');
  if (
    await access(casesFile).then(
      () => true,
      () => false,
    )
  ) {
    for await (const result of readResultCases(casesFile)) evaluator.addCase(result);
  }

  const totalBytes = (await stat(eventsFile)).size;
  const progress = new Progress('reading events', totalBytes / 1e6, ' MB');
  const read = { bytes: 0 };
  let n = 0;
  for await (const event of readEventRefs(eventsFile, read)) {
    evaluator.addEvent(event);
    if (++n % 50_000 === 0) progress.update(read.bytes / 1e6);
  }
  progress.done();
  const report = evaluator.finish();

  printReport(report, eventsFile);
  if (options.json) {
    await writeTextAtomic(options.json, `${JSON.stringify(report, null, 2)}\n`);
    write(`\nwrote ${options.json}`);
  }
}

function printReport(report: EvaluationReport, eventsFile: string): void {
  const dash = '-';
  const row = (name: string, attack: boolean, strategy: string | null, g: GroupFigures) => [
    name,
    attack ? 'attack' : 'legit',
    strategy ?? dash,
    g.accounts,
    g.suspended,
    g.review,
    g.throttledOrVerified,
    g.reviewCases,
    attack ? percent(g.recall) : dash,
    attack ? dash : `${g.suspended} (${percent(g.wronglySuspendedShare, 2)})`,
    attack ? percent(g.servedShare) : dash,
  ];
  write(
    table(
      [
        'cohort',
        'kind',
        'strategy',
        'accounts',
        'suspended',
        'review',
        'throttled/verify',
        'review cases',
        'recall',
        'legit suspended',
        'served before suspension',
      ],
      [
        ...report.cohorts.map((c) => row(c.cohort, c.attack, c.strategy, c)),
        row('all attack cohorts', true, null, report.overall.attack),
        row('all legitimate cohorts', false, null, report.overall.legitimate),
      ],
    ),
  );

  write('');
  write(
    table(
      ['strategy', 'accounts', 'suspended', 'recall', 'attacker requests', 'served before suspension'],
      [
        ...report.strategies.map((s) => [
          s.strategy,
          s.accounts,
          s.suspended,
          percent(s.recall),
          s.events,
          percent(s.servedShare),
        ]),
        [
          'overall',
          report.overall.attack.accounts,
          report.overall.attack.suspended,
          percent(report.overall.attack.recall),
          report.overall.attack.events,
          percent(report.overall.attack.servedShare),
        ],
      ],
    ),
  );

  write('');
  write(
    table(
      ['campaign', 'accounts', 'suspended', 'started', 'first suspension', 'hours to first suspension'],
      report.campaigns.map((c) => [
        c.campaignId,
        c.accounts,
        c.suspended,
        `${c.startedAt}${c.startedAtSource === 'truth' ? ' (truth)' : ''}`,
        c.firstSuspensionAt ?? 'never',
        c.hoursToFirstSuspension === null ? 'n/a' : c.hoursToFirstSuspension.toFixed(2),
      ]),
    ),
  );

  write('');
  write(
    table(
      ['quality bar', 'target', 'actual', 'verdict'],
      report.bars.map((b) => [b.description, b.target, b.actual, b.verdict]),
    ),
  );

  const i = report.inputs;
  const notes = [
    i.unreadableEvents > 0 && `${i.unreadableEvents} events had no accountId or readable ts`,
    i.unlabelledEvents > 0 && `${i.unlabelledEvents} events came from accounts the truth does not list`,
    i.unlabelledResults > 0 &&
      `${i.unlabelledResults} result accounts are not in the truth (${i.unlabelledSuspended} suspended)`,
    i.resultsWithoutEvents > 0 &&
      `${i.resultsWithoutEvents} result accounts sent no event in ${eventsFile}: do the inputs belong together?`,
    i.activeWithoutResult > 0 && `${i.activeWithoutResult} active accounts have no result line`,
  ].filter((n): n is string => typeof n === 'string');
  write('');
  write(
    `${i.events} events from ${eventsFile}, ${i.resultAccounts} result accounts; bars: recall >= ` +
      `${percent(QUALITY_BARS.recallOverall)} overall and >= ${percent(QUALITY_BARS.recallPerStrategy)} per strategy, ` +
      `legitimate suspended <= ${percent(QUALITY_BARS.legitSuspendedOverall, 2)}, attacker requests served <= ` +
      `${percent(QUALITY_BARS.servedBeforeSuspension)}`,
  );
  for (const note of notes) process.stderr.write(`warning: ${note}\n`);
}
