import {
  batchRecords,
  batchSpanSeconds,
  costPerMillionEvents,
  PRICES,
  shardsFor,
} from '../../bench/cost-model';
import type { DynamoDbAccounting } from '../../bench/dynamodb-accounting';

/** A measured run with round numbers: 1,000,000 events, states written 100,000 times at 2 units. */
function measured(overrides: Partial<DynamoDbAccounting> = {}): DynamoDbAccounting {
  return {
    events: 1_000_000,
    accounts: 10_000,
    batches: 200,
    accountWrites: 100_000,
    accountWriteUnits: 200_000,
    accountItemBytes: { mean: 1500, p95: 3000, max: 6000 },
    linkWrites: 50_000,
    linkWritesByKind: { ip: 50_000 },
    workflowWrites: 3000,
    enforcements: 1000,
    accountReads: 100_000,
    accountReadUnits: 100_000,
    linkQueries: 40_000,
    linkItemsRead: 80_000,
    writesPerEvent: 0.153,
    // state 200,000 + links 50,000 + workflow 4,000 units
    writeUnitsPerEvent: 0.254,
    readsPerEvent: 0.181,
    // state 100,000 + link queries 40,000 + workflow 1,000 units
    readUnitsPerEvent: 0.141,
    writesPerAccount: 10,
    seconds: 10,
    recordBytes: { mean: 600, billedIn: 1024 },
    accountWindowsPerEvent: { '20s': 0.8, '5min': 0.4 },
    design: { lowRiskAccountWrites: 0, lowRiskAccountDays: 0, lowRiskLinkWrites: 0, writesPerEvent: 0.153 },
    aggregator: {
      riskyAccounts: 0,
      accountWrites: 0,
      accountWritesEvery: { '6h': 0, '24h': 0 },
      linkWrites: 0,
      writesPerEvent: 0.003,
    },
    ...overrides,
  };
}

const assumptions = { eventsPerSecond: 1000, coreMsPerEvent: 0.03, transitionsPerRun: 16 };

describe('Function: costPerMillionEvents', () => {
  it('prices the replay batching from the measured units, links and workflow items', () => {
    // Act
    const cost = costPerMillionEvents(measured(), assumptions);

    // Assess
    expect(cost.stateWritesPerEvent).toBeCloseTo(0.1, 10);
    expect(cost.writeUnitsPerEvent).toBeCloseTo(0.254, 10);
    expect(cost.dynamoDbWrites).toBeCloseTo(0.254 * 0.625, 10);
    expect(cost.dynamoDbReads).toBeCloseTo(0.141 * 0.125, 10);
    expect(cost.stepFunctions).toBeCloseTo(1000 * 16 * 0.000025, 10);
    const kinesis = (1024e6 / 2 ** 30) * 0.08 + (600e6 / 2 ** 30) * 0.04 + (0.04 / 3600 / 1000) * 1e6;
    expect(cost.kinesis).toBeCloseTo(kinesis, 10);
    const parts = [
      cost.kinesis,
      cost.lambda,
      cost.dynamoDbWrites,
      cost.dynamoDbReads,
      cost.stepFunctions,
      cost.eventBridge,
    ];
    expect(cost.total).toBeCloseTo(
      parts.reduce((a, b) => a + b, 0),
      10,
    );
  });

  it('prices the Lambda line with the scorer CPU it is given, and reports it', () => {
    // Prepare: the same counts with ten times the CPU per event (short batches: fewer events per account)
    const slower = { ...assumptions, coreMsPerEvent: 0.3 };

    // Act
    const base = costPerMillionEvents(measured(), assumptions);
    const cost = costPerMillionEvents(measured(), slower);

    // Assess: 0.27 ms more per event on a 1 GB function with 1024/1769 of a vCPU, at the arm price
    expect(cost.coreMsPerEvent).toBe(0.3);
    expect(cost.lambda - base.lambda).toBeCloseTo(
      (0.27 / (1024 / 1769)) * 1e-3 * 1 * PRICES.lambdaArmPerGbSecond * 1e6,
      10,
    );
    expect(cost.dynamoDbWrites).toBe(base.dynamoDbWrites);
  });

  it('pays invocations per batch of the modeled rate when given one, else per measured batch', () => {
    // Act: the measured run made 200 batches of 5,000; a busy stream fills batches of 10,000
    const measuredBatches = costPerMillionEvents(measured(), assumptions);
    const fuller = costPerMillionEvents(measured(), { ...assumptions, eventsPerBatch: 10_000 });

    // Assess: half the invocations, at $0.20 per million
    expect(measuredBatches.lambda - fuller.lambda).toBeCloseTo((1 / 5000 - 1 / 10_000) * 0.2, 10);
  });

  it('prices a run batched by a window from its own counts, and names the window', () => {
    // Prepare: the same traffic with batches of 20 s: the state written 8 times as often
    const windowed = measured({
      batchingWindowSeconds: 20,
      batches: 60_000,
      accountWrites: 800_000,
      accountWriteUnits: 1_600_000,
      writeUnitsPerEvent: 1.654,
    });

    // Act
    const cost = costPerMillionEvents(windowed, assumptions);

    // Assess
    expect(cost.batching).toBe('batches spanning 20 s');
    expect(cost.stateWritesPerEvent).toBe(0.8);
    expect(cost.dynamoDbWrites).toBeCloseTo(1.654 * 0.625, 10);
    expect(cost.lambda).toBeGreaterThan(costPerMillionEvents(measured(), assumptions).lambda);
    expect(cost.total).toBeGreaterThan(costPerMillionEvents(measured(), assumptions).total);
  });
});

