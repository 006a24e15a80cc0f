/**
 * EventBridge event pattern matching, for the local bus's rules. Covers what Cauterize's rules and
 * their tests use: exact values (strings, numbers, booleans, null), and the `prefix`, `suffix`,
 * `equals-ignore-case`, `anything-but` and `exists` filters, on nested fields and array values.
 * A pattern with anything else fails loudly rather than matching by accident.
 */

/** An event pattern as CloudFormation's EventPattern holds it. */
export type EventPattern = { readonly [field: string]: readonly unknown[] | EventPattern };

export class UnsupportedEventPatternError extends Error {
  public constructor(path: string, filter: unknown) {
    super(
      `event pattern at ${path} uses ${JSON.stringify(filter)}, which the local bus does not match: ` +
        'use exact values, prefix, suffix, equals-ignore-case, anything-but or exists',
    );
    this.name = 'UnsupportedEventPatternError';
  }
}

/** Whether `event` (as a rule target receives it) matches `pattern`. */
export function matchesEventPattern(pattern: EventPattern, event: unknown, path = '$'): boolean {
  for (const [field, expected] of Object.entries(pattern)) {
    const value = isObject(event) ? event[field] : undefined;
    const fieldPath = `${path}.${field}`;
    if (Array.isArray(expected)) {
      if (!matchesFilters(expected, value, fieldPath)) return false;
    } else if (isObject(expected)) {
      if (!isObject(value) || !matchesEventPattern(expected as EventPattern, value, fieldPath)) return false;
    } else {
      throw new UnsupportedEventPatternError(fieldPath, expected);
    }
  }
  return true;
}

const FILTERS = new Set(['prefix', 'suffix', 'equals-ignore-case', 'anything-but', 'exists']);

function matchesFilters(filters: readonly unknown[], value: unknown, path: string): boolean {
  for (const filter of filters) {
    if (isObject(filter) && (Object.keys(filter).length !== 1 || !FILTERS.has(Object.keys(filter)[0]!))) {
      throw new UnsupportedEventPatternError(path, filter);
    }
  }
  // `exists` looks at presence; every other filter at the value (any element of an array).
  const existence = filters.find((f) => isObject(f) && 'exists' in f) as { exists: unknown } | undefined;
  if (existence) {
    if (filters.length > 1) throw new UnsupportedEventPatternError(path, filters);
    return (value !== undefined) === (existence.exists === true);
  }
  if (value === undefined) return false;
  const values = Array.isArray(value) ? value : [value];
  return filters.some((filter) => values.some((v) => matchesFilter(filter, v, path)));
}

function matchesFilter(filter: unknown, value: unknown, path: string): boolean {
  if (filter === null || ['string', 'number', 'boolean'].includes(typeof filter)) return filter === value;
  if (!isObject(filter)) throw new UnsupportedEventPatternError(path, filter);
  const [[name, argument] = []] = Object.entries(filter);
  switch (name) {
    case 'prefix':
      return typeof value === 'string' && typeof argument === 'string' && value.startsWith(argument);
    case 'suffix':
      return typeof value === 'string' && typeof argument === 'string' && value.endsWith(argument);
    case 'equals-ignore-case':
      return (
        typeof value === 'string' &&
        typeof argument === 'string' &&
        value.toLowerCase() === argument.toLowerCase()
      );
    case 'anything-but': {
      const excluded = Array.isArray(argument) ? argument : [argument];
      if (excluded.some((e) => isObject(e))) throw new UnsupportedEventPatternError(path, filter);
      return !excluded.includes(value);
    }
    default:
      throw new UnsupportedEventPatternError(path, filter);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
