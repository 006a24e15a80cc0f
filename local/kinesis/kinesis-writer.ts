import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ListShardsCommand,
  PutRecordsCommand,
  type KinesisClient,
  type PutRecordsRequestEntry,
  type Shard,
} from '@aws-sdk/client-kinesis';

/** Thrown when records cannot be written: invalid records, a failing call, or records still rejected after retries. */
export class KinesisWriteError extends Error {
  /** Records acknowledged by the stream before the failure. */
  public readonly recordsWritten: number;

  public constructor(message: string, recordsWritten: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KinesisWriteError';
    this.recordsWritten = recordsWritten;
  }
}

export interface KinesisWriteRecord {
  readonly partitionKey: string;
  readonly data: Uint8Array;
}

export interface PutAllOptions {
  /**
   * Keep each shard's records in the order given: one PutRecords call in flight per shard, and
   * shards written concurrently. When false, calls mix shards and `maxInFlight` run at once.
   * @default true
   */
  readonly preserveOrder?: boolean;
  /**
   * Calls in flight at once when preserveOrder is false.
   * @default 4
   */
  readonly maxInFlight?: number;
  /**
   * Attempts for records the stream rejects individually (ErrorCode in the response).
   * @default 8
   */
  readonly maxAttempts?: number;
  /** @default 25 */
  readonly baseBackoffMs?: number;
  /** @default 2000 */
  readonly maxBackoffMs?: number;
  /** Called after each successful call with the running count of records written. */
  readonly onProgress?: (recordsWritten: number) => void;
}

export interface PutAllResult {
  readonly records: number;
  readonly bytes: number;
  readonly calls: number;
  /** Record re-sends after the stream rejected them (throttling). */
  readonly retriedRecords: number;
  readonly durationMs: number;
}

const MAX_RECORDS_PER_CALL = 500;
const MAX_BYTES_PER_CALL = 5 * 1024 * 1024;
const MAX_RECORD_BYTES = 1024 * 1024;

interface Entry {
  readonly request: PutRecordsRequestEntry;
  readonly bytes: number;
}

interface Lane {
  readonly queue: Entry[];
  queuedBytes: number;
  inFlight: number;
  readonly maxInFlight: number;
}

interface HashRange {
  readonly start: bigint;
  readonly end: bigint;
  readonly lane: Lane;
}

/**
 * Writes every record to a stream with PutRecords: batches of up to 500 records / 5 MB, several
 * calls in flight, records the stream rejects (ErrorCode in the response) re-sent with exponential
 * backoff. By default each shard keeps the order of its records (partition key -> shard by MD5,
 * as Kinesis routes), so replay preserves per-account order.
 */
export async function putAll(
  kinesis: KinesisClient,
  streamName: string,
  records: AsyncIterable<KinesisWriteRecord> | Iterable<KinesisWriteRecord>,
  options: PutAllOptions = {},
): Promise<PutAllResult> {
  const started = performance.now();
  const maxAttempts = options.maxAttempts ?? 8;
  const baseBackoffMs = options.baseBackoffMs ?? 25;
  const maxBackoffMs = options.maxBackoffMs ?? 2000;
  const preserveOrder = options.preserveOrder ?? true;

  const ranges = preserveOrder ? await shardLanes(kinesis, streamName) : [];
  const pooled: Lane = { queue: [], queuedBytes: 0, inFlight: 0, maxInFlight: options.maxInFlight ?? 4 };
  const lanes = preserveOrder ? ranges.map((range) => range.lane) : [pooled];
  const highWaterMark = MAX_RECORDS_PER_CALL * lanes.reduce((sum, lane) => sum + lane.maxInFlight + 1, 0);

  let written = 0;
  let bytes = 0;
  let calls = 0;
  let retriedRecords = 0;
  let queued = 0;
  let flushing = false;
  let failure: KinesisWriteError | undefined;
  let wake: (() => void) | undefined;
  const inFlight = new Set<Promise<void>>();

  const send = async (batch: Entry[]): Promise<void> => {
    let pending = batch;
    for (let attempt = 1; ; attempt += 1) {
      let output;
      try {
        output = await kinesis.send(
          new PutRecordsCommand({ StreamName: streamName, Records: pending.map((entry) => entry.request) }),
        );
      } catch (error) {
        throw new KinesisWriteError(`PutRecords to '${streamName}' failed`, written, { cause: error });
      }
      calls += 1;
      const results = output.Records ?? [];
      const rejected = pending.filter((_, index) => results[index]?.ErrorCode !== undefined);
      const accepted = pending.length - rejected.length;
      written += accepted;
      bytes +=
        pending.reduce((sum, entry) => sum + entry.bytes, 0) - rejected.reduce((sum, e) => sum + e.bytes, 0);
      if (accepted > 0) options.onProgress?.(written);
      if (rejected.length === 0) return;
      if (attempt >= maxAttempts) {
        const firstError = results.find((result) => result.ErrorCode !== undefined);
        throw new KinesisWriteError(
          `${rejected.length} records still rejected by '${streamName}' after ${maxAttempts} attempts ` +
            `(${firstError?.ErrorCode}: ${firstError?.ErrorMessage})`,
          written,
        );
      }
      retriedRecords += rejected.length;
      pending = rejected;
      await sleep(Math.min(maxBackoffMs, baseBackoffMs * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2));
    }
  };

  const pump = (lane: Lane): void => {
    while (lane.inFlight < lane.maxInFlight && !failure) {
      const full = lane.queue.length >= MAX_RECORDS_PER_CALL || lane.queuedBytes >= MAX_BYTES_PER_CALL;
      if (!full && !(flushing && lane.queue.length > 0)) return;
      const batch = takeBatch(lane);
      queued -= batch.length;
      lane.inFlight += 1;
      const call: Promise<void> = send(batch)
        .catch((error: unknown) => {
          failure ??=
            error instanceof KinesisWriteError ? error : new KinesisWriteError(String(error), written);
        })
        .finally(() => {
          lane.inFlight -= 1;
          inFlight.delete(call);
          pump(lane);
          wake?.();
        });
      inFlight.add(call);
    }
  };

  const waitForCall = (): Promise<void> =>
    new Promise((resolve) => {
      wake = () => {
        wake = undefined;
        resolve();
      };
    });

  for await (const record of records) {
    if (failure) break;
    let entry: Entry;
    try {
      entry = toEntry(record, written);
    } catch (error) {
      failure = error as KinesisWriteError;
      break;
    }
    const lane = preserveOrder ? laneFor(ranges, record.partitionKey) : pooled;
    lane.queue.push(entry);
    lane.queuedBytes += entry.bytes;
    queued += 1;
    pump(lane);
    while (queued >= highWaterMark && !failure) await waitForCall();
  }
  flushing = true;
  for (const lane of lanes) pump(lane);
  while (inFlight.size > 0) await Promise.all([...inFlight]);
  if (failure) throw failure;
  return { records: written, bytes, calls, retriedRecords, durationMs: performance.now() - started };
}

