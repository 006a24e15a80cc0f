import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { marshall } from '@aws-sdk/util-dynamodb';
import {
  auditToItem,
  CASE_SK,
  MEMBER_SK_PREFIX,
  type AuditEntry,
} from '../../lambdas/core/cases/case-record';
import { parsePolicy, policyToJson, validatePolicy, type Policy } from '../../lambdas/core/policy/policy';
import { systemClock, type Clock } from '../../lambdas/core/ports';
import {
  emptyBatchStats,
  scoreBatch,
  WHOLE_BATCH,
  type BatchStats,
  type ScoreBatchDependencies,
  type StreamRecord,
} from '../../lambdas/core/batch/score-batch';
import {
  emptySourceStats,
  oversizedLineRecord,
  readJsonlRecords,
  type OversizedLine,
  type SourceRecord,
} from '../jsonl-source';
import { LocalEventBus } from '../eventbridge/local-event-bus';
import { DEFAULT_LOCAL_REGION, localArn } from '../emulators/local-aws-identity';
import { writeLocalStore, type RawItem } from '../local-store';
import { MemoryAccountStore, MemoryEnforcement, MemoryLinkStore } from './memory-adapters';
import {
  countBusEvents,
  withReplayOutput,
  writeReplayResults,
  writeReplaySummary,
  type ReplayOutput,
  type ReplaySummary,
} from './replay-output';
import { DEFAULT_POLICY_FILE, PROJECT_ROOT } from '../../lib/policy-file';
import { DEFAULT_SCORER_BATCH_SIZE, DEFAULT_SCORER_RETRY_ATTEMPTS } from '../../lib/scorer-batching';
import { accountItem } from '../../lambdas/adapters/account-item-codec';
import { loadPolicyFile } from '../../lib/policy-file';
import { LocalDeadLetterSink } from '../dead-letter-sink';
import { accountSummary, caseSummary, type AccountSummary, type CaseSummary } from '../summaries';
import { checkInteger } from '../../lib/validate-props';

/**
 * The policy as the scorer gets it at cold start: the file validated, rendered as compact JSON and
 * validated again. Paths resolve against the project root, as for the local pipeline.
 */
export function loadScorerPolicy(policyFile: string = DEFAULT_POLICY_FILE): Policy {
  const path = resolve(PROJECT_ROOT, policyFile);
  return validatePolicy(JSON.parse(policyToJson(loadPolicyFile(path))), path);
}

/** fastReplay: a file in, replay's output folder out; the scoring options are replayInMemory's. */
export interface FastReplayOptions extends Omit<
  MemoryReplayOptions,
  'rejectedFile' | 'busEventsFile' | 'deadLetters'
> {
  /** JSON Lines file of usage events, in timestamp order. */
  readonly file: string;
  /** As for replay: written beside this folder and moved into place once complete. */
  readonly outDir: string;
  /** Replace an earlier replay's output folder once this run is complete. @default false */
  readonly force?: boolean;
  /** Called as the file is read: bytes read so far and the file's size. */
  readonly onProgress?: (bytesRead: number, totalBytes: number) => void;
}

export interface FastReplaySummary extends ReplaySummary {
  readonly engine: 'memory';
  readonly interleaving: ShardInterleaving;
  /** The batching window the batches were cut by, in event-time seconds (absent: by size only). */
  readonly batchingWindowSeconds?: number;
  /** Totals over every scorer invocation (redeliveries included). */
  readonly scoring: BatchStats;
}

/** Thrown when the scorer itself throws on a batch: with in-memory adapters that is a bug, not an outage. */
export class FastReplayError extends Error {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'FastReplayError';
  }
}

const POW_128 = 1n << 128n;

/**
 * The shard a partition key lands on in a stream of `shards` shards with evenly split hash key
 * ranges (as CreateStream makes them, in Kinesis and in kinesalite): the MD5 of the key, read as a
 * 128-bit number, falls into one of `shards` equal ranges (the last one takes the remainder).
 */
