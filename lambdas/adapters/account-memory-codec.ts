import type { AccountState } from '../core/account-state';
import type { Reason } from '../core/scoring/risk';
import { ACCOUNT_SIGNALS } from '../core/scoring/signals';
import { BUCKET_COUNTERS, type HourBucket } from '../core/scoring/window';
import type { TemplateBandCount } from '../core/scoring/template-memory';
import type { TopicSeen } from '../core/scoring/topic-memory';

/**
 * The account memory's binary layout (format 2): the scorer's working memory in a few hundred
 * bytes, so that an account item stays under the 1 KB of one write unit, and without deflate, which
 * was most of the scorer's CPU.
 *
 * The layout is generic over the state's fields:
 * - MEMORY_FIELDS names each memory field with its encoding, in stored order. It is append only:
 *   the count of fields is stored, so an item written before a field was added reads it as absent.
 * - Buckets store BUCKET_COUNTERS.length and their counters in that (append-only) order: a counter
 *   added later reads as 0 in older items.
 * - Every other field the state carries (not plain on the item, not in MEMORY_FIELDS) is kept as
 *   JSON in a tail: a field added to AccountState is kept without a change here, and moves into
 *   MEMORY_FIELDS (and out of the tail) when its bytes matter.
 * - Reasons keep their numbers; their text is re-derived on read from the signal's own explain()
 *   when that gives the stored text back, else kept.
 */

/** Fields kept as plain item attributes (see accountItem), or written by the workflows. */
export const PLAIN_FIELDS: ReadonlySet<string> = new Set([
  'accountId',
  'status',
  'clusterId',
  'lastEventAt',
  'riskScore',
  'peakRiskScore',
  'linkKeys',
  'band',
  'version',
  'reinstatement',
]);

type Encoding =
  | 'string'
  | 'optionalString'
  | 'time'
  | 'number'
  | 'buckets'
  | 'topics'
  | 'templateBands'
  | 'bandKeys'
  | 'reasons'
  | 'watermarks'
  | 'shortHashes'
  | 'numbers'
  | 'strings'
  | 'censusKeys'
  | 'optionalNumber'
  | 'optionalTime';

/** The memory fields in stored order. Append only: never reorder, remove or re-encode an entry. */
export const MEMORY_FIELDS: ReadonlyArray<readonly [keyof AccountState, Encoding]> = [
  ['tier', 'string'],
  ['orgId', 'optionalString'],
  ['emailDomain', 'optionalString'],
  ['accountCreatedAt', 'time'],
  ['firstEventAt', 'time'],
  ['totalRequests', 'number'],
  ['buckets', 'buckets'],
  ['recentTopics', 'topics'],
  ['templateBands', 'templateBands'],
  ['recurringTemplateBands', 'bandKeys'],
  ['reasons', 'reasons'],
  ['policyVersion', 'string'],
  ['crossings', 'number'],
  ['requestedCrossing', 'number'],
  ['requestedAction', 'optionalString'],
  ['shadowedAction', 'optionalString'],
  ['requestedClearance', 'optionalString'],
  ['watermarks', 'watermarks'],
  ['recentEventIds', 'shortHashes'],
  ['asns', 'numbers'],
  ['censusKeys', 'censusKeys'],
  ['publicShare', 'optionalNumber'],
  ['publicCheckedAt', 'optionalTime'],
];

const MEMORY_FIELD_NAMES: ReadonlySet<string> = new Set(MEMORY_FIELDS.map(([name]) => name));

/**
 * Reason signals stored as a one-byte code (their index plus one; 0: the id follows as text).
 * Append only: a signal added to the registry is stored as text until it is appended here.
 */
export const REASON_SIGNAL_CODES: readonly string[] = [
  'volume',
  'velocity',
  'capabilityConcentration',
  'reasoningElicitation',
  'outputInputRatio',
  'singleTurnShare',
  'topicCoverage',
  'templateReuse',
  'timingRegularity',
  'noDiurnalRest',
  'accountAge',
  'releaseChasing',
];
const SIGNAL_CODE = new Map(REASON_SIGNAL_CODES.map((id, i) => [id, i + 1]));
const EXPLAIN = new Map<string, (value: number) => string>(
  ACCOUNT_SIGNALS.map((signal) => [signal.id, signal.explain.bind(signal)]),
);

