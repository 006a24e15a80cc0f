import { splitOfSeed, WORLD_SEED_RANGES, worldSeeds } from '../../sim/world-seeds';

describe('Module: world-seeds', () => {
  it('keeps the tuning and held-out seeds disjoint', () => {
    // Act
    const tuning = worldSeeds('tuning', 999);
    const heldOut = new Set(worldSeeds('held-out', 999));

    // Assess
    expect(tuning.filter((s) => heldOut.has(s))).toEqual([]);
    expect(WORLD_SEED_RANGES.tuning.last).toBeLessThan(WORLD_SEED_RANGES['held-out'].first);
  });

  it('lists the same consecutive seeds every time', () => {
    // Act
    const first = worldSeeds('held-out', 10);
    const shifted = worldSeeds('tuning', 3, 5);

    // Assess
    expect(first).toEqual([9001, 9002, 9003, 9004, 9005, 9006, 9007, 9008, 9009, 9010]);
    expect(shifted).toEqual([1006, 1007, 1008]);
  });

  it('names the split of a seed, and none for an ad-hoc seed', () => {
    // Act / Assess
    expect(splitOfSeed(1001)).toBe('tuning');
    expect(splitOfSeed(9999)).toBe('held-out');
    expect(splitOfSeed(1)).toBeNull();
    expect(splitOfSeed(5000)).toBeNull();
  });

  it.each([
    [0, 0],
    [1000, 0],
    [2, 998],
  ])('refuses %i seeds from offset %i, naming the split and its size', (count, offset) => {
    // Act / Assess
    expect(() => worldSeeds('held-out', count, offset)).toThrow(
      'the held-out split has 999 seeds (9001-9999)',
    );
  });
});