export function shardIndexOf(partitionKey: string, shards: number): number {
  const hash = BigInt(`0x${createHash('md5').update(partitionKey, 'utf8').digest('hex')}`);
  const width = POW_128 / BigInt(shards);
  return Math.min(Number(hash / width), shards - 1);
}

export function shardIdOf(index: number): string {
  return `shardId-${String(index).padStart(12, '0')}`;
}

/**
 * Fixed-width decimal sequence numbers, increasing per shard and unique over the stream (the shard
 * index is part of them), so compareSequenceNumbers orders them as it orders Kinesis ones.
 */
export function sequenceNumberOf(shardIndex: number, n: number): string {
  return `49${String(shardIndex).padStart(4, '0')}${String(n).padStart(20, '0')}`;
}

export interface MemoryReplayOptions {
  /** Resolved against the project root, as for the local pipeline. @default config/policy.yaml */
  readonly policyFile?: string;
  /**
   * The policy as the scorer gets it (policyToJson of a loaded policy), instead of `policyFile`:
   * what a run of many worlds hands each one, so an edit of the file mid-run changes none of them.
   */
  readonly policyJson?: string;
  /** Shards the records are spread over by partition key, as on the usage stream. @default 2 */
  readonly shards?: number;
  /** Records per scorer invocation, per shard. @default 5000 (the stack's event source mapping) */
  readonly batchSize?: number;
  /** Redeliveries of a batch with failed records before it is given up (counted in failedBatches). @default 5 */
  readonly maximumRetryAttempts?: number;
  /**
   * Order of the shards' batches: as the local replay's poller takes them, or as events happen.
   * @default 'poller' (decides as the full local pipeline does), or 'event-time' with a batching window
   */
  readonly interleaving?: ShardInterleaving;
  /**
   * The event source mapping's batching window in event time, as on AWS (see scoreInShards):
   * batches span at most this many seconds. Implies 'event-time' interleaving.
   * @default none: batches are cut by size only, as a replayed backlog is
   */
  readonly batchingWindowSeconds?: number;
  /** Wall clock of the run (rejectedAt, the workflow's start time). @default systemClock */
  readonly clock?: Clock;
  /** Appends dead-lettered records here as JSON Lines. @default kept in memory only */
  readonly rejectedFile?: string;
  /** Appends every event published on the enforcement bus here as JSON Lines. @default kept in memory only */
  readonly busEventsFile?: string;
  /** Where rejected records go (the reader's own rejections too). @default a sink on rejectedFile */
  readonly deadLetters?: LocalDeadLetterSink;
}

/** What a replay on the in-memory adapters decided, held in memory. */
export interface MemoryReplayRun {
  readonly policyVersion: string;
  readonly interleaving: ShardInterleaving;
  readonly shards: number;
  readonly batchSize: number;
  readonly batchingWindowSeconds?: number;
  readonly scoring: BatchStats;
  readonly failedBatches: number;
  /** Distinct records dead-lettered. */
  readonly rejected: number;
  /** Seconds spent scoring (reading the records included). */
  readonly seconds: number;
  readonly busEvents: Readonly<Record<string, number>>;
  /** accounts.jsonl rows, as replay writes them. */
  accounts(): Generator<AccountSummary>;
  /** cases.jsonl rows, as replay writes them. */
  cases(): Generator<CaseSummary>;
  /** The cases table items the workflows would have written (see memoryCaseItems). */
  caseItems(): Generator<RawItem>;
  /** The accounts table items of every account a case names (see memoryAccountItems). */
  accountItems(): Generator<RawItem>;
}

/**
 * Scores records through the same core as the pipeline (`scoreBatch`, under the policy the scorer
 * would load) on in-memory adapters: from a file (fastReplay) or straight from a generator (the
 * multi-world evaluation, which never writes its events out). The records and the options decide
 * everything: the same records, the same decisions, whichever source they come from.
 */