/** Thrown on bytes that are not a format-2 memory; the caller names the account and the fix. */
export class MemoryLayoutError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'MemoryLayoutError';
  }
}

/**
 * The memory fields of `state` (and its unknown fields, in the tail), after `format`. `layout`
 * and `counters` are for tests that write what an older scorer wrote (a prefix of each list).
 */
export function encodeMemory(
  state: AccountState,
  format: number,
  layout: typeof MEMORY_FIELDS = MEMORY_FIELDS,
  counters: readonly (typeof BUCKET_COUNTERS)[number][] = BUCKET_COUNTERS,
): Uint8Array {
  const out = new ByteWriter();
  out.byte(format);
  out.uint(layout.length);
  const record = state as unknown as Record<string, unknown>;
  for (const [name, encoding] of layout) {
    if (encoding === 'buckets') writeBuckets(out, record[name] as readonly HourBucket[], counters);
    else WRITERS[encoding](out, record[name]);
  }
  // Fields neither plain nor in MEMORY_FIELDS (a memory field past an older layout's prefix is
  // left out, as that scorer knew nothing of it).
  let tail: Record<string, unknown> | undefined;
  for (const name of Object.keys(record)) {
    if (PLAIN_FIELDS.has(name) || MEMORY_FIELD_NAMES.has(name) || record[name] === undefined) continue;
    (tail ??= {})[name] = record[name];
  }
  out.string(tail === undefined ? '' : JSON.stringify(tail));
  return out.bytes();
}

/** The memory fields of a format-2 memory (bytes after the format byte). */
export function decodeMemory(bytes: Uint8Array): Record<string, unknown> {
  const input = new ByteReader(bytes, 1);
  const stored = input.uint();
  // A field this reader does not know cannot be skipped: the writer is newer than the reader.
  if (stored > MEMORY_FIELDS.length) {
    throw new MemoryLayoutError(`it holds ${stored} fields, this scorer knows ${MEMORY_FIELDS.length}`);
  }
  const fields: Record<string, unknown> = {};
  for (let i = 0; i < stored; i++) {
    const [name, encoding] = MEMORY_FIELDS[i] as (typeof MEMORY_FIELDS)[number];
    const value = READERS[encoding](input);
    if (value !== undefined) fields[name] = value;
  }
  const tail = input.string();
  if (tail) Object.assign(fields, JSON.parse(tail) as Record<string, unknown>);
  if (!input.done()) throw new MemoryLayoutError(`${bytes.length - input.offset} bytes are left over`);
  return fields;
}

/*
 * Writers and readers, one pair per encoding. Numbers: a tag (integer, thousandths, float64) and a
 * zigzag varint; ISO times as epoch milliseconds when they print back the same.
 */

