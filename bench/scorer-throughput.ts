import { loadPolicyFile, policyToJson, validatePolicy } from '../lambdas/core/policy/policy';
import { parseUsageEventBytes } from '../lambdas/core/contract/usage-event';
import type { Clock } from '../lambdas/core/ports';
import { emptySourceStats, readJsonlRecords, type SourceRecord } from '../local/jsonl-source';
import { scoreInShards, DEFAULT_SCORER_BATCH_SIZE } from '../local/fast-replay';
import { LocalEventBus } from '../local/local-event-bus';
import {
  MemoryAccountStore,
  MemoryDeadLetterSink,
  MemoryEnforcement,
  MemoryLinkStore,
} from '../local/memory-adapters';

export interface ThroughputResult {
  readonly events: number;
  /** base64 decode + JSON.parse of every record: what any Lambda consumer of the stream pays. */
  readonly baselineEventsPerSecond: number;
  /** The baseline plus contract validation (zod): the scorer's parse step alone. */
  readonly validateEventsPerSecond: number;
  /** The scoring core end to end on in-memory adapters: decode, validate, aggregate, score, link, store. */
  readonly coreEventsPerSecond: number;
  /** core / baseline (target >= 0.5). */
  readonly ratio: number;
  /** Scorer CPU per event, milliseconds (1 / core rate). */
  readonly coreMsPerEvent: number;
}

const fixedClock: Clock = { now: () => new Date('2026-03-01T00:00:00Z') };

/** Records as the Lambda event carries them: base64 text of the bytes put on the stream. */
interface EncodedRecord {
  readonly partitionKey: string;
  readonly base64: string;
}

async function loadRecords(file: string, limit: number): Promise<EncodedRecord[]> {
  const records: EncodedRecord[] = [];
  for await (const r of readJsonlRecords(file, emptySourceStats())) {
    records.push({ partitionKey: r.partitionKey, base64: Buffer.from(r.data).toString('base64') });
    if (records.length >= limit) break;
  }
  return records;
}

/**
 * Events per second on one core (Node runs this on one thread), all in one process and one run:
 * the baseline first, then validation, then the scoring core over the same records. The records
 * are loaded first, so file I/O is in none of the figures.
 */
export async function measureScorerThroughput(file: string, maxEvents: number): Promise<ThroughputResult> {
  const records = await loadRecords(file, maxEvents);
  const events = records.length;

  // Warm up the JIT on a slice, as a warm Lambda container would be.
  const warm = records.slice(0, Math.min(20_000, events));
  for (const r of warm) JSON.parse(Buffer.from(r.base64, 'base64').toString('utf8'));
  for (const r of warm) parseUsageEventBytes(Buffer.from(r.base64, 'base64'));

  let sink = 0;
  let started = performance.now();
  for (const r of records) {
    const value = JSON.parse(Buffer.from(r.base64, 'base64').toString('utf8')) as { v?: number };
    sink += value.v ?? 0;
  }
  const baselineSeconds = (performance.now() - started) / 1000;

  started = performance.now();
  for (const r of records) if (parseUsageEventBytes(Buffer.from(r.base64, 'base64')).ok) sink += 1;
  const validateSeconds = (performance.now() - started) / 1000;
  if (sink < 0) throw new Error('unreachable: keeps the loops from being optimized away');

  const policy = validatePolicy(JSON.parse(policyToJson(loadPolicyFile('config/policy.yaml'))), 'policy');
  const accounts = new MemoryAccountStore();
  const enforcement = new MemoryEnforcement({ accounts, bus: new LocalEventBus(), clock: fixedClock });
  const deps = {
    accounts,
    links: new MemoryLinkStore(),
    enforcement,
    deadLetters: new MemoryDeadLetterSink(),
    policy,
    clock: fixedClock,
  };
  function* decoded(): Generator<SourceRecord> {
    for (const r of records) yield { partitionKey: r.partitionKey, data: Buffer.from(r.base64, 'base64') };
  }
  started = performance.now();
  await scoreInShards(decoded(), deps, {
    shards: 2,
    batchSize: DEFAULT_SCORER_BATCH_SIZE,
    maximumRetryAttempts: 5,
    interleaving: 'event-time',
  });
  const coreSeconds = (performance.now() - started) / 1000;

  const baselineEventsPerSecond = events / baselineSeconds;
  const coreEventsPerSecond = events / coreSeconds;
  return {
    events,
    baselineEventsPerSecond,
    validateEventsPerSecond: events / validateSeconds,
    coreEventsPerSecond,
    ratio: coreEventsPerSecond / baselineEventsPerSecond,
    coreMsPerEvent: 1000 / coreEventsPerSecond,
  };
}
