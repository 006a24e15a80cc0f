import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { AccountState } from '../core/account-state';
import { reinstatementFromItem } from '../core/lifecycle/protection';
import { ENFORCEMENT_ACTIONS, type EnforcementAction } from '../core/policy/policy';
import type { TemplateBandCount } from '../core/scoring/template-memory';
import type { TopicSeen } from '../core/scoring/topic-memory';
import { BUCKET_COUNTERS, type HourBucket } from '../core/scoring/window';
import { MEMORY_DICTIONARY_V1 } from './account-memory-dictionary';
import { decodeMemory, encodeMemory, MemoryLayoutError } from './account-memory-codec';

/**
 * An account's item in the accounts table, to and from AccountState: the plain attributes the
 * workflows and investigators read, and the scorer's packed working memory (its layouts: format 1,
 * deflated JSON, read only; format 2, account-memory-codec.ts). The store (dynamodb-account-store.ts)
 * reads and writes the items; the memory engine and the local replay write the same ones.
 */

/** The binary attribute holding the scorer's packed working memory (see accountItem). */
export const MEMORY_ATTRIBUTE = 'memory';
/**
 * What the memory holds, in this order: attributes that items written before it held separately,
 * all read by the scorer alone (through fromItem).
 */
export const UNPACKED_ATTRIBUTES = [
  'buckets',
  'recentTopics',
  'templateBands',
  'recurringTemplateBands',
  'reasons',
  'watermarks',
  'recentEventIds',
  'asns',
  'tier',
  'orgId',
  'emailDomain',
  'accountCreatedAt',
  'firstEventAt',
  'totalRequests',
  'policyVersion',
  'crossings',
  'requestedCrossing',
  'requestedAction',
  'shadowedAction',
  'requestedClearance',
  // Appended later: a memory of an older item holds fewer values, read as absent.
  'censusKeys',
  'publicShare',
  'publicCheckedAt',
] as const;
/** Values in memories written before the census attributes were appended. */
const MEMORY_VALUES_BEFORE_CENSUS = 20;
/**
 * The memory's layout, its first byte: a new layout (or dictionary) gets a new number, and the
 * reader keeps reading the old ones. 1: deflated JSON of UNPACKED_ATTRIBUTES' values (read only);
 * 2: the binary layout of account-memory-codec.ts (written).
 */
const MEMORY_FORMAT_DEFLATED_JSON = 1;
const MEMORY_FORMAT_BINARY = 2;

/**
 * The attributes the scorer writes for an account (all but `status`, which it only ever creates).
 * What only the scorer reads (hour buckets, topic and template memories, event ids, reasons,
 * watermarks, networks, counters, the pending enforcement episode) is one compressed binary
 * attribute, `memory`: the item is written whole once per account and batch, and DynamoDB bills a
 * write unit per started KB (this cut the mean item from 2,283 B to 1,161 B on the default mix). What the workflows
 * and investigators read (score, band, cluster, latest event, link keys, peak score, and the
 * workflows' own attributes) stays plain.
 */
export function accountItem(state: AccountState): Record<string, unknown> {
  return {
    clusterId: state.clusterId,
    lastEventAt: state.lastEventAt,
    riskScore: state.riskScore,
    // The reinstatement workflow copies these two into the clearance.
    peakRiskScore: state.peakRiskScore,
    linkKeys: state.linkKeys,
    band: state.band,
    [MEMORY_ATTRIBUTE]: encodeMemory(state, MEMORY_FORMAT_BINARY),
    version: state.version,
  };
}

