/**
 * The two deployment profiles (`cdk deploy -c costProfile=default|optimised`): each is a set of
 * construct props, trading time to suspension for dollars (docs/performance.md, "Cost profiles").
 * No CDK imports: the bench and the local replay read the same settings to batch and price as the
 * stack does.
 */
import {
  DEFAULT_BATCHING_WINDOW_SECONDS,
  DEFAULT_PARALLELIZATION_FACTOR,
  DEFAULT_SCORER_BATCH_SIZE,
} from './scorer-batching';

export const COST_PROFILES = ['default', 'optimised'] as const;
export type CostProfileName = (typeof COST_PROFILES)[number];

/** Sustained usage events per second the optimised profile is sized for, unless told. */
export const DEFAULT_EXPECTED_EVENTS_PER_SECOND = 1000;

/** Kinesis takes 1,000 records/s of writes per shard. */
const RECORDS_PER_SHARD_SECOND = 1000;
/** Shards are provisioned for 20% more than the expected rate. */
const SHARD_HEADROOM = 1.2;

/**
 * Capacity units a table needs per usage event, measured by the bench on the default mix at a
 * 300 s span (at a299cde: accounts 0.590 write and 0.233 read units, links 0.094 and 0.404, seed 1;
 * docs/performance.md "Cost profiles"), rounded up: they size the auto scaling range. The links'
 * reads were 0.836 before template bands moved to one partition, and 0.337 before the detection
 * rewrite's public-prompt check: measure again when detection changes what it reads.
 */
export const CAPACITY_UNITS_PER_EVENT = {
  accounts: { write: 0.6, read: 0.25 },
  links: { write: 0.11, read: 0.45 },
} as const;

/** A provisioned table's auto scaling range and target (one for reads, one for writes). */
export interface TableCapacity {
  readonly minReadUnits: number;
  readonly maxReadUnits: number;
  readonly minWriteUnits: number;
  readonly maxWriteUnits: number;
  /** Target tracking keeps consumed capacity near this share of provisioned capacity. */
  readonly targetUtilizationPercent: number;
}

export type WorkflowType = 'STANDARD' | 'EXPRESS';

/** What a profile sets. Every field is a prop of the constructs, documented there. */
export interface CostProfileSettings {
  readonly name: CostProfileName;
  /** Usage stream shards; undefined: on-demand. */
  readonly streamShardCount: number | undefined;
  readonly scorerBatchSize: number;
  readonly scorerBatchingWindowSeconds: number;
  readonly scorerParallelizationFactor: number;
  /** Accounts and links tables; undefined: on-demand. The cases table is on-demand in both. */
  readonly accountsTableCapacity: TableCapacity | undefined;
  readonly linksTableCapacity: TableCapacity | undefined;
  /** The account enforcement workflow. */
  readonly enforcementWorkflowType: WorkflowType;
  /**
   * The cluster workflow for clusters below clusterDistributedMapThreshold. STANDARD: one Standard
   * machine takes every cluster. EXPRESS: an Express machine (inline Map) takes those, and the
   * Standard one, which holds the Distributed Map, only clusters from the threshold on.
   */
  readonly clusterWorkflowType: WorkflowType;
  /** Clusters of at least this many members run them as Express child executions of the Distributed Map. */
  readonly clusterDistributedMapThreshold: number;
  /** Whether the workflows' execution logs carry each state's input and output. */
  readonly workflowLogExecutionData: boolean;
}

/** Shards a provisioned stream needs to take the rate, with headroom. */
export function shardsForRate(eventsPerSecond: number): number {
  return Math.max(1, Math.ceil((eventsPerSecond * SHARD_HEADROOM) / RECORDS_PER_SHARD_SECOND));
}

/**
 * Shards for batches that really span `spanSeconds`: each of shards x factor concurrent batches
 * fills at its share of the rate and is handed over when full, so a full batch must hold at least
 * the span's worth of its share (rate x span / (shards x factor) <= batch size). Never fewer than the
 * rate needs.
 */
