import type { AccountTruth, CampaignInfrastructure, CampaignTruth } from '../types';
import { DAY_MS, HOUR_MS, type SimWorld } from '../world';
import type { Rng } from '../rng';
import { simHashToHex } from '../simhash';
import type { TemplateBank } from './extraction';

export function iso(ms: number): string {
  return new Date(Math.floor(ms)).toISOString();
}

/** Creation time of an established account: between `minDays` and `maxDays` before the window. */
export function agedCreatedMs(rng: Rng, world: SimWorld, minDays: number, maxDays: number): number {
  return world.startMs - rng.between(minDays, maxDays) * DAY_MS - rng.next() * HOUR_MS;
}

export function legitTruth(accountId: string, cohort: string): AccountTruth {
  return { accountId, cohort, attack: false, campaignId: null, strategy: null };
}

export function attackTruth(
  accountId: string,
  cohort: string,
  campaignId: string,
  strategy: string,
): AccountTruth {
  return { accountId, cohort, attack: true, campaignId, strategy };
}

export function campaignTruth(
  fields: Omit<CampaignTruth, 'startedAt' | 'infrastructure' | 'promptTemplates'> & {
    infrastructure?: Partial<CampaignInfrastructure>;
    templates: TemplateBank;
  },
  activeFromMs: readonly number[],
): CampaignTruth {
  const { templates, ...rest } = fields;
  const first = activeFromMs.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);
  return {
    ...rest,
    startedAt: iso(first),
    infrastructure: {
      paymentFingerprints: fields.infrastructure?.paymentFingerprints ?? [],
      deviceFingerprints: fields.infrastructure?.deviceFingerprints ?? [],
      ips: fields.infrastructure?.ips ?? [],
    },
    promptTemplates: templates.all().map(simHashToHex),
  };
}

/** Validates a [min, max] range parameter early, naming the bad value. */
export function checkRange(name: string, range: readonly [number, number], min = 0): void {
  const [lo, hi] = range;
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo >= min && hi >= lo)) {
    throw new Error(`${name} must be [min, max] with ${min} <= min <= max, got [${lo}, ${hi}]`);
  }
}
