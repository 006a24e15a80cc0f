import { appendFileSync } from 'node:fs';
import { readFile, rename, rm } from 'node:fs/promises';
import { checkOutputPath, writeTextAtomic } from '../../local/atomic-file';
import { runWorlds } from '../../local/replay/world-evaluation';
import { percent } from '../../sim/evaluation';
import {
  summarizeWorlds,
  type MultiWorldSummary,
  type Spread,
  type WorldEvaluation,
} from '../../sim/multi-world';
import { worldSeeds, type WorldSplit } from '../../sim/world-seeds';
import { bar, table } from '../format';
import { policyOption } from '../options';

export interface WorldsEvaluationOptions {
  readonly split: WorldSplit;
  readonly count: number;
  readonly offset: number;
  readonly scale: number;
  readonly days: number;
  readonly policy?: string;
  /** Event time one scorer batch spans (the cost profile's: 60 s, optimised 300 s). */
  readonly batchingWindowSeconds: number;
  readonly jobs: number;
  readonly json?: string;
}

const write = (text: string) => process.stdout.write(`${text}\n`);

/** `cauterize evaluate --worlds`: runs the worlds, prints the median/worst tables and the bars. */
export async function runWorldsEvaluation(options: WorldsEvaluationOptions): Promise<MultiWorldSummary> {
  const seeds = worldSeeds(options.split, options.count, options.offset);
  process.stderr.write(
    `evaluating ${seeds.length} ${options.split} worlds (seeds ${seeds[0]}-${seeds[seeds.length - 1]}), ` +
      `scale ${options.scale}, ${options.days} days, batches spanning ${options.batchingWindowSeconds} s, ` +
      `${options.jobs} at a time\n`,
  );
  let finished = 0;
  if (options.json) checkOutputPath(options.json, '--json');
  // Each world is kept as it finishes, in FILE.worlds.jsonl.partial: a long run cut short still
  // leaves the worlds it evaluated (`--from` reads them), and an earlier run's FILE.worlds.jsonl
  // is replaced only once this run is complete.
  const saved = options.json ? `${options.json}.worlds.jsonl` : undefined;
  const partial = saved ? `${saved}.partial` : undefined;
  if (partial) await rm(partial, { force: true });
  const worlds = await runWorlds(seeds, {
    scale: options.scale,
    days: options.days,
    policyFile: policyOption(options.policy),
    batchingWindowSeconds: options.batchingWindowSeconds,
    jobs: options.jobs,
    onWorld: (w) => {
      finished += 1;
      if (partial) appendFileSync(partial, `${JSON.stringify(w, jsonNumbers)}\n`);
      process.stderr.write(
        `  world ${w.seed} (${finished}/${seeds.length}): ${w.events.toLocaleString('en-US')} events, ` +
          `recall ${percent(w.report.overall.attack.recall)}, legit suspended ${w.report.overall.legitimate.suspended}, ` +
          `${w.seconds.total.toFixed(0)} s\n`,
      );
    },
  });
  if (partial && saved) await rename(partial, saved);
  return reportWorlds(worlds, options.json);
}

/** Prints the median/worst tables and the bars of these worlds, and writes them to `json` if given. */
async function reportWorlds(worlds: readonly WorldEvaluation[], json?: string): Promise<MultiWorldSummary> {
  const summary = summarizeWorlds(worlds);
  printSummary(summary, worlds);
  if (json) {
    const reports = worlds.map((w) => ({ seed: w.seed, report: w.report }));
    await writeTextAtomic(json, `${JSON.stringify({ ...summary, reports }, jsonNumbers, 2)}\n`);
    write(`\nwrote ${json}`);
  }
  return summary;
}

/** Infinity (a campaign never suspended) is not JSON: it is written as the string "never". */
function jsonNumbers(_key: string, value: unknown): unknown {
  return value === Number.POSITIVE_INFINITY ? 'never' : value;
}

/** What jsonNumbers wrote, read back ("never" is Infinity again). */
function fromJsonNumbers(_key: string, value: unknown): unknown {
  return value === 'never' ? Number.POSITIVE_INFINITY : value;
}

/**
 * `cauterize evaluate --from FILE...`: the median/worst tables and the bars over worlds saved by
 * earlier `--worlds` runs (each run's `<--json>.worlds.jsonl`), for a run cut short or one split
 * over several runs. Refuses a world that appears twice, and worlds made differently (split,
 * scale, days, policy version or batch span), naming the file and line.
 */