export async function replayInMemory(
  records: AsyncIterable<SourceRecord> | Iterable<SourceRecord>,
  options: MemoryReplayOptions = {},
): Promise<MemoryReplayRun> {
  const shards = options.shards ?? 2;
  const batchSize = options.batchSize ?? DEFAULT_SCORER_BATCH_SIZE;
  const maximumRetryAttempts = options.maximumRetryAttempts ?? DEFAULT_SCORER_RETRY_ATTEMPTS;
  checkInteger('shards', shards, 1, 10_000);
  checkInteger('batchSize', batchSize, 1, 10_000);
  checkInteger('maximumRetryAttempts', maximumRetryAttempts, 0, 10_000);
  if (options.policyJson !== undefined && options.policyFile !== undefined) {
    throw new Error('replayInMemory: pass policyFile or policyJson, not both');
  }
  const policy =
    options.policyJson !== undefined
      ? parsePolicy(options.policyJson, 'policyJson')
      : loadScorerPolicy(options.policyFile);
  const clock = options.clock ?? systemClock;
  const { batchingWindowSeconds } = options;
  // A window with the poller's interleaving is refused by scoreInShards.
  if (batchingWindowSeconds !== undefined)
    checkInteger('batchingWindowSeconds', batchingWindowSeconds, 0, 86_400);
  const interleaving =
    options.interleaving ?? (batchingWindowSeconds === undefined ? 'poller' : 'event-time');

  const accounts = new MemoryAccountStore();
  const links = new MemoryLinkStore();
  const bus = new LocalEventBus({ jsonlPath: options.busEventsFile, clock: () => clock.now() });
  const enforcement = new MemoryEnforcement({ accounts, bus, clock });
  const deadLetters = options.deadLetters ?? new LocalDeadLetterSink(options.rejectedFile);
  const deps = { accounts, links, enforcement, deadLetters, policy, clock };
  const started = performance.now();
  let sharded: ShardedScoringResult;
  try {
    sharded = await scoreInShards(records, deps, {
      shards,
      batchSize,
      maximumRetryAttempts,
      interleaving,
      batchingWindowSeconds,
    });
  } catch (error) {
    // Let the bus's file writes settle before the caller removes their folder.
    await bus.flush().catch(() => undefined);
    throw error;
  }
  const { scoring, failedBatches } = sharded;
  const seconds = (performance.now() - started) / 1000;
  await bus.flush();
  return {
    policyVersion: policy.version,
    interleaving,
    shards,
    batchSize,
    ...(batchingWindowSeconds === undefined ? {} : { batchingWindowSeconds }),
    scoring,
    failedBatches,
    rejected: deadLetters.total,
    seconds,
    busEvents: countBusEvents(bus.events()),
    accounts: () => accountSummaries(accounts),
    cases: () => caseSummaries(enforcement),
    caseItems: () => memoryCaseItems(enforcement),
    accountItems: () => memoryAccountItems(accounts),
  };
}

/**
 * Replays an event file through the same scoring core as the pipeline (`scoreBatch`, under the
 * policy the scorer would load) on in-memory adapters, 10x+ faster than the local services. For
 * backtests and tuning; test/integration/fast-replay.test.ts holds it to the full pipeline's
 * decisions. Batching is the event source mapping's (see scoreInShards); the enforcement workflow
 * runs synchronously, so a suspension is in place before the next batch, where on AWS it lands
 * seconds after the crossing. Writes what replay writes (beside outDir, moved into place once
 * complete), a local cases store, and `engine: 'memory'` in summary.json.
 */
export async function fastReplay(options: FastReplayOptions): Promise<FastReplaySummary> {
  return withReplayOutput(options.outDir, { inputFile: options.file, force: options.force }, (output) =>
    fastReplayInto(output, options),
  );
}

