import type { AccountTruth, CampaignTruth, CohortTruth } from './types';

/**
 * Scores a detection run against the simulator's ground truth: recall on attacker accounts,
 * legitimate accounts wrongly suspended, attacker requests served before suspension and time to
 * a campaign's first suspension, each against the project's quality bars.
 *
 * Pure and streaming: results and events come in as (async) iterables, so a 1 GB event file is
 * read once, line by line, and memory grows with accounts, not events.
 */

/** The quality bars a detection run is held to. */
export const QUALITY_BARS = {
  /** Suspended attacker accounts / active attacker accounts, over every strategy. */
  recallOverall: 0.95,
  /** The same, for each attack strategy on its own. */
  recallPerStrategy: 0.9,
  /** Suspended legitimate accounts / active legitimate accounts. */
  legitSuspendedOverall: 0.001,
  /**
   * Hard-negative cohorts in which no account may be suspended at all: every cohort registered
   * with `hardNegative` (a test keeps the two lists equal).
   */
  zeroSuspensionCohorts: [
    'heavy-coding-agent',
    'enterprise-ci-bot',
    'benchmark-researcher',
    'campus-nat',
    'reseller',
    'mooc-students',
    'hackathon',
    'eval-platform',
    'tutoring-power-user',
    'support-team',
    'family-plan',
    'research-lab',
  ],
  /** Attacker requests made before their account's suspension / all attacker requests. */
  servedBeforeSuspension: 0.1,
} as const;

/** What the evaluation needs of the truth file (`cauterize-sim-truth/v1`). */
export interface EvaluationTruth {
  readonly cohorts: ReadonlyArray<Pick<CohortTruth, 'id' | 'attack' | 'strategy'>>;
  readonly campaigns: ReadonlyArray<
    Pick<CampaignTruth, 'campaignId' | 'strategy' | 'cohort' | 'startedAt' | 'accounts'>
  >;
  readonly accounts: ReadonlyArray<AccountTruth>;
}

/** One line of replay's accounts.jsonl, as far as the evaluation reads it. */
export interface ResultAccount {
  readonly accountId: string;
  readonly status: 'ACTIVE' | 'REVIEW' | 'SUSPENDED';
  /** Event time of the suspension (ISO-8601), null unless SUSPENDED. */
  readonly suspendedAt: string | null;
}

/**
 * One line of replay's cases.jsonl, as far as the evaluation reads it: what enforcement did
 * (review, throttle, verify, suspend) and to whom. Cases give what accounts.jsonl cannot: whether a
 * legitimate account was throttled, sent to verification or only put in front of an investigator.
 */
export interface ResultCase {
  readonly caseId: string;
  readonly action: string | null;
  readonly accountIds: readonly string[];
}

/** Case actions by strength; a case with another action counts as a review. */
export const CASE_ACTION_RANK: Readonly<Record<string, number>> = {
  review: 1,
  throttle: 2,
  verify: 3,
  suspend: 4,
};

/** A usage event as the evaluation reads it: only who and when. Anything else is unreadable. */
export interface EventRef {
  readonly accountId?: unknown;
  readonly ts?: unknown;
}

export type Verdict = 'PASS' | 'FAIL' | 'N/A';

/** Figures of a group of accounts: a cohort, a strategy, or all of one kind. */
export interface GroupFigures {
  /** Active accounts: those that sent at least one event. */
  readonly accounts: number;
  readonly suspended: number;
  readonly review: number;
  /** Accounts not suspended whose strongest case throttled them or asked for verification. */
  readonly throttledOrVerified: number;
  /** Accounts named by at least one review case. */
  readonly withReviewCase: number;
  /** Review cases, one per account each names (a cluster review case of five accounts counts five). */
  readonly reviewCases: number;
  readonly events: number;
  /** Attack groups: suspended / accounts (null when there are no accounts). */
  readonly recall: number | null;
  /** Legitimate groups: suspended / accounts (null when there are no accounts). */
  readonly wronglySuspendedShare: number | null;
  /** Attack groups: events sent before the account was suspended (all of them if it never was). */
  readonly servedBeforeSuspension: number;
  /** Attack groups: servedBeforeSuspension / events (null when there are no events). */
  readonly servedShare: number | null;
}

export interface CohortFigures extends GroupFigures {
  readonly cohort: string;
  readonly attack: boolean;
  readonly strategy: string | null;
}

