import { WeightedTable, type Rng } from '../rng';
import { DAY_MS, HOUR_MS, type SimWorld } from '../world';

const HOURS = Array.from({ length: 24 }, (_, h) => h);

/** Local-hour weights turned into a sampler of a time of day. */
export class HourProfile {
  private readonly table: WeightedTable<number>;

  constructor(weights: readonly number[]) {
    if (weights.length !== 24) throw new Error(`an hour profile needs 24 weights, got ${weights.length}`);
    this.table = new WeightedTable(HOURS, weights);
  }

  /** A random instant of the local day starting at `localMidnightMs` (epoch ms). */
  sample(rng: Rng, localMidnightMs: number): number {
    return localMidnightMs + (this.table.sample(rng) + rng.next()) * HOUR_MS;
  }

  /** n sorted instants of the local day. */
  sampleSorted(rng: Rng, localMidnightMs: number, n: number): number[] {
    const times = Array.from({ length: n }, () => this.sample(rng, localMidnightMs));
    return times.sort((a, b) => a - b);
  }
}

/** Epoch ms of local midnight of window day `day` (may be -1 to cover late-evening spill-over). */
export function localMidnight(world: SimWorld, day: number, utcOffsetHours: number): number {
  return world.startMs + day * DAY_MS - utcOffsetHours * HOUR_MS;
}

/** Day of week (0 = Sunday) of local day `day`: the UTC weekday of the window day it is named after. */
export function localWeekday(world: SimWorld, day: number): number {
  return new Date(world.startMs + day * DAY_MS).getUTCDay();
}

export function isWeekend(weekday: number): boolean {
  return weekday === 0 || weekday === 6;
}

/**
 * Evenly spaced requests, `perDay` a day, each gap jittered by ±`jitter` (a share of the gap):
 * the clockwork of scripts.
 */
export function* regularTimes(
  rng: Rng,
  fromMs: number,
  toMs: number,
  perDay: number,
  jitter: number,
): Generator<number> {
  const gap = DAY_MS / perDay;
  let t = fromMs + rng.next() * gap;
  while (t < toMs) {
    yield t;
    t += gap * (1 + jitter * (2 * rng.next() - 1));
  }
}

/** A Poisson process, `perDay` a day on average. */
export function* poissonTimes(rng: Rng, fromMs: number, toMs: number, perDay: number): Generator<number> {
  const mean = DAY_MS / perDay;
  let t = fromMs + rng.exponential(mean);
  while (t < toMs) {
    yield t;
    t += rng.exponential(mean);
  }
}

/**
 * Human-like timing: each local day, a number of requests drawn from `perDay` placed by the hour
 * profile of the account's time zone.
 */
export function* diurnalTimes(
  rng: Rng,
  world: SimWorld,
  fromMs: number,
  toMs: number,
  utcOffsetHours: number,
  profile: HourProfile,
  perDay: () => number,
): Generator<number> {
  for (let day = -1; day <= world.days; day++) {
    const midnight = localMidnight(world, day, utcOffsetHours);
    if (midnight + DAY_MS <= fromMs) continue;
    if (midnight >= toMs) break;
    for (const t of profile.sampleSorted(rng, midnight, perDay())) {
      if (t >= fromMs && t < toMs) yield t;
    }
  }
}
