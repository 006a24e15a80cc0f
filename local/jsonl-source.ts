import { isAscii } from 'node:buffer';
import { createReadStream } from 'node:fs';

/** A stream record to put on Kinesis: the partition key is the event's accountId. */
export interface SourceRecord {
  readonly partitionKey: string;
  readonly data: Uint8Array;
}

export interface JsonlSourceStats {
  lines: number;
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
export async function* readJsonlRecords(file: string, stats: JsonlSourceStats): AsyncGenerator<SourceRecord> {
  let latestTs = '';
  let carry: Buffer | undefined;
  const toRecord = (line: Buffer): SourceRecord | undefined => {
    const data = normalized(line);
    if (data === undefined) return undefined;
    stats.lines += 1;
    let partitionKey = `unkeyed-line-${stats.lines}`;
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
      }
    } catch {
      stats.unkeyed += 1;
    }
    return { partitionKey, data };
  };

  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    stats.bytes += chunk.length;
    const buffer: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
    let start = 0;
    for (;;) {
      const end = nextLineEnd(buffer, start);
      // A CR at the very end may be the first half of a CRLF: wait for the next chunk.
      if (end < 0 || (buffer[end] === CR && end === buffer.length - 1)) break;
      const record = toRecord(buffer.subarray(start, end));
      if (record) yield record;
      start = buffer[end] === CR && buffer[end + 1] === LF ? end + 2 : end + 1;
    }
    carry = start < buffer.length ? Buffer.from(buffer.subarray(start)) : undefined;
  }
  if (carry) {
    const end = carry[carry.length - 1] === CR ? carry.length - 1 : carry.length;
    const record = toRecord(carry.subarray(0, end));
    if (record) yield record;
  }
}

/** Index of the next LF or CR at or after `start`, or -1. */
function nextLineEnd(buffer: Buffer, start: number): number {
  const lf = buffer.indexOf(LF, start);
  const limit = lf < 0 ? buffer.length : lf;
  const cr = buffer.subarray(start, limit).indexOf(CR);
  return cr >= 0 ? start + cr : lf;
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
  return { lines: 0, outOfOrder: 0, unkeyed: 0, bytes: 0 };
}