export interface StrategyFigures extends GroupFigures {
  readonly strategy: string;
  readonly cohorts: readonly string[];
}

export interface CampaignFigures {
  readonly campaignId: string;
  readonly strategy: string;
  readonly cohort: string;
  /** Active accounts of the campaign. */
  readonly accounts: number;
  readonly suspended: number;
  /**
   * The campaign's first event in the event file, or the truth's startedAt if it sent none or if
   * that is later (sleeper accounts chat as their owners did before the campaign starts).
   */
  readonly startedAt: string;
  readonly startedAtSource: 'events' | 'truth';
  /** Earliest suspension of any of its accounts (event time), null if none was suspended. */
  readonly firstSuspensionAt: string | null;
  readonly hoursToFirstSuspension: number | null;
}

export interface BarResult {
  readonly id: string;
  readonly description: string;
  readonly target: string;
  readonly actual: string;
  readonly verdict: Verdict;
}

/** Input figures worth knowing when reading the report (mismatched inputs show up here). */
export interface EvaluationInputFigures {
  readonly events: number;
  /** Events without an accountId or a readable ts (the pipeline dead-letters them). */
  readonly unreadableEvents: number;
  /** Events of accounts the truth does not know. */
  readonly unlabelledEvents: number;
  readonly resultAccounts: number;
  /** Result lines for accounts the truth does not know. */
  readonly unlabelledResults: number;
  /** Of those, suspended. */
  readonly unlabelledSuspended: number;
  /** Result lines for truth accounts that sent no event in the event file (inputs do not match). */
  readonly resultsWithoutEvents: number;
  /** Active accounts with no result line (the pipeline never scored them). */
  readonly activeWithoutResult: number;
  /** Cases read (0 when no cases were given: the case figures are then all 0). */
  readonly cases: number;
}

export interface EvaluationReport {
  readonly format: 'cauterize-evaluation/v1';
  readonly cohorts: readonly CohortFigures[];
  readonly strategies: readonly StrategyFigures[];
  readonly campaigns: readonly CampaignFigures[];
  readonly overall: {
    readonly attack: GroupFigures;
    readonly legitimate: GroupFigures;
  };
  readonly bars: readonly BarResult[];
  readonly inputs: EvaluationInputFigures;
}

/** Thrown when results do not fit the evaluation (e.g. an account listed twice). */
export class EvaluationError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'EvaluationError';
  }
}

interface AccountTrack {
  readonly truth: AccountTruth;
  status: ResultAccount['status'] | undefined;
  suspendedAtMs: number | undefined;
  events: number;
  served: number;
  /** Strongest action of the cases naming the account (CASE_ACTION_RANK), 0 for none. */
  strongestCase: number;
  reviewCases: number;
}

interface Counter {
  accounts: number;
  suspended: number;
  review: number;
  throttledOrVerified: number;
  withReviewCase: number;
  reviewCases: number;
  events: number;
  served: number;
}

const HOUR_MS = 3_600_000;
const emptyCounter = (): Counter => ({
  accounts: 0,
  suspended: 0,
  review: 0,
  throttledOrVerified: 0,
  withReviewCase: 0,
  reviewCases: 0,
  events: 0,
  served: 0,
});

/**
 * Accumulates a run's results and events against the truth. Add every result first (events are
 * judged against the suspension times), then stream the events, then `finish()`.
 */
export class Evaluator {
  private readonly accounts = new Map<string, AccountTrack>();
  private readonly campaignFirstEventMs = new Map<string, number>();
  private eventsStarted = false;
  private events = 0;
  private unreadableEvents = 0;
  private unlabelledEvents = 0;
  private resultAccounts = 0;
  private unlabelledResults = 0;
  private unlabelledSuspended = 0;
  private cases = 0;

  public constructor(private readonly truth: EvaluationTruth) {
    const campaignOf = new Map<string, string>();
    for (const campaign of truth.campaigns)
      for (const id of campaign.accounts) campaignOf.set(id, campaign.campaignId);
    for (const account of truth.accounts) {
      const campaignId = account.campaignId ?? campaignOf.get(account.accountId) ?? null;
      this.accounts.set(account.accountId, {
        truth: { ...account, campaignId },
        status: undefined,
        suspendedAtMs: undefined,
        events: 0,
        served: 0,
        strongestCase: 0,
        reviewCases: 0,
      });
    }
  }

