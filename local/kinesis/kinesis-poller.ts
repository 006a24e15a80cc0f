import { setTimeout as sleep } from 'node:timers/promises';
import {
  DescribeStreamSummaryCommand,
  ListShardsCommand,
  type KinesisClient,
  type Shard,
} from '@aws-sdk/client-kinesis';
import type { KinesisFailureDestinationRecord, StreamIdentity } from './kinesis-lambda-event';
import { emptyStats, type KinesisPollerStats } from './kinesis-poller-stats';
import {
  ShardConsumer,
  type KinesisBatchHandler,
  type ShardConsumerSettings,
  type StartingPosition,
} from './kinesis-shard-consumer';
import { DEFAULT_LOCAL_REGION } from '../emulators/local-aws-identity';

export type { KinesisBatchHandler, StartingPosition } from './kinesis-shard-consumer';
export type { KinesisFailureDestinationRecord } from './kinesis-lambda-event';
export type { KinesisPollerStats } from './kinesis-poller-stats';

/** Thrown when the poller cannot read the stream (missing stream, reads failing repeatedly). */
export class KinesisPollerError extends Error {
  public constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KinesisPollerError';
  }
}

/**
 * The settings of a Lambda Kinesis event source mapping. Defaults follow aws-solutions-constructs'
 * KinesisStreamsToLambda (bisect on, 500 retries, 24 h maximum age), the baseline for this project.
 */
export interface KinesisPollerOptions {
  readonly kinesis: KinesisClient;
  readonly streamName: string;
  readonly handler: KinesisBatchHandler;
  /**
   * Maximum records per invocation (Lambda: 1 to 10,000).
   * @default 100
   */
  readonly batchSize?: number;
  /**
   * How long to wait for a full batch once records are buffered (Lambda's MaximumBatchingWindowInSeconds).
   * @default 0
   */
  readonly maximumBatchingWindowMs?: number;
  /** @default true */
  readonly bisectBatchOnError?: boolean;
  /**
   * Retries of a failing batch before it goes to the destination; -1 is unbounded.
   * @default 500
   */
  readonly maximumRetryAttempts?: number;
  /**
   * Records older than this go to the destination without being delivered again; -1 is unbounded.
   * @default 86400
   */
  readonly maximumRecordAgeSeconds?: number;
  /**
   * Honour `batchItemFailures` in the handler's response (FunctionResponseTypes: ReportBatchItemFailures).
   * @default true
   */
  readonly reportBatchItemFailures?: boolean;
  /** Receives what Lambda would send to an SQS/SNS on-failure destination. Retried 3 times if it throws. */
  readonly onFailure?: (record: KinesisFailureDestinationRecord) => Promise<void> | void;
  /** @default 'TRIM_HORIZON' */
  readonly startingPosition?: StartingPosition;
  /**
   * An invocation that takes longer fails as a function error (the handler is not interrupted).
   * @default 60000
   */
  readonly functionTimeoutMs?: number;
  /** @default 'local-function' */
  readonly functionName?: string;
  /** @default 'us-east-1' */
  readonly region?: string;
  /**
   * Records per GetRecords call (Kinesis: up to 10,000).
   * @default 10000
   */
  readonly getRecordsLimit?: number;
  /**
   * Pause before polling a shard again after it was found empty.
   * @default 100
   */
  readonly idleDelayMs?: number;
  /**
   * Pause before retrying a failed batch.
   * @default 0
   */
  readonly retryDelayMs?: number;
}

const MAX_CONSECUTIVE_READ_ERRORS = 5;
const DESTINATION_ATTEMPTS = 3;

/**
 * A local equivalent of the Lambda Kinesis event source mapping. Every shard is consumed
 * concurrently with one batch in flight per shard, in order (parallelization factor 1); child
 * shards start once their parents are done. `drain()` processes what is in the stream now and
 * returns; `start()`/`stop()` poll continuously.
 */
export class KinesisPoller {
  private readonly settings: Omit<ShardConsumerSettings, 'stream'>;
  private readonly statistics = emptyStats();
  private readonly failureRecords: KinesisFailureDestinationRecord[] = [];
  private readonly undelivered: KinesisFailureDestinationRecord[] = [];
  private readonly consumers = new Map<string, ShardConsumer>();
  private readonly loops = new Map<string, Promise<void>>();
  private progressWaiters: Array<() => void> = [];
  private stream: StreamIdentity | undefined;
  private abort: AbortController | undefined;
  private startup: Promise<void> | undefined;
  private drainsInProgress = 0;
  /** Polling was started by drain(), not start(): stop it when the last drain ends. */
  private stopWhenDrained = false;
  private refreshing: Promise<void> = Promise.resolve();
  private pendingRefreshes = 0;
  private refreshError: unknown;