const WRITERS: Record<Encoding, (out: ByteWriter, value: unknown) => void> = {
  string: (out, value) => out.string(String(value ?? '')),
  optionalString: (out, value) => {
    if (typeof value !== 'string') return out.byte(0);
    out.byte(1);
    out.string(value);
  },
  time: (out, value) => out.time(String(value ?? '')),
  number: (out, value) => out.number(Number(value ?? 0)),
  buckets: (out, value) => writeBuckets(out, value as readonly HourBucket[], BUCKET_COUNTERS),
  topics: (out, value) => {
    const topics = value as readonly TopicSeen[];
    const latest = latestHour(topics, (t) => t[1]);
    out.uint(topics.length);
    if (topics.length > 0) out.int(latest);
    out.shortHashes(topics.map((t) => t[0]));
    for (const [, hour] of topics) out.int(latest - hour);
  },
  templateBands: (out, value) => {
    const bands = value as readonly TemplateBandCount[];
    const latest = latestHour(bands, (b) => b[2]);
    out.uint(bands.length);
    if (bands.length > 0) out.int(latest);
    out.bandKeys(bands.map((b) => b[0]));
    // Elements past [key, count, hour]: a topic tag, as an index into the distinct tags written
    // once (0: no tag); any other shape, as JSON.
    const tagged = bands.every((b) => b.length === 3 || (b.length === 4 && typeof b[3] === 'string'));
    out.byte(tagged ? 1 : 0);
    const tags: string[] = tagged
      ? [...new Set(bands.flatMap((b) => (b[3] === undefined ? [] : [b[3]])))]
      : [];
    if (tagged) {
      out.uint(tags.length);
      for (const tag of tags) out.string(tag as string);
    }
    for (const band of bands) {
      out.number(band[1]);
      out.int(latest - band[2]);
      if (tagged) {
        out.uint(band[3] === undefined ? 0 : tags.indexOf(band[3]) + 1);
        continue;
      }
      out.uint(band.length - 3);
      for (let i = 3; i < band.length; i++) out.string(JSON.stringify(band[i] ?? null));
    }
  },
  bandKeys: (out, value) => out.bandKeys(value as readonly string[]),
  reasons: (out, value) => {
    const reasons = value as readonly Reason[];
    out.uint(reasons.length);
    for (const reason of reasons) {
      const code = SIGNAL_CODE.get(reason.signal) ?? 0;
      out.byte(code);
      if (code === 0) out.string(reason.signal);
      out.number(reason.value);
      out.number(reason.threshold);
      out.number(reason.saturation);
      out.number(reason.points);
      // The text its signal gives for the value is re-derived; any other is kept.
      out.string(EXPLAIN.get(reason.signal)?.(reason.value) === reason.text ? '' : `=${reason.text}`);
    }
  },
  watermarks: (out, value) => {
    const entries = Object.entries((value ?? {}) as Record<string, string>);
    out.uint(entries.length);
    for (const [shard, sequence] of entries) {
      out.shardId(shard);
      out.decimal(sequence);
    }
  },
  shortHashes: (out, value) => {
    const hashes = value as readonly string[];
    out.uint(hashes.length);
    out.shortHashes(hashes);
  },
  numbers: (out, value) => {
    const numbers = value as readonly number[];
    out.uint(numbers.length);
    for (const n of numbers) out.number(n);
  },
  strings: (out, value) => {
    const strings = (value ?? []) as readonly string[];
    out.uint(strings.length);
    for (const text of strings) out.string(text);
  },
  censusKeys: (out, value) => {
    const keys = (value ?? []) as readonly string[];
    out.uint(keys.length);
    const parsed = keys.map((key) => CENSUS_KEY.exec(key));
    const packed = parsed.every((m) => m !== null && Number(m[1]) < 256);
    out.byte(packed ? 1 : 0);
    keys.forEach((key, i) => {
      const m = parsed[i];
      if (!packed || !m) return out.string(key);
      // "prm#<position>:<8 hex>": a position byte and four bytes instead of about 15 characters.
      out.byte(Number(m[1]));
      const bits = parseInt(m[2] as string, 16);
      out.byte(bits >>> 24);
      out.byte((bits >>> 16) & 0xff);
      out.byte((bits >>> 8) & 0xff);
      out.byte(bits & 0xff);
    });
  },
  optionalNumber: (out, value) => {
    if (typeof value !== 'number') return out.byte(0);
    out.byte(1);
    out.number(value);
  },
  optionalTime: (out, value) => {
    if (typeof value !== 'string') return out.byte(0);
    out.byte(1);
    out.time(value);
  },
};

