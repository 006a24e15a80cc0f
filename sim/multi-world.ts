import { percent, QUALITY_BARS, type BarResult, type EvaluationReport, type Verdict } from './evaluation';
import type { PresetName } from './types';
import type { WorldSplit } from './world-seeds';

/**
 * Detection judged over many randomised worlds: per attack strategy and per legitimate cohort, the
 * median and the worst world, and the bars of issue 14 ("Done when"), which a detector must meet
 * on held-out worlds it was never tuned on. Pure: it reads the evaluation reports of the worlds.
 */

/** The bars of a multi-world evaluation. Rates are pooled over all worlds; the worst world is shown beside. */
export const HELD_OUT_BARS = {
  /** Median over worlds of the overall attacker recall. */
  recallMedian: 0.97,
  /** The worst strategy in the worst world. */
  recallWorstStrategy: 0.9,
  /** Legitimate accounts suspended, pooled over worlds. */
  legitSuspended: 0.0002,
  /** Legitimate accounts throttled or sent to verification (not suspended), pooled. */
  legitThrottledOrVerified: 0.001,
  /** Review cases on legitimate accounts (one per account a case names) per legitimate account, pooled. */
  legitReviewCasesPerAccount: 1 / 200,
  /** Attacker requests made before their account's suspension, pooled. */
  servedBeforeSuspension: 0.05,
  /** Every campaign's first suspension within this many hours of its start (event time). */
  hoursToFirstSuspension: 2,
  /** No account suspended in these cohorts, in any world. */
  zeroSuspensionCohorts: QUALITY_BARS.zeroSuspensionCohorts,
} as const;

/** One world's run: how it was made and what the evaluation found. */
export interface WorldEvaluation {
  readonly seed: number;
  readonly split: WorldSplit | null;
  readonly preset: PresetName;
  readonly scale: number;
  readonly days: number;
  readonly policyVersion: string;
  /** Event time one scorer batch spanned (absent in worlds saved before it was recorded: 60). */
  readonly batchingWindowSeconds?: number;
  readonly events: number;
  readonly accounts: number;
  /** Wall-clock seconds: generating and replaying (the generator feeds the replay), evaluating (generating again), in all. */
  readonly seconds: {
    readonly replay: number;
    readonly evaluate: number;
    readonly total: number;
  };
  readonly report: EvaluationReport;
}

/** A figure over worlds: its median, and its worst value with the world it came from. */
export interface Spread {
  readonly worlds: number;
  readonly median: number | null;
  readonly worst: number | null;
  readonly worstSeed: number | null;
}

export interface StrategySpread {
  readonly strategy: string;
  /** Active attacker accounts over all worlds. */
  readonly accounts: number;
  readonly recall: Spread;
  readonly servedShare: Spread;
  /** Per world, the slowest of the strategy's campaigns; a campaign never suspended counts as Infinity. */
  readonly hoursToFirstSuspension: Spread;
  /** Worlds in which one of the strategy's campaigns was never suspended. */
  readonly worldsNeverSuspended: number;
}

export interface CohortSpread {
  readonly cohort: string;
  readonly hardNegative: boolean;
  /** Active accounts over all worlds. */
  readonly accounts: number;
  readonly suspended: number;
  readonly throttledOrVerified: number;
  readonly reviewCases: number;
  /** Per world, the share of the cohort's accounts suspended (and so on). */
  readonly suspendedShare: Spread;
  readonly throttledOrVerifiedShare: Spread;
  readonly reviewCasesPerAccount: Spread;
}

export interface MultiWorldSummary {
  readonly format: 'cauterize-multi-world-evaluation/v1';
  readonly seeds: readonly number[];
  readonly splits: readonly (WorldSplit | null)[];
  readonly policyVersions: readonly string[];
  readonly overall: {
    readonly recall: Spread;
    readonly legitSuspendedShare: Spread;
    readonly attackAccounts: number;
    readonly legitAccounts: number;
    readonly legitSuspended: number;
    readonly legitThrottledOrVerified: number;
    readonly legitReviewCases: number;
    readonly attackEvents: number;
    readonly attackServed: number;
  };
  readonly strategies: readonly StrategySpread[];
  readonly cohorts: readonly CohortSpread[];
  readonly bars: readonly BarResult[];
  readonly worlds: readonly Omit<WorldEvaluation, 'report'>[];
}