  public constructor(private readonly options: KinesisPollerOptions) {
    const batchSize = options.batchSize ?? 100;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
      throw new RangeError(`batchSize must be an integer from 1 to 10000, got ${batchSize}`);
    }
    this.settings = {
      kinesis: options.kinesis,
      streamName: options.streamName,
      handler: options.handler,
      batchSize,
      maximumBatchingWindowMs: options.maximumBatchingWindowMs ?? 0,
      bisectBatchOnError: options.bisectBatchOnError ?? true,
      maximumRetryAttempts: options.maximumRetryAttempts ?? 500,
      maximumRecordAgeSeconds: options.maximumRecordAgeSeconds ?? 86_400,
      reportBatchItemFailures: options.reportBatchItemFailures ?? true,
      functionTimeoutMs: options.functionTimeoutMs ?? 60_000,
      getRecordsLimit: Math.min(10_000, Math.max(options.getRecordsLimit ?? 10_000, 1)),
      idleDelayMs: options.idleDelayMs ?? 100,
      retryDelayMs: options.retryDelayMs ?? 0,
      stats: this.statistics,
      sendFailure: (record) => this.sendFailure(record),
      onProgress: () => this.notifyProgress(),
      // A shard that ended may have children (split, merge) to start.
      onShardEnd: () => void this.refreshShards().catch(() => undefined),
    };
  }

  /** A snapshot of the counters. */
  public get stats(): Readonly<KinesisPollerStats> {
    return { ...this.statistics };
  }

  /** Every destination record produced so far, in order. */
  public failures(): readonly KinesisFailureDestinationRecord[] {
    return [...this.failureRecords];
  }

  /** Destination records the onFailure callback kept rejecting: kept here so none is lost. */
  public undeliveredFailures(): readonly KinesisFailureDestinationRecord[] {
    return [...this.undelivered];
  }

  public get running(): boolean {
    return this.abort !== undefined;
  }

  /** Starts polling every shard in the background; resolves once the shards are known. */
  public async start(): Promise<void> {
    this.stopWhenDrained = false;
    await this.begin();
  }

  /** Stops polling after the batches in flight finish. A later start() resumes from the checkpoints. */
  public async stop(): Promise<void> {
    const abort = this.abort;
    if (!abort) return;
    abort.abort();
    await this.refreshing;
    await Promise.all(this.loops.values());
    this.loops.clear();
    if (this.abort === abort) {
      this.abort = undefined;
      this.startup = undefined;
    }
  }

  /**
   * Processes until every shard is caught up with the records in the stream when drain was called
   * (retries and destination deliveries included), then returns. Starts polling if needed, and
   * stops it again when the last drain ends unless start() was called.
   * @throws KinesisPollerError if the stream cannot be read
   */
  public async drain(): Promise<void> {
    const targetMs = Date.now();
    if (!this.running) this.stopWhenDrained = true;
    this.drainsInProgress += 1;
    try {
      await this.begin();
      await this.refreshShardsOrThrow();
      for (;;) {
        const progress = this.nextProgress();
        this.throwIfStuck();
        if (this.caughtUp(targetMs)) return;
        await progress;
      }
    } finally {
      this.drainsInProgress -= 1;
      if (this.drainsInProgress === 0 && this.stopWhenDrained) {
        this.stopWhenDrained = false;
        await this.stop();
      }
    }
  }

  /** Starts polling once; concurrent callers share the same startup. */
  private begin(): Promise<void> {
    if (!this.startup) {
      const abort = new AbortController();
      this.abort = abort;
      this.startup = (async () => {
        try {
          this.stream ??= await this.describeStream();
          await this.refreshShardsOrThrow();
        } catch (error) {
          await this.stop();
          throw error;
        }
      })();
    }
    return this.startup;
  }

  private caughtUp(targetMs: number): boolean {
    if (this.pendingRefreshes > 0) return false;
    return [...this.consumers.values()].every((consumer) => consumer.isCaughtUp(targetMs));
  }

  private throwIfStuck(): void {
    if (this.refreshError) {
      const cause = this.refreshError;
      this.refreshError = undefined;
      throw new KinesisPollerError(`could not list the shards of '${this.options.streamName}'`, { cause });
    }
    for (const consumer of this.consumers.values()) {
      if (consumer.consecutiveReadErrors >= MAX_CONSECUTIVE_READ_ERRORS) {
        throw new KinesisPollerError(
          `reading ${consumer.shardId} of '${this.options.streamName}' failed ${consumer.consecutiveReadErrors} times in a row`,
          { cause: consumer.lastReadError },
        );
      }
    }
  }

  private nextProgress(): Promise<void> {
    return new Promise((resolve) => this.progressWaiters.push(resolve));
  }

  private notifyProgress(): void {
    const waiters = this.progressWaiters;
    this.progressWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private async describeStream(): Promise<StreamIdentity> {
    try {
      const { StreamDescriptionSummary: summary } = await this.options.kinesis.send(
        new DescribeStreamSummaryCommand({ StreamName: this.options.streamName }),
      );
      return {
        streamArn: summary?.StreamARN ?? '',
        region: this.options.region ?? DEFAULT_LOCAL_REGION,
        functionName: this.options.functionName ?? 'local-function',
      };
    } catch (error) {
      throw new KinesisPollerError(`could not describe stream '${this.options.streamName}'`, {
        cause: error,
      });
    }
  }

  private async refreshShardsOrThrow(): Promise<void> {
    try {
      await this.refreshShards();
    } catch (error) {
      this.refreshError = undefined;
      throw new KinesisPollerError(`could not list the shards of '${this.options.streamName}'`, {
        cause: error,
      });
    }
  }

  /** Lists the shards (serialized) and starts a consumer for each whose parents are done. */
  private refreshShards(): Promise<void> {
    this.pendingRefreshes += 1;
    const run = this.refreshing.then(async () => {
      const shards = await this.listShards();
      const firstDiscovery = this.consumers.size === 0;
      for (const shard of shards) {
        if (!shard.ShardId || this.consumers.has(shard.ShardId)) continue;
        const parents = [shard.ParentShardId, shard.AdjacentParentShardId].filter(
          (id): id is string => id !== undefined,
        );
        // Shards created later (splits, merges) are read from their start, as Lambda does.
        const position = firstDiscovery ? (this.options.startingPosition ?? 'TRIM_HORIZON') : 'TRIM_HORIZON';
        this.consumers.set(
          shard.ShardId,
          new ShardConsumer(shard.ShardId, parents, position, { ...this.settings, stream: this.stream! }),
        );
      }
      this.statistics.shards = this.consumers.size;
      this.launchReadyConsumers();
    });
    this.refreshing = run
      .catch((error: unknown) => {
        this.refreshError = error;
      })
      .finally(() => {
        this.pendingRefreshes -= 1;
        this.notifyProgress();
      });
    return run;
  }

  private launchReadyConsumers(): void {
    const abort = this.abort;
    if (!abort || abort.signal.aborted) return;
    for (const consumer of this.consumers.values()) {
      if (consumer.closed || this.loops.has(consumer.shardId)) continue;
      const parentsDone = consumer.parentShardIds.every((id) => this.consumers.get(id)?.closed ?? true);
      if (!parentsDone) continue;
      const loop = consumer.run(abort.signal).finally(() => this.loops.delete(consumer.shardId));
      this.loops.set(consumer.shardId, loop);
    }
  }

  private async listShards(): Promise<Shard[]> {
    const shards: Shard[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.options.kinesis.send(
        nextToken
          ? new ListShardsCommand({ NextToken: nextToken })
          : new ListShardsCommand({ StreamName: this.options.streamName }),
      );
      shards.push(...(page.Shards ?? []));
      nextToken = page.NextToken;
    } while (nextToken);
    return shards;
  }

  private async sendFailure(record: KinesisFailureDestinationRecord): Promise<void> {
    this.failureRecords.push(record);
    const onFailure = this.options.onFailure;
    if (!onFailure) return;
    for (let attempt = 1; attempt <= DESTINATION_ATTEMPTS; attempt += 1) {
      try {
        await onFailure(record);
        return;
      } catch {
        if (attempt < DESTINATION_ATTEMPTS) await sleep(20 * attempt);
      }
    }
    this.statistics.destinationErrors += 1;
    this.undelivered.push(record);
  }
}
