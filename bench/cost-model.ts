import type { DynamoDbAccounting } from './dynamodb-accounting';

/**
 * List prices, us-east-1, as checked in November 2026 (sources in docs/performance.md, "Cost
 * model"). GB is 2^30 bytes, as AWS bills data.
 */
export const PRICES = {
  kinesisOnDemandInPerGb: 0.08,
  kinesisOnDemandOutPerGb: 0.04,
  kinesisOnDemandStreamHour: 0.04,
  lambdaArmPerGbSecond: 0.0000133334,
  lambdaPerInvocation: 0.2 / 1e6,
  dynamoDbPerWriteUnit: 0.625 / 1e6,
  dynamoDbPerReadUnit: 0.125 / 1e6,
  stepFunctionsPerTransition: 0.025 / 1000,
  eventBridgePerEvent: 1 / 1e6,
  /** AWS WAF Bot Control, common level, with WAF's own request fee: what the issue compares with. */
  wafBotControlPerRequest: (1 + 0.6) / 1e6,
} as const;

const GB = 2 ** 30;
/** The scorer's memory; Lambda gives a function CPU in proportion, one vCPU at 1,769 MB. */
const SCORER_MEMORY_GB = 1;
const SCORER_VCPU = 1024 / 1769;
/** Modeled, not measured: one DynamoDB round trip from Lambda (single-digit milliseconds). */
const DYNAMODB_ROUND_TRIP_MS = 5;
/** The scorer's concurrent account saves per batch (ScoreBatchDependencies.concurrency). */
const SAVE_CONCURRENCY = 16;
/** Events the workflows publish per run (the action taken, the case opened). */
const BUS_EVENTS_PER_RUN = 2;

export interface CostAssumptions {
  /** Sustained rate: spreads the stream-hour fee over events. */
  readonly eventsPerSecond: number;
  /** Scorer CPU per event on one core (the throughput step's core figure). */
  readonly coreMsPerEvent: number;
  /** Step Functions state transitions per workflow run (the e2e step counts them). */
  readonly transitionsPerRun: number;
  /**
   * Records per scorer invocation at that rate (see batchSpanSeconds): the simulator's traffic is
   * far quieter than eventsPerSecond, so its batches are smaller than a busy stream's.
   * @default the measured run's records per batch
   */
  readonly eventsPerBatch?: number;
}

/** Dollars per million events, by service. */
export interface CostBreakdown {
  readonly batching: string;
  readonly stateWritesPerEvent: number;
  readonly writeUnitsPerEvent: number;
  readonly readUnitsPerEvent: number;
  /** The scorer CPU per event the Lambda line was priced with (assumptions.coreMsPerEvent). */
  readonly coreMsPerEvent: number;
  readonly kinesis: number;
  readonly lambda: number;
  readonly dynamoDbWrites: number;
  readonly dynamoDbReads: number;
  readonly stepFunctions: number;
  readonly eventBridge: number;
  readonly total: number;
}

/**
 * The cost per million events of a measured run: with the replay's batching (batches cut by size,
 * each spanning hours of event time) or with batches cut by the event source mapping's batching
 * window as on AWS (measured.batchingWindowSeconds), which decides how often each account's state
 * is loaded and written.
 */