/** The median of numbers (the mean of the middle two for an even count), null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Median and worst of per-world values (`lowerIsWorse` for recall), skipping worlds without one. */
export function spread(
  values: readonly { readonly seed: number; readonly value: number | null }[],
  lowerIsWorse: boolean,
): Spread {
  const known = values.filter((v): v is { seed: number; value: number } => v.value !== null);
  let worst: { seed: number; value: number } | undefined;
  for (const v of known) {
    if (!worst || (lowerIsWorse ? v.value < worst.value : v.value > worst.value)) worst = v;
  }
  return {
    worlds: known.length,
    median: median(known.map((v) => v.value)),
    worst: worst?.value ?? null,
    worstSeed: worst?.seed ?? null,
  };
}

const share = (part: number, whole: number): number | null => (whole === 0 ? null : part / whole);

/** Per strategy and per legitimate cohort, median and worst over the worlds, and the bars. */
export function summarizeWorlds(worlds: readonly WorldEvaluation[]): MultiWorldSummary {
  const strategyIds = unique(worlds.flatMap((w) => w.report.strategies.map((s) => s.strategy)));
  const strategies: StrategySpread[] = strategyIds.map((strategy) => {
    const rows = worlds.map((w) => ({
      seed: w.seed,
      figures: w.report.strategies.find((s) => s.strategy === strategy),
    }));
    const slowest = worlds.map((w) => {
      const campaigns = w.report.campaigns.filter((c) => c.strategy === strategy && c.accounts > 0);
      if (campaigns.length === 0) return { seed: w.seed, value: null };
      const hours = campaigns.map((c) => c.hoursToFirstSuspension ?? Number.POSITIVE_INFINITY);
      return { seed: w.seed, value: Math.max(...hours) };
    });
    return {
      strategy,
      accounts: rows.reduce((sum, r) => sum + (r.figures?.accounts ?? 0), 0),
      recall: spread(
        rows.map((r) => ({ seed: r.seed, value: r.figures?.recall ?? null })),
        true,
      ),
      servedShare: spread(
        rows.map((r) => ({ seed: r.seed, value: r.figures?.servedShare ?? null })),
        false,
      ),
      hoursToFirstSuspension: spread(slowest, false),
      worldsNeverSuspended: slowest.filter((s) => s.value === Number.POSITIVE_INFINITY).length,
    };
  });

  const guarded = new Set<string>(HELD_OUT_BARS.zeroSuspensionCohorts);
  const legitIds = unique(
    worlds.flatMap((w) => w.report.cohorts.filter((c) => !c.attack).map((c) => c.cohort)),
  );
  const cohorts: CohortSpread[] = legitIds.map((cohort) => {
    const rows = worlds.map((w) => ({
      seed: w.seed,
      figures: w.report.cohorts.find((c) => c.cohort === cohort),
    }));
    const total = (pick: (f: NonNullable<(typeof rows)[number]['figures']>) => number) =>
      rows.reduce((sum, r) => sum + (r.figures ? pick(r.figures) : 0), 0);
    const perWorld = (pick: (f: NonNullable<(typeof rows)[number]['figures']>) => number) =>
      spread(
        rows.map((r) => ({
          seed: r.seed,
          value: r.figures ? share(pick(r.figures), r.figures.accounts) : null,
        })),
        false,
      );
    return {
      cohort,
      hardNegative: guarded.has(cohort),
      accounts: total((f) => f.accounts),
      suspended: total((f) => f.suspended),
      throttledOrVerified: total((f) => f.throttledOrVerified),
      reviewCases: total((f) => f.reviewCases),
      suspendedShare: perWorld((f) => f.suspended),
      throttledOrVerifiedShare: perWorld((f) => f.throttledOrVerified),
      reviewCasesPerAccount: perWorld((f) => f.reviewCases),
    };
  });

  const sum = (pick: (r: EvaluationReport) => number) => worlds.reduce((s, w) => s + pick(w.report), 0);
  const overall = {
    recall: spread(
      worlds.map((w) => ({ seed: w.seed, value: w.report.overall.attack.recall })),
      true,
    ),
    legitSuspendedShare: spread(
      worlds.map((w) => ({ seed: w.seed, value: w.report.overall.legitimate.wronglySuspendedShare })),
      false,
    ),
    attackAccounts: sum((r) => r.overall.attack.accounts),
    legitAccounts: sum((r) => r.overall.legitimate.accounts),
    legitSuspended: sum((r) => r.overall.legitimate.suspended),
    legitThrottledOrVerified: sum((r) => r.overall.legitimate.throttledOrVerified),
    legitReviewCases: sum((r) => r.overall.legitimate.reviewCases),
    attackEvents: sum((r) => r.overall.attack.events),
    attackServed: sum((r) => r.overall.attack.servedBeforeSuspension),
  };

  return {
    format: 'cauterize-multi-world-evaluation/v1',
    seeds: worlds.map((w) => w.seed),
    splits: unique(worlds.map((w) => w.split)),
    policyVersions: unique(worlds.map((w) => w.policyVersion)),
    overall,
    strategies,
    cohorts,
    bars: heldOutBars(worlds, overall, strategies, cohorts),
    worlds: worlds.map(({ report: _report, ...rest }) => rest),
  };
}

