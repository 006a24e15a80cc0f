import type { Tier } from '../../contract/usage-event';
import type { SignalId } from '../../policy/policy';
import type { WindowTotals } from '../window';

/** What a signal may look at besides the window's counters. */
export interface SignalContext {
  readonly tier: Tier;
  readonly windowHours: number;
  /** The tier's requests-per-day norm from the policy. */
  readonly dailyRequestNorm: number;
  /** Days from sign-up to the account's first request seen; undefined when unknown. */
  readonly ageAtFirstRequestDays?: number;
}

/**
 * Which way risk grows: most signals are riskier the higher they go; a few (account age, timing
 * variability) are riskier the lower they go. The policy's `low` < `high` keep their numeric
 * meaning either way; the direction says which end is the risky one.
 */
export type SignalDirection = 'higher-is-riskier' | 'lower-is-riskier';

/**
 * One risk signal: a pure measurement over an account's event-time window. Like a cdk-nag
 * rule, each lives in its own file, is registered with an id and explains itself.
 */
export interface Signal {
  readonly id: SignalId;
  readonly description: string;
  /** @default 'higher-is-riskier' */
  readonly direction?: SignalDirection;
  /**
   * The measured value; the policy's low/high for this id turn it into risk. `undefined` when the
   * window holds too little to measure it (e.g. fewer timed gaps than a variability needs): the
   * signal then adds nothing, as if it were at its harmless end.
   */
  measure(window: WindowTotals, context: SignalContext): number | undefined;
  /** A sentence for investigators, e.g. "92% of requests asked for step-by-step reasoning". */
  explain(value: number): string;
}

export const percent = (share: number): string => `${Math.round(share * 100)}%`;
export const ratio = (numerator: number, denominator: number): number =>
  denominator > 0 ? numerator / denominator : 0;
