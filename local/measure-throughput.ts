/**
 * Prints how fast the local runtime moves records: the writer alone, the poller alone (trivial
 * handler), and both at once. The ceiling is kinesalite's own CPU cost (sequence-number arithmetic),
 * not the runtime. Usage: npx tsx local/measure-throughput.ts [records=50000] [shards=2] [batchSize=1000]
 */
import { CreateStreamCommand, DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import { KinesisPoller } from './kinesis-poller';
import { putAll, type KinesisWriteRecord } from './kinesis-writer';
import { startLocalServices, type LocalServices } from './local-services';

const [records = 50_000, shards = 2, batchSize = 1000] = process.argv.slice(2).map(Number);

function* usageLikeRecords(count: number): Iterable<KinesisWriteRecord> {
  for (let index = 0; index < count; index += 1) {
    const accountId = `acct-${index % 5000}`;
    const event = {
      v: 1,
      eventId: `e-${index}`,
      accountId,
      capability: 'reasoning',
      promptSimHash: 'f00dfeedcafebeef',
    };
    yield { partitionKey: accountId, data: Buffer.from(JSON.stringify(event)) };
  }
}

async function createStream(services: LocalServices, name: string): Promise<void> {
  await services.kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
  for (;;) {
    const { StreamDescriptionSummary } = await services.kinesis.send(
      new DescribeStreamSummaryCommand({ StreamName: name }),
    );
    if (StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const perSecond = (count: number, ms: number): string =>
  `${Math.round((count / ms) * 1000).toLocaleString('en')} records/s`;

async function main(): Promise<void> {
  const services = await startLocalServices();
  try {
    let handled = 0;
    const handler = async (event: { Records: unknown[] }): Promise<void> => {
      handled += event.Records.length;
    };

    await createStream(services, 'sequential');
    let started = performance.now();
    const written = await putAll(services.kinesis, 'sequential', usageLikeRecords(records));
    const writeMs = performance.now() - started;
    console.log(
      `writer  : ${written.records} records, ${written.calls} PutRecords calls, ${perSecond(written.records, writeMs)}`,
    );

    const poller = new KinesisPoller({
      kinesis: services.kinesis,
      streamName: 'sequential',
      batchSize,
      handler,
    });
    started = performance.now();
    await poller.drain();
    const pollMs = performance.now() - started;
    console.log(
      `poller  : ${handled} records, ${poller.stats.batches} batches, ${perSecond(handled, pollMs)}`,
    );

    await createStream(services, 'concurrent');
    handled = 0;
    const live = new KinesisPoller({
      kinesis: services.kinesis,
      streamName: 'concurrent',
      batchSize,
      handler,
    });
    started = performance.now();
    await live.start();
    await putAll(services.kinesis, 'concurrent', usageLikeRecords(records));
    await live.drain();
    await live.stop();
    const bothMs = performance.now() - started;
    console.log(
      `together: ${handled} records written and delivered, ${perSecond(handled, bothMs)} end to end`,
    );
  } finally {
    await services.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
