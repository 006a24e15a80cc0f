import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  type _Record as KinesisRecord,
} from '@aws-sdk/client-kinesis';
import type { KinesisStreamEvent } from 'aws-lambda';
import { emptyStats } from '../../../local/kinesis/kinesis-poller-stats';
import { ShardConsumer } from '../../../local/kinesis/kinesis-shard-consumer';

/**
 * A one-shard stream that behaves as kinesalite does when a put and an empty read race: the put
 * takes its sequence position, a read that runs before the put is written finds nothing, and the
 * iterator that read hands back starts after the put's position. (kinesalite re-bases an empty
 * read's next iterator on the time of the read; the shard's first record carries the position's
 * own sequence index, so a put timed a second earlier than the read sorts before it.) A fake, so
 * that the race happens on every run; test/integration/policy-backtest.test.ts meets the real one.
 */
class RacingShard {
  /** Records whose put has taken its position; `written` says whether a read can see them. */
  private readonly records: Array<{ record: KinesisRecord; written: boolean }> = [];
  public reads = 0;
  public iteratorsIssued = 0;

  /** Starts a put: the record has its position but is not readable yet. Returns a function that lands it. */
  public beginPut(data: string): () => void {
    const entry = {
      record: {
        SequenceNumber: String(this.records.length + 1).padStart(10, '0'),
        PartitionKey: 'acct',
        Data: Buffer.from(data),
        ApproximateArrivalTimestamp: new Date(),
      },
      written: false,
    };
    this.records.push(entry);
    return () => {
      entry.written = true;
    };
  }

  public readonly client = {
    send: async (command: unknown): Promise<unknown> => {
      if (command instanceof GetShardIteratorCommand) {
        this.iteratorsIssued += 1;
        return { ShardIterator: 'from:0' };
      }
      if (command instanceof GetRecordsCommand) {
        this.reads += 1;
        const from = Number(command.input.ShardIterator?.split(':')[1]);
        const visible: KinesisRecord[] = [];
        for (let i = from; i < this.records.length && this.records[i]!.written; i++) {
          visible.push(this.records[i]!.record);
        }
        // After an empty read: past every position taken, written or not.
        const next = visible.length > 0 ? from + visible.length : this.records.length;
        return { Records: visible, NextShardIterator: `from:${next}`, MillisBehindLatest: 0 };
      }
      throw new Error(`unexpected command ${String(command)}`);
    },
  };
}

/**
 * Runs a consumer of `shard` until `expected` records were delivered (or 5 s passed); calls
 * `afterRead` after each of its reads. Returns the records' data, in delivery order.
 */
async function consume(shard: RacingShard, expected: number, afterRead: () => void): Promise<string[]> {
  const delivered: string[] = [];
  const abort = new AbortController();
  let readsSeen = 0;
  const consumer = new ShardConsumer('shardId-000000000000', [], 'TRIM_HORIZON', {
    kinesis: shard.client as unknown as KinesisClient,
    streamName: 'usage',
    stream: {
      streamArn: 'arn:aws:kinesis:eu-west-1:000000000000:stream/usage',
      region: 'eu-west-1',
      functionName: 'scorer',
    },
    handler: (event: KinesisStreamEvent) => {
      for (const r of event.Records) delivered.push(Buffer.from(r.kinesis.data, 'base64').toString());
      if (delivered.length >= expected) abort.abort();
    },
    batchSize: 10,
    maximumBatchingWindowMs: 0,
    bisectBatchOnError: false,
    maximumRetryAttempts: -1,
    maximumRecordAgeSeconds: -1,
    reportBatchItemFailures: true,
    functionTimeoutMs: 5_000,
    getRecordsLimit: 100,
    idleDelayMs: 1,
    retryDelayMs: 0,
    stats: emptyStats(),
    sendFailure: async () => {},
    onProgress: () => {
      if (shard.reads > readsSeen) {
        readsSeen = shard.reads;
        afterRead();
      }
    },
    onShardEnd: () => {},
  });
  const timeout = setTimeout(() => abort.abort(), 5_000);
  try {
    await consumer.run(abort.signal);
  } finally {
    clearTimeout(timeout);
  }
  return delivered;
}

describe('Class: ShardConsumer', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('reads a record whose put raced an empty read, by keeping its iterator after the empty read', async () => {
    // Prepare: the shard's first put has taken its position when the consumer's first read runs
    const shard = new RacingShard();
    const landFirst = shard.beginPut('first');

    // Act: once the consumer has read the shard empty, the put lands, and a second one follows
    const delivered = await consume(shard, 2, () => {
      if (shard.reads === 1) {
        landFirst();
        shard.beginPut('second')();
      }
    });

    // Assess: both records, in order; the empty read's iterator (which starts after 'first') unused
    expect(delivered).toEqual(['first', 'second']);
    expect(shard.iteratorsIssued).toBe(1);
  });

  it('asks for a fresh iterator once the one it keeps reading is 4 minutes old (they expire at 5)', async () => {
    // Prepare
    const shard = new RacingShard();
    const landFirst = shard.beginPut('first');
    const realNow = Date.now.bind(Date);

    // Act: after the first empty read the clock jumps 5 minutes; after the next, the put lands
    const delivered = await consume(shard, 1, () => {
      if (shard.reads === 1) jest.spyOn(Date, 'now').mockImplementation(() => realNow() + 5 * 60_000);
      if (shard.reads === 2) landFirst();
    });

    // Assess: the second read still used the kept iterator; the one after it a fresh one
    expect(delivered).toEqual(['first']);
    expect(shard.iteratorsIssued).toBe(2);
  });
});