const READERS: Record<Encoding, (input: ByteReader) => unknown> = {
  string: (input) => input.string(),
  optionalString: (input) => (input.byte() === 0 ? undefined : input.string()),
  time: (input) => input.time(),
  number: (input) => input.number(),
  buckets: (input) => readBuckets(input),
  topics: (input) => {
    const count = input.uint();
    const latest = count > 0 ? input.int() : 0;
    const keys = input.shortHashes(count);
    return keys.map((key): TopicSeen => [key, latest - input.int()]);
  },
  templateBands: (input) => {
    const count = input.uint();
    const latest = count > 0 ? input.int() : 0;
    const keys = input.bandKeys();
    if (keys.length !== count) throw new MemoryLayoutError(`${keys.length} band keys for ${count} bands`);
    const tagged = input.byte() === 1;
    const tags: string[] = [];
    if (tagged) for (let i = input.uint(); i > 0; i--) tags.push(input.string());
    return keys.map((key): TemplateBandCount => {
      const n = input.number();
      const band: unknown[] = [key, n, latest - input.int()];
      if (tagged) {
        const tag = input.uint();
        if (tag > 0) band.push(tags[tag - 1]);
      } else {
        for (let extra = input.uint(); extra > 0; extra--) band.push(JSON.parse(input.string()) as unknown);
      }
      return band as unknown as TemplateBandCount;
    });
  },
  bandKeys: (input) => input.bandKeys(),
  reasons: (input) => {
    const count = input.uint();
    const reasons: Reason[] = [];
    for (let i = 0; i < count; i++) {
      const code = input.byte();
      const signal = code === 0 ? input.string() : REASON_SIGNAL_CODES[code - 1];
      if (signal === undefined) throw new MemoryLayoutError(`a reason has signal code ${code}`);
      const value = input.number();
      const threshold = input.number();
      const saturation = input.number();
      const points = input.number();
      const stored = input.string();
      const text = stored ? stored.slice(1) : (EXPLAIN.get(signal)?.(value) ?? '');
      reasons.push({ signal, value, threshold, saturation, points, text });
    }
    return reasons;
  },
  watermarks: (input) => {
    const watermarks: Record<string, string> = {};
    const count = input.uint();
    for (let i = 0; i < count; i++) {
      const shard = input.shardId();
      watermarks[shard] = input.decimal();
    }
    return watermarks;
  },
  shortHashes: (input) => input.shortHashes(input.uint()),
  numbers: (input) => {
    const count = input.uint();
    const numbers: number[] = [];
    for (let i = 0; i < count; i++) numbers.push(input.number());
    return numbers;
  },
  strings: (input) => {
    const count = input.uint();
    const strings: string[] = [];
    for (let i = 0; i < count; i++) strings.push(input.string());
    return strings;
  },
  censusKeys: (input) => {
    const count = input.uint();
    const packed = input.byte() === 1;
    const keys: string[] = [];
    for (let i = 0; i < count; i++) {
      if (!packed) {
        keys.push(input.string());
        continue;
      }
      const position = input.byte();
      const bits = input.byte() * 2 ** 24 + ((input.byte() << 16) | (input.byte() << 8) | input.byte());
      keys.push(`prm#${position}:${bits.toString(16).padStart(8, '0')}`);
    }
    return keys;
  },
  optionalNumber: (input) => (input.byte() === 0 ? undefined : input.number()),
  optionalTime: (input) => (input.byte() === 0 ? undefined : input.time()),
};

function latestHour<T>(entries: readonly T[], hourOf: (entry: T) => number): number {
  let latest = -Infinity;
  for (const entry of entries) latest = Math.max(latest, hourOf(entry));
  return entries.length === 0 ? 0 : latest;
}

/**
 * Buckets: their count, the counters stored per bucket (BUCKET_COUNTERS.length when written), whether
 * every counter is a whole number; then per bucket its hour (from the previous bucket's), a bit per
 * counter that differs from the previous bucket's (0 before the first), and those differences:
 * hours of steady traffic cost a few bytes each.
 */
function writeBuckets(
  out: ByteWriter,
  buckets: readonly HourBucket[],
  keys: readonly (typeof BUCKET_COUNTERS)[number][],
): void {
  const counters = keys.length;
  out.uint(buckets.length);
  out.uint(counters);
  let whole = true;
  for (const bucket of buckets) for (const key of keys) if (!Number.isSafeInteger(bucket[key])) whole = false;
  out.byte(whole ? 1 : 0);
  let previous = 0;
  const last = new Array<number>(counters).fill(0);
  for (const bucket of buckets) {
    out.int(bucket.h - previous);
    previous = bucket.h;
    for (let first = 0; first < counters; first += 8) {
      let mask = 0;
      for (let bit = 0; bit < 8 && first + bit < counters; bit++) {
        const i = first + bit;
        if (bucket[keys[i] as (typeof BUCKET_COUNTERS)[number]] !== last[i]) mask |= 1 << bit;
      }
      out.byte(mask);
    }
    for (let i = 0; i < counters; i++) {
      const value = bucket[keys[i] as (typeof BUCKET_COUNTERS)[number]];
      if (value === last[i]) continue;
      if (whole) out.int(value - (last[i] as number));
      else out.number(value);
      last[i] = value;
    }
  }
}