function toEntry(record: KinesisWriteRecord, written: number): Entry {
  const keyBytes = Buffer.byteLength(record.partitionKey);
  if (keyBytes < 1 || record.partitionKey.length > 256) {
    throw new KinesisWriteError('a partition key must have 1 to 256 characters', written);
  }
  const bytes = record.data.byteLength + keyBytes;
  if (bytes > MAX_RECORD_BYTES) {
    throw new KinesisWriteError(`a record of ${bytes} bytes exceeds the 1 MiB Kinesis limit`, written);
  }
  return { request: { PartitionKey: record.partitionKey, Data: record.data }, bytes };
}

function takeBatch(lane: Lane): Entry[] {
  let count = 0;
  let size = 0;
  for (const entry of lane.queue) {
    if (count === MAX_RECORDS_PER_CALL || size + entry.bytes > MAX_BYTES_PER_CALL) break;
    count += 1;
    size += entry.bytes;
  }
  lane.queuedBytes -= size;
  return lane.queue.splice(0, count);
}

/** One lane per open shard, with the shard's hash key range. */
async function shardLanes(kinesis: KinesisClient, streamName: string): Promise<HashRange[]> {
  const shards: Shard[] = [];
  let nextToken: string | undefined;
  try {
    do {
      const page = await kinesis.send(
        nextToken
          ? new ListShardsCommand({ NextToken: nextToken })
          : new ListShardsCommand({ StreamName: streamName }),
      );
      shards.push(...(page.Shards ?? []));
      nextToken = page.NextToken;
    } while (nextToken);
  } catch (error) {
    throw new KinesisWriteError(`could not list the shards of '${streamName}'`, 0, { cause: error });
  }
  return shards
    .filter((shard) => shard.SequenceNumberRange?.EndingSequenceNumber === undefined)
    .map((shard) => ({
      start: BigInt(shard.HashKeyRange?.StartingHashKey ?? '0'),
      end: BigInt(shard.HashKeyRange?.EndingHashKey ?? '0'),
      lane: { queue: [], queuedBytes: 0, inFlight: 0, maxInFlight: 1 },
    }))
    .sort((a, b) => (a.start < b.start ? -1 : 1));
}

/** Kinesis maps a partition key to the shard whose hash key range holds MD5(key) as a 128-bit integer. */
function laneFor(ranges: readonly HashRange[], partitionKey: string): Lane {
  const hash = BigInt(`0x${createHash('md5').update(partitionKey, 'utf8').digest('hex')}`);
  let low = 0;
  let high = ranges.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const range = ranges[middle]!;
    if (hash < range.start) high = middle - 1;
    else if (hash > range.end) low = middle + 1;
    else return range.lane;
  }
  throw new KinesisWriteError(`no open shard holds the hash key of partition key '${partitionKey}'`, 0);
}

/**
 * Paces a record source to its consumer: yields a record only while fewer than `maxBacklog`
 * records yielded so far are still unconsumed (`consumed()` counts the consumer's progress),
 * else waits, checking every `pollMs`. A local stream then holds a bounded backlog however large
 * the source, and the consumer reads near the stream's tip, as a Lambda consumer does.
 */
export async function* paceToConsumer<T>(
  records: AsyncIterable<T> | Iterable<T>,
  consumed: () => number,
  maxBacklog: number,
  pollMs = 20,
): AsyncGenerator<T> {
  if (!Number.isInteger(maxBacklog) || maxBacklog < 1) {
    throw new RangeError(`maxBacklog must be a whole number >= 1, got ${maxBacklog}`);
  }
  let yielded = 0;
  for await (const record of records) {
    while (yielded - consumed() >= maxBacklog) await sleep(pollMs);
    yielded += 1;
    yield record;
  }
}
