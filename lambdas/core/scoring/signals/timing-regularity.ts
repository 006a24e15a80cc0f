import type { Signal } from './signal';

/** Fewer timed gaps than this in the window say nothing about regularity. */
export const MIN_TIMED_GAPS = 8;

/**
 * Coefficient of variation (standard deviation / mean) of the gaps between requests, bursts
 * (gaps under a minute) left out and the rest measured past that minute. Scripts on a schedule sit near 0; people and Poisson-like
 * traffic near 1 or above. Enterprise CI bots are clockwork too, so this is one input among
 * many, weighted modestly, never a verdict.
 */
export function gapVariation(timed: number, sum: number, sumOfSquares: number): number | undefined {
  if (timed < MIN_TIMED_GAPS || sum <= 0) return undefined;
  const mean = sum / timed;
  const variance = Math.max(0, sumOfSquares / timed - mean * mean);
  return Math.sqrt(variance) / mean;
}

export const timingRegularitySignal: Signal = {
  id: 'timingRegularity',
  description:
    'Variability of the gaps between requests (coefficient of variation, bursts left out): clockwork schedules score, human rhythms do not',
  direction: 'lower-is-riskier',
  measure: (w) => gapVariation(w.timedGaps, w.gapExcessSum, w.gapExcessSquares),
  explain: (value) =>
    `gaps between requests vary by only ${value.toFixed(2)} of their mean: a clockwork schedule`,
};
