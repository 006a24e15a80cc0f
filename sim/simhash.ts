import type { Rng } from './rng';

/**
 * 64-bit SimHash values as the gateway would send them: a locality-sensitive hash of the prompt's
 * embedding. Paraphrases of one template land within a few bits of each other; unrelated prompts
 * are about 32 bits apart (each bit agrees by chance). The simulator only generates hashes; the
 * detector has its own Hamming code.
 *
 * Held as two unsigned 32-bit halves: cheaper than BigInt on the hot path.
 */
export interface SimHash {
  readonly hi: number;
  readonly lo: number;
}

export const SIMHASH_BITS = 64;

/** A fresh, unrelated 64-bit hash (a new template or a one-off prompt). */
export function randomSimHash(rng: Rng): SimHash {
  return { hi: rng.uint32(), lo: rng.uint32() };
}

/** Flips the given bit positions (0 = least significant bit of `lo`, 63 = top bit of `hi`). */
export function flipBits(hash: SimHash, positions: readonly number[]): SimHash {
  let { hi, lo } = hash;
  for (const p of positions) {
    if (!Number.isInteger(p) || p < 0 || p >= SIMHASH_BITS) {
      throw new Error(`bit position must be an integer in [0, 63], got ${p}`);
    }
    if (p < 32) lo ^= 1 << p;
    else hi ^= 1 << (p - 32);
  }
  return { hi: hi >>> 0, lo: lo >>> 0 };
}

/**
 * A paraphrase of `template`: exactly `bits` distinct random bits flipped, so the result is at
 * Hamming distance `bits` from the template (and at most 2 * bits from another paraphrase).
 */
export function paraphrase(template: SimHash, bits: number, rng: Rng): SimHash {
  if (!Number.isInteger(bits) || bits < 0 || bits > SIMHASH_BITS) {
    throw new Error(`paraphrase bit count must be an integer in [0, 64], got ${bits}`);
  }
  if (bits === 0) return template;
  let hi = template.hi;
  let lo = template.lo;
  let flippedHi = 0;
  let flippedLo = 0;
  let flipped = 0;
  while (flipped < bits) {
    const p = rng.int(SIMHASH_BITS);
    if (p < 32) {
      const m = 1 << p;
      if (flippedLo & m) continue;
      flippedLo |= m;
      lo ^= m;
    } else {
      const m = 1 << (p - 32);
      if (flippedHi & m) continue;
      flippedHi |= m;
      hi ^= m;
    }
    flipped++;
  }
  return { hi: hi >>> 0, lo: lo >>> 0 };
}

/** XOR with a fixed mask: how one harness's fixed prompt wrapper shifts every item it sends. */
export function xorSimHash(a: SimHash, b: SimHash): SimHash {
  return { hi: (a.hi ^ b.hi) >>> 0, lo: (a.lo ^ b.lo) >>> 0 };
}

const BYTE_HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

function wordHex(w: number): string {
  return (
    (BYTE_HEX[w >>> 24] as string) +
    (BYTE_HEX[(w >>> 16) & 0xff] as string) +
    (BYTE_HEX[(w >>> 8) & 0xff] as string) +
    (BYTE_HEX[w & 0xff] as string)
  );
}

/** The contract's wire format: 16 lowercase hex characters. */
export function simHashToHex(hash: SimHash): string {
  return wordHex(hash.hi) + wordHex(hash.lo);
}

export function simHashFromHex(hex: string): SimHash {
  if (!/^[0-9a-f]{16}$/.test(hex)) throw new Error(`expected 16 lowercase hex characters, got "${hex}"`);
  return { hi: Number.parseInt(hex.slice(0, 8), 16) >>> 0, lo: Number.parseInt(hex.slice(8), 16) >>> 0 };
}

function popcount32(x: number): number {
  let v = x >>> 0;
  v -= (v >>> 1) & 0x55555555;
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

/** Number of differing bits; used by the simulator's own tests and sanity checks. */
export function hammingDistance(a: SimHash, b: SimHash): number {
  return popcount32(a.hi ^ b.hi) + popcount32(a.lo ^ b.lo);
}
