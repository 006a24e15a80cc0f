import { isDeepStrictEqual } from 'node:util';

/** One difference between two policies, at a key path (`thresholds.suspend`, `models.releases[0].model`). */
export type PolicyChange =
  | { readonly kind: 'changed'; readonly key: string; readonly from: unknown; readonly to: unknown }
  | { readonly kind: 'added'; readonly key: string; readonly to: unknown }
  | { readonly kind: 'removed'; readonly key: string; readonly from: unknown };

/** Lists longer than this are shown as their length. */
const LISTED_ITEMS = 20;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
const isScalar = (value: unknown) => value === null || typeof value !== 'object';

/**
 * Every key that differs between two (validated) policies, in the new policy's key order. Lists of
 * plain values (allowlists) are compared as sets: an entry added or removed is reported as such,
 * whatever its position. Lists of objects (model releases) are compared item by item.
 */
export function diffPolicies(before: unknown, after: unknown): PolicyChange[] {
  const changes: PolicyChange[] = [];
  walk(before, after, '', changes);
  return changes;
}

function walk(before: unknown, after: unknown, key: string, changes: PolicyChange[]): void {
  if (isDeepStrictEqual(before, after)) return;
  if (isObject(before) && isObject(after)) {
    const keys = [...Object.keys(after), ...Object.keys(before).filter((k) => !(k in after))];
    for (const k of keys) {
      const path = key === '' ? k : `${key}.${k}`;
      if (!(k in before)) changes.push({ kind: 'added', key: path, to: after[k] });
      else if (!(k in after)) changes.push({ kind: 'removed', key: path, from: before[k] });
      else walk(before[k], after[k], path, changes);
    }
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    if ([...before, ...after].every(isScalar)) {
      const had = new Set(before.map((v) => JSON.stringify(v)));
      const has = new Set(after.map((v) => JSON.stringify(v)));
      for (const item of after)
        if (!had.has(JSON.stringify(item))) changes.push({ kind: 'added', key: `${key}[]`, to: item });
      for (const item of before)
        if (!has.has(JSON.stringify(item))) changes.push({ kind: 'removed', key: `${key}[]`, from: item });
      return;
    }
    const length = Math.max(before.length, after.length);
    for (let i = 0; i < length; i += 1) {
      const path = `${key}[${i}]`;
      if (i >= before.length) changes.push({ kind: 'added', key: path, to: after[i] });
      else if (i >= after.length) changes.push({ kind: 'removed', key: path, from: before[i] });
      else walk(before[i], after[i], path, changes);
    }
    return;
  }
  changes.push({ kind: 'changed', key, from: before, to: after });
}

/** One line per change: `~ key: old -> new`, `+ key: value`, `- key: value`. */
export function formatPolicyChange(change: PolicyChange): string {
  // A long list (the public prompts' fingerprints) is counted, not printed.
  const show = (value: unknown) =>
    JSON.stringify(value as Json, (_key, v: unknown) =>
      Array.isArray(v) && v.length > LISTED_ITEMS ? `(${v.length.toLocaleString('en-US')} entries)` : v,
    );
  switch (change.kind) {
    case 'changed':
      return `~ ${change.key}: ${show(change.from)} -> ${show(change.to)}`;
    case 'added':
      return `+ ${change.key}: ${show(change.to)}`;
    case 'removed':
      return `- ${change.key}: ${show(change.from)}`;
  }
}
