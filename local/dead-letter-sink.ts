import { appendFile } from 'node:fs/promises';
import type { DeadLetterSink, RejectedRecord } from '../lambdas/core/ports';
import { withSourceLine } from './jsonl-source';

/**
 * The local dead-letter queue (the local pipeline's and the memory engine's): rejected records are
 * kept in memory and, when a file is given, appended to it as JSON Lines with their reason (what
 * SQS would hold in AWS, but whole: there a record too large for one SQS message has its data cut,
 * see SqsDeadLetterSink's DeadLetterMessage).
 */
export class LocalDeadLetterSink implements DeadLetterSink {
  private readonly kept: RejectedRecord[] = [];
  /** A batch retried after a partial failure dead-letters its rejects again: count each record once. */
  private readonly seen = new Set<string>();

  public constructor(
    private readonly file?: string,
    /** In-memory records kept for inspection; counting goes on past it. @default 10000 */
    private readonly keep = 10_000,
  ) {}

  public async send(records: readonly RejectedRecord[]): Promise<void> {
    // A record is its shard's: sequence numbers are unique per shard (partition key), not per stream.
    const key = (r: RejectedRecord) => `${r.partitionKey}\u0000${r.sequenceNumber}`;
    const fresh = records.filter((r) => !this.seen.has(key(r)));
    if (this.file && fresh.length > 0)
      await appendFile(this.file, fresh.map((r) => `${JSON.stringify(withSourceLine(r))}\n`).join(''));
    for (const record of fresh) {
      this.seen.add(key(record));
      if (this.kept.length < this.keep) this.kept.push({ ...record });
    }
  }

  /** Distinct records dead-lettered. */
  public get total(): number {
    return this.seen.size;
  }

  public records(): readonly RejectedRecord[] {
    return this.kept;
  }
}