function heldOutBars(
  worlds: readonly WorldEvaluation[],
  overall: MultiWorldSummary['overall'],
  strategies: readonly StrategySpread[],
  cohorts: readonly CohortSpread[],
): BarResult[] {
  const bars = HELD_OUT_BARS;
  const atLeast = (value: number | null, bar: number): Verdict =>
    value === null ? 'N/A' : value >= bar ? 'PASS' : 'FAIL';
  const atMost = (value: number | null, bar: number): Verdict =>
    value === null ? 'N/A' : value <= bar ? 'PASS' : 'FAIL';
  const worstOf = (s: Spread, digits = 1) =>
    s.worst === null ? '' : `; worst world ${s.worstSeed}: ${percent(s.worst, digits)}`;

  let worstStrategy: { strategy: string; seed: number; recall: number } | undefined;
  for (const w of worlds) {
    for (const s of w.report.strategies) {
      if (s.recall !== null && (!worstStrategy || s.recall < worstStrategy.recall)) {
        worstStrategy = { strategy: s.strategy, seed: w.seed, recall: s.recall };
      }
    }
  }
  const legitSuspendedShare = share(overall.legitSuspended, overall.legitAccounts);
  const throttledShare = share(overall.legitThrottledOrVerified, overall.legitAccounts);
  const reviewPerAccount = share(overall.legitReviewCases, overall.legitAccounts);
  const servedShare = share(overall.attackServed, overall.attackEvents);
  const guarded = cohorts.filter((c) => c.hardNegative && c.accounts > 0);
  const guardedSuspended = guarded.filter((c) => c.suspended > 0);

  const campaigns = worlds.flatMap((w) =>
    w.report.campaigns.filter((c) => c.accounts > 0).map((c) => ({ seed: w.seed, ...c })),
  );
  const late = campaigns.filter(
    (c) => c.hoursToFirstSuspension === null || c.hoursToFirstSuspension > bars.hoursToFirstSuspension,
  );
  const never = late.filter((c) => c.hoursToFirstSuspension === null).length;
  const slowestStrategies = strategies
    .filter(
      (s) =>
        s.hoursToFirstSuspension.worst !== null &&
        s.hoursToFirstSuspension.worst > bars.hoursToFirstSuspension,
    )
    .map((s) => s.strategy);

  return [
    {
      id: 'recall-median',
      description: 'attacker recall, median over worlds',
      target: `>= ${percent(bars.recallMedian)}`,
      actual: `${percent(overall.recall.median)}${overall.recall.worst === null ? '' : `; worst world ${overall.recall.worstSeed}: ${percent(overall.recall.worst)}`}`,
      verdict: atLeast(overall.recall.median, bars.recallMedian),
    },
    {
      id: 'recall-worst-strategy',
      description: 'attacker recall, worst strategy in the worst world',
      target: `>= ${percent(bars.recallWorstStrategy)}`,
      actual: worstStrategy
        ? `${worstStrategy.strategy} in world ${worstStrategy.seed}: ${percent(worstStrategy.recall)}`
        : 'n/a',
      verdict: atLeast(worstStrategy?.recall ?? null, bars.recallWorstStrategy),
    },
    {
      id: 'legit-suspended',
      description: 'legitimate accounts suspended (pooled)',
      target: `<= ${percent(bars.legitSuspended, 2)}`,
      actual: `${percent(legitSuspendedShare, 3)} (${overall.legitSuspended}/${overall.legitAccounts})${worstOf(overall.legitSuspendedShare, 3)}`,
      verdict: atMost(legitSuspendedShare, bars.legitSuspended),
    },
    {
      id: 'legit-suspended-hard-negatives',
      description: 'legitimate accounts suspended in hard-negative cohorts, any world',
      target: '0',
      actual:
        guarded.length === 0
          ? 'n/a (no hard-negative cohort in these worlds)'
          : guardedSuspended.length === 0
            ? `0 in ${guarded.length} cohorts`
            : guardedSuspended.map((c) => `${c.cohort} ${c.suspended}/${c.accounts}`).join(', '),
      verdict: guarded.length === 0 ? 'N/A' : guardedSuspended.length === 0 ? 'PASS' : 'FAIL',
    },
    {
      id: 'legit-throttled-or-verified',
      description: 'legitimate accounts throttled or sent to verification (pooled)',
      target: `<= ${percent(bars.legitThrottledOrVerified, 2)}`,
      actual: `${percent(throttledShare, 3)} (${overall.legitThrottledOrVerified}/${overall.legitAccounts})`,
      verdict: atMost(throttledShare, bars.legitThrottledOrVerified),
    },
    {
      id: 'legit-review-cases',
      description: 'review cases on legitimate accounts, per legitimate account (pooled)',
      target: `<= 1 per ${Math.round(1 / bars.legitReviewCasesPerAccount)}`,
      actual:
        reviewPerAccount === null
          ? 'n/a'
          : `1 per ${reviewPerAccount === 0 ? '∞' : Math.round(1 / reviewPerAccount)} (${overall.legitReviewCases}/${overall.legitAccounts})`,
      verdict: atMost(reviewPerAccount, bars.legitReviewCasesPerAccount),
    },
    {
      id: 'attacker-requests-served',
      description: 'attacker requests served before suspension (pooled)',
      target: `<= ${percent(bars.servedBeforeSuspension)}`,
      actual: `${percent(servedShare)} (${overall.attackServed}/${overall.attackEvents})`,
      verdict: atMost(servedShare, bars.servedBeforeSuspension),
    },
    {
      id: 'first-suspension-within-2h',
      description: "every campaign's first suspension within 2 h of its start (event time)",
      target: `<= ${bars.hoursToFirstSuspension} h, every campaign`,
      actual:
        campaigns.length === 0
          ? 'n/a'
          : late.length === 0
            ? `all ${campaigns.length} campaigns`
            : `${late.length}/${campaigns.length} campaigns later (${never} never suspended), in ${slowestStrategies.length} strategies`,
      verdict: campaigns.length === 0 ? 'N/A' : late.length === 0 ? 'PASS' : 'FAIL',
    },
  ];
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}
