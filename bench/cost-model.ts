import {
  costProfileSettings,
  shardsForRate,
  type CostProfileName,
  type WorkflowType,
} from '../lib/cost-profile';
import { INLINE_MAP_MAX_CONCURRENCY } from '../lib/constructs/cluster-enforcement-workflow';
import type { DynamoDbAccounting, TableName } from './dynamodb-accounting';

/**
 * List prices, us-east-1, as checked in November 2026 (sources in docs/performance.md, "Prices
 * the cost model uses"). GB is 2^30 bytes, as AWS bills data.
 */
export const PRICES = {
  kinesisOnDemandInPerGb: 0.08,
  kinesisOnDemandOutPerGb: 0.04,
  kinesisOnDemandStreamHour: 0.04,
  kinesisShardHour: 0.015,
  /** Provisioned streams bill each record put as PUT payload units of 25 KB. */
  kinesisPerPutPayloadUnit: 0.014 / 1e6,
  lambdaArmPerGbSecond: 0.0000133334,
  lambdaPerInvocation: 0.2 / 1e6,
  dynamoDbPerWriteUnit: 0.625 / 1e6,
  dynamoDbPerReadUnit: 0.125 / 1e6,
  dynamoDbWriteUnitHour: 0.00065,
  dynamoDbReadUnitHour: 0.00013,
  /** 1-year reserved capacity, per 100 units: upfront and hourly (bought outside CDK). */
  dynamoDbReserved100WriteUnits: { upfront: 150, hourly: 0.0128 },
  dynamoDbReserved100ReadUnits: { upfront: 30, hourly: 0.0025 },
  stepFunctionsPerTransition: 0.025 / 1000,
  stepFunctionsExpressPerRequest: 1 / 1e6,
  stepFunctionsExpressPerGbSecond: 0.00001667,
  eventBridgePerEvent: 1 / 1e6,
  kmsPerRequest: 0.03 / 10_000,
  cloudWatchLogsIngestPerGb: 0.5,
  /** AWS WAF Bot Control, common level, with WAF's own request fee: what the issue compares with. */
  wafBotControlPerRequest: (1 + 0.6) / 1e6,
} as const;

const GB = 2 ** 30;
const HOURS_PER_YEAR = 8760;
/** The scorer's memory; Lambda gives a function CPU in proportion, one vCPU at 1,769 MB. */
const SCORER_MEMORY_GB = 1;
const SCORER_VCPU = 1024 / 1769;
/** Modeled, not measured: one DynamoDB round trip from Lambda (single-digit milliseconds). */
const DYNAMODB_ROUND_TRIP_MS = 5;
/** The scorer's concurrent account saves per batch (ScoreBatchDependencies.concurrency). */
const SAVE_CONCURRENCY = 16;
/** Modeled: one Task state of a workflow (a DynamoDB or EventBridge call from Step Functions). */
const WORKFLOW_TASK_MS = 30;
/** Express bills memory in 64 MB steps (our runs stay in the first) and time in 100 ms steps. */
const EXPRESS_BILLED_GB = 64 / 1024;
const EXPRESS_BILLED_STEP_MS = 100;
/**
 * CloudWatch Logs bytes per history event logged at level ALL with execution data: the event's
 * JSON envelope, and its state data (measured by the e2e step). Task states log three more events
 * (scheduled, started, succeeded) than the entered/exited pair the local runtime records.
 */
const LOG_ENVELOPE_BYTES = 300;
const LOG_EVENTS_PER_TASK_BEYOND_PAIR = 3;
/**
 * KMS requests (modeled: each service caches a data key for about 5 minutes): every scorer
 * container (shards x factor) for each of three tables, every shard for its producers and its
 * consumer, per 5 minutes; one per table per workflow run; one per event put on the bus.
 */
const KMS_CACHE_MINUTES = 5;
const SCORER_TABLES = 3;
const KMS_PER_SHARD_PER_PERIOD = 2;
const KMS_PER_WORKFLOW_RUN = 2;
/** Provisioned capacity follows use at the auto scaling target (lib/cost-profile.ts). */
const TARGET_UTILIZATION = 0.7;
/** On-demand streams keep capacity for twice their peak, never under 4 shards (4 MB/s). */
const ON_DEMAND_MIN_SHARDS = 4;

/** How the stack's event source mapping batches a stream, at a sustained rate. */
export interface StreamBatching {
  readonly eventsPerSecond: number;
  readonly shards: number;
  /** Concurrent batches per shard (the mapping's ParallelizationFactor). */
  readonly parallelizationFactor: number;
  /** Records per batch. */
  readonly batchSize: number;
  /** The mapping's MaximumBatchingWindowInSeconds. */
  readonly batchingWindowSeconds: number;
}

