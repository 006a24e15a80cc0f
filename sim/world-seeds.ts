/**
 * The seed split of randomised worlds (`--preset random`). Detection is tuned on the tuning worlds
 * only; every figure quoted in the README and docs comes from the held-out worlds, which nothing
 * (policy, weights, code) is fitted to. A seed outside both ranges is an ad-hoc world: fine for
 * exploring, never for a quoted figure.
 *
 * | split    | seeds     |
 * | -------- | --------- |
 * | tuning   | 1001-1999 |
 * | held-out | 9001-9999 |
 */

export const WORLD_SPLITS = ['tuning', 'held-out'] as const;
export type WorldSplit = (typeof WORLD_SPLITS)[number];

export const WORLD_SEED_RANGES: Readonly<
  Record<WorldSplit, { readonly first: number; readonly last: number }>
> = {
  tuning: { first: 1001, last: 1999 },
  'held-out': { first: 9001, last: 9999 },
};

/**
 * `count` consecutive seeds of a split, from its first seed plus `offset`: the same list every
 * time, so "10 held-out worlds" always means seeds 9001-9010.
 */
export function worldSeeds(split: WorldSplit, count: number, offset = 0): number[] {
  const { first, last } = WORLD_SEED_RANGES[split];
  const size = last - first + 1;
  if (
    !Number.isInteger(count) ||
    count < 1 ||
    !Number.isInteger(offset) ||
    offset < 0 ||
    offset + count > size
  ) {
    throw new RangeError(
      `the ${split} split has ${size} seeds (${first}-${last}); asked for ${count} from offset ${offset}`,
    );
  }
  return Array.from({ length: count }, (_, i) => first + offset + i);
}

/** The split a seed belongs to, or null for an ad-hoc seed. */
export function splitOfSeed(seed: number): WorldSplit | null {
  for (const split of WORLD_SPLITS) {
    const { first, last } = WORLD_SEED_RANGES[split];
    if (Number.isInteger(seed) && seed >= first && seed <= last) return split;
  }
  return null;
}
