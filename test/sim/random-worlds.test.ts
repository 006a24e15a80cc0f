import fc from 'fast-check';
import { usageEventSchema } from '../../lambdas/core/contract/usage-event';
import { COHORTS, cohortById } from '../../sim/cohorts/registry';
import { generateTraffic } from '../../sim/generate';
import { QUALITY_BARS } from '../../sim/evaluation';
import { paramViolations } from '../../sim/params';
import { PRESETS } from '../../sim/presets';
import { digest } from '../support/sim';

describe('Preset: random', () => {
  it('randomises every registered cohort, and every cohort declares its ranges', () => {
    // Act
    const ids = PRESETS.random.mix.map((u) => u.cohort.id);

    // Assess
    expect(ids.sort()).toEqual(COHORTS.map((c) => c.id).sort());
    expect(COHORTS.filter((c) => !c.space || Object.keys(c.space).length === 0).map((c) => c.id)).toEqual([]);
  });

  it('guards every registered hard negative with the zero-suspension bar', () => {
    // Act
    const hardNegatives = COHORTS.filter((c) => c.hardNegative).map((c) => c.id);

    // Assess
    expect([...QUALITY_BARS.zeroSuspensionCohorts].sort()).toEqual(hardNegatives.sort());
  });

  it.each(COHORTS.map((c) => [c.id, c] as const))(
    "keeps %s's committed defaults inside its random ranges",
    (_id, cohort) => {
      // Act
      const problems = paramViolations(cohort.space ?? {}, cohort.defaults, { skipMissing: true });

      // Assess
      expect(problems).toEqual([]);
    },
  );

  it('generates worlds whose events pass the contract, in time order, with unique ids, and whose drawn parameters lie in their ranges', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), (seed) => {
        // Act
        const { events, truth } = generateTraffic({ preset: 'random', seed, scale: 0.02, days: 1 });
        const ids = new Set<string>();
        let previous = '';
        let count = 0;
        const invalid: unknown[] = [];
        let unsorted = 0;
        for (const { event } of events) {
          count++;
          ids.add(event.eventId);
          if (event.ts < previous) unsorted++;
          previous = event.ts;
          const parsed = usageEventSchema.safeParse(event);
          if (!parsed.success) invalid.push(parsed.error.issues[0]);
        }
        const outOfRange = truth.cohorts.flatMap((c) =>
          paramViolations(cohortById(c.id).space ?? {}, c.params).map((p) => `${c.id}.${p}`),
        );

        // Assess
        expect(invalid).toEqual([]);
        expect(unsorted).toBe(0);
        expect(ids.size).toBe(count);
        expect(outOfRange).toEqual([]);
        expect(truth.preset).toBe('random');
      }),
      { numRuns: 3 },
    );
  });

  it('records the drawn parameters and the hard negatives in the truth', () => {
    // Act
    const { truth } = generateTraffic({ preset: 'random', seed: 1001, scale: 0.02, days: 1 });

    // Assess
    for (const cohort of truth.cohorts) {
      expect(cohort.params).toBeDefined();
      expect(cohort.hardNegative).toBe(cohortById(cohort.id).hardNegative ?? false);
    }
  });

  it('is the same world for the same seed and a different one for another seed', () => {
    // Act
    const first = digest({ preset: 'random', seed: 1001, scale: 0.02, days: 1 });
    const again = digest({ preset: 'random', seed: 1001, scale: 0.02, days: 1 });
    const other = digest({ preset: 'random', seed: 1002, scale: 0.02, days: 1 });

    // Assess
    expect(again).toEqual(first);
    expect(other.sha256).not.toBe(first.sha256);
  });

  it('draws different parameters for different worlds', () => {
    // Act
    const a = generateTraffic({ preset: 'random', seed: 1001, scale: 0.02, days: 1 }).truth;
    const b = generateTraffic({ preset: 'random', seed: 1002, scale: 0.02, days: 1 }).truth;

    // Assess
    const differing = a.cohorts.filter(
      (c, i) => JSON.stringify(c.params) !== JSON.stringify(b.cohorts[i]?.params),
    );
    expect(differing).toHaveLength(a.cohorts.length);
  });
});