function readBuckets(input: ByteReader): HourBucket[] {
  const count = input.uint();
  const counters = input.uint();
  const whole = input.byte() === 1;
  const buckets: HourBucket[] = [];
  let previous = 0;
  const values = new Array<number>(counters).fill(0);
  const masks: number[] = [];
  for (let b = 0; b < count; b++) {
    const bucket = { h: previous + input.int() } as HourBucket;
    previous = bucket.h;
    masks.length = 0;
    for (let first = 0; first < counters; first += 8) masks.push(input.byte());
    for (let i = 0; i < counters; i++) {
      if ((((masks[i >> 3] as number) >> (i & 7)) & 1) === 0) continue;
      values[i] = whole ? (values[i] as number) + input.int() : input.number();
    }
    // Counters this layout knows; ones added after the item was written read as 0.
    for (let i = 0; i < BUCKET_COUNTERS.length; i++) {
      bucket[BUCKET_COUNTERS[i] as (typeof BUCKET_COUNTERS)[number]] =
        i < counters ? (values[i] as number) : 0;
    }
    buckets.push(bucket);
  }
  return buckets;
}

const BASE36_HASH = /^[0-9a-z]{1,7}$/;
const BAND_KEY = /^(\d{1,3}):([0-9a-f]{4})$/;
const CENSUS_KEY = /^prm#(\d{1,3}):([0-9a-f]{8})$/;
const SHARD_ID = /^shardId-(\d{12})$/;
const DECIMAL = /^[1-9]\d*$/;
const NUMBER_INTEGER = 0;
const NUMBER_THOUSANDTHS = 1;
const NUMBER_FLOAT = 2;

class ByteWriter {
  private buffer = new Uint8Array(512);
  private length = 0;

  public bytes(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }

  public byte(value: number): void {
    if (this.length === this.buffer.length) {
      const grown = new Uint8Array(this.buffer.length * 2);
      grown.set(this.buffer);
      this.buffer = grown;
    }
    this.buffer[this.length++] = value;
  }