export function shardsForSpan(
  eventsPerSecond: number,
  spanSeconds: number,
  batchSize: number,
  parallelizationFactor: number,
): number {
  const forSpan = Math.ceil((eventsPerSecond * spanSeconds) / (batchSize * parallelizationFactor));
  return Math.max(shardsForRate(eventsPerSecond), forSpan);
}

/**
 * An auto scaling range around the expected steady use: from a quarter of it (quiet hours) to
 * four times it (bursts, backlog catch-up), targeting 70% use.
 */
export function tableCapacityFor(
  eventsPerSecond: number,
  perEvent: { readonly write: number; readonly read: number },
): TableCapacity {
  const target = 70;
  const steady = (unitsPerEvent: number) => (eventsPerSecond * unitsPerEvent * 100) / target;
  const min = (unitsPerEvent: number) => Math.max(5, Math.ceil(steady(unitsPerEvent) / 4));
  const max = (unitsPerEvent: number) => Math.max(100, Math.ceil(steady(unitsPerEvent) * 4));
  return {
    minReadUnits: min(perEvent.read),
    maxReadUnits: max(perEvent.read),
    minWriteUnits: min(perEvent.write),
    maxWriteUnits: max(perEvent.write),
    targetUtilizationPercent: target,
  };
}

/** The optimised profile's batching window: the event source mapping's maximum. */
export const OPTIMISED_BATCHING_WINDOW_SECONDS = 300;

/**
 * The settings of a profile at an expected sustained rate (only the optimised profile sizes
 * anything by it).
 */
export function costProfileSettings(
  name: CostProfileName,
  expectedEventsPerSecond: number = DEFAULT_EXPECTED_EVENTS_PER_SECOND,
): CostProfileSettings {
  if (name === 'default') {
    return {
      name,
      streamShardCount: undefined,
      scorerBatchSize: DEFAULT_SCORER_BATCH_SIZE,
      scorerBatchingWindowSeconds: DEFAULT_BATCHING_WINDOW_SECONDS,
      scorerParallelizationFactor: DEFAULT_PARALLELIZATION_FACTOR,
      accountsTableCapacity: undefined,
      linksTableCapacity: undefined,
      enforcementWorkflowType: 'STANDARD',
      clusterWorkflowType: 'STANDARD',
      clusterDistributedMapThreshold: 100,
      workflowLogExecutionData: true,
    };
  }
  const window = OPTIMISED_BATCHING_WINDOW_SECONDS;
  return {
    name,
    streamShardCount: shardsForSpan(
      expectedEventsPerSecond,
      window,
      DEFAULT_SCORER_BATCH_SIZE,
      DEFAULT_PARALLELIZATION_FACTOR,
    ),
    scorerBatchSize: DEFAULT_SCORER_BATCH_SIZE,
    scorerBatchingWindowSeconds: window,
    scorerParallelizationFactor: DEFAULT_PARALLELIZATION_FACTOR,
    accountsTableCapacity: tableCapacityFor(expectedEventsPerSecond, CAPACITY_UNITS_PER_EVENT.accounts),
    linksTableCapacity: tableCapacityFor(expectedEventsPerSecond, CAPACITY_UNITS_PER_EVENT.links),
    enforcementWorkflowType: 'EXPRESS',
    // A cluster below the threshold is one Express run (inline Map, 10 members at a time: 500 take
    // about 10 s of its 5 minutes); from it on, a Standard run whose Distributed Map runs each
    // member as an Express child. The shipped policy explores at most 400 members (clusters.maxSize).
    clusterWorkflowType: 'EXPRESS',
    clusterDistributedMapThreshold: 500,
    workflowLogExecutionData: false,
  };
}

/** Throws with the fix unless `value` names a profile. */
export function parseCostProfile(value: unknown, source: string): CostProfileName {
  if (typeof value === 'string' && (COST_PROFILES as readonly string[]).includes(value)) {
    return value as CostProfileName;
  }
  throw new Error(
    `${source} must be one of ${COST_PROFILES.join(', ')}, got ${JSON.stringify(value)}: pass -c costProfile=optimised`,
  );
}
