import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

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

/**
 * Streams a JSON Lines file of usage events as stream records, one line at a time, so a file of
 * any size is never held in memory. Lines that do not parse are passed on as they are (the
 * scorer rejects and dead-letters them with the reason, exactly as for the gateway's records).
 */
export async function* readJsonlRecords(file: string, stats: JsonlSourceStats): AsyncGenerator<SourceRecord> {
  const lines = createInterface({
    input: createReadStream(file, { highWaterMark: 1 << 20 }),
    crlfDelay: Infinity,
  });
  let latestTs = '';
  for await (const line of lines) {
    stats.bytes += line.length + 1;
    if (line.trim() === '') continue;
    stats.lines += 1;
    let partitionKey = `unkeyed-line-${stats.lines}`;
    try {
      const value = JSON.parse(line) as { accountId?: unknown; ts?: unknown };
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
    yield { partitionKey, data: Buffer.from(line, 'utf8') };
  }
}

export function emptySourceStats(): JsonlSourceStats {
  return { lines: 0, outOfOrder: 0, unkeyed: 0, bytes: 0 };
}
