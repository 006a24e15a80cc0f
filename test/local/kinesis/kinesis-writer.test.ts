import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  PutRecordsCommand,
  type KinesisClient,
  type PutRecordsCommandOutput,
} from '@aws-sdk/client-kinesis';
import { KinesisPoller } from '../../../local/kinesis/kinesis-poller';
import { KinesisWriteError, putAll, type KinesisWriteRecord } from '../../../local/kinesis/kinesis-writer';
import { startLocalServices, type LocalServices } from '../../../local/emulators/local-services';

describe('Function: putAll', () => {
  let services: LocalServices;
  let streamCounter = 0;

  beforeAll(async () => {
    services = await startLocalServices();
  });

  afterAll(async () => {
    await services.stop();
  });

  async function createStream(shards: number): Promise<string> {
    streamCounter += 1;
    const name = `writer-test-${streamCounter}`;
    await services.kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
    for (;;) {
      const { StreamDescriptionSummary } = await services.kinesis.send(
        new DescribeStreamSummaryCommand({ StreamName: name }),
      );
      if (StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return name;
      await sleep(5);
    }
  }

  async function* generate(count: number): AsyncIterable<KinesisWriteRecord> {
    for (let index = 0; index < count; index += 1) {
      const key = `account-${index % 1000}`;
      yield { partitionKey: key, data: Buffer.from(JSON.stringify({ key, index })) };
    }
  }

  /** Reads the whole stream back through the poller: index -> times seen, and per-key order. */
  async function readBack(streamName: string): Promise<{ counts: Map<number, number>; ordered: boolean }> {
    const counts = new Map<number, number>();
    const lastByKey = new Map<string, number>();
    let ordered = true;
    const poller = new KinesisPoller({
      kinesis: services.kinesis,
      streamName,
      batchSize: 10_000,
      handler: async (event) => {
        for (const record of event.Records) {
          const { key, index } = JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString()) as {
            key: string;
            index: number;
          };
          counts.set(index, (counts.get(index) ?? 0) + 1);
          if ((lastByKey.get(key) ?? -1) > index) ordered = false;
          lastByKey.set(key, index);
        }
      },
    });
    await poller.drain();
    return { counts, ordered };
  }

  it('writes 20,000 records in 500-record calls, each exactly once and in order per partition key', async () => {
    // Prepare
    const streamName = await createStream(4);
    const progress: number[] = [];

    // Act
    const result = await putAll(services.kinesis, streamName, generate(20_000), {
      onProgress: (written) => progress.push(written),
    });

    // Assess
    expect(result.records).toBe(20_000);
    expect(result.retriedRecords).toBe(0);
    expect(result.calls).toBeGreaterThanOrEqual(40);
    expect(result.calls).toBeLessThanOrEqual(44);
    expect(progress.at(-1)).toBe(20_000);
    const { counts, ordered } = await readBack(streamName);
    expect(counts.size).toBe(20_000);
    expect([...counts.values()].every((count) => count === 1)).toBe(true);
    expect(ordered).toBe(true);
  });

  it('re-sends the records the stream rejects, with backoff, until all are in exactly once', async () => {
    // Prepare
    const streamName = await createStream(2);
    // Rejects every third record of each call's first attempt as throttled; the rest really reaches kinesalite.
    const rejectedOnce = new Set<Uint8Array>();
    const throttling = {
      send: async (command: unknown) => {
        if (!(command instanceof PutRecordsCommand))
          return services.kinesis.send(command as PutRecordsCommand);
        const entries = command.input.Records ?? [];
        const reject = entries.map((entry, i) => i % 3 === 0 && !rejectedOnce.has(entry.Data!));
        entries.forEach((entry, i) => reject[i] && rejectedOnce.add(entry.Data!));
        const accepted = entries.filter((_, i) => !reject[i]);
        const output: PutRecordsCommandOutput = accepted.length
          ? await services.kinesis.send(new PutRecordsCommand({ ...command.input, Records: accepted }))
          : { Records: [], $metadata: {} };
        const results = [...(output.Records ?? [])];
        return {
          ...output,
          FailedRecordCount: reject.filter(Boolean).length,
          Records: reject.map((rejected) =>
            rejected
              ? { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded' }
              : results.shift(),
          ),
        };
      },
    } as unknown as KinesisClient;

    // Act
    const result = await putAll(throttling, streamName, generate(3000), { baseBackoffMs: 1 });

    // Assess
    expect(result.records).toBe(3000);
    expect(result.retriedRecords).toBe(rejectedOnce.size);
    expect(rejectedOnce.size).toBeGreaterThanOrEqual(1000);
    const { counts } = await readBack(streamName);
    expect(counts.size).toBe(3000);
    expect([...counts.values()].every((count) => count === 1)).toBe(true);
  });

  it('gives up with KinesisWriteError when records keep being rejected', async () => {
    // Prepare
    const streamName = await createStream(1);
    const alwaysThrottled = {
      send: async (command: unknown) =>
        command instanceof PutRecordsCommand
          ? {
              FailedRecordCount: command.input.Records?.length,
              Records: command.input.Records?.map(() => ({
                ErrorCode: 'ProvisionedThroughputExceededException',
              })),
            }
          : services.kinesis.send(command as PutRecordsCommand),
    } as unknown as KinesisClient;

    // Act
    const write = putAll(alwaysThrottled, streamName, generate(10), { maxAttempts: 3, baseBackoffMs: 1 });

    // Assess
    await expect(write).rejects.toBeInstanceOf(KinesisWriteError);
    await expect(write).rejects.toThrow(/10 records still rejected .* after 3 attempts/);
  });

  it('refuses a record with an empty partition key', async () => {
    // Prepare
    const streamName = await createStream(1);

    // Act
    const write = putAll(services.kinesis, streamName, [{ partitionKey: '', data: Buffer.from('x') }]);

    // Assess
    await expect(write).rejects.toThrow('a partition key must have 1 to 256 characters');
  });
});