describe('Function: batchSpanSeconds', () => {
  const stack = { parallelizationFactor: 2, batchSize: 5000, batchingWindowSeconds: 20 };

  it('fills batches by size before a long window passes at a busy rate', () => {
    // Act: 1,000 events/s over 2 shards x 2 concurrent batches: 250/s into each, 5,000 in 20 s
    const at1k = batchSpanSeconds({ ...stack, eventsPerSecond: 1000, shards: 2 });
    const longWindow = batchSpanSeconds({
      ...stack,
      eventsPerSecond: 1000,
      shards: 2,
      batchingWindowSeconds: 300,
    });

    // Assess
    expect(at1k).toBe(20);
    expect(longWindow).toBe(20);
  });

  it('is the window at a quiet rate, and shorter with more shards at the same rate per shard', () => {
    // Act
    const quiet = batchSpanSeconds({ ...stack, eventsPerSecond: 50, shards: 2, batchingWindowSeconds: 300 });
    const at100k = batchSpanSeconds({ ...stack, eventsPerSecond: 100_000, shards: shardsFor(100_000) });

    // Assess: 12.5/s into each batch fills 5,000 in 400 s; 120 shards x 2 take 417/s each
    expect(quiet).toBe(300);
    expect(at100k).toBeCloseTo(12, 10);
  });
});

describe('Function: batchRecords', () => {
  it("holds a full batch when it fills first, else the window's worth", () => {
    // Act: 1,000 events/s over 2 shards x 10: 50/s into each batch
    const windowFirst = batchRecords({
      eventsPerSecond: 1000,
      shards: 2,
      parallelizationFactor: 10,
      batchSize: 5000,
      batchingWindowSeconds: 60,
    });
    const fullFirst = batchRecords({
      eventsPerSecond: 1000,
      shards: 2,
      parallelizationFactor: 2,
      batchSize: 5000,
      batchingWindowSeconds: 60,
    });

    // Assess
    expect(windowFirst).toBe(3000);
    expect(fullFirst).toBe(5000);
  });
});

describe('Function: shardsFor', () => {
  it('provisions 1,000 records/s per shard with 20% headroom', () => {
    // Act + Assess
    expect([1000, 10_000, 100_000, 1].map(shardsFor)).toEqual([2, 12, 120, 1]);
  });
});