async function fastReplayInto(output: ReplayOutput, options: FastReplayOptions): Promise<FastReplaySummary> {
  const clock = options.clock ?? systemClock;
  const { rejectedFile, busEventsFile } = output;
  const totalBytes = (await stat(options.file)).size;
  const deadLetters = new LocalDeadLetterSink(rejectedFile);
  const source = emptySourceStats();
  let lines = 0;
  const run = await replayInMemory(
    (async function* () {
      const onOversizedLine = (line: OversizedLine) =>
        deadLetters.send([oversizedLineRecord(line, clock.now().toISOString())]);
      for await (const record of readJsonlRecords(options.file, source, { onOversizedLine })) {
        if (++lines % 10_000 === 0) options.onProgress?.(source.bytes, totalBytes);
        yield record;
      }
    })(),
    { ...options, clock, rejectedFile, busEventsFile, deadLetters },
  );
  options.onProgress?.(source.bytes, totalBytes);

  const counts = await writeReplayResults(output.dir, run.accounts(), run.cases());
  await writeLocalStore(output.dir, run.caseItems(), run.accountItems());
  const { scoring, seconds } = run;
  const { accountWrites, linkWrites } = scoring;
  const summary: FastReplaySummary = {
    file: options.file,
    policyVersion: run.policyVersion,
    eventsRead: source.lines,
    rejected: run.rejected,
    duplicates: scoring.duplicates,
    outOfOrder: source.outOfOrder,
    ...counts,
    busEvents: run.busEvents,
    failedBatches: run.failedBatches,
    seconds: Number(seconds.toFixed(2)),
    eventsPerSecond: Math.round(source.lines / Math.max(seconds, 1e-3)),
    dynamodb: {
      accountWrites,
      linkWrites,
      writesPerEvent: Number(((accountWrites + linkWrites) / Math.max(1, source.lines)).toFixed(4)),
    },
    shards: run.shards,
    batchSize: run.batchSize,
    engine: 'memory',
    interleaving: run.interleaving,
    ...(run.batchingWindowSeconds === undefined ? {} : { batchingWindowSeconds: run.batchingWindowSeconds }),
    scoring,
  };
  await writeReplaySummary(output.dir, summary);
  return summary;
}

/**
 * In which order the shards' batches are scored.
 * - `poller`: as the local replay's poller scores them when the file is put faster than it is
 *   scored (always, past the first seconds): every shard delivers full batches, one in flight per
 *   shard, and the shards take turns, the one with the fewest records scored going next. Shards
 *   then drift apart in event time (a shard with more traffic falls behind), exactly as in the
 *   full local pipeline, which is what makes the two decide alike.
 * - `event-time`: a shard's batch is scored as soon as the file has filled it, so shards advance
 *   together in event time, as they do on AWS where both are consumed as the events happen.
 */
export type ShardInterleaving = 'poller' | 'event-time';

export interface ShardedScoringOptions {
  readonly shards: number;
  readonly batchSize: number;
  readonly maximumRetryAttempts: number;
  /** @default 'poller' */
  readonly interleaving?: ShardInterleaving;
  /**
   * The event source mapping's batching window, in event time: a shard's batch is also delivered
   * once a record arrives `batchingWindowSeconds` or more after the batch's first record, as on AWS
   * where events are put as they happen (so a batch spans at most the window). Needs 'event-time'
   * interleaving. @default no window: batches are cut by size only, as when a backlog is replayed
   */
  readonly batchingWindowSeconds?: number;
}

export interface ShardedScoringResult {
  /** Totals over every scorer invocation (redeliveries included). */
  readonly scoring: BatchStats;
  /** Batches delivered (each once; redeliveries are counted apart). */
  readonly batches: number;
  /** Invocations that reported failed records and were delivered again. */
  readonly redeliveries: number;
  /** Batches given up after maximumRetryAttempts redeliveries (the failure queue's share). */
  readonly failedBatches: number;
  /** Most records held waiting for their batch's turn (poller interleaving reads ahead). */
  readonly maxBuffered: number;
}

