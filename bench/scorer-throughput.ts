import { parseUsageEventBytes } from '../lambdas/core/contract/usage-event';
import type { Clock } from '../lambdas/core/ports';
import {
  scoreBatch,
  type ScoreBatchDependencies,
  type StreamRecord,
} from '../lambdas/core/batch/score-batch';
import { loadScorerPolicy, sequenceNumberOf, shardIdOf, shardIndexOf } from '../local/replay/fast-replay';
import { emptySourceStats, readJsonlRecords } from '../local/jsonl-source';
import { LocalEventBus } from '../local/eventbridge/local-event-bus';
import { MemoryAccountStore, MemoryEnforcement, MemoryLinkStore } from '../local/replay/memory-adapters';
import { DEFAULT_SCORER_BATCH_SIZE } from '../lib/scorer-batching';
import { LocalDeadLetterSink } from '../local/dead-letter-sink';

export interface ThroughputResult {
  readonly events: number;
  readonly batches: number;
  /** Batches cut by this event-time batching window as well as by size; undefined: by size only. */
  readonly batchingWindowSeconds?: number;
  /** Timed rounds; each figure is the best round (the least disturbed by other jobs). */
  readonly rounds: number;
  /** base64 decode + JSON.parse of every record: what any Lambda consumer of the stream pays. */
  readonly baselineEventsPerSecond: number;
  /** The baseline plus contract validation: the scorer's parse step alone. */
  readonly validateEventsPerSecond: number;
  /**
   * The scorer's work per invocation on in-memory adapters: base64 decode, validate, aggregate,
   * score, link, explore clusters, store. The account store keeps each state as the table item
   * the DynamoDB adapter writes (deflated memory, marshalled) and decodes it on load, as the
   * Lambda does; only the network is left out.
   */
  readonly coreEventsPerSecond: number;
  /** core / baseline (target >= 0.5). */
  readonly ratio: number;
  /** Scorer CPU per event, milliseconds (1 / core rate). */
  readonly coreMsPerEvent: number;
  /** Of coreMsPerEvent, encoding and decoding account items (in the best core round). */
  readonly codecMsPerEvent: number;
  /** Account items written per event (one per account and batch). */
  readonly stateWritesPerEvent: number;
}

const fixedClock: Clock = { now: () => new Date('2026-03-01T00:00:00Z') };

/** A record as the Lambda event carries it: base64 text of the bytes put on the stream. */
interface EncodedRecord {
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly partitionKey: string;
  readonly base64: string;
}

/**
 * The file's first `limit` records cut into the batches the event source mapping would deliver:
 * spread over `shards` shards by partition key (as Kinesis spreads them), numbered per shard, in
 * batches of `batchSize`, each batch taken as soon as it is full (event-time order across shards).
 * With `batchingWindowSeconds`, a shard's batch is also taken once a record (of any shard) arrives
 * that long after the batch's first record, as fast-replay's scoreInShards cuts them.
 */
export async function loadBatches(
  file: string,
  limit: number,
  shards: number,
  batchSize: number,
  batchingWindowSeconds?: number,
) {
  const batches: EncodedRecord[][] = [];
  const filling: EncodedRecord[][] = Array.from({ length: shards }, () => []);
  const openedAtMs = new Array<number | undefined>(shards).fill(undefined);
  const assigned = new Array<number>(shards).fill(0);
  const shardOfKey = new Map<string, number>();
  const windowMs = batchingWindowSeconds === undefined ? undefined : batchingWindowSeconds * 1000;
  let events = 0;
  for await (const r of readJsonlRecords(file, emptySourceStats())) {
    if (windowMs !== undefined && r.eventTimeMs !== undefined) {
      for (let s = 0; s < shards; s++) {
        const opened = openedAtMs[s];
        if (opened === undefined || r.eventTimeMs < opened + windowMs) continue;
        batches.push(filling[s] as EncodedRecord[]);
        filling[s] = [];
        openedAtMs[s] = undefined;
      }
    }
    let shard = shardOfKey.get(r.partitionKey);
    if (shard === undefined) {
      shard = shardIndexOf(r.partitionKey, shards);
      shardOfKey.set(r.partitionKey, shard);
    }
    assigned[shard] = (assigned[shard] ?? 0) + 1;
    const batch = filling[shard] as EncodedRecord[];
    if (batch.length === 0) openedAtMs[shard] = r.eventTimeMs;
    batch.push({
      shardId: shardIdOf(shard),
      sequenceNumber: sequenceNumberOf(shard, assigned[shard] ?? 0),
      partitionKey: r.partitionKey,
      base64: Buffer.from(r.data).toString('base64'),
    });
    if (batch.length === batchSize) {
      batches.push(batch);
      filling[shard] = [];
      openedAtMs[shard] = undefined;
    }
    if (++events >= limit) break;
  }
  for (const batch of filling) if (batch.length > 0) batches.push(batch);
  return { batches, events };
}