/** Kinesis takes 1,000 records/s per shard; provisioned with 20% headroom. */
export const shardsFor = shardsForRate;

/** Shards an on-demand stream keeps at a sustained rate: twice the peak, at least 4. */
export function onDemandShards(eventsPerSecond: number): number {
  return Math.max(ON_DEMAND_MIN_SHARDS, Math.ceil((2 * eventsPerSecond) / 1000));
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

/** How the accounts and links tables are paid: per request, provisioned, or provisioned and reserved. */
export type TablePricing = 'on-demand' | 'provisioned' | 'reserved';

/** A profile deployed for a sustained rate: what decides its bill. */
export interface Deployment {
  readonly profile: CostProfileName;
  readonly stream: 'on-demand' | 'provisioned';
  readonly batching: StreamBatching;
  /** The accounts and links tables (the cases table is on-demand in every profile). */
  readonly tables: TablePricing;
  readonly accountWorkflow: WorkflowType;
  /** EXPRESS: clusters below the threshold are one Express run each (inline Map). */
  readonly clusterWorkflow: WorkflowType;
  /** Clusters of at least this many members run them as Express children of the Distributed Map. */
  readonly clusterDistributedMapThreshold: number;
  readonly workflowLogExecutionData: boolean;
}

/**
 * A profile at a rate, as lib/cost-profile.ts builds it. `reserved` prices the optimised profile's
 * provisioned tables with 1-year reserved capacity.
 */
export function deploymentFor(
  profile: CostProfileName,
  eventsPerSecond: number,
  reserved = false,
): Deployment {
  const settings = costProfileSettings(profile, eventsPerSecond);
  const provisioned = settings.streamShardCount !== undefined;
  const tablesProvisioned = settings.accountsTableCapacity !== undefined;
  return {
    profile,
    stream: provisioned ? 'provisioned' : 'on-demand',
    batching: {
      eventsPerSecond,
      shards: settings.streamShardCount ?? onDemandShards(eventsPerSecond),
      parallelizationFactor: settings.scorerParallelizationFactor,
      batchSize: settings.scorerBatchSize,
      batchingWindowSeconds: settings.scorerBatchingWindowSeconds,
    },
    tables: !tablesProvisioned ? 'on-demand' : reserved ? 'reserved' : 'provisioned',
    accountWorkflow: settings.enforcementWorkflowType,
    clusterWorkflow: settings.clusterWorkflowType,
    clusterDistributedMapThreshold: settings.clusterDistributedMapThreshold,
    workflowLogExecutionData: settings.workflowLogExecutionData,
  };
}

/** Averages over a workflow's runs (or over cluster members), measured by the e2e step. */
export interface RunShape {
  /** States entered: what Standard bills. */
  readonly transitions: number;
  /** Task states entered: the service calls an Express run waits on. */
  readonly taskStates: number;
  /** History events carrying state data, and those data's bytes (what logging at ALL ingests). */
  readonly dataEvents: number;
  readonly dataBytes: number;
}

/** What a workflow run costs beyond its DynamoDB units. */
export interface WorkflowMeasures {
  /** Per account workflow run. */
  readonly accountRun: RunShape;
  /** Per cluster workflow run, its states outside the member steps. */
  readonly clusterRun: RunShape;
  /** Per cluster member, the member steps. */
  readonly clusterMember: RunShape;
}

/** CloudWatch Logs bytes of a run at level ALL, with or without the state data (see LOG_ENVELOPE_BYTES). */
export function loggedBytes(shape: RunShape, withData: boolean): number {
  const events = shape.dataEvents + shape.taskStates * LOG_EVENTS_PER_TASK_BEYOND_PAIR;
  return events * LOG_ENVELOPE_BYTES + (withData ? shape.dataBytes : 0);
}

/** An Express run's price: a request, and its Task states' time at 64 MB in 100 ms steps. */
function expressRunPrice(taskStates: number): number {
  const billedMs =
    Math.max(1, Math.ceil((taskStates * WORKFLOW_TASK_MS) / EXPRESS_BILLED_STEP_MS)) * EXPRESS_BILLED_STEP_MS;
  return (
    PRICES.stepFunctionsExpressPerRequest +
    (billedMs / 1000) * EXPRESS_BILLED_GB * PRICES.stepFunctionsExpressPerGbSecond
  );
}

/** Dollars per million events, by service, for one deployment. */
export interface CostBreakdown {
  readonly profile: CostProfileName;
  readonly eventsPerSecond: number;
  readonly tables: TablePricing;
  readonly accountWorkflow: WorkflowType;
  /** The cluster workflow below the Distributed Map threshold. */
  readonly clusterWorkflow: WorkflowType;
  /** Event time one batch spans, and the measured run it was priced from. */
  readonly spanSeconds: number;
  readonly measuredSpanSeconds: number | undefined;
  readonly shards: number;
  readonly stateWritesPerEvent: number;
  readonly writeUnitsPerEvent: number;
  readonly readUnitsPerEvent: number;
  /** The scorer CPU per event the Lambda line was priced with. */
  readonly coreMsPerEvent: number;
  readonly kinesis: number;
  readonly lambda: number;
  readonly dynamoDbWrites: number;
  readonly dynamoDbReads: number;
  readonly stepFunctions: number;
  readonly eventBridge: number;
  readonly kms: number;
  readonly logs: number;
  readonly total: number;
  /** Longest time from a crossing event's put to the suspension: the span, the batch's scoring, the workflow. */
  readonly crossingToSuspensionSeconds: number;
}

/** Dollars per capacity unit consumed, by table pricing, at steady use. */
function unitPrices(pricing: TablePricing): { write: number; read: number } {
  if (pricing === 'on-demand')
    return { write: PRICES.dynamoDbPerWriteUnit, read: PRICES.dynamoDbPerReadUnit };
  const hourly = (reserved: { upfront: number; hourly: number }, standard: number) =>
    pricing === 'reserved' ? (reserved.upfront / HOURS_PER_YEAR + reserved.hourly) / 100 : standard;
  // A unit provisioned for an hour serves 3,600 units per hour at full use; auto scaling keeps 70%.
  const perConsumed = (unitHour: number) => unitHour / 3600 / TARGET_UTILIZATION;
  return {
    write: perConsumed(hourly(PRICES.dynamoDbReserved100WriteUnits, PRICES.dynamoDbWriteUnitHour)),
    read: perConsumed(hourly(PRICES.dynamoDbReserved100ReadUnits, PRICES.dynamoDbReadUnitHour)),
  };
}

/**
 * The cost per million events of a deployment, from a measured run whose batches span what the
 * deployment's batches span (the caller picks it: see batchSpanSeconds). Every billed unit that
 * grows with traffic is counted: Kinesis by its mode, scorer compute and invocations, DynamoDB
 * capacity units of all three tables (index copies and failed conditional writes included) by
 * each table's pricing, Step Functions by workflow type, bus events, KMS requests and workflow logs.
 */
export function costPerMillionEvents(
  measured: DynamoDbAccounting,
  deployment: Deployment,
  workflows: WorkflowMeasures,
  coreMsPerEvent: number,
): CostBreakdown {
  const { events } = measured;
  const { batching } = deployment;
  const rate = batching.eventsPerSecond;
  const perEvent = (n: number) => n / events;
  const stateWrites = perEvent(measured.accountWrites);
  const linkWrites = perEvent(measured.linkWrites);
  const eventsPerBatch = batchRecords(batching);

  const kinesis =
    deployment.stream === 'provisioned'
      ? (batching.shards * PRICES.kinesisShardHour) / (3600 * rate) +
        Math.ceil(measured.recordBytes.mean / (25 * 1024)) * PRICES.kinesisPerPutPayloadUnit
      : (measured.recordBytes.billedIn / GB) * PRICES.kinesisOnDemandInPerGb +
        (measured.recordBytes.mean / GB) * PRICES.kinesisOnDemandOutPerGb +
        PRICES.kinesisOnDemandStreamHour / (3600 * rate);

  // Billed time: CPU at the function's share of a core, plus waits on DynamoDB round trips (a load
  // per 100 accounts, a link write per 25 edges, the saves 16 at a time).
  const waitMs =
    (stateWrites / 100 + linkWrites / 25 + stateWrites / SAVE_CONCURRENCY) * DYNAMODB_ROUND_TRIP_MS;
  const scorerMsPerEvent = coreMsPerEvent / SCORER_VCPU + waitMs;
  const lambda =
    (scorerMsPerEvent / 1000) * SCORER_MEMORY_GB * PRICES.lambdaArmPerGbSecond +
    PRICES.lambdaPerInvocation / eventsPerBatch;

  const priced = (table: TableName) => (table === 'cases' ? 'on-demand' : deployment.tables);
  let dynamoDbWrites = 0;
  let dynamoDbReads = 0;
  for (const [table, units] of Object.entries(measured.tables) as Array<
    [TableName, DynamoDbAccounting['tables'][TableName]]
  >) {
    const prices = unitPrices(priced(table));
    dynamoDbWrites += perEvent(units.writeUnits) * prices.write;
    dynamoDbReads += perEvent(units.readUnits) * prices.read;
  }

  const { accountRuns, clusterRuns, clusterRunSizes, busEvents } = measured.workflows;
  if (clusterRunSizes.length !== clusterRuns) {
    throw new Error(
      `measured ${clusterRuns} cluster runs but ${clusterRunSizes.length} run sizes: count both per run`,
    );
  }
  const { accountRun, clusterRun, clusterMember } = workflows;
  const transition = PRICES.stepFunctionsPerTransition;
  const accountRunPrice =
    deployment.accountWorkflow === 'EXPRESS'
      ? expressRunPrice(accountRun.taskStates)
      : accountRun.transitions * transition;
  let clusterPrice = 0;
  for (const size of clusterRunSizes) {
    const distributed = size >= deployment.clusterDistributedMapThreshold;
    if (deployment.clusterWorkflow === 'EXPRESS' && !distributed) {
      // One Express run: its own tasks, then the members' tasks, so many members at a time.
      const memberRounds = Math.ceil(size / INLINE_MAP_MAX_CONCURRENCY);
      clusterPrice += expressRunPrice(clusterRun.taskStates + memberRounds * clusterMember.taskStates);
      continue;
    }
    // A Standard run. A member in the inline Map is billed its states; in the Distributed Map,
    // one transition for its Express child's start, and that child's run.
    clusterPrice +=
      clusterRun.transitions * transition +
      size *
        (distributed
          ? transition + expressRunPrice(clusterMember.taskStates)
          : clusterMember.transitions * transition);
  }
  const stepFunctions = perEvent(accountRuns) * accountRunPrice + perEvent(clusterPrice);
  const eventBridge = perEvent(busEvents) * PRICES.eventBridgePerEvent;

  const periodsPerHour = 60 / KMS_CACHE_MINUTES;
  const kmsPerHour =
    batching.shards *
    (batching.parallelizationFactor * SCORER_TABLES + KMS_PER_SHARD_PER_PERIOD) *
    periodsPerHour;
  const kms =
    (kmsPerHour / (3600 * rate) +
      perEvent(accountRuns + clusterRuns) * KMS_PER_WORKFLOW_RUN +
      perEvent(busEvents)) *
    PRICES.kmsPerRequest;
  const withData = deployment.workflowLogExecutionData;
  const clusterMembers = clusterRunSizes.reduce((a, b) => a + b, 0);
  const logs =
    ((perEvent(accountRuns) * loggedBytes(accountRun, withData) +
      perEvent(clusterRuns) * loggedBytes(clusterRun, withData) +
      perEvent(clusterMembers) * loggedBytes(clusterMember, withData)) /
      GB) *
    PRICES.cloudWatchLogsIngestPerGb;

  const lines = { kinesis, lambda, dynamoDbWrites, dynamoDbReads, stepFunctions, eventBridge, kms, logs };
  const million = (n: number) => n * 1e6;
  const span = batchSpanSeconds(batching);
  return {
    profile: deployment.profile,
    eventsPerSecond: rate,
    tables: deployment.tables,
    accountWorkflow: deployment.accountWorkflow,
    clusterWorkflow: deployment.clusterWorkflow,
    spanSeconds: span,
    measuredSpanSeconds: measured.batchingWindowSeconds,
    shards: batching.shards,
    stateWritesPerEvent: stateWrites,
    writeUnitsPerEvent: measured.writeUnitsPerEvent,
    readUnitsPerEvent: measured.readUnitsPerEvent,
    coreMsPerEvent,
    kinesis: million(kinesis),
    lambda: million(lambda),
    dynamoDbWrites: million(dynamoDbWrites),
    dynamoDbReads: million(dynamoDbReads),
    stepFunctions: million(stepFunctions),
    eventBridge: million(eventBridge),
    kms: million(kms),
    logs: million(logs),
    total: million(Object.values(lines).reduce((a, b) => a + b, 0)),
    // A crossing event can be the first of its batch: it waits the whole span, then the batch is
    // scored and the workflow runs.
    crossingToSuspensionSeconds:
      span + (eventsPerBatch * scorerMsPerEvent) / 1000 + (accountRun.taskStates * WORKFLOW_TASK_MS) / 1000,
  };
}