  public addResult(result: ResultAccount): void {
    if (this.eventsStarted) throw new EvaluationError('results must all be added before the first event');
    this.resultAccounts += 1;
    const track = this.accounts.get(result.accountId);
    if (!track) {
      this.unlabelledResults += 1;
      if (result.status === 'SUSPENDED') this.unlabelledSuspended += 1;
      return;
    }
    if (track.status !== undefined) {
      throw new EvaluationError(`account ${result.accountId} appears twice in the results`);
    }
    track.status = result.status;
    if (result.status === 'SUSPENDED') {
      const ms = result.suspendedAt === null ? Number.NaN : Date.parse(result.suspendedAt);
      if (Number.isNaN(ms)) {
        throw new EvaluationError(
          `account ${result.accountId} is SUSPENDED with suspendedAt ${JSON.stringify(result.suspendedAt)}; expected an ISO-8601 time`,
        );
      }
      track.suspendedAtMs = ms;
    }
  }

  /** A case from replay's cases.jsonl; any time before `finish()`. */
  public addCase(result: ResultCase): void {
    this.cases += 1;
    const rank = CASE_ACTION_RANK[result.action ?? 'review'] ?? 1;
    for (const accountId of new Set(result.accountIds)) {
      const track = this.accounts.get(accountId);
      if (!track) continue;
      track.strongestCase = Math.max(track.strongestCase, rank);
      if (rank === CASE_ACTION_RANK.review) track.reviewCases += 1;
    }
  }

  public addEvent(event: EventRef): void {
    this.eventsStarted = true;
    this.events += 1;
    const { accountId, ts } = event;
    if (typeof accountId !== 'string' || typeof ts !== 'string') {
      this.unreadableEvents += 1;
      return;
    }
    const track = this.accounts.get(accountId);
    if (!track) {
      this.unlabelledEvents += 1;
      return;
    }
    // Only attacker events need their time: legitimate events are just counted.
    if (!track.truth.attack) {
      track.events += 1;
      return;
    }
    const ms = Date.parse(ts);
    if (Number.isNaN(ms)) {
      this.unreadableEvents += 1;
      return;
    }
    track.events += 1;
    if (track.suspendedAtMs === undefined || ms < track.suspendedAtMs) track.served += 1;
    const campaignId = track.truth.campaignId;
    if (campaignId !== null) {
      const first = this.campaignFirstEventMs.get(campaignId);
      if (first === undefined || ms < first) this.campaignFirstEventMs.set(campaignId, ms);
    }
  }