/** Reads an accounts-table item back into state (also used by exports of the table). */
export function fromItem(stored: Record<string, unknown>): AccountState {
  const packed = stored[MEMORY_ATTRIBUTE];
  if (packed instanceof Uint8Array && packed[0] === MEMORY_FORMAT_BINARY) {
    const { [MEMORY_ATTRIBUTE]: _memory, ...plain } = stored;
    // The plain attributes with every memory field at its default, then the memory's fields.
    return Object.assign(fromItem(plain), decodeBinaryMemory(stored, packed));
  }
  const item = unpackAccountItem(stored);
  const str = (key: string, fallback = ''): string =>
    typeof item[key] === 'string' ? (item[key] as string) : fallback;
  const num = (key: string): number => (typeof item[key] === 'number' ? (item[key] as number) : 0);
  const recent = str('recentEventIds');
  return {
    accountId: str('accountId'),
    tier: str('tier', 'free') as AccountState['tier'],
    orgId: typeof item.orgId === 'string' ? item.orgId : null,
    emailDomain: typeof item.emailDomain === 'string' ? item.emailDomain : null,
    clusterId: typeof item.clusterId === 'string' ? item.clusterId : null,
    accountCreatedAt: str('accountCreatedAt'),
    status: item.status === 'SUSPENDED' ? 'SUSPENDED' : 'ACTIVE',
    firstEventAt: str('firstEventAt'),
    lastEventAt: str('lastEventAt'),
    totalRequests: num('totalRequests'),
    buckets: decodeBuckets(str('buckets', '[]')),
    recentTopics: decodeTopics(str('recentTopics')),
    templateBands: decodeTemplateBands(str('templateBands')),
    recurringTemplateBands: splitList(str('recurringTemplateBands')),
    riskScore: num('riskScore'),
    peakRiskScore: Math.max(num('peakRiskScore'), num('riskScore')),
    band: (str('band', 'NORMAL') as AccountState['band']) || 'NORMAL',
    reasons: (Array.isArray(item.reasons) ? item.reasons : []) as AccountState['reasons'],
    policyVersion: str('policyVersion'),
    crossings: num('crossings'),
    requestedCrossing: num('requestedCrossing'),
    ...enforcementActions(item),
    watermarks: (item.watermarks ?? {}) as Record<string, string>,
    recentEventIds: recent ? recent.split(',') : [],
    linkKeys: (Array.isArray(item.linkKeys) ? item.linkKeys : []) as string[],
    asns: splitList(str('asns')).map(Number),
    censusKeys: splitList(str('censusKeys')),
    ...(typeof item.publicShare === 'number' ? { publicShare: item.publicShare } : {}),
    ...(typeof item.publicCheckedAt === 'string' ? { publicCheckedAt: item.publicCheckedAt } : {}),
    version: num('version'),
    ...withReinstatement(item),
  };
}

/** The actions requested in the account's current enforcement episode (absent or null: none). */
function enforcementActions(
  item: Record<string, unknown>,
): Pick<AccountState, 'requestedAction' | 'shadowedAction' | 'requestedClearance'> {
  const action = (key: string) =>
    typeof item[key] === 'string' && ENFORCEMENT_ACTIONS.includes(item[key] as EnforcementAction)
      ? { [key]: item[key] as EnforcementAction }
      : {};
  const clearance =
    typeof item.requestedClearance === 'string' ? { requestedClearance: item.requestedClearance } : {};
  return { ...action('requestedAction'), ...action('shadowedAction'), ...clearance };
}

/** The clearance the reinstatement workflow recorded on the item, if any. */
function withReinstatement(item: Record<string, unknown>): Pick<AccountState, 'reinstatement'> {
  const reinstatement = reinstatementFromItem(item);
  return reinstatement ? { reinstatement } : {};
}

/**
 * A format-1 memory attribute: a format byte, then the unpacked attributes' values as JSON in their
 * order, deflated with the format's preset dictionary. No longer written: tests write it to check
 * that old items are still read.
 */
export function packMemoryV1(state: AccountState): Uint8Array {
  const values: Record<(typeof UNPACKED_ATTRIBUTES)[number], unknown> = {
    buckets: encodeBuckets(state.buckets),
    recentTopics: encodeTopics(state.recentTopics),
    templateBands: encodeTemplateBands(state.templateBands),
    recurringTemplateBands: state.recurringTemplateBands.join(','),
    reasons: state.reasons,
    watermarks: state.watermarks,
    recentEventIds: state.recentEventIds.join(','),
    asns: state.asns.join(','),
    tier: state.tier,
    orgId: state.orgId,
    emailDomain: state.emailDomain,
    accountCreatedAt: state.accountCreatedAt,
    firstEventAt: state.firstEventAt,
    totalRequests: state.totalRequests,
    policyVersion: state.policyVersion,
    crossings: state.crossings,
    requestedCrossing: state.requestedCrossing,
    requestedAction: state.requestedAction ?? null,
    shadowedAction: state.shadowedAction ?? null,
    requestedClearance: state.requestedClearance ?? null,
    censusKeys: (state.censusKeys ?? []).join(','),
    publicShare: state.publicShare ?? null,
    publicCheckedAt: state.publicCheckedAt ?? null,
  };
  const json = JSON.stringify(UNPACKED_ATTRIBUTES.map((name) => values[name]));
  const packed = deflateRawSync(json, { dictionary: MEMORY_DICTIONARY_V1 });
  const memory = new Uint8Array(packed.length + 1);
  memory[0] = MEMORY_FORMAT_DEFLATED_JSON;
  memory.set(packed, 1);
  return memory;
}

