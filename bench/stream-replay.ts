/**
 * The stream half of replay alone: a JSON Lines file put on the local Kinesis stream (kinesalite,
 * in the emulator process) by the replay writer, paced to a poller whose handler only counts.
 * Run as a child process by the memory step, so its peak memory can be measured on its own.
 * Usage: npx tsx bench/stream-replay.ts FILE [disk|memory] [maxBacklog|0]
 */
import { tmpdir } from 'node:os';
import { CreateStreamCommand, DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import { emptySourceStats, readJsonlRecords } from '../local/jsonl-source';
import { KinesisPoller } from '../local/kinesis/kinesis-poller';
import { paceToConsumer, putAll } from '../local/kinesis/kinesis-writer';
import { startLocalServices } from '../local/emulators/local-services';

async function main(): Promise<void> {
  const [file, storage = 'disk', backlogArg = '40000'] = process.argv.slice(2);
  if (!file) throw new Error('usage: stream-replay.ts FILE [disk|memory] [maxBacklog|0]');
  const services = await startLocalServices({
    isolated: true,
    dataDir: storage === 'disk' ? tmpdir() : undefined,
  });
  try {
    await services.kinesis.send(new CreateStreamCommand({ StreamName: 'usage', ShardCount: 2 }));
    for (;;) {
      const { StreamDescriptionSummary } = await services.kinesis.send(
        new DescribeStreamSummaryCommand({ StreamName: 'usage' }),
      );
      if (StreamDescriptionSummary?.StreamStatus === 'ACTIVE') break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    let handled = 0;
    const poller = new KinesisPoller({
      kinesis: services.kinesis,
      streamName: 'usage',
      batchSize: 5000,
      idleDelayMs: 20,
      handler: async (event) => {
        handled += event.Records.length;
      },
    });
    const started = performance.now();
    await poller.start();
    const source = emptySourceStats();
    const records = readJsonlRecords(file, source);
    const backlog = Number(backlogArg);
    const consumed = () => poller.stats.recordsSucceeded;
    await putAll(
      services.kinesis,
      'usage',
      backlog > 0 ? paceToConsumer(records, consumed, backlog) : records,
    );
    await poller.drain();
    await poller.stop();
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(`stream ${source.lines} ${handled} ${seconds.toFixed(1)}\n`);
  } finally {
    await services.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