  public finish(): EvaluationReport {
    const byCohort = new Map<string, Counter>();
    const byStrategy = new Map<string, Counter>();
    const cohortsOfStrategy = new Map<string, Set<string>>();
    const attack = emptyCounter();
    const legitimate = emptyCounter();
    const byCampaign = new Map<string, { accounts: number; suspended: number; firstSuspensionMs: number }>();
    let resultsWithoutEvents = 0;
    let activeWithoutResult = 0;

    const throttle = CASE_ACTION_RANK.throttle ?? 2;
    const verify = CASE_ACTION_RANK.verify ?? 3;
    for (const {
      truth,
      status,
      suspendedAtMs,
      events,
      served,
      strongestCase,
      reviewCases,
    } of this.accounts.values()) {
      if (events === 0) {
        if (status !== undefined) resultsWithoutEvents += 1;
        continue;
      }
      if (status === undefined) activeWithoutResult += 1;
      const groups = [getOrAdd(byCohort, truth.cohort, emptyCounter), truth.attack ? attack : legitimate];
      if (truth.attack) {
        const strategy = truth.strategy ?? '(none)';
        groups.push(getOrAdd(byStrategy, strategy, emptyCounter));
        getOrAdd(cohortsOfStrategy, strategy, () => new Set<string>()).add(truth.cohort);
      }
      for (const group of groups) {
        group.accounts += 1;
        group.events += events;
        group.served += served;
        if (status === 'SUSPENDED') group.suspended += 1;
        if (status === 'REVIEW') group.review += 1;
        if (status !== 'SUSPENDED' && (strongestCase === throttle || strongestCase === verify))
          group.throttledOrVerified += 1;
        if (reviewCases > 0) group.withReviewCase += 1;
        group.reviewCases += reviewCases;
      }
      if (truth.campaignId !== null) {
        const campaign = getOrAdd(byCampaign, truth.campaignId, () => ({
          accounts: 0,
          suspended: 0,
          firstSuspensionMs: Number.POSITIVE_INFINITY,
        }));
        campaign.accounts += 1;
        if (suspendedAtMs !== undefined) {
          campaign.suspended += 1;
          campaign.firstSuspensionMs = Math.min(campaign.firstSuspensionMs, suspendedAtMs);
        }
      }
    }

    const cohortKinds = new Map(this.truth.cohorts.map((c) => [c.id, c]));
    const cohortIds = [
      ...this.truth.cohorts.map((c) => c.id),
      ...[...byCohort.keys()].filter((id) => !cohortKinds.has(id)),
    ];
    const cohorts: CohortFigures[] = cohortIds.map((id) => {
      const kind = cohortKinds.get(id);
      const isAttack = kind?.attack ?? this.cohortIsAttack(id);
      return {
        cohort: id,
        attack: isAttack,
        strategy: kind?.strategy ?? null,
        ...figures(byCohort.get(id) ?? emptyCounter(), isAttack),
      };
    });
    const strategies: StrategyFigures[] = [...byStrategy].map(([strategy, counter]) => ({
      strategy,
      cohorts: [...(cohortsOfStrategy.get(strategy) ?? [])],
      ...figures(counter, true),
    }));

    const campaigns: CampaignFigures[] = this.truth.campaigns.map((c) => {
      const counts = byCampaign.get(c.campaignId);
      const firstEventMs = this.campaignFirstEventMs.get(c.campaignId);
      // The later of the two: a campaign of sleeper accounts starts when they turn to extraction
      // (the truth's startedAt), not with their owners' earlier chats. For every other campaign
      // startedAt is its first account's start, never after its first event.
      const truthMs = Date.parse(c.startedAt);
      const useEvents = firstEventMs !== undefined && !(truthMs > firstEventMs);
      const startMs = useEvents ? firstEventMs : truthMs;
      const firstSuspensionMs = counts?.firstSuspensionMs ?? Number.POSITIVE_INFINITY;
      const suspended = Number.isFinite(firstSuspensionMs);
      return {
        campaignId: c.campaignId,
        strategy: c.strategy,
        cohort: c.cohort,
        accounts: counts?.accounts ?? 0,
        suspended: counts?.suspended ?? 0,
        startedAt: Number.isNaN(startMs) ? c.startedAt : new Date(startMs).toISOString(),
        startedAtSource: useEvents ? 'events' : 'truth',
        firstSuspensionAt: suspended ? new Date(firstSuspensionMs).toISOString() : null,
        hoursToFirstSuspension:
          suspended && !Number.isNaN(startMs) ? round((firstSuspensionMs - startMs) / HOUR_MS, 3) : null,
      };
    });

    const overall = { attack: figures(attack, true), legitimate: figures(legitimate, false) };
    return {
      format: 'cauterize-evaluation/v1',
      cohorts,
      strategies,
      campaigns,
      overall,
      bars: qualityBars(overall, strategies, cohorts),
      inputs: {
        events: this.events,
        unreadableEvents: this.unreadableEvents,
        unlabelledEvents: this.unlabelledEvents,
        resultAccounts: this.resultAccounts,
        unlabelledResults: this.unlabelledResults,
        unlabelledSuspended: this.unlabelledSuspended,
        resultsWithoutEvents,
        activeWithoutResult,
        cases: this.cases,
      },
    };
  }

  private cohortIsAttack(cohort: string): boolean {
    for (const track of this.accounts.values()) if (track.truth.cohort === cohort) return track.truth.attack;
    return false;
  }
}

export interface EvaluateInput {
  readonly truth: EvaluationTruth;
  readonly results: Iterable<ResultAccount> | AsyncIterable<ResultAccount>;
  readonly events: Iterable<EventRef> | AsyncIterable<EventRef>;
  /** replay's cases, for the throttle, verify and review figures. @default none */
  readonly cases?: Iterable<ResultCase> | AsyncIterable<ResultCase>;
}

/** Evaluates a run: every result, every case, then every event (each iterated once), against the truth. */
export async function evaluate(input: EvaluateInput): Promise<EvaluationReport> {
  const evaluator = new Evaluator(input.truth);
  for await (const result of input.results) evaluator.addResult(result);
  for await (const result of input.cases ?? []) evaluator.addCase(result);
  for await (const event of input.events) evaluator.addEvent(event);
  return evaluator.finish();
}