  /** A non-negative whole number, 7 bits a byte (arithmetic: beyond 32 bits too). */
  public uint(value: number): void {
    let v = value;
    while (v >= 0x80) {
      this.byte((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.byte(v);
  }

  /** A whole number, zigzag: small negatives stay short. */
  public int(value: number): void {
    this.uint(value >= 0 ? value * 2 : -value * 2 - 1);
  }

  public number(value: number): void {
    if (Number.isSafeInteger(value) && Math.abs(value) < 2 ** 52) {
      this.byte(NUMBER_INTEGER);
      this.int(value);
      return;
    }
    const thousandths = Math.round(value * 1000);
    if (Number.isSafeInteger(thousandths) && thousandths / 1000 === value) {
      this.byte(NUMBER_THOUSANDTHS);
      this.int(thousandths);
      return;
    }
    this.byte(NUMBER_FLOAT);
    const view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, value);
    for (let i = 0; i < 8; i++) this.byte(view.getUint8(i));
  }

  public string(value: string): void {
    const encoded = Buffer.from(value, 'utf8');
    this.uint(encoded.length);
    for (const b of encoded) this.byte(b);
  }

  /** An ISO time as epoch milliseconds when it prints back the same (tag 1), else as text (tag 0). */
  public time(value: string): void {
    const ms = Date.parse(value);
    if (Number.isFinite(ms) && new Date(ms).toISOString() === value) {
      this.byte(1);
      this.int(ms);
    } else {
      this.byte(0);
      this.string(value);
    }
  }

  /** Short hashes (base 36 of 32 bits) as numbers when every one prints back the same, else as text. */
  public shortHashes(values: readonly string[]): void {
    const numeric = values.every(
      (v) => BASE36_HASH.test(v) && parseInt(v, 36) < 2 ** 32 && parseInt(v, 36).toString(36) === v,
    );
    this.byte(numeric ? 1 : 0);
    for (const v of values) {
      if (!numeric) {
        this.string(v);
        continue;
      }
      // Hashes are uniform over 32 bits: four bytes, where a varint would mostly take five.
      const n = parseInt(v, 36);
      this.byte(n >>> 24);
      this.byte((n >>> 16) & 0xff);
      this.byte((n >>> 8) & 0xff);
      this.byte(n & 0xff);
    }
  }

  /** Template band keys ("<band>:<4 hex>") as a band byte and two bytes when every one fits, else as text. */
  public bandKeys(values: readonly string[]): void {
    this.uint(values.length);
    const parsed = values.map((v) => BAND_KEY.exec(v));
    const packed = parsed.every((m) => m !== null && Number(m[1]) < 256);
    this.byte(packed ? 1 : 0);
    values.forEach((v, i) => {
      const m = parsed[i];
      if (!packed || !m) return this.string(v);
      const hex = parseInt(m[2] as string, 16);
      this.byte(Number(m[1]));
      this.byte(hex >> 8);
      this.byte(hex & 0xff);
    });
  }

  public shardId(value: string): void {
    const m = SHARD_ID.exec(value);
    if (m) {
      this.byte(1);
      this.uint(Number(m[1]));
    } else {
      this.byte(0);
      this.string(value);
    }
  }

  /** A Kinesis sequence number (up to 128 decimal digits) as base-128 digits of the big integer. */
  public decimal(value: string): void {
    if (!DECIMAL.test(value)) {
      this.byte(0);
      this.string(value);
      return;
    }
    this.byte(1);
    let v = BigInt(value);
    const digits: number[] = [];
    while (v > 0n) {
      digits.push(Number(v & 0x7fn));
      v >>= 7n;
    }
    this.uint(digits.length);
    for (const d of digits) this.byte(d);
  }
}

class ByteReader {
  public constructor(
    private readonly buffer: Uint8Array,
    public offset: number,
  ) {}

  public done(): boolean {
    return this.offset === this.buffer.length;
  }

  public byte(): number {
    if (this.offset >= this.buffer.length) throw new MemoryLayoutError('it ends early');
    return this.buffer[this.offset++] as number;
  }

  public uint(): number {
    let value = 0;
    let scale = 1;
    for (;;) {
      const b = this.byte();
      value += (b & 0x7f) * scale;
      if (b < 0x80) return value;
      scale *= 0x80;
      if (scale > 2 ** 63) throw new MemoryLayoutError('a number runs past 9 bytes');
    }
  }

  public int(): number {
    const z = this.uint();
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }

  public number(): number {
    const tag = this.byte();
    if (tag === NUMBER_INTEGER) return this.int();
    if (tag === NUMBER_THOUSANDTHS) return this.int() / 1000;
    if (tag !== NUMBER_FLOAT) throw new MemoryLayoutError(`a number has tag ${tag}`);
    const view = new DataView(new ArrayBuffer(8));
    for (let i = 0; i < 8; i++) view.setUint8(i, this.byte());
    return view.getFloat64(0);
  }

  public string(): string {
    const length = this.uint();
    if (this.offset + length > this.buffer.length) throw new MemoryLayoutError('a text runs past its end');
    const text = Buffer.from(this.buffer.buffer, this.buffer.byteOffset + this.offset, length).toString(
      'utf8',
    );
    this.offset += length;
    return text;
  }

  public time(): string {
    return this.byte() === 1 ? new Date(this.int()).toISOString() : this.string();
  }

  public shortHashes(count: number): string[] {
    const numeric = this.byte() === 1;
    const values: string[] = [];
    for (let i = 0; i < count; i++) {
      if (!numeric) {
        values.push(this.string());
        continue;
      }
      const n = this.byte() * 2 ** 24 + ((this.byte() << 16) | (this.byte() << 8) | this.byte());
      values.push(n.toString(36));
    }
    return values;
  }

  public bandKeys(): string[] {
    const count = this.uint();
    const packed = this.byte() === 1;
    const values: string[] = [];
    for (let i = 0; i < count; i++) {
      if (!packed) {
        values.push(this.string());
        continue;
      }
      const band = this.byte();
      const hex = (this.byte() << 8) | this.byte();
      values.push(`${band}:${hex.toString(16).padStart(4, '0')}`);
    }
    return values;
  }

  public shardId(): string {
    return this.byte() === 1 ? `shardId-${String(this.uint()).padStart(12, '0')}` : this.string();
  }

  public decimal(): string {
    if (this.byte() === 0) return this.string();
    const count = this.uint();
    let v = 0n;
    const digits: number[] = [];
    for (let i = 0; i < count; i++) digits.push(this.byte());
    for (let i = digits.length - 1; i >= 0; i--) v = (v << 7n) | BigInt(digits[i] as number);
    return v.toString();
  }
}