export function costPerMillionEvents(
  measured: DynamoDbAccounting,
  assumptions: CostAssumptions,
): CostBreakdown {
  const { events } = measured;
  const stateWrites = measured.accountWrites / events;
  const linkWrites = measured.linkWrites / events;

  const kinesis =
    (measured.recordBytes.billedIn / GB) * PRICES.kinesisOnDemandInPerGb +
    (measured.recordBytes.mean / GB) * PRICES.kinesisOnDemandOutPerGb +
    PRICES.kinesisOnDemandStreamHour / (3600 * assumptions.eventsPerSecond);
  // Billed time: CPU at the function's share of a core, plus waits on DynamoDB round trips (a load
  // per 100 accounts, a link write per 25 edges, the saves 16 at a time).
  const waitMs =
    (stateWrites / 100 + linkWrites / 25 + stateWrites / SAVE_CONCURRENCY) * DYNAMODB_ROUND_TRIP_MS;
  const billedSeconds = (assumptions.coreMsPerEvent / SCORER_VCPU + waitMs) / 1000;
  const lambda =
    billedSeconds * SCORER_MEMORY_GB * PRICES.lambdaArmPerGbSecond +
    (assumptions.eventsPerBatch === undefined ? measured.batches / events : 1 / assumptions.eventsPerBatch) *
      PRICES.lambdaPerInvocation;
  const runs = measured.enforcements / events;
  const perEvent = {
    kinesis,
    lambda,
    dynamoDbWrites: measured.writeUnitsPerEvent * PRICES.dynamoDbPerWriteUnit,
    dynamoDbReads: measured.readUnitsPerEvent * PRICES.dynamoDbPerReadUnit,
    stepFunctions: runs * assumptions.transitionsPerRun * PRICES.stepFunctionsPerTransition,
    eventBridge: runs * BUS_EVENTS_PER_RUN * PRICES.eventBridgePerEvent,
  };
  const million = (n: number) => n * 1e6;
  return {
    batching:
      measured.batchingWindowSeconds === undefined
        ? 'replay batching'
        : `batches spanning ${measured.batchingWindowSeconds} s`,
    stateWritesPerEvent: stateWrites,
    writeUnitsPerEvent: measured.writeUnitsPerEvent,
    readUnitsPerEvent: measured.readUnitsPerEvent,
    coreMsPerEvent: assumptions.coreMsPerEvent,
    kinesis: million(perEvent.kinesis),
    lambda: million(perEvent.lambda),
    dynamoDbWrites: million(perEvent.dynamoDbWrites),
    dynamoDbReads: million(perEvent.dynamoDbReads),
    stepFunctions: million(perEvent.stepFunctions),
    eventBridge: million(perEvent.eventBridge),
    total: million(Object.values(perEvent).reduce((a, b) => a + b, 0)),
  };
}

/** How the stack's event source mapping batches a stream, at a sustained rate. */
export interface StreamBatching {
  readonly eventsPerSecond: number;
  readonly shards: number;
  /** Concurrent batches per shard (the mapping's ParallelizationFactor; the stack uses 2). */
  readonly parallelizationFactor: number;
  /** Records per batch (the stack uses 5,000). */
  readonly batchSize: number;
  /** The mapping's MaximumBatchingWindowInSeconds (the stack uses 60). */
  readonly batchingWindowSeconds: number;
}

/** Kinesis takes 1,000 records/s per shard; provisioned with 20% headroom (on-demand adapts). */
export function shardsFor(eventsPerSecond: number): number {
  return Math.max(1, Math.ceil((eventsPerSecond * 1.2) / 1000));
}

/**
 * Seconds of event time one batch spans on AWS. The mapping hands a batch over when it is full or
 * when its window has passed, whichever comes first, and each of shards x factor concurrent
 * batches fills at its share of the rate. This span, not the window, decides how often an account
 * is loaded and written: the dynamodb step's "batches spanning S s" run is the one to read for it.
 */
export function batchSpanSeconds(batching: StreamBatching): number {
  return Math.min(batching.batchingWindowSeconds, batching.batchSize / perBatchStream(batching));
}

/** Records in one batch (one scorer invocation) at that rate: a full batch, or the window's worth. */
export function batchRecords(batching: StreamBatching): number {
  return Math.min(batching.batchSize, batching.batchingWindowSeconds * perBatchStream(batching));
}

/** Records per second into each of the shards x factor concurrent batches. */
function perBatchStream(batching: StreamBatching): number {
  return batching.eventsPerSecond / (batching.shards * batching.parallelizationFactor);
}
