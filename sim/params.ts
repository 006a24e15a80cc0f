import type { Rng } from './rng';

/**
 * Parameter ranges for randomised worlds. A cohort declares, next to its default parameters, the
 * range each may take (`space`); the `random` preset draws every one per world from its own stream
 * (`Rng.of(seed, cohortId, 'params')`), so a detector tuned on some worlds meets different rates,
 * shares, sizes and habits in the next. Ranges are data: they are checked, drawn, recorded in the
 * truth file and rendered as the table in sim/README.md from the same definitions.
 */

interface RangeBase {
  /** What the parameter means, for the README table. */
  readonly doc: string;
}

/** A whole number, uniform in [min, max]. */
export interface IntRange extends RangeBase {
  readonly kind: 'int';
  readonly min: number;
  readonly max: number;
}

/** A real number in [min, max]: uniform, or log-uniform where it spans orders of magnitude. */
export interface NumberRange extends RangeBase {
  readonly kind: 'number';
  readonly min: number;
  readonly max: number;
  readonly log: boolean;
}

/** A [lo, hi] pair parameter (e.g. requests a day, per account, drawn in it): both ends in [min, max]. */
export interface IntervalRange extends RangeBase {
  readonly kind: 'interval';
  readonly min: number;
  readonly max: number;
  readonly integer: boolean;
  readonly log: boolean;
}

/** One of a list. */
export interface ChoiceRange<T> extends RangeBase {
  readonly kind: 'choice';
  readonly options: readonly T[];
}

/** A record of relative weights (e.g. capabilities), each in [min, max]. */
export interface WeightsRange<K extends string = string> extends RangeBase {
  readonly kind: 'weights';
  readonly keys: readonly K[];
  readonly min: number;
  readonly max: number;
}

export type ParamRange = IntRange | NumberRange | IntervalRange | ChoiceRange<unknown> | WeightsRange;

type RangeFor<T> = [T] extends [number]
  ? IntRange | NumberRange | ChoiceRange<number>
  : [T] extends [readonly [number, number]]
    ? IntervalRange
    : [T] extends [boolean]
      ? ChoiceRange<boolean>
      : [T] extends [string]
        ? ChoiceRange<T>
        : [T] extends [Readonly<Record<string, number>>]
          ? WeightsRange<Extract<keyof T, string>>
          : [T] extends [object]
            ? SpaceOf<T>
            : never;

/** The ranges of (some of) a parameter object's fields; nested objects get nested spaces. */
export type SpaceOf<P> = { readonly [K in keyof P]?: RangeFor<NonNullable<P[K]>> };

/** What a space draws: the parameters it covers, nested objects partly. */
export type Drawn<P> = {
  -readonly [K in keyof P]?: P[K] extends readonly unknown[] ? P[K] : Drawn<P[K]> | P[K];
};

export const int = (min: number, max: number, doc: string): IntRange => ({ kind: 'int', min, max, doc });

export const num = (min: number, max: number, doc: string, options: { log?: boolean } = {}): NumberRange => ({
  kind: 'number',
  min,
  max,
  log: options.log ?? false,
  doc,
});

/** A share in [min, max] (both within [0, 1]). */
export const share = (min: number, max: number, doc: string): NumberRange => num(min, max, doc);

export const interval = (
  min: number,
  max: number,
  doc: string,
  options: { integer?: boolean; log?: boolean } = {},
): IntervalRange => ({
  kind: 'interval',
  min,
  max,
  integer: options.integer ?? false,
  log: options.log ?? false,
  doc,
});

export const choice = <T>(options: readonly T[], doc: string): ChoiceRange<T> => ({
  kind: 'choice',
  options,
  doc,
});

export const weights = <K extends string>(
  keys: readonly K[],
  min: number,
  max: number,
  doc: string,
): WeightsRange<K> => ({ kind: 'weights', keys, min, max, doc });

function isRange(value: unknown): value is ParamRange {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { kind?: unknown }).kind === 'string' &&
    typeof (value as { doc?: unknown }).doc === 'string'
  );
}

/** Four significant digits: drawn values stay readable in the truth file and stay inside their range. */
function tidy(x: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Number(x.toPrecision(4))));
}

function drawNumber(rng: Rng, min: number, max: number, log: boolean): number {
  if (log && min > 0) return tidy(Math.exp(rng.between(Math.log(min), Math.log(max))), min, max);
  return tidy(rng.between(min, max), min, max);
}

function drawRange(range: ParamRange, rng: Rng): unknown {
  switch (range.kind) {
    case 'int':
      return rng.intBetween(range.min, range.max);
    case 'number':
      return drawNumber(rng, range.min, range.max, range.log);
    case 'interval': {
      const one = () =>
        range.integer
          ? range.log && range.min > 0
            ? Math.round(drawNumber(rng, range.min, range.max, true))
            : rng.intBetween(range.min, range.max)
          : drawNumber(rng, range.min, range.max, range.log);
      const a = one();
      const b = one();
      return a <= b ? [a, b] : [b, a];
    }
    case 'choice':
      return rng.pick(range.options);
    case 'weights':
      return Object.fromEntries(range.keys.map((k) => [k, rng.intBetween(range.min, range.max)]));
  }
}