/** One shard's records waiting to be scored, and how many it has scored. */
interface ShardQueue {
  readonly shardId: string;
  /** Full batches waiting for their turn, then the batch being filled (last). */
  readonly batches: StreamRecord[][];
  assigned: number;
  delivered: number;
  /** Event time of the first timed record of the batch being filled. */
  openedAtMs?: number;
}

/**
 * Feeds records to `scoreBatch` as the event source mapping feeds the scorer: spread over shards
 * by partition key, numbered in order per shard, in batches of `batchSize` per shard, one batch at
 * a time per shard, each shard in order, the shards interleaved as `interleaving` says. A batch
 * reporting failed records is delivered again from the lowest failed one, up to
 * `maximumRetryAttempts` times, then given up (as it would go to the failure queue). A scorer that
 * throws is a bug with in-memory adapters: it stops the run (FastReplayError).
 */
export async function scoreInShards(
  records: AsyncIterable<SourceRecord> | Iterable<SourceRecord>,
  deps: ScoreBatchDependencies,
  options: ShardedScoringOptions,
): Promise<ShardedScoringResult> {
  const { shards, batchSize, maximumRetryAttempts } = options;
  const interleaving = options.interleaving ?? 'poller';
  const windowMs =
    options.batchingWindowSeconds === undefined ? undefined : options.batchingWindowSeconds * 1000;
  if (windowMs !== undefined && interleaving !== 'event-time') {
    throw new Error(
      "batchingWindowSeconds needs interleaving 'event-time': a window cuts batches as events happen",
    );
  }
  const scoring = emptyBatchStats();
  let failedBatches = 0;
  let redeliveries = 0;
  let batches = 0;
  let buffered = 0;
  let maxBuffered = 0;

  const deliver = async (batch: StreamRecord[]): Promise<void> => {
    if (batch.length > 0) batches += 1;
    let pending = batch;
    for (let attempt = 0; pending.length > 0; attempt++) {
      let outcome;
      try {
        outcome = await scoreBatch(pending, deps);
      } catch (error) {
        const first = pending[0];
        throw new FastReplayError(
          `scoring ${pending.length} records of ${first?.shardId} from ${first?.sequenceNumber} failed: ${(error as Error).message}`,
          { cause: error },
        );
      }
      // With in-memory adapters a failure of the whole batch is a bug, not an outage.
      const whole = outcome.errors.find((e) => e.accountId === WHOLE_BATCH);
      if (whole) {
        const first = pending[0];
        throw new FastReplayError(
          `scoring ${pending.length} records of ${first?.shardId} from ${first?.sequenceNumber} failed: ${whole.error.message}`,
          { cause: whole.error },
        );
      }
      addStats(scoring, outcome.stats);
      if (outcome.failedSequenceNumbers.length === 0) return;
      if (attempt >= maximumRetryAttempts) {
        failedBatches += 1;
        return;
      }
      // ReportBatchItemFailures: the shard resumes at the lowest failed record (an identifier
      // that is not in the batch fails all of it).
      const failed = new Set(outcome.failedSequenceNumbers);
      redeliveries += 1;
      pending = pending.slice(
        Math.max(
          0,
          pending.findIndex((r) => failed.has(r.sequenceNumber)),
        ),
      );
    }
  };

  const queues: ShardQueue[] = Array.from({ length: shards }, (_, i) => ({
    shardId: shardIdOf(i),
    batches: [[]],
    assigned: 0,
    delivered: 0,
  }));
  const deliverNext = async (queue: ShardQueue): Promise<void> => {
    const batch = queue.batches.shift() ?? [];
    if (queue.batches.length === 0) queue.batches.push([]);
    buffered -= batch.length;
    queue.delivered += batch.length;
    await deliver(batch);
  };
  // Accounts send many events each: hash each partition key once.
  const shardOfKey = new Map<string, number>();
  const iterator = (Symbol.asyncIterator in records ? records : toAsync(records))[Symbol.asyncIterator]();
  let ended = false;

  /** Queues whose batch the batching window closed, in shard order, waiting to be delivered. */
  const closed: ShardQueue[] = [];
  /** Closes every batch being filled whose window has passed at event time `atMs`. */
  const closeWindows = (atMs: number) => {
    if (windowMs === undefined) return;
    for (const queue of queues) {
      const filling = queue.batches[queue.batches.length - 1] as StreamRecord[];
      if (filling.length === 0 || queue.openedAtMs === undefined || atMs < queue.openedAtMs + windowMs)
        continue;
      queue.batches.push([]);
      queue.openedAtMs = undefined;
      closed.push(queue);
    }
  };

  /** Reads one record into its shard's queue; returns the queue whose batch it completed, if any. */
  const readOne = async (): Promise<ShardQueue | undefined> => {
    const next = await iterator.next();
    if (next.done) {
      ended = true;
      return undefined;
    }
    const record = next.value;
    if (record.eventTimeMs !== undefined) closeWindows(record.eventTimeMs);
    let index = shardOfKey.get(record.partitionKey);
    if (index === undefined) {
      index = shardIndexOf(record.partitionKey, shards);
      if (shardOfKey.size < 1_000_000) shardOfKey.set(record.partitionKey, index);
    }
    const queue = queues[index] as ShardQueue;
    queue.assigned += 1;
    const filling = queue.batches[queue.batches.length - 1] as StreamRecord[];
    if (queue.openedAtMs === undefined && record.eventTimeMs !== undefined)
      queue.openedAtMs = record.eventTimeMs;
    filling.push({
      shardId: queue.shardId,
      sequenceNumber: sequenceNumberOf(index, queue.assigned),
      partitionKey: record.partitionKey,
      data: record.data,
    });
    buffered += 1;
    if (buffered > maxBuffered) maxBuffered = buffered;
    if (filling.length < batchSize) return undefined;
    queue.batches.push([]);
    queue.openedAtMs = undefined;
    return queue;
  };
  const hasFullBatch = (queue: ShardQueue) => queue.batches.length > 1;
  const hasRecords = (queue: ShardQueue) => hasFullBatch(queue) || (queue.batches[0]?.length ?? 0) > 0;

  if (interleaving === 'event-time') {
    while (!ended) {
      const full = await readOne();
      // Batches the window closed hold earlier events than the one just read: they go first.
      for (const queue of closed.splice(0)) await deliverNext(queue);
      if (full) await deliverNext(full);
    }
  } else {
    for (;;) {
      // The shard that has scored the fewest records goes next (ties: the lower shard).
      const open = queues.filter((q) => !ended || hasRecords(q));
      if (open.length === 0) break;
      const queue = open.reduce((a, b) => (b.delivered < a.delivered ? b : a));
      while (!ended && !hasFullBatch(queue)) await readOne();
      if (hasRecords(queue)) await deliverNext(queue);
    }
  }
  for (const queue of queues) while (hasRecords(queue)) await deliverNext(queue);
  return { scoring, batches, redeliveries, failedBatches, maxBuffered };
}