function figures(c: Counter, attack: boolean): GroupFigures {
  return {
    accounts: c.accounts,
    suspended: c.suspended,
    review: c.review,
    throttledOrVerified: c.throttledOrVerified,
    withReviewCase: c.withReviewCase,
    reviewCases: c.reviewCases,
    events: c.events,
    recall: attack ? share(c.suspended, c.accounts) : null,
    wronglySuspendedShare: attack ? null : share(c.suspended, c.accounts),
    servedBeforeSuspension: attack ? c.served : 0,
    servedShare: attack ? share(c.served, c.events) : null,
  };
}

function qualityBars(
  overall: EvaluationReport['overall'],
  strategies: readonly StrategyFigures[],
  cohorts: readonly CohortFigures[],
): BarResult[] {
  const bars = QUALITY_BARS;
  const atLeast = (value: number | null, bar: number): Verdict =>
    value === null ? 'N/A' : value >= bar ? 'PASS' : 'FAIL';
  const atMost = (value: number | null, bar: number): Verdict =>
    value === null ? 'N/A' : value <= bar ? 'PASS' : 'FAIL';

  const rated = strategies.filter((s) => s.recall !== null);
  const failing = rated.filter((s) => (s.recall ?? 0) < bars.recallPerStrategy);
  const lowest = [...rated].sort((a, b) => (a.recall ?? 0) - (b.recall ?? 0))[0];

  const guarded = cohorts.filter((c) => (bars.zeroSuspensionCohorts as readonly string[]).includes(c.cohort));
  const guardedSuspended = guarded.reduce((sum, c) => sum + c.suspended, 0);
  const guardedActive = guarded.reduce((sum, c) => sum + c.accounts, 0);

  return [
    {
      id: 'recall-overall',
      description: 'recall: attacker accounts suspended, overall',
      target: `>= ${percent(bars.recallOverall)}`,
      actual: `${percent(overall.attack.recall)} (${overall.attack.suspended}/${overall.attack.accounts})`,
      verdict: atLeast(overall.attack.recall, bars.recallOverall),
    },
    {
      id: 'recall-per-strategy',
      description: 'recall, each strategy',
      target: `>= ${percent(bars.recallPerStrategy)} each`,
      actual:
        rated.length === 0
          ? 'n/a'
          : failing.length > 0
            ? `below: ${failing.map((s) => `${s.strategy} ${percent(s.recall)}`).join(', ')}`
            : `lowest: ${lowest?.strategy} ${percent(lowest?.recall ?? null)}`,
      verdict: rated.length === 0 ? 'N/A' : failing.length > 0 ? 'FAIL' : 'PASS',
    },
    {
      id: 'legit-suspended-overall',
      description: 'legitimate accounts suspended, overall',
      target: `<= ${percent(bars.legitSuspendedOverall, 2)}`,
      actual: `${percent(overall.legitimate.wronglySuspendedShare, 3)} (${overall.legitimate.suspended}/${overall.legitimate.accounts})`,
      verdict: atMost(overall.legitimate.wronglySuspendedShare, bars.legitSuspendedOverall),
    },
    {
      id: 'legit-suspended-hard-negatives',
      description: 'legitimate accounts suspended, guarded hard negatives',
      target: '0',
      actual:
        guarded.length === 0
          ? 'n/a (cohorts not in this simulation)'
          : guarded.map((c) => `${c.cohort} ${c.suspended}/${c.accounts}`).join(', '),
      verdict: guardedActive === 0 ? 'N/A' : guardedSuspended === 0 ? 'PASS' : 'FAIL',
    },
    {
      id: 'attacker-requests-served',
      description: 'attacker requests served before suspension',
      target: `<= ${percent(bars.servedBeforeSuspension)}`,
      actual: `${percent(overall.attack.servedShare)} (${overall.attack.servedBeforeSuspension}/${overall.attack.events})`,
      verdict: atMost(overall.attack.servedShare, bars.servedBeforeSuspension),
    },
  ];
}

/** A share as a percentage with `digits` decimals; 'n/a' for null. */
export function percent(value: number | null, digits = 1): string {
  return value === null ? 'n/a' : `${(value * 100).toFixed(digits)}%`;
}

function share(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function getOrAdd<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = create();
    map.set(key, value);
  }
  return value;
}