export function freshDependencies(): ScoreBatchDependencies & { readonly accounts: MemoryAccountStore } {
  const policy = loadScorerPolicy();
  const accounts = new MemoryAccountStore({ itemCodec: true });
  return {
    accounts,
    links: new MemoryLinkStore(),
    enforcement: new MemoryEnforcement({ accounts, bus: new LocalEventBus(), clock: fixedClock }),
    deadLetters: new LocalDeadLetterSink(),
    policy,
    clock: fixedClock,
  };
}

/** One scorer invocation per batch, as Lambda makes them: decode the records, score the batch. */
export async function runCore(
  batches: readonly EncodedRecord[][],
  deps: ScoreBatchDependencies,
): Promise<void> {
  for (const batch of batches) {
    const records: StreamRecord[] = batch.map((r) => ({
      shardId: r.shardId,
      sequenceNumber: r.sequenceNumber,
      partitionKey: r.partitionKey,
      data: Buffer.from(r.base64, 'base64'),
    }));
    const outcome = await scoreBatch(records, deps);
    if (outcome.failedSequenceNumbers.length > 0) {
      throw new Error(
        `the scorer failed ${outcome.failedSequenceNumbers.length} records on in-memory adapters`,
      );
    }
  }
}

function secondsOf(work: () => void): number {
  const started = performance.now();
  work();
  return (performance.now() - started) / 1000;
}

/**
 * Events per second on one core (Node runs this on one thread), all in one process: the baseline,
 * validation and the scoring core over the same records, in `rounds` alternating rounds (each core
 * round on fresh stores), keeping each figure's best round. Records are read and cut into batches
 * first, so file I/O and routing are in none of the figures.
 */
export async function measureScorerThroughput(
  file: string,
  maxEvents: number,
  options: { rounds?: number; shards?: number; batchSize?: number; batchingWindowSeconds?: number } = {},
): Promise<ThroughputResult> {
  const rounds = options.rounds ?? 3;
  const { batchingWindowSeconds } = options;
  const { batches, events } = await loadBatches(
    file,
    maxEvents,
    options.shards ?? 2,
    options.batchSize ?? DEFAULT_SCORER_BATCH_SIZE,
    batchingWindowSeconds,
  );

  // Warm up the JIT, as a warm Lambda container would be: the first 20,000 records through everything.
  const warm: EncodedRecord[][] = [];
  for (let records = 0, i = 0; records < 20_000 && i < batches.length; i++) {
    const batch = batches[i] as EncodedRecord[];
    warm.push(batch);
    records += batch.length;
  }
  await runCore(warm, freshDependencies());

  let sink = 0;
  const baseline = () => {
    for (const batch of batches)
      for (const r of batch) {
        const value = JSON.parse(Buffer.from(r.base64, 'base64').toString('utf8')) as { v?: number };
        sink += value.v ?? 0;
      }
  };
  const validate = () => {
    for (const batch of batches)
      for (const r of batch) if (parseUsageEventBytes(Buffer.from(r.base64, 'base64')).ok) sink += 1;
  };
  let baselineSeconds = Infinity;
  let validateSeconds = Infinity;
  let coreSeconds = Infinity;
  let codecMs = 0;
  let stateWrites = 0;
  for (let round = 0; round < rounds; round++) {
    baselineSeconds = Math.min(baselineSeconds, secondsOf(baseline));
    validateSeconds = Math.min(validateSeconds, secondsOf(validate));
    const deps = freshDependencies();
    const started = performance.now();
    await runCore(batches, deps);
    const seconds = (performance.now() - started) / 1000;
    if (seconds < coreSeconds) {
      coreSeconds = seconds;
      ({ codecMs, saves: stateWrites } = deps.accounts.counters);
    }
  }
  if (sink < 0) throw new Error('unreachable: keeps the loops from being optimized away');

  const baselineEventsPerSecond = events / baselineSeconds;
  const coreEventsPerSecond = events / coreSeconds;
  return {
    events,
    batches: batches.length,
    ...(batchingWindowSeconds === undefined ? {} : { batchingWindowSeconds }),
    rounds,
    baselineEventsPerSecond,
    validateEventsPerSecond: events / validateSeconds,
    coreEventsPerSecond,
    ratio: coreEventsPerSecond / baselineEventsPerSecond,
    coreMsPerEvent: 1000 / coreEventsPerSecond,
    codecMsPerEvent: codecMs / events,
    stateWritesPerEvent: stateWrites / events,
  };
}
