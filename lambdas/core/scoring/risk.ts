import type { Tier } from '../contract/usage-event';
import type { Policy, SignalSettings } from '../policy/policy';
import { ACCOUNT_SIGNALS } from './signals';
import type { WindowTotals } from './window';

/** Why a score is what it is: one signal's value against the policy's thresholds. */
export interface Reason {
  readonly signal: string;
  readonly value: number;
  /** Where the signal starts to count (policy `low`). */
  readonly threshold: number;
  /** Where it counts fully (policy `high`). */
  readonly saturation: number;
  /** Points of the 0-100 score this signal contributed. */
  readonly points: number;
  readonly text: string;
}

export interface RiskAssessment {
  /** 0-100. */
  readonly score: number;
  /** Contributing signals, largest first. */
  readonly reasons: readonly Reason[];
  /** min(1, requests / minRequests): thin evidence scales the score down. */
  readonly confidence: number;
}

const round = (value: number, digits = 3): number => Number(value.toFixed(digits));

export function strength(value: number, settings: SignalSettings): number {
  return Math.min(1, Math.max(0, (value - settings.low) / (settings.high - settings.low)));
}

/** Scores one account's window under the policy. Pure and deterministic. */
export function assessRisk(window: WindowTotals, tier: Tier, policy: Policy): RiskAssessment {
  const context = {
    tier,
    windowHours: policy.windows.scoringHours,
    dailyRequestNorm: policy.tiers[tier].dailyRequestNorm,
  };
  const totalWeight = ACCOUNT_SIGNALS.reduce((sum, s) => sum + policy.signals[s.id].weight, 0);
  const confidence = Math.min(1, window.n / policy.windows.minRequests);
  if (totalWeight === 0 || window.n === 0) return { score: 0, reasons: [], confidence };

  let raw = 0;
  const reasons: Reason[] = [];
  for (const signal of ACCOUNT_SIGNALS) {
    const settings = policy.signals[signal.id];
    const value = signal.measure(window, context);
    const s = strength(value, settings);
    const points = (100 * settings.weight * s * confidence) / totalWeight;
    raw += points;
    if (s > 0 && s >= policy.reasonFloor) {
      reasons.push({
        signal: signal.id,
        value: round(value),
        threshold: settings.low,
        saturation: settings.high,
        points: round(points, 1),
        text: signal.explain(value),
      });
    }
  }
  reasons.sort((a, b) => b.points - a.points);
  return { score: Math.round(Math.min(100, raw)), reasons, confidence: round(confidence) };
}
