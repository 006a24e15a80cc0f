import { stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { emptySourceStats, readJsonlRecords } from './jsonl-source';
import { paceToConsumer } from './kinesis-writer';
import { LocalPipeline, type LocalPipelineOptions } from './local-pipeline';
import { LOCAL_ACCOUNTS_TABLE, LOCAL_CASES_TABLE, scanItems, writeLocalStore } from './local-store';
import {
  countBusEvents,
  prepareReplayOutDir,
  writeReplayResults,
  writeReplaySummary,
  type ReplaySummary,
} from './replay-output';

export type { ReplaySummary } from './replay-output';

export interface ReplayOptions extends Omit<LocalPipelineOptions, 'deadLetterFile' | 'busEventsFile'> {
  /** JSON Lines file of usage events, in timestamp order. */
  readonly file: string;
  /** Folder for accounts.jsonl, cases.jsonl, summary.json, rejected.jsonl and bus-events.jsonl. */
  readonly outDir: string;
  /** Called as the file is read: bytes read so far and the file's size. */
  readonly onProgress?: (bytesRead: number, totalBytes: number) => void;
  /**
   * Records put on the stream but not yet scored, at most; the file is read no faster. Keeps the
   * emulator's backlog (and so memory and read cost) bounded whatever the file's size.
   * @default 4 batches per shard
   */
  readonly maxBacklogRecords?: number;
  /**
   * Where the local stream keeps its records. disk: LevelDB files in the temp folder, memory flat
   * whatever the file's size. memory: kinesalite never trims a stream, so memory grows with the
   * file (about 5.5 GB per GB of events), and its reads slow down as the stream grows.
   * @default 'disk'
   */
  readonly streamStore?: 'memory' | 'disk';
}

/**
 * Replays an event file through the whole local pipeline: the file is streamed onto the local
 * Kinesis stream while the scorer consumes it, enforcement workflows run as thresholds are
 * crossed, and the resulting accounts and cases are written out.
 */
export async function replay(options: ReplayOptions): Promise<ReplaySummary> {
  const totalBytes = (await stat(options.file)).size;
  const { rejectedFile, busEventsFile } = await prepareReplayOutDir(options.outDir);

  const pipeline = await LocalPipeline.start({
    ...(options.streamStore === 'memory' ? {} : { dataDir: tmpdir() }),
    ...options,
    deadLetterFile: rejectedFile,
    busEventsFile,
  });
  try {
    const source = emptySourceStats();
    const started = performance.now();
    await pipeline.startScoring();
    const scored = () => pipeline.poller.stats.recordsSucceeded + pipeline.poller.stats.recordsDiscarded;
    const maxBacklog =
      options.maxBacklogRecords ?? 4 * (options.batchSize ?? pipeline.batchSize) * (options.shards ?? 2);
    await pipeline.ingest(paceToConsumer(readJsonlRecords(options.file, source), scored, maxBacklog), () =>
      options.onProgress?.(source.bytes, totalBytes),
    );
    await pipeline.drain();
    const seconds = (performance.now() - started) / 1000;

    const { accounts, review, suspended, cases } = await writeReplayResults(
      options.outDir,
      pipeline.accounts(),
      pipeline.cases(),
    );
    const { dynamodb } = pipeline.services;
    await writeLocalStore(
      options.outDir,
      scanItems(dynamodb, tableName(pipeline, LOCAL_CASES_TABLE)),
      scanItems(dynamodb, tableName(pipeline, LOCAL_ACCOUNTS_TABLE)),
    );
    const busEvents = countBusEvents(pipeline.bus.events());
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
    await writeReplaySummary(options.outDir, summary);
    return summary;
  } finally {
    await pipeline.stop();
  }
}

/** The local name of a table of the synthesized stacks, by logical id. */
function tableName(pipeline: LocalPipeline, logicalId: string): string {
  const name = pipeline.names[logicalId];
  if (!name) throw new Error(`the synthesized stacks define no ${logicalId}; did the stack change?`);
  return name;
}
