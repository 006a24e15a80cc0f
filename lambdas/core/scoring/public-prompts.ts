/**
 * Known public prompts: the fingerprints (64-bit prompt SimHashes, as the gateway computes
 * `promptHash`) of public benchmark items the security team lists in the policy
 * (`publicPrompts`). A request whose prompt lies within `maxDistance` bits of one is a public
 * prompt from its first send: it counts no extraction evidence and exposes no template band,
 * whoever sends it. The census of public prompts (by spread) learns the same only once several
 * unrelated senders have sent an item; a list knows it before anyone has.
 */

/** Bits two fingerprints may differ in and still be one prompt: at most 3 keeps the lookup exact. */
export const MAX_PUBLIC_PROMPT_DISTANCE = 3;

/** A fingerprint as written in the list and in usage events: 16 lowercase hex digits. */
export const FINGERPRINT = /^[0-9a-f]{16}$/;

const BANDS = 4;

function popcount32(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

/**
 * Looks prompts up in a list of fingerprints. Indexed by the four 16-bit bands: two fingerprints
 * within 3 bits share at least one band exactly, so one probe per band finds every candidate, and
 * the candidates are checked bit by bit. About 0.8 µs per lookup of an unlisted prompt against
 * the shipped 3,381 (a throwaway timing loop on the shared 2-core machine, CI running beside it),
 * and only openers are looked up.
 */
export class PublicPromptIndex {
  private readonly hi: Uint32Array;
  private readonly lo: Uint32Array;
  /** (band position << 16 | band value) -> indexes of the fingerprints holding it. */
  private readonly byBand = new Map<number, number[]>();

  public constructor(
    fingerprints: readonly string[],
    private readonly maxDistance: number,
  ) {
    if (!Number.isInteger(maxDistance) || maxDistance < 0 || maxDistance > MAX_PUBLIC_PROMPT_DISTANCE) {
      throw new RangeError(`maxDistance must be an integer from 0 to ${MAX_PUBLIC_PROMPT_DISTANCE}`);
    }
    this.hi = new Uint32Array(fingerprints.length);
    this.lo = new Uint32Array(fingerprints.length);
    fingerprints.forEach((fp, i) => {
      if (!FINGERPRINT.test(fp)) throw new RangeError(`not a prompt fingerprint: ${JSON.stringify(fp)}`);
      this.hi[i] = parseInt(fp.slice(0, 8), 16);
      this.lo[i] = parseInt(fp.slice(8, 16), 16);
      for (let b = 0; b < BANDS; b++) {
        const key = (b << 16) | parseInt(fp.slice(b * 4, b * 4 + 4), 16);
        const holders = this.byBand.get(key);
        if (holders) holders.push(i);
        else this.byBand.set(key, [i]);
      }
    });
  }

  /** Whether `promptHash` (16 hex digits) is one of the listed prompts, within `maxDistance` bits. */
  public has(promptHash: string): boolean {
    if (this.hi.length === 0) return false;
    const hi = parseInt(promptHash.slice(0, 8), 16);
    const lo = parseInt(promptHash.slice(8, 16), 16);
    for (let b = 0; b < BANDS; b++) {
      const holders = this.byBand.get((b << 16) | parseInt(promptHash.slice(b * 4, b * 4 + 4), 16));
      if (!holders) continue;
      for (const i of holders) {
        const distance = popcount32((this.hi[i]! ^ hi) >>> 0) + popcount32((this.lo[i]! ^ lo) >>> 0);
        if (distance <= this.maxDistance) return true;
      }
    }
    return false;
  }
}

interface PublicPromptList {
  readonly fingerprints: readonly string[];
  readonly maxDistance: number;
}

const indexes = new WeakMap<PublicPromptList, PublicPromptIndex>();

/** The index of a policy's list, built once per list (the scorer makes a folder per account and batch). */
export function publicPromptIndex(list: PublicPromptList | undefined): PublicPromptIndex | undefined {
  if (!list || list.fingerprints.length === 0) return undefined;
  let index = indexes.get(list);
  if (!index) {
    index = new PublicPromptIndex(list.fingerprints, list.maxDistance);
    indexes.set(list, index);
  }
  return index;
}