export async function summarizeSavedWorlds(
  files: readonly string[],
  json?: string,
): Promise<MultiWorldSummary> {
  if (json) checkOutputPath(json, '--json');
  const worlds: WorldEvaluation[] = [];
  const where = new Map<number, string>();
  for (const file of files) {
    const lines = (await readFile(file, 'utf8')).split('\n');
    lines.forEach((line, index) => {
      if (line.trim() === '') return;
      const at = `${file}:${index + 1}`;
      let world: WorldEvaluation;
      try {
        world = JSON.parse(line, fromJsonNumbers) as WorldEvaluation;
      } catch (error) {
        throw new Error(
          `${at} is not JSON (${(error as Error).message}): pass the .worlds.jsonl an --worlds run wrote`,
          { cause: error },
        );
      }
      if (typeof world.seed !== 'number' || typeof world.report !== 'object' || world.report === null) {
        throw new Error(`${at} has no seed or report: pass the .worlds.jsonl an --worlds run wrote`);
      }
      const seen = where.get(world.seed);
      if (seen) throw new Error(`world ${world.seed} is in ${seen} and in ${at}: pass each world once`);
      where.set(world.seed, at);
      const first = worlds[0];
      // Worlds saved before the span was recorded were replayed at 60 s.
      world = { ...world, batchingWindowSeconds: world.batchingWindowSeconds ?? 60 };
      for (const key of ['split', 'scale', 'days', 'policyVersion', 'batchingWindowSeconds'] as const) {
        if (first && first[key] !== world[key]) {
          throw new Error(
            `${at}: world ${world.seed} has ${key} ${String(world[key])}, world ${first.seed} has ` +
              `${String(first[key])}: summarize worlds made the same way only`,
          );
        }
      }
      worlds.push(world);
    });
  }
  if (worlds.length === 0)
    throw new Error(`no worlds in ${files.join(', ')}: pass a non-empty .worlds.jsonl`);
  worlds.sort((a, b) => a.seed - b.seed);
  return reportWorlds(worlds, json);
}

const pct = (value: number | null, digits = 1) => percent(value, digits);
const hours = (value: number | null) =>
  value === null ? 'n/a' : Number.isFinite(value) ? value.toFixed(1) : 'never';
/** The worst world's value and seed; no seed when every world was perfect (0, or 100% recall). */
const worst = (s: Spread, format: (v: number | null) => string, perfect: number) =>
  s.worst === null ? 'n/a' : s.worst === perfect ? format(s.worst) : `${format(s.worst)} (${s.worstSeed})`;

export function printSummary(summary: MultiWorldSummary, worlds: readonly WorldEvaluation[]): void {
  write(
    table(
      [
        'strategy',
        'accounts',
        'recall median',
        'recall worst (world)',
        'median recall',
        'served median',
        'served worst',
        'h to 1st susp. median',
        'worst',
      ],
      summary.strategies.map((s) => [
        s.strategy,
        s.accounts,
        pct(s.recall.median),
        worst(s.recall, (v) => pct(v), 1),
        bar(s.recall.median),
        pct(s.servedShare.median),
        worst(s.servedShare, (v) => pct(v), 0),
        hours(s.hoursToFirstSuspension.median),
        worst(s.hoursToFirstSuspension, hours, Number.NaN),
      ]),
    ),
  );
  write('');
  write(
    table(
      [
        'legitimate cohort',
        'hard neg.',
        'accounts',
        'suspended',
        'worst world',
        'throttled/verify',
        'worst world',
        'review cases',
        'worst world',
      ],
      summary.cohorts.map((c) => [
        c.cohort,
        c.hardNegative ? 'yes' : '',
        c.accounts,
        c.suspended,
        worst(c.suspendedShare, (v) => pct(v, 2), 0),
        c.throttledOrVerified,
        worst(c.throttledOrVerifiedShare, (v) => pct(v, 2), 0),
        c.reviewCases,
        worst(c.reviewCasesPerAccount, (v) => pct(v, 2), 0),
      ]),
    ),
  );
  write('');
  write(
    table(
      [
        'world',
        'events',
        'accounts',
        'recall',
        'legit suspended',
        'served',
        'policy',
        'batch span',
        'seconds',
      ],
      worlds.map((w) => [
        w.seed,
        w.events,
        w.accounts,
        pct(w.report.overall.attack.recall),
        w.report.overall.legitimate.suspended,
        pct(w.report.overall.attack.servedShare),
        w.policyVersion,
        `${w.batchingWindowSeconds ?? 60} s`,
        Math.round(w.seconds.total),
      ]),
    ),
  );
  write('');
  write(
    table(
      ['bar (held-out worlds)', 'target', 'actual', 'verdict'],
      summary.bars.map((b) => [b.description, b.target, b.actual, b.verdict]),
    ),
  );
}
