import { createWriteStream } from 'node:fs';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import { emptySourceStats, readJsonlRecords } from './jsonl-source';
import { LocalPipeline, type LocalPipelineOptions } from './local-pipeline';

export interface ReplayOptions extends Omit<LocalPipelineOptions, 'deadLetterFile' | 'busEventsFile'> {
  /** JSON Lines file of usage events, in timestamp order. */
  readonly file: string;
  /** Folder for accounts.jsonl, cases.jsonl, summary.json, rejected.jsonl and bus-events.jsonl. */
  readonly outDir: string;
  /** Called as the file is read: bytes read so far and the file's size. */
  readonly onProgress?: (bytesRead: number, totalBytes: number) => void;
}

/** replay's summary.json. */
export interface ReplaySummary {
  readonly file: string;
  readonly policyVersion: string;
  readonly eventsRead: number;
  readonly rejected: number;
  readonly duplicates: number;
  readonly outOfOrder: number;
  readonly accounts: number;
  readonly review: number;
  readonly suspended: number;
  readonly cases: number;
  readonly busEvents: Readonly<Record<string, number>>;
  readonly failedBatches: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly dynamodb: {
    readonly accountWrites: number;
    readonly linkWrites: number;
    readonly writesPerEvent: number;
  };
  readonly shards: number;
  readonly batchSize: number;
}

async function writeLines<T>(file: string, rows: AsyncIterable<T>): Promise<number> {
  const out = createWriteStream(file);
  let count = 0;
  for await (const row of rows) {
    if (!out.write(`${JSON.stringify(row)}\n`)) await once(out, 'drain');
    count += 1;
  }
  out.end();
  await once(out, 'finish');
  return count;
}

/**
 * Replays an event file through the whole local pipeline: the file is streamed onto the local
 * Kinesis stream while the scorer consumes it, enforcement workflows run as thresholds are
 * crossed, and the resulting accounts and cases are written out.
 */
export async function replay(options: ReplayOptions): Promise<ReplaySummary> {
  const totalBytes = (await stat(options.file)).size;
  await mkdir(options.outDir, { recursive: true });
  const rejectedFile = join(options.outDir, 'rejected.jsonl');
  const busEventsFile = join(options.outDir, 'bus-events.jsonl');
  await Promise.all([rm(rejectedFile, { force: true }), rm(busEventsFile, { force: true })]);

  const pipeline = await LocalPipeline.start({ ...options, deadLetterFile: rejectedFile, busEventsFile });
  try {
    const source = emptySourceStats();
    const started = performance.now();
    await pipeline.startScoring();
    await pipeline.ingest(readJsonlRecords(options.file, source), () =>
      options.onProgress?.(source.bytes, totalBytes),
    );
    await pipeline.drain();
    const seconds = (performance.now() - started) / 1000;

    let review = 0;
    let suspended = 0;
    const accounts = await writeLines(
      join(options.outDir, 'accounts.jsonl'),
      (async function* () {
        for await (const account of pipeline.accounts()) {
          if (account.status === 'REVIEW') review += 1;
          if (account.status === 'SUSPENDED') suspended += 1;
          yield account;
        }
      })(),
    );
    const cases = await writeLines(join(options.outDir, 'cases.jsonl'), pipeline.cases());
    const busEvents: Record<string, number> = {};
    for (const event of pipeline.bus.events())
      busEvents[event['detail-type']] = (busEvents[event['detail-type']] ?? 0) + 1;
    const { accountWrites, linkWrites } = pipeline.scoring;

    const summary: ReplaySummary = {
      file: options.file,
      policyVersion: pipeline.policy.version,
      eventsRead: source.lines,
      rejected: pipeline.deadLetters.total,
      duplicates: pipeline.scoring.duplicates,
      outOfOrder: source.outOfOrder,
      accounts,
      review,
      suspended,
      cases,
      busEvents,
      failedBatches: pipeline.failedBatches.length,
      seconds: Number(seconds.toFixed(2)),
      eventsPerSecond: Math.round(source.lines / seconds),
      dynamodb: {
        accountWrites,
        linkWrites,
        writesPerEvent: Number(((accountWrites + linkWrites) / Math.max(1, source.lines)).toFixed(4)),
      },
      shards: options.shards ?? 2,
      batchSize: pipeline.batchSize,
    };
    await writeFile(join(options.outDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
    return summary;
  } finally {
    await pipeline.stop();
  }
}
