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

/**
 * One remembered band key: [band key, uses while live, epoch hour last used, topic tag]. The tag
 * (see topicTag) is the topic the band was first used with, or MANY_TOPICS once it was used with
 * another: a scaffold reused across topics is a template; a prompt always on one topic is the same
 * question asked again (a benchmark item, a homework problem). Absent in items written before tags.
 */
export type TemplateBandCount = readonly [bandKey: string, count: number, lastHour: number, tag?: string];

/** The tag of a band used with more than one topic. */
export const MANY_TOPICS = '*';

/** A two-character tag of a topic (1,296 values: enough to tell topics apart within a band); '' for none. */
export function topicTag(topic: string | null): string {
  if (topic === null) return '';
  let hash = 0x811c9dc5;
  for (let i = 0; i < topic.length; i++) {
    hash ^= topic.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return ((hash >>> 0) % 1296).toString(36).padStart(2, '0');
}

interface BandUse {
  count: number;
  hour: number;
  tag: string;
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
  /**
   * Whether the last observed prompt repeated an earlier one exactly: every band of it live, on
   * the same topic. The same question asked again (another sample of a benchmark item).
   */
  public repeated = false;
  /**
   * Whether the last observed prompt reused a band the account used with another topic: a
   * scaffold filled with a new question, the shape of a template.
   */
  public scaffold = false;

  public constructor(
    private readonly stored: readonly TemplateBandCount[],
    private readonly capacity: number,
  ) {}

  /**
   * Records an opener with `promptHash` at epoch hour `hour`; true when it reuses a template, i.e.
   * one of its band keys was used earlier in the window starting at `oldestHour`.
   */
  public observe(promptHash: string, hour: number, oldestHour: number, tag = ''): boolean {
    this.bands ??= new Map(this.stored.map(([key, count, hour, t]) => [key, { count, hour, tag: t ?? '' }]));
    let reused = false;
    let sameQuestion = tag !== '';
    let scaffold = false;
    for (const key of templateBandKeys(promptHash)) {
      const use = this.bands.get(key);
      if (use && use.hour >= oldestHour) {
        reused = true;
        if (use.tag !== tag) {
          sameQuestion = false;
          scaffold = true;
        }
        use.count += 1;
        use.hour = Math.max(use.hour, hour);
        if (use.tag !== tag) use.tag = MANY_TOPICS;
      } else {
        sameQuestion = false;
        this.bands.set(key, { count: 1, hour, tag });
        if (this.bands.size > this.capacity) this.evictOne(this.bands, key, oldestHour);
      }
    }
    this.repeated = sameQuestion;
    this.scaffold = scaffold && !sameQuestion;
    return reused;
  }

  /** What to store: the live keys. */
  public entries(oldestHour: number): TemplateBandCount[] {
    if (!this.bands) return this.stored.filter(([, , hour]) => hour >= oldestHour);
    const live: TemplateBandCount[] = [];
    this.bands.forEach((use, key) => {
      if (use.hour >= oldestHour) live.push([key, use.count, use.hour, use.tag]);
    });
    return live;
  }

  /** The tag of a live band key ('' when unknown). */
  public tagOf(bandKey: string): string {
    const use = this.bands?.get(bandKey);
    if (use) return use.tag;
    for (const [key, , , tag] of this.stored) if (key === bandKey) return tag ?? '';
    return '';
  }

  /**
   * Live keys used at least `minCount` times, most used first, then most recently used (ties in
   * the order they were first used): what linking compares across accounts.
   */
  public recurring(oldestHour: number, limit: number, minCount = 2): string[] {
    const reused: Array<{ key: string; count: number; hour: number }> = [];
    const consider = (key: string, count: number, hour: number) => {
      if (hour >= oldestHour && count >= minCount) reused.push({ key, count, hour });
    };
    if (this.bands) this.bands.forEach((use, key) => consider(key, use.count, use.hour));
    else for (const [key, count, hour] of this.stored) consider(key, count, hour);
    return (
      reused
        // Stable: ties keep the memory's order, so the bands of one prompt stay together.
        .sort((a, b) => b.count - a.count || b.hour - a.hour)
        .slice(0, limit)
        .map(({ key }) => key)
    );
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