/**
 * The item with its memory unpacked into the attributes it replaced (and the memory attribute
 * itself gone), so that one reader serves
 * both layouts (and tools can compare items by their contents). An item without a memory (written
 * before it existed) is returned as it is.
 */
export function unpackAccountItem(item: Record<string, unknown>): Record<string, unknown> {
  const packed = item[MEMORY_ATTRIBUTE];
  if (packed === undefined || packed === null) return item;
  const account = `account ${String(item.accountId)}: its "${MEMORY_ATTRIBUTE}" attribute`;
  if (!(packed instanceof Uint8Array) || packed.length === 0) {
    throw new Error(
      `${account} is ${packed instanceof Uint8Array ? 'empty' : `a ${typeof packed}`}, not a packed memory; ` +
        'delete the attribute to have the scorer start its memory afresh',
    );
  }
  if (packed[0] === MEMORY_FORMAT_BINARY) {
    const { [MEMORY_ATTRIBUTE]: _memory, ...plain } = item;
    return { ...plain, ...decodeBinaryMemory(item, packed) };
  }
  if (packed[0] !== MEMORY_FORMAT_DEFLATED_JSON) {
    throw new Error(
      `${account} has layout ${packed[0]}, this scorer reads layouts ${MEMORY_FORMAT_DEFLATED_JSON} and ` +
        `${MEMORY_FORMAT_BINARY}; deploy the scorer that wrote it, or delete the attribute to have the ` +
        'scorer start its memory afresh',
    );
  }
  let values: unknown;
  try {
    values = JSON.parse(
      inflateRawSync(packed.subarray(1), { dictionary: MEMORY_DICTIONARY_V1 }).toString('utf8'),
    );
  } catch (error) {
    throw new Error(
      `${account} is not a packed memory (${(error as Error).message}); delete the attribute to have ` +
        'the scorer start its memory afresh',
      { cause: error },
    );
  }
  if (
    !Array.isArray(values) ||
    values.length < MEMORY_VALUES_BEFORE_CENSUS ||
    values.length > UNPACKED_ATTRIBUTES.length
  ) {
    throw new Error(
      `${account} does not hold the ${UNPACKED_ATTRIBUTES.length} values of layout ${MEMORY_FORMAT_DEFLATED_JSON}; delete ` +
        'the attribute to have the scorer start its memory afresh',
    );
  }
  const { [MEMORY_ATTRIBUTE]: _packed, ...unpacked } = item;
  UNPACKED_ATTRIBUTES.forEach((name, i) => {
    if (i < values.length) unpacked[name] = values[i];
  });
  return unpacked;
}

/** A format-2 memory's fields; a corrupt one fails with the account, the attribute and the fix. */
function decodeBinaryMemory(item: Record<string, unknown>, packed: Uint8Array): Record<string, unknown> {
  try {
    return decodeMemory(packed);
  } catch (error) {
    const reason =
      error instanceof MemoryLayoutError ? error.message : `unreadable (${(error as Error).message})`;
    throw new Error(
      `account ${String(item.accountId)}: its "${MEMORY_ATTRIBUTE}" attribute is not a layout-${MEMORY_FORMAT_BINARY} ` +
        `memory: ${reason}; delete the attribute to have the scorer start its memory afresh`,
      { cause: error },
    );
  }
}

/*
 * Compact encodings: the account item is read and written whole once per batch, so its size is
 * the write cost. Hours and counts are base 36; every decoder accepts what older items hold.
 */

/** Buckets as rows `[h, n, cap, ...]` in BUCKET_COUNTERS order, trailing zeros dropped. */
export function encodeBuckets(buckets: readonly HourBucket[]): string {
  // Loops, not map and spread: this runs for every account in every batch.
  const rows = new Array<number[]>(buckets.length);
  for (let b = 0; b < buckets.length; b++) {
    const bucket = buckets[b] as HourBucket;
    const row = [bucket.h];
    for (const key of BUCKET_COUNTERS) row.push(bucket[key]);
    while (row.length > 2 && row[row.length - 1] === 0) row.pop();
    rows[b] = row;
  }
  return JSON.stringify(rows);
}