/** Draws every parameter the space covers, in the space's key order (so the same seed, the same draw). */
export function drawParams<P>(space: SpaceOf<P>, rng: Rng): Drawn<P> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(space as Record<string, unknown>)) {
    if (value === undefined) continue;
    out[key] = isRange(value) ? drawRange(value, rng) : drawParams(value as SpaceOf<unknown>, rng);
  }
  return out as Drawn<P>;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The defaults with the drawn values laid over them (nested objects merged, arrays replaced). */
export function withDrawn<P>(defaults: P, drawn: Drawn<P>): P {
  const merge = (base: unknown, over: unknown): unknown => {
    if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : over;
    const out: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(over)) out[key] = merge(base[key], value);
    return out;
  };
  return merge(defaults, drawn) as P;
}

function rangeViolation(range: ParamRange, value: unknown): string | undefined {
  const inside = (x: unknown, min: number, max: number, integer: boolean) =>
    typeof x === 'number' && Number.isFinite(x) && x >= min && x <= max && (!integer || Number.isInteger(x));
  switch (range.kind) {
    case 'int':
      return inside(value, range.min, range.max, true)
        ? undefined
        : `expected an integer in [${range.min}, ${range.max}]`;
    case 'number':
      return inside(value, range.min, range.max, false)
        ? undefined
        : `expected a number in [${range.min}, ${range.max}]`;
    case 'interval': {
      const ok =
        Array.isArray(value) &&
        value.length === 2 &&
        inside(value[0], range.min, range.max, range.integer) &&
        inside(value[1], range.min, range.max, range.integer) &&
        (value[0] as number) <= (value[1] as number);
      return ok ? undefined : `expected [lo, hi] with ${range.min} <= lo <= hi <= ${range.max}`;
    }
    case 'choice':
      return range.options.includes(value) ? undefined : `expected one of ${range.options.join(', ')}`;
    case 'weights': {
      const ok =
        isPlainObject(value) &&
        range.keys.every((k) => inside(value[k], range.min, range.max, false)) &&
        Object.keys(value).every((k) => (range.keys as readonly string[]).includes(k));
      return ok
        ? undefined
        : `expected weights for ${range.keys.join(', ')}, each in [${range.min}, ${range.max}]`;
    }
  }
}

/**
 * Every field of `params` the space covers that lies outside its range, as "path: problem, got
 * value". With `skipMissing`, fields the parameters leave out (optional ones) are not checked.
 */
export function paramViolations<P>(
  space: SpaceOf<P>,
  params: unknown,
  options: { readonly skipMissing?: boolean } = {},
  prefix = '',
): string[] {
  const problems: string[] = [];
  const values = isPlainObject(params) ? params : {};
  for (const [key, range] of Object.entries(space as Record<string, unknown>)) {
    if (range === undefined) continue;
    if (options.skipMissing && values[key] === undefined) continue;
    const path = prefix ? `${prefix}.${key}` : key;
    if (isRange(range)) {
      const problem = rangeViolation(range, values[key]);
      if (problem) problems.push(`${path}: ${problem}, got ${JSON.stringify(values[key])}`);
    } else {
      problems.push(...paramViolations(range as SpaceOf<unknown>, values[key], options, path));
    }
  }
  return problems;
}

export interface RangeRow {
  readonly path: string;
  readonly range: string;
  readonly doc: string;
}

function formatRange(range: ParamRange): string {
  const log = (r: { log: boolean }) => (r.log ? ', log-uniform' : '');
  switch (range.kind) {
    case 'int':
      return `${range.min}-${range.max}`;
    case 'number':
      return `${range.min}-${range.max}${log(range)}`;
    case 'interval':
      return `[lo, hi] within ${range.min}-${range.max}${log(range)}`;
    case 'choice':
      return range.options.map(String).join(' / ');
    case 'weights':
      return `${range.keys.join(', ')}: each ${range.min}-${range.max}`;
  }
}

/** One row per range, nested paths dotted: the source of the README's table. */
export function describeSpace<P>(space: SpaceOf<P>, prefix = ''): RangeRow[] {
  const rows: RangeRow[] = [];
  for (const [key, range] of Object.entries(space as Record<string, unknown>)) {
    if (range === undefined) continue;
    const path = prefix ? `${prefix}.${key}` : key;
    if (isRange(range)) rows.push({ path, range: formatRange(range), doc: range.doc });
    else rows.push(...describeSpace(range as SpaceOf<unknown>, path));
  }
  return rows;
}
