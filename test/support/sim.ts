import { createHash } from 'node:crypto';
import { generateTraffic, type GenerateOptions } from '../../sim/generate';
import type { LabelledEvent } from '../../sim/types';

/** Generates and keeps every event: for small runs only. */
export function collect(options: GenerateOptions): {
  events: LabelledEvent[];
  truth: ReturnType<typeof generateTraffic>['truth'];
} {
  const { events, truth } = generateTraffic(options);
  return { events: [...events], truth };
}

/** A digest of the wire output (events as JSON Lines), computed while streaming. */
export function digest(options: GenerateOptions): { sha256: string; count: number } {
  const hash = createHash('sha256');
  let count = 0;
  for (const labelled of generateTraffic(options).events) {
    hash.update(JSON.stringify(labelled.event));
    hash.update('\n');
    count++;
  }
  return { sha256: hash.digest('hex'), count };
}

export function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

export function popcountHexDistance(a: string, b: string): number {
  let d = 0;
  for (let i = 0; i < 16; i += 8) {
    let x = (Number.parseInt(a.slice(i, i + 8), 16) ^ Number.parseInt(b.slice(i, i + 8), 16)) >>> 0;
    while (x) {
      d += x & 1;
      x >>>= 1;
    }
  }
  return d;
}

export function nearestDistance(hash: string, templates: readonly string[]): number {
  return Math.min(...templates.map((t) => popcountHexDistance(hash, t)));
}