/** Reads rows, and the `{ h, n, ... }` objects of items written before rows; missing counters are 0. */
export function decodeBuckets(text: string): HourBucket[] {
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed)) return [];
  const buckets = new Array<HourBucket>(parsed.length);
  for (let b = 0; b < parsed.length; b++) {
    const raw: unknown = parsed[b];
    const row = Array.isArray(raw) ? (raw as unknown[]) : null;
    const named = !row && raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
    const h = Number(row ? row[0] : named.h);
    const bucket = { h: Number.isFinite(h) ? h : 0 } as HourBucket;
    for (let i = 0; i < BUCKET_COUNTERS.length; i++) {
      const key = BUCKET_COUNTERS[i] as (typeof BUCKET_COUNTERS)[number];
      const value = row ? row[i + 1] : named[key];
      bucket[key] = typeof value === 'number' ? value : 0;
    }
    buckets[b] = bucket;
  }
  return buckets;
}

const splitList = (text: string): string[] => (text ? text.split(',') : []);
const base36 = (text: string | undefined): number => (text ? parseInt(text, 36) : Number.NaN);

/*
 * Hour lists: "<latest hour, base 36>;<entry>,<entry>,...", each entry "<key>/.../<hours before
 * the latest>": hours within the window take one or two characters instead of four. Written and
 * read with loops (no per-entry arrays): the codec runs for every account in every batch.
 */

function latestHour<T>(entries: readonly T[], hourOf: (entry: T) => number): number {
  let latest = -Infinity;
  for (const entry of entries) latest = Math.max(latest, hourOf(entry));
  return latest;
}

/**
 * The entries of an hour list of `fields` fields per entry, each passed to `take` with its fields
 * and hour; a malformed list gives none, a malformed entry is skipped.
 */
function readHourList(text: string, fields: number, take: (parts: string[], hour: number) => void): void {
  const split = text.indexOf(';');
  const latest = base36(text.slice(0, split));
  if (split < 0 || !Number.isFinite(latest)) return;
  for (const entry of splitList(text.slice(split + 1))) {
    const parts = entry.split('/');
    if (parts.length !== fields + 1) continue;
    let complete = true;
    for (const part of parts) if (!part) complete = false;
    const age = base36(parts[fields]);
    if (complete && Number.isFinite(age)) take(parts, latest - age);
  }
}

export function encodeTopics(topics: readonly TopicSeen[]): string {
  if (topics.length === 0) return '';
  const latest = latestHour(topics, (t) => t[1]);
  let body = '';
  for (const [key, hour] of topics) body += `${body ? ',' : ''}${key}/${(latest - hour).toString(36)}`;
  return `${latest.toString(36)};${body}`;
}

export function decodeTopics(text: string): TopicSeen[] {
  const topics: TopicSeen[] = [];
  readHourList(text, 1, (parts, hour) => topics.push([parts[0] as string, hour]));
  return topics;
}

/** Entries "<band key>/<count, base 36>/<age>[/<topic tag>]" (items before tags have none). */
export function encodeTemplateBands(bands: readonly TemplateBandCount[]): string {
  if (bands.length === 0) return '';
  const latest = latestHour(bands, (b) => b[2]);
  let body = '';
  for (const [key, count, hour, tag] of bands)
    body += `${body ? ',' : ''}${key}/${count.toString(36)}/${(latest - hour).toString(36)}${tag ? `/${tag}` : ''}`;
  return `${latest.toString(36)};${body}`;
}

export function decodeTemplateBands(text: string): TemplateBandCount[] {
  const bands: TemplateBandCount[] = [];
  const split = text.indexOf(';');
  const latest = base36(text.slice(0, split));
  if (split < 0 || !Number.isFinite(latest)) return bands;
  for (const entry of splitList(text.slice(split + 1))) {
    const [key, countText, ageText, tag] = entry.split('/');
    const count = base36(countText);
    const age = base36(ageText);
    if (!key || !Number.isFinite(count) || !Number.isFinite(age)) continue;
    bands.push(tag ? [key, count, latest - age, tag] : [key, count, latest - age]);
  }
  return bands;
}
