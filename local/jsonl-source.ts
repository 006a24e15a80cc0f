import { isAscii } from 'node:buffer';
import { createReadStream } from 'node:fs';
import type { RejectedRecord } from '../lambdas/core/ports';

/** A stream record to put on Kinesis: the partition key is the event's accountId. */
export interface SourceRecord {
  readonly partitionKey: string;
  readonly data: Uint8Array;
  /** The event's `ts` in epoch milliseconds, when the line has a readable one. */
  readonly eventTimeMs?: number;
  /** Line number in the file, 1-based, blank lines counted. */
  readonly line?: number;
}

/** A line the source cannot make a stream record of: too large for Kinesis. */
export interface OversizedLine {
  /** Line number in the file, 1-based, blank lines counted (as an editor shows it). */
  readonly line: number;
  /** The line's bytes plus its partition key's, as Kinesis counts a record. */
  readonly bytes: number;
  readonly partitionKey: string;
  /** The line's first bytes (at most OVERSIZED_LINE_PREFIX_BYTES). */
  readonly prefix: Uint8Array;
}

/** A Kinesis record's limit: data and partition key together. */
export const MAX_KINESIS_RECORD_BYTES = 1024 * 1024;
/** How much of an oversized line its dead-letter record keeps. */
export const OVERSIZED_LINE_PREFIX_BYTES = 1024;

export interface JsonlSourceOptions {
  /**
   * Receives each line too large to be one Kinesis record (data and partition key over 1 MiB),
   * instead of passing it on: the gateway could never have put it on the stream. Counted in
   * `lines` and `oversized`. @default none: such lines are passed on (a Kinesis writer refuses them)
   */
  readonly onOversizedLine?: (line: OversizedLine) => Promise<void> | void;
}

