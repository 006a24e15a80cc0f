import type { Tier } from '../../contract/usage-event';
import type { SignalId } from '../../policy/policy';
import type { WindowTotals } from '../window';

/** What a signal may look at besides the window's counters. */
export interface SignalContext {
  readonly tier: Tier;
  readonly windowHours: number;
  /** The tier's requests-per-day norm from the policy. */
  readonly dailyRequestNorm: number;
}

/**
 * One risk signal: a pure measurement over an account's event-time window. Like a cdk-nag
 * rule, each lives in its own file, is registered with an id and explains itself.
 */
export interface Signal {
  readonly id: SignalId;
  readonly description: string;
  /** The measured value; the policy's low/high for this id turn it into risk. */
  measure(window: WindowTotals, context: SignalContext): number;
  /** A sentence for investigators, e.g. "92% of requests asked for step-by-step reasoning". */
  explain(value: number): string;
}

export const percent = (share: number): string => `${Math.round(share * 100)}%`;
export const ratio = (numerator: number, denominator: number): number =>
  denominator > 0 ? numerator / denominator : 0;
