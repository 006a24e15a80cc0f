import { stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { emptySourceStats, oversizedLineRecord, readJsonlRecords, type OversizedLine } from '../jsonl-source';
import { paceToConsumer } from '../kinesis/kinesis-writer';
import { LocalPipeline, type LocalPipelineOptions } from '../local-pipeline';
import { LOCAL_ACCOUNTS_TABLE, LOCAL_CASES_TABLE, scanItems, writeLocalStore } from '../local-store';
import {
  countBusEvents,
  withReplayOutput,
  writeReplayResults,
  writeReplaySummary,
  type ReplayOutput,
  type ReplaySummary,
} from './replay-output';

export type { ReplaySummary } from './replay-output';

export interface ReplayOptions extends Omit<LocalPipelineOptions, 'deadLetterFile' | 'busEventsFile'> {
  /** JSON Lines file of usage events, in timestamp order. */
  readonly file: string;
  /**
   * Folder for accounts.jsonl, cases.jsonl, summary.json, rejected.jsonl, bus-events.jsonl and the
   * local cases store; written beside it and moved into place once the run is complete (see
   * stageReplayOutput). Must be absent or empty, unless `force`.
   */
  readonly outDir: string;
  /** Replace an earlier replay's output folder once this run is complete. @default false */
  readonly force?: boolean;
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
 * crossed, and the resulting accounts and cases are written out. The input file is never
 * written; a run that fails leaves the output folder as it was.
 */
export async function replay(options: ReplayOptions): Promise<ReplaySummary> {
  return withReplayOutput(options.outDir, { inputFile: options.file, force: options.force }, (output) =>
    replayInto(output, options),
  );
}

async function replayInto(output: ReplayOutput, options: ReplayOptions): Promise<ReplaySummary> {
  const totalBytes = (await stat(options.file)).size;
  const pipeline = await LocalPipeline.start({
    ...(options.streamStore === 'memory' ? {} : { dataDir: tmpdir() }),
    ...options,
    deadLetterFile: output.rejectedFile,
    busEventsFile: output.busEventsFile,
  });
  try {
    const source = emptySourceStats();
    const started = performance.now();
    await pipeline.startScoring();
    const scored = () => pipeline.poller.stats.recordsSucceeded + pipeline.poller.stats.recordsDiscarded;
    const maxBacklog =
      options.maxBacklogRecords ?? 4 * (options.batchSize ?? pipeline.batchSize) * (options.shards ?? 2);
    // A line too large for a Kinesis record is dead-lettered here, as the memory engine does.
    const onOversizedLine = (line: OversizedLine) =>
      pipeline.deadLetters.send([oversizedLineRecord(line, new Date().toISOString())]);
    await pipeline.ingest(
      paceToConsumer(readJsonlRecords(options.file, source, { onOversizedLine }), scored, maxBacklog),
      () => options.onProgress?.(source.bytes, totalBytes),
    );
    await pipeline.drain();
    const seconds = (performance.now() - started) / 1000;

    const { accounts, review, suspended, cases } = await writeReplayResults(
      output.dir,
      pipeline.accounts(),
      pipeline.cases(),
    );
    const { dynamodb } = pipeline.services;
    await writeLocalStore(
      output.dir,
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
    await writeReplaySummary(output.dir, summary);
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