export interface JsonlSourceStats {
  lines: number;
  /** Lines over the Kinesis record limit, handed to onOversizedLine instead of passed on. */
  oversized: number;
  /** Lines whose ts is earlier than a line before them (replay expects timestamp order). */
  outOfOrder: number;
  /** Lines that are not JSON objects with an accountId: still sent, so the scorer dead-letters them. */
  unkeyed: number;
  bytes: number;
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * Streams a JSON Lines file of usage events as stream records, one line at a time, so a file of
 * any size is never held in memory. Lines that do not parse are passed on as they are (the
 * scorer rejects and dead-letters them with the reason, exactly as for the gateway's records).
 *
 * Lines end at LF, CRLF or a lone CR (as node:readline splits them); blank lines are skipped. The
 * file is split as bytes rather than through readline, which is several times faster: a record's
 * data is its line's bytes (bytes that are not valid UTF-8 are replaced by U+FFFD, as a decoder
 * would), and `bytes` counts bytes read, line ends included.
 */
export async function* readJsonlRecords(
  file: string,
  stats: JsonlSourceStats,
  options: JsonlSourceOptions = {},
): AsyncGenerator<SourceRecord> {
  let latestTs = '';
  let lineNumber = 0;
  const toRecord = (line: Buffer): SourceRecord | undefined => {
    lineNumber += 1;
    const data = normalized(line);
    if (data === undefined) return undefined;
    stats.lines += 1;
    let partitionKey = unkeyedPartitionKey(lineNumber);
    let eventTimeMs: number | undefined;
    try {
      const value = JSON.parse(data.toString('utf8')) as { accountId?: unknown; ts?: unknown };
      if (typeof value.accountId === 'string' && value.accountId.length > 0) {
        partitionKey = value.accountId.slice(0, 256);
      } else {
        stats.unkeyed += 1;
      }
      if (typeof value.ts === 'string') {
        if (value.ts < latestTs) stats.outOfOrder += 1;
        else latestTs = value.ts;
        const ms = Date.parse(value.ts);
        if (Number.isFinite(ms)) eventTimeMs = ms;
      }
    } catch {
      stats.unkeyed += 1;
    }
    const record = { partitionKey, data, line: lineNumber };
    return eventTimeMs === undefined ? record : { ...record, eventTimeMs };
  };

  const chunks = createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>;
  for await (const line of splitLines(chunks, (n) => (stats.bytes += n))) {
    const record = toRecord(line);
    if (!record) continue;
    const bytes = record.data.length + Buffer.byteLength(record.partitionKey);
    if (options.onOversizedLine && bytes > MAX_KINESIS_RECORD_BYTES) {
      stats.oversized += 1;
      await options.onOversizedLine({
        line: lineNumber,
        bytes,
        partitionKey: record.partitionKey,
        prefix: record.data.subarray(0, OVERSIZED_LINE_PREFIX_BYTES),
      });
      continue;
    }
    yield record;
  }
}

const UNKEYED_PREFIX = 'unkeyed-line-';

/** The partition key of a line with no accountId: it names the line. */
function unkeyedPartitionKey(line: number): string {
  return `${UNKEYED_PREFIX}${line}`;
}

/** The file line a record's partition key names (lines with no accountId), if any. */
export function lineOfPartitionKey(partitionKey: string): number | undefined {
  if (!partitionKey.startsWith(UNKEYED_PREFIX)) return undefined;
  const line = Number(partitionKey.slice(UNKEYED_PREFIX.length));
  return Number.isInteger(line) && line > 0 ? line : undefined;
}

/**
 * A rejected record with the file line it came from, when its partition key names one (a line
 * replay read that has no accountId, JSON or not): what rejected.jsonl holds, in both engines.
 */
export function withSourceLine(record: RejectedRecord): RejectedRecord & { readonly line?: number } {
  const line = lineOfPartitionKey(record.partitionKey);
  return line === undefined || 'line' in record ? record : { ...record, line };
}

/**
 * The dead-letter record of a line too large for Kinesis, as replay writes it to rejected.jsonl
 * (either engine): the scorer's fields, the line number, the size, and the line's first bytes.
 */
export function oversizedLineRecord(
  oversized: OversizedLine,
  rejectedAt: string,
): RejectedRecord & {
  readonly line: number;
  readonly bytes: number;
} {
  const limit = MAX_KINESIS_RECORD_BYTES.toLocaleString('en-US');
  return {
    sequenceNumber: `line-${oversized.line}`,
    partitionKey: oversized.partitionKey,
    field: '(record)',
    reason:
      `line ${oversized.line} is ${oversized.bytes.toLocaleString('en-US')} bytes with its partition key: ` +
      `a Kinesis record holds at most 1 MiB (${limit} bytes), so it cannot go on the stream ` +
      `(dataBase64 holds its first ${OVERSIZED_LINE_PREFIX_BYTES} bytes)`,
    dataBase64: Buffer.from(oversized.prefix).toString('base64'),
    rejectedAt,
    line: oversized.line,
    bytes: oversized.bytes,
  };
}

/**
 * Splits a byte stream into lines at LF, CRLF or a lone CR, without their ends. Lines are views
 * of the chunks: only a line that straddles two chunks is copied.
 */
export async function* splitLines(
  chunks: AsyncIterable<Buffer>,
  onChunk?: (bytes: number) => void,
): AsyncGenerator<Buffer> {
  /** The start of a line whose end is in a later chunk; if it ends in CR, the line is complete. */
  let carry: Buffer | undefined;
  for await (const chunk of chunks) {
    onChunk?.(chunk.length);
    let start = 0;
    if (carry && carry[carry.length - 1] === CR) {
      yield carry.subarray(0, carry.length - 1);
      if (chunk[0] === LF) start = 1;
    } else if (carry) {
      const end = lineEnd(chunk, 0, chunk.indexOf(CR));
      if (end < 0 || (chunk[end] === CR && end === chunk.length - 1)) {
        carry = Buffer.concat([carry, chunk]);
        continue;
      }
      yield Buffer.concat([carry, chunk.subarray(0, end)]);
      start = chunk[end] === CR && chunk[end + 1] === LF ? end + 2 : end + 1;
    }
    let cr = chunk.indexOf(CR, start);
    for (;;) {
      if (cr >= 0 && cr < start) cr = chunk.indexOf(CR, start);
      const end = lineEnd(chunk, start, cr);
      // A CR at the very end may be the first half of a CRLF: keep it for the next chunk.
      if (end < 0 || (chunk[end] === CR && end === chunk.length - 1)) break;
      yield chunk.subarray(start, end);
      start = chunk[end] === CR && chunk[end + 1] === LF ? end + 2 : end + 1;
    }
    carry = start < chunk.length ? Buffer.from(chunk.subarray(start)) : undefined;
  }
  if (carry) yield carry[carry.length - 1] === CR ? carry.subarray(0, carry.length - 1) : carry;
}

/** The next LF or CR at or after `start` (`cr`: the next CR at or after `start`, or -1), or -1. */
function lineEnd(chunk: Buffer, start: number, cr: number): number {
  const lf = chunk.indexOf(LF, start);
  return cr >= 0 && (lf < 0 || cr < lf) ? cr : lf;
}

/**
 * The line as record data, or undefined for a blank line. ASCII lines are passed as they are (a
 * view of the chunk read, not a copy: a chunk lives as long as one of its records); others go
 * through a UTF-8 decode and encode, which is what reading them as text does.
 */
function normalized(line: Buffer): Buffer | undefined {
  if (isAscii(line)) {
    for (let i = 0; i < line.length; i++) {
      const byte = line[i] as number;
      if (byte !== 0x20 && (byte < 0x09 || byte > 0x0d)) return line;
    }
    return undefined;
  }
  const text = line.toString('utf8');
  return text.trim() === '' ? undefined : Buffer.from(text, 'utf8');
}

export function emptySourceStats(): JsonlSourceStats {
  return { lines: 0, oversized: 0, outOfOrder: 0, unkeyed: 0, bytes: 0 };
}