async function* toAsync<T>(items: Iterable<T>): AsyncGenerator<T> {
  yield* items;
}

/** accounts.jsonl rows, built as LocalPipeline.accounts() builds them from the accounts table. */
function* accountSummaries(store: MemoryAccountStore): Generator<AccountSummary> {
  for (const item of store.scan()) {
    const state = store.stateOf(item.accountId);
    if (state) yield accountSummary(state, item.enforcement);
  }
}

/**
 * The cases table as the workflows would have written it: per case the CASE item (with the
 * fields of its kind, evidence and directive as JSON strings), MEMBER# items of a cluster case and
 * the opening AUDIT#0000 entry. A case's openedByExecution is the ARN its execution has in the
 * local pipeline under the default profile (EnforcementStateMachine's, ClusterEnforcementStateMachine's).
 */
export function* memoryCaseItems(
  enforcement: MemoryEnforcement,
  region = DEFAULT_LOCAL_REGION,
): Generator<RawItem> {
  const pick = (from: Readonly<Record<string, unknown>>, keys: readonly string[]) =>
    Object.fromEntries(keys.filter((k) => from[k] !== undefined).map((k) => [k, from[k]]));
  const openedBy = new Map(
    enforcement
      .executions()
      // The runs that opened their case (a FAILED one fails after OpenCase).
      .filter((e) => e.outcome === 'ENFORCED' || e.outcome === 'FAILED')
      .map((e) => [
        e.input.caseId,
        localArn('states', region, `execution:EnforcementStateMachine:${e.name}`),
      ]),
  );
  for (const run of enforcement.clusterExecutions()) {
    if (run.outcome !== 'ENFORCED') continue;
    openedBy.set(
      run.input.caseId,
      localArn('states', region, `execution:ClusterEnforcementStateMachine:${run.name}`),
    );
  }
  for (const c of enforcement.cases()) {
    const common = {
      caseId: c.caseId,
      sk: CASE_SK,
      kind: c.kind,
      ...pick(c, c.kind === 'cluster' ? ['clusterId'] : ['accountId']),
      accountIds: c.accountIds,
      status: c.status,
      action: c.action,
      ...(c.kind === 'cluster'
        ? {}
        : {
            ...pick(c, ['proposedAction', 'mode', 'actionReason']),
            directive: JSON.stringify(c.directive ?? {}),
          }),
      openedAt: c.openedAt,
      updatedAt: c.updatedAt,
      riskScore: c.riskScore,
      policyVersion: c.policyVersion,
      triggeredAt: c.triggeredAt,
      evidence: JSON.stringify(c.evidence),
      openedBy: c.openedBy,
      openedByExecution: openedBy.get(c.caseId),
      notes: c.notes,
      lastAuditSeq: c.lastAuditSeq,
      lastAuditHash: c.lastAuditHash,
    };
    yield marshall(common, { removeUndefinedValues: true });
    if (c.kind === 'cluster' && Array.isArray(c.accountIds)) {
      for (const accountId of c.accountIds) {
        yield marshall({
          caseId: c.caseId,
          sk: `${MEMBER_SK_PREFIX}${String(accountId)}`,
          accountId: String(accountId),
          openedAt: c.openedAt,
          kind: 'cluster-member',
        });
      }
    }
    const opening = enforcement.audit(c.caseId);
    // The layout the workflows write the opening entry in (its seal as { digest, fields: JSON }).
    if (opening) {
      yield marshall(auditToItem({ ...opening, seq: opening.seq ?? 0 } as AuditEntry), {
        removeUndefinedValues: true,
      });
    }
  }
}

/**
 * The accounts table as DynamoDbAccountStore and the workflows would have written it: the
 * scorer's attributes (accountItem), the workflows' own (suspension, claim, restriction) and status.
 */
export function* memoryAccountItems(store: MemoryAccountStore): Generator<RawItem> {
  for (const item of store.scan()) {
    yield marshall(
      {
        accountId: item.accountId,
        ...(item.state ? accountItem(item.state) : {}),
        ...item.enforcement,
        status: item.status,
      },
      { removeUndefinedValues: true },
    );
  }
}

function* caseSummaries(enforcement: MemoryEnforcement): Generator<CaseSummary> {
  for (const c of enforcement.cases()) yield caseSummary(c);
}

function addStats(total: BatchStats, add: BatchStats): void {
  for (const key of Object.keys(total) as Array<keyof BatchStats>) total[key] += add[key];
}
