import fc from 'fast-check';
import {
  choice,
  describeSpace,
  drawParams,
  int,
  interval,
  num,
  paramViolations,
  share,
  weights,
  withDrawn,
  type SpaceOf,
} from '../../sim/params';
import { Rng } from '../../sim/rng';

interface Example {
  readonly count: number;
  readonly rate: number;
  readonly perDay: readonly [number, number];
  readonly sizes: readonly [number, number];
  readonly tier: 'free' | 'pro';
  readonly mix: Readonly<Record<'a' | 'b', number>>;
  readonly style: { readonly share: number; readonly label: string };
  readonly untouched: string;
}

const defaults: Example = {
  count: 10,
  rate: 0.5,
  perDay: [20, 40],
  sizes: [100, 1000],
  tier: 'pro',
  mix: { a: 1, b: 2 },
  style: { share: 0.3, label: 'kept' },
  untouched: 'default',
};

const space: SpaceOf<Example> = {
  count: int(1, 50, 'how many'),
  rate: num(0.01, 10, 'how fast', { log: true }),
  perDay: interval(5, 500, 'requests a day', { integer: true, log: true }),
  sizes: interval(10, 5_000, 'sizes'),
  tier: choice(['free', 'pro'] as const, 'tier'),
  mix: weights(['a', 'b'], 1, 9, 'mix'),
  style: { share: share(0, 1, 'a share') },
};

describe('Module: params', () => {
  describe('Function: drawParams', () => {
    it('draws every value inside its range, for any seed', () => {
      fc.assert(
        fc.property(fc.integer(), (seed) => {
          // Act
          const drawn = drawParams(space, Rng.of(seed, 'example'));

          // Assess
          expect(paramViolations(space, drawn)).toEqual([]);
          expect(drawn.perDay?.[0]).toBeLessThanOrEqual(drawn.perDay?.[1] ?? Number.NaN);
        }),
      );
    });

    it('draws the same values from the same stream and different ones from another', () => {
      // Act
      const first = drawParams(space, Rng.of(1, 'example'));
      const again = drawParams(space, Rng.of(1, 'example'));
      const other = drawParams(space, Rng.of(2, 'example'));

      // Assess
      expect(again).toEqual(first);
      expect(other).not.toEqual(first);
    });
  });

  describe('Function: withDrawn', () => {
    it('lays the drawn values over the defaults, merging nested objects and keeping what was not drawn', () => {
      // Prepare
      const drawn = drawParams(space, Rng.of(3, 'example'));

      // Act
      const params = withDrawn(defaults, drawn);

      // Assess
      expect(params.untouched).toBe('default');
      expect(params.style.label).toBe('kept');
      expect(params.style.share).toBe(drawn.style?.share);
      expect(params.count).toBe(drawn.count);
      expect(paramViolations(space, params)).toEqual([]);
    });
  });

  describe('Function: paramViolations', () => {
    it('names each value outside its range with its path', () => {
      // Prepare
      const bad = { ...defaults, count: 0, perDay: [40, 20], tier: 'team', style: { share: 2 } };

      // Act
      const problems = paramViolations(space, bad);

      // Assess
      expect(problems).toEqual([
        'count: expected an integer in [1, 50], got 0',
        'perDay: expected [lo, hi] with 5 <= lo <= hi <= 500, got [40,20]',
        'tier: expected one of free, pro, got "team"',
        'style.share: expected a number in [0, 1], got 2',
      ]);
    });

    it('skips what the parameters leave out only when asked to', () => {
      // Act
      const strict = paramViolations<{ extra: number }>({ extra: share(0, 1, 'optional') }, {});
      const lenient = paramViolations<{ extra: number }>(
        { extra: share(0, 1, 'optional') },
        {},
        { skipMissing: true },
      );

      // Assess
      expect(strict).toHaveLength(1);
      expect(lenient).toEqual([]);
    });
  });

  describe('Function: describeSpace', () => {
    it('gives one row per range with dotted paths, for the README table', () => {
      // Act
      const rows = describeSpace(space);

      // Assess
      expect(rows.map((r) => r.path)).toEqual([
        'count',
        'rate',
        'perDay',
        'sizes',
        'tier',
        'mix',
        'style.share',
      ]);
      expect(rows.find((r) => r.path === 'perDay')?.range).toBe('[lo, hi] within 5-500, log-uniform');
      expect(rows.find((r) => r.path === 'tier')?.range).toBe('free / pro');
    });
  });
});
