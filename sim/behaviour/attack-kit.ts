import type { Presence } from './account-runtime';
import {
  diurnalTimes,
  HourProfile,
  isWeekend,
  localMidnight,
  localWeekday,
  poissonTimes,
  regularTimes,
} from './timing';
import {
  CLOUD_ASNS,
  HOSTING_ASNS,
  HUMAN_HOUR_WEIGHTS,
  ipv4On,
  networkByAsn,
  NETWORKS,
  WORK_HOUR_WEIGHTS,
  type Network,
} from '../catalog';
import { choice } from '../params';
import type { Rng } from '../rng';
import { DAY_MS, type SimWorld } from '../world';

/** Shared pieces of the newer cohorts: schedules, networks and organisation names. */

/**
 * How an account spaces its requests: clockwork (`regular`, with jitter), at random (`poisson`),
 * like a person (`diurnal`: a day's requests placed by human waking hours in the operator's time
 * zone, a varying number each day) or like an office worker (`office`: working hours, quiet
 * weekends).
 */
export const TIMING_KINDS = ['regular', 'poisson', 'diurnal', 'office'] as const;
export type TimingKind = (typeof TIMING_KINDS)[number];

export const timingChoice = (kinds: readonly TimingKind[] = TIMING_KINDS) =>
  choice(
    kinds,
    'how requests are spaced: regular (jittered clockwork), poisson, diurnal (human hours), office',
  );

const HUMAN_HOURS = new HourProfile(HUMAN_HOUR_WEIGHTS);
const WORK_HOURS = new HourProfile(WORK_HOUR_WEIGHTS);

export interface ScheduleOptions {
  readonly kind: TimingKind;
  readonly perDay: number;
  /** Regular timing: gap jitter as a share of the gap. */
  readonly jitter: number;
  /** Diurnal and office timing: the local time zone the rhythm follows. */
  readonly utcOffsetHours: number;
}

/** Request times in [fromMs, toMs), sorted, as `options.kind` spaces them. */
export function* scheduledTimes(
  rng: Rng,
  world: SimWorld,
  fromMs: number,
  toMs: number,
  options: ScheduleOptions,
): Generator<number> {
  const { kind, perDay, jitter, utcOffsetHours } = options;
  if (perDay <= 0 || toMs <= fromMs) return;
  switch (kind) {
    case 'regular':
      yield* regularTimes(rng, fromMs, toMs, perDay, jitter);
      return;
    case 'poisson':
      yield* poissonTimes(rng, fromMs, toMs, perDay);
      return;
    case 'diurnal':
      yield* diurnalTimes(rng, world, fromMs, toMs, utcOffsetHours, HUMAN_HOURS, () => rng.poisson(perDay));
      return;
    case 'office':
      for (let day = -1; day <= world.days; day++) {
        const midnight = localMidnight(world, day, utcOffsetHours);
        if (midnight + DAY_MS <= fromMs) continue;
        if (midnight >= toMs) return;
        const weekend = isWeekend(localWeekday(world, day));
        for (const t of WORK_HOURS.sampleSorted(
          rng,
          midnight,
          rng.poisson(weekend ? perDay * 0.15 : perDay),
        )) {
          if (t >= fromMs && t < toMs) yield t;
        }
      }
  }
}

/** Residential networks, optionally of some countries only (residential proxy exits, home lines). */
export function residentialNetworks(countries?: readonly string[]): readonly Network[] {
  return NETWORKS.filter(
    (n) => n.kind === 'residential' && (countries === undefined || countries.includes(n.country)),
  );
}

/** A fresh residential exit address. */
export function residentialExit(
  rng: Rng,
  networks: readonly Network[],
): Omit<Presence, 'userAgent' | 'deviceFingerprint'> {
  const network = rng.pick(networks);
  return { ip: ipv4On(network, rng), asn: network.asn, country: network.country };
}

/** A pool of `size` exits on hosting (datacentre proxies) or cloud networks. */
export function datacentreExits(
  rng: Rng,
  size: number,
  kind: 'hosting' | 'cloud',
): Omit<Presence, 'userAgent' | 'deviceFingerprint'>[] {
  const asns = kind === 'hosting' ? HOSTING_ASNS : CLOUD_ASNS;
  const networks = rng.sample(asns, Math.min(asns.length, 2 + rng.int(2))).map((asn) => networkByAsn(asn));
  return Array.from({ length: Math.max(1, size) }, () => {
    const network = rng.pick(networks);
    return { ip: ipv4On(network, rng), asn: network.asn, country: network.country };
  });
}

const NAME_FIRST = [
  'north',
  'blue',
  'summit',
  'apex',
  'vertex',
  'cedar',
  'river',
  'stone',
  'iron',
  'silver',
  'atlas',
  'nova',
  'harbor',
  'pine',
  'bright',
  'clear',
  'prime',
  'delta',
  'urban',
  'lake',
  'copper',
  'orbit',
  'maple',
  'quartz',
] as const;
const NAME_SECOND = [
  'labs',
  'systems',
  'works',
  'group',
  'tech',
  'data',
  'logic',
  'partners',
  'solutions',
  'digital',
  'analytics',
  'ventures',
  'consulting',
  'software',
  'dynamics',
  'learning',
] as const;
const TLDS = ['.com', '.io', '.co', '.net', '.ai', '.de', '.co.uk', '.fr'] as const;

/**
 * A corporate-looking email domain. Legitimate organisations of the newer cohorts and campaigns
 * posing as organisations draw from the same generator, so the name says nothing.
 */
export function corporateDomain(rng: Rng): string {
  const sep = rng.chance(0.4) ? '-' : '';
  return `${rng.pick(NAME_FIRST)}${sep}${rng.pick(NAME_SECOND)}${rng.pick(TLDS)}`;
}
