import type { UsageEvent } from '../lambdas/core/contract/usage-event';
import type { IdFactory } from './ids';
import type { SpaceOf } from './params';
import type { Rng } from './rng';
import type { SimWorld } from './world';

/** One generated event with its label. Labels never go on the wire: `event` is the contract. */
export interface LabelledEvent {
  readonly event: UsageEvent;
  readonly accountId: string;
  readonly cohort: string;
  /** Account-level label: every event of an attacker account, decoys included, is `true`. */
  readonly attack: boolean;
  readonly campaignId: string | null;
}

export interface AccountTruth {
  readonly accountId: string;
  readonly cohort: string;
  readonly attack: boolean;
  readonly campaignId: string | null;
  readonly strategy: string | null;
}

/** The shared instruments that link a campaign's accounts (what a good detector should find). */
export interface CampaignInfrastructure {
  readonly paymentFingerprints: readonly string[];
  readonly deviceFingerprints: readonly string[];
  readonly ips: readonly string[];
}

export interface CampaignTruth {
  readonly campaignId: string;
  readonly strategy: string;
  readonly cohort: string;
  readonly description: string;
  /** When the campaign's first account becomes active in the window (ISO-8601). */
  readonly startedAt: string;
  readonly accounts: readonly string[];
  readonly infrastructure: CampaignInfrastructure;
  /** The campaign's prompt templates (SimHash hex); its extraction requests are paraphrases of these. */
  readonly promptTemplates: readonly string[];
}

export interface CohortTruth {
  readonly id: string;
  readonly description: string;
  readonly attack: boolean;
  readonly strategy: string | null;
  /** Superficial traits a naive detector would key on (why hard negatives are hard). */
  readonly traits: readonly string[];
  readonly accounts: number;
  /** Randomised worlds only: a legitimate cohort that looks like extraction and must never be suspended. */
  readonly hardNegative?: boolean;
  /** Randomised worlds only: the parameters drawn for this world (the rest are the cohort's defaults). */
  readonly params?: Readonly<Record<string, unknown>>;
}

export interface GroundTruth {
  readonly format: 'cauterize-sim-truth/v1';
  readonly seed: number;
  readonly scale: number;
  readonly preset: PresetName;
  /** Window [start, end) in ISO-8601; every event's ts lies inside it. */
  readonly start: string;
  readonly end: string;
  readonly days: number;
  readonly models: { readonly baseline: string; readonly released: string; readonly releasedAt: string };
  readonly cohorts: readonly CohortTruth[];
  readonly campaigns: readonly CampaignTruth[];
  readonly accounts: readonly AccountTruth[];
}

export type PresetName = 'demo' | 'default' | 'random';

/** An event with its time as epoch milliseconds, which the merge orders by. */
export interface TimedEvent {
  readonly ms: number;
  readonly event: UsageEvent;
}

/**
 * What an account stream yields: an event, or first (optionally) a number, the time of its next
 * event, announced before the event is built. The merge then holds a number, not a finished event,
 * while every other account catches up: events are built only when they are due, so they die
 * young and the garbage collector stays cheap at hundreds of thousands of accounts.
 */
export type AccountStreamItem = TimedEvent | number;

/**
 * A planned account: its label, the earliest time it can emit, and a factory for its lazy,
 * time-ordered event stream (opened only when the merge reaches `activeFromMs`, so accounts that
 * appear late in the window cost no memory before then).
 */
export interface AccountPlan {
  readonly truth: AccountTruth;
  readonly activeFromMs: number;
  open(): Iterator<AccountStreamItem>;
}

export interface CohortPlan {
  readonly accounts: readonly AccountPlan[];
  readonly campaigns: readonly CampaignTruth[];
}

export interface PlanContext {
  readonly world: SimWorld;
  readonly scale: number;
  /** Planning randomness for this cohort (account creation times, shared pools). */
  readonly rng: Rng;
  /** Globally unique opaque identifiers (accounts, orgs, cards, devices). */
  readonly ids: IdFactory;
  /** A base count at scale 1, scaled and rounded, never below `min`. */
  count(base: number, min?: number): number;
  /** The independent random stream of the cohort's i-th account. */
  accountRng(index: number): Rng;
  /** A new campaign id for the strategy. */
  campaignId(strategy: string): string;
}

/** One cohort: a kind of account, legitimate or attacking, registered with an id and description. */
export interface CohortDefinition<P> {
  readonly id: string;
  readonly description: string;
  readonly attack: boolean;
  readonly strategy: string | null;
  readonly traits: readonly string[];
  /** A legitimate cohort that shares traits with extraction and must never be suspended. */
  readonly hardNegative?: boolean;
  readonly defaults: P;
  /**
   * The ranges randomised worlds draw the parameters from (see params.ts); parameters it leaves
   * out keep their defaults. The defaults lie inside these ranges (a test checks it).
   */
  readonly space?: SpaceOf<P>;
  plan(ctx: PlanContext, params: P): CohortPlan;
}
