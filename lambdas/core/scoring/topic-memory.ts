/** A topic the account asked about: [short hash of the topic label, epoch hour last asked]. */
export type TopicSeen = readonly [topicKey: string, lastHour: number];

/**
 * The account's recently asked topics, least recently asked first, at most `capacity` of them.
 * A request is on a *new* topic when its topic is not in memory or was last asked before the
 * window. Bounded: past the capacity the least recently asked topic is forgotten, so an account
 * cycling through more topics than that keeps finding "new" ones, which is the sweep we look for.
 */
export class TopicMemory {
  /** Indexed on the first request with a topic; until then the stored entries stand. */
  private seen: Map<string, number> | undefined;

  public constructor(
    private readonly stored: readonly TopicSeen[],
    private readonly capacity: number,
  ) {}

  /** Records a request on `topic` at epoch hour `hour`; true when the topic is new in the window starting at `oldestHour`. */
  public observe(topic: string, hour: number, oldestHour: number): boolean {
    const seen = (this.seen ??= new Map(this.stored));
    const key = shortHash(topic);
    const last = seen.get(key);
    const novel = last === undefined || last < oldestHour;
    seen.delete(key);
    seen.set(key, last === undefined ? hour : Math.max(last, hour));
    for (const oldest of seen.keys()) {
      if (seen.size <= this.capacity) break;
      seen.delete(oldest);
    }
    return novel;
  }

  /** What to store: the topics still inside the window, least recently asked first. */
  public entries(oldestHour: number): TopicSeen[] {
    if (!this.seen) return this.stored.filter(([, hour]) => hour >= oldestHour);
    const live: TopicSeen[] = [];
    this.seen.forEach((hour, key) => {
      if (hour >= oldestHour) live.push([key, hour]);
    });
    return live;
  }
}

/** 32-bit FNV-1a of a string, base36 (at most 7 characters): a compact key for bounded memories. */
function shortHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(36);
}
