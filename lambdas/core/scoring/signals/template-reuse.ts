import { percent, ratio, type Signal } from './signal';

/** LSH bands of the 64-bit prompt SimHash: 4 bands of 16 bits. */
const BANDS = 4;
const BAND_HEX = 4;

/**
 * The LSH band keys of a prompt hash, e.g. ["0:9f3a", "1:61c0", "2:07bd", "3:e412"]. Two hashes
 * within 3 bits of each other always share at least one key (3 flipped bits touch at most 3 of
 * the 4 bands), and usually still do at 4-6 bits; unrelated hashes (~32 bits apart) share one by
 * chance with probability ~4/65,536. Used for template reuse inside an account and, by linking,
 * across accounts.
 */
export function templateBandKeys(promptHash: string): string[] {
  return Array.from({ length: BANDS }, (_, band) => {
    const from = band * BAND_HEX;
    return `${band}:${promptHash.slice(from, from + BAND_HEX)}`;
  });
}

/** One remembered band key: [band key, uses while live, epoch hour last used]. */
export type TemplateBandCount = readonly [bandKey: string, count: number, lastHour: number];

interface BandUse {
  count: number;
  hour: number;
}

/**
 * Band keys of the account's conversation openers, with how often each was used, at most
 * `capacity` of them. A key is live while it was used inside the window; a key that went a whole
 * window unused starts again from 1. Past the capacity the key with the fewest uses (then the
 * least recently used) is forgotten: one-off prompts churn through, templates stay.
 *
 * The stored entries are indexed only when an opener is observed: most accounts' batches on AWS
 * hold a request or two, often none an opener, and then the entries are only filtered.
 */
export class TemplateMemory {
  private bands: Map<string, BandUse> | undefined;

  public constructor(
    private readonly stored: readonly TemplateBandCount[],
    private readonly capacity: number,
  ) {}

  /**
   * Records an opener with `promptHash` at epoch hour `hour`; true when it reuses a template, i.e.
   * one of its band keys was used earlier in the window starting at `oldestHour`.
   */
  public observe(promptHash: string, hour: number, oldestHour: number): boolean {
    this.bands ??= new Map(this.stored.map(([key, count, hour]) => [key, { count, hour }]));
    let reused = false;
    for (const key of templateBandKeys(promptHash)) {
      const use = this.bands.get(key);
      if (use && use.hour >= oldestHour) {
        reused = true;
        use.count += 1;
        use.hour = Math.max(use.hour, hour);
      } else {
        this.bands.set(key, { count: 1, hour });
        if (this.bands.size > this.capacity) this.evictOne(this.bands, key, oldestHour);
      }
    }
    return reused;
  }

  /** What to store: the live keys. */
  public entries(oldestHour: number): TemplateBandCount[] {
    if (!this.bands) return this.stored.filter(([, , hour]) => hour >= oldestHour);
    const live: TemplateBandCount[] = [];
    this.bands.forEach((use, key) => {
      if (use.hour >= oldestHour) live.push([key, use.count, use.hour]);
    });
    return live;
  }

  /** Live keys used at least twice, most used first (ties by key): what linking compares across accounts. */
  public recurring(oldestHour: number, limit: number): string[] {
    const reused: Array<{ key: string; count: number }> = [];
    const consider = (key: string, count: number, hour: number) => {
      if (hour >= oldestHour && count >= 2) reused.push({ key, count });
    };
    if (this.bands) this.bands.forEach((use, key) => consider(key, use.count, use.hour));
    else for (const [key, count, hour] of this.stored) consider(key, count, hour);
    return reused
      .sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .slice(0, limit)
      .map(({ key }) => key);
  }

  private evictOne(bands: Map<string, BandUse>, keep: string, oldestHour: number): void {
    let victim: string | undefined;
    let victimCount = Number.POSITIVE_INFINITY;
    let victimHour = Number.POSITIVE_INFINITY;
    // forEach, not for-of over entries: this runs for every new key of a full memory, and each
    // entry pair would be an allocation.
    bands.forEach((use, key) => {
      if (key === keep) return;
      const count = use.hour >= oldestHour ? use.count : 0;
      if (count < victimCount || (count === victimCount && use.hour < victimHour)) {
        victim = key;
        victimCount = count;
        victimHour = use.hour;
      }
    });
    if (victim !== undefined) bands.delete(victim);
  }
}

export const templateReuseSignal: Signal = {
  id: 'templateReuse',
  description:
    'Share of conversation openers that reuse a prompt template (a prompt hash within a few bits) the account used earlier in the window',
  measure: (w) => ratio(w.tpl, w.open),
  explain: (value) => `${percent(value)} of conversation openers reuse one of the account's prompt templates`,
};
