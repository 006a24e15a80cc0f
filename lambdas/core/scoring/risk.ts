import type { Tier } from '../contract/usage-event';
import type { Policy, SignalSettings } from '../policy/policy';
import { ACCOUNT_SIGNALS, type SignalDirection } from './signals';
import { percent } from './signals/signal';
import { extractionEvidence, type WindowTotals } from './window';

/** Why a score is what it is: one signal's value against the policy's thresholds. */
export interface Reason {
  readonly signal: string;
  readonly value: number;
  /** Where the signal starts to count (policy `low`; `high` for a lower-is-riskier signal). */
  readonly threshold: number;
  /** Where it counts fully (policy `high`; `low` for a lower-is-riskier signal). */
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

/** What the score may know about the account beyond its window. */
export interface AccountFacts {
  /** Days from sign-up to the first request seen. */
  readonly ageAtFirstRequestDays?: number;
  /** Share of its extraction-shaped prompts that are public (AccountState.publicShare). */
  readonly publicShare?: number;
}

const DAY_MS = 86_400_000;
const round = (value: number, digits = 3): number => Number(value.toFixed(digits));

/** 0 at the harmless end of the policy's range, 1 at the risky end, linear in between. */
export function strength(
  value: number,
  settings: Pick<SignalSettings, 'low' | 'high'>,
  direction: SignalDirection = 'higher-is-riskier',
): number {
  const rising = (value - settings.low) / (settings.high - settings.low);
  return Math.min(1, Math.max(0, direction === 'higher-is-riskier' ? rising : 1 - rising));
}

/** Days from `accountCreatedAt` to `firstEventAt` (never negative); undefined if either is unreadable. */
export function ageAtFirstRequestDays(account: {
  readonly accountCreatedAt: string;
  readonly firstEventAt: string;
}): number | undefined {
  const age = (Date.parse(account.firstEventAt) - Date.parse(account.accountCreatedAt)) / DAY_MS;
  return Number.isFinite(age) ? Math.max(0, age) : undefined;
}

/** Scores one account's window under the policy. Pure and deterministic. */
export function assessRisk(
  window: WindowTotals,
  tier: Tier,
  policy: Policy,
  facts: AccountFacts = {},
): RiskAssessment {
  const context = {
    tier,
    windowHours: policy.windows.scoringHours,
    dailyRequestNorm: policy.tiers[tier].dailyRequestNorm,
    ageAtFirstRequestDays: facts.ageAtFirstRequestDays,
  };
  const totalWeight = ACCOUNT_SIGNALS.reduce((sum, s) => sum + policy.signals[s.id].weight, 0);
  const confidence = Math.min(1, window.n / policy.windows.minRequests);
  if (totalWeight === 0 || window.n === 0) return { score: 0, reasons: [], confidence };

  let raw = 0;
  const reasons: Reason[] = [];
  for (const signal of ACCOUNT_SIGNALS) {
    const settings = policy.signals[signal.id];
    const value = signal.measure(window, context);
    if (value === undefined) continue;
    const rising = (signal.direction ?? 'higher-is-riskier') === 'higher-is-riskier';
    const s = strength(value, settings, signal.direction);
    const points = (100 * settings.weight * s * confidence) / totalWeight;
    raw += points;
    if (s > 0 && s >= policy.reasonFloor) {
      reasons.push({
        signal: signal.id,
        value: round(value),
        threshold: rising ? settings.low : settings.high,
        saturation: rising ? settings.high : settings.low,
        points: round(points, 1),
        text: signal.explain(value),
      });
    }
  }
  // Evidence counted, not averaged: an absolute amount of extraction-shaped traffic adds points of
  // its own (its count is its own confidence). Only below fullShare of the account's traffic do
  // they shrink: a reseller's or a busy team's occasional extraction-shaped request is not a
  // campaign (a campaign diluting each account that far is caught by its cluster).
  const settings = policy.evidence.extractionRequests;
  const evidence = extractionEvidence(window, facts.publicShare);
  const share = evidence / window.n;
  const s = strength(evidence, settings) * Math.min(1, share / settings.fullShare);
  if (s > 0) {
    const points = settings.points * s;
    raw += points;
    reasons.push({
      signal: 'extractionVolume',
      value: round(evidence, 1),
      threshold: settings.low,
      saturation: settings.high,
      points: round(points, 1),
      text:
        `${Math.round(evidence)} extraction-shaped requests in the window (${percent(share)} of its requests)` +
        (facts.publicShare ? `, public prompts (${percent(facts.publicShare)}) not counted` : ''),
    });
  }
  reasons.sort((a, b) => b.points - a.points);
  return { score: Math.round(Math.min(100, raw)), reasons, confidence: round(confidence) };
}
