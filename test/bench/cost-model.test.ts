import {
  batchRecords,
  batchSpanSeconds,
  costPerMillionEvents,
  deploymentFor,
  loggedBytes,
  PRICES,
  shardsFor,
  type WorkflowMeasures,
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
    tables: {
      accounts: { writeUnits: 210_000, readUnits: 52_000 },
      links: { writeUnits: 50_000, readUnits: 18_000 },
      cases: { writeUnits: 12_000, readUnits: 2000 },
    },
    workflows: {
      accountRuns: 1000,
      clusterRuns: 20,
      clusterMembers: 500,
      clusterRunSizes: Array.from({ length: 20 }, () => 25),
      busEvents: 2500,
    },
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

const workflows: WorkflowMeasures = {
  accountRun: { transitions: 16, taskStates: 7, dataEvents: 30, dataBytes: 40_000 },
  clusterRun: { transitions: 10, taskStates: 4, dataEvents: 20, dataBytes: 20_000 },
  clusterMember: { transitions: 6, taskStates: 3, dataEvents: 12, dataBytes: 5000 },
};
/** Logged bytes of each shape: events x 300 B (three more per task), with the data or without. */
const logged = {
  account: [(30 + 21) * 300, 40_000],
  cluster: [(20 + 12) * 300, 20_000],
  member: [(12 + 9) * 300, 5000],
};
const million = 1e6;

describe('Function: deploymentFor', () => {
  it('gives each profile its stream, batching, tables and account workflow', () => {
    // Act
    const byDefault = deploymentFor('default', 10_000);
    const optimised = deploymentFor('optimised', 10_000);
    const reserved = deploymentFor('optimised', 10_000, true);

    // Assess
    expect(byDefault).toMatchObject({
      stream: 'on-demand',
      tables: 'on-demand',
      accountWorkflow: 'STANDARD',
    });
    expect(byDefault.batching).toMatchObject({
      shards: 20,
      batchingWindowSeconds: 60,
      parallelizationFactor: 10,
    });
    expect(optimised).toMatchObject({
      stream: 'provisioned',
      tables: 'provisioned',
      accountWorkflow: 'EXPRESS',
    });
    expect(optimised.batching).toMatchObject({ shards: 60, batchingWindowSeconds: 300, batchSize: 5000 });
    expect(reserved.tables).toBe('reserved');
  });

  it.each([1000, 10_000, 100_000])(
    'has batches that really span each profile window at %i events/s',
    (rate) => {
      // Act & Assess
      expect(batchSpanSeconds(deploymentFor('default', rate).batching)).toBe(60);
      expect(batchSpanSeconds(deploymentFor('optimised', rate).batching)).toBe(300);
    },
  );
});

describe('Function: costPerMillionEvents', () => {
  it("prices the default profile on-demand, from every table's units", () => {
    // Act
    const cost = costPerMillionEvents(measured(), deploymentFor('default', 1000), workflows, 0.03);

    // Assess
    expect(cost.stateWritesPerEvent).toBeCloseTo(0.1, 10);
    // accounts 210,000 + links 50,000 on-demand; cases 12,000 on-demand
    expect(cost.dynamoDbWrites).toBeCloseTo((272_000 / million) * 0.625, 10);
    expect(cost.dynamoDbReads).toBeCloseTo((72_000 / million) * 0.125, 10);
    // 1,000 account runs of 16 transitions; 20 cluster runs of 10, and their 500 members of 6 (inline: under 100)
    expect(cost.stepFunctions).toBeCloseTo((1000 * 16 + 20 * 10 + 500 * 6) * 0.000025, 10);
    expect(cost.eventBridge).toBeCloseTo(2500 * 1e-6, 10);
    const kinesis = (1024e6 / 2 ** 30) * 0.08 + (600e6 / 2 ** 30) * 0.04 + (0.04 / 3600 / 1000) * 1e6;
    expect(cost.kinesis).toBeCloseTo(kinesis, 10);
    const bytes = (withData: 0 | 1) =>
      1000 * (logged.account[0]! + withData * logged.account[1]!) +
      20 * (logged.cluster[0]! + withData * logged.cluster[1]!) +
      500 * (logged.member[0]! + withData * logged.member[1]!);
    expect(cost.logs).toBeCloseTo((bytes(1) / 2 ** 30) * 0.5, 10);
    // The optimised profile logs the events without their data.
    const optimised = costPerMillionEvents(measured(), deploymentFor('optimised', 1000), workflows, 0.03);
    expect(optimised.logs).toBeCloseTo((bytes(0) / 2 ** 30) * 0.5, 10);
    const parts = [
      cost.kinesis,
      cost.lambda,
      cost.dynamoDbWrites,
      cost.dynamoDbReads,
      cost.stepFunctions,
      cost.eventBridge,
      cost.kms,
      cost.logs,
    ];
    expect(cost.total).toBeCloseTo(
      parts.reduce((a, b) => a + b, 0),
      10,
    );
  });

  it('prices the optimised profile: provisioned shards, provisioned accounts and links, Express account runs', () => {
    // Act
    const cost = costPerMillionEvents(measured(), deploymentFor('optimised', 1000), workflows, 0.03);

    // Assess: a unit-hour at 70% use serves 2,520 units
    const write = 0.00065 / 3600 / 0.7;
    const read = 0.00013 / 3600 / 0.7;
    expect(cost.dynamoDbWrites).toBeCloseTo(260_000 * write + (12_000 / million) * 0.625, 10);
    expect(cost.dynamoDbReads).toBeCloseTo(70_000 * read + (2000 / million) * 0.125, 10);
    // 6 shards for 3.6 million events an hour, one 25 KB payload unit per record
    expect(cost.kinesis).toBeCloseTo(((6 * 0.015) / 3_600_000) * million + 0.014, 10);
    // Express: a request and 7 tasks x 30 ms billed as 300 ms at 64 MB, per account run; a
    // cluster of 25 below the Distributed Map threshold: one Express run of its 4 tasks, then 3
    // rounds of 10 members' 3 tasks, 13 x 30 ms billed as 400 ms
    const express = (ms: number) => 1e-6 + (ms / 1000) * (64 / 1024) * 0.00001667;
    expect(cost.stepFunctions).toBeCloseTo(1000 * express(300) + 20 * express(400), 10);
    expect(cost.clusterWorkflow).toBe('EXPRESS');
    expect(cost.spanSeconds).toBe(300);
  });

  it('prices reserved capacity at the upfront fee spread over the year plus the hourly rate', () => {
    // Act
    const cost = costPerMillionEvents(measured(), deploymentFor('optimised', 1000, true), workflows, 0.03);

    // Assess
    const write = (150 / 8760 + 0.0128) / 100 / 3600 / 0.7;
    const read = (30 / 8760 + 0.0025) / 100 / 3600 / 0.7;
    expect(cost.dynamoDbWrites).toBeCloseTo(260_000 * write + (12_000 / million) * 0.625, 10);
    expect(cost.dynamoDbReads).toBeCloseTo(70_000 * read + (2000 / million) * 0.125, 10);
  });

  it('prices the Lambda line with the scorer CPU it is given', () => {
    // Act
    const base = costPerMillionEvents(measured(), deploymentFor('default', 1000), workflows, 0.03);
    const cost = costPerMillionEvents(measured(), deploymentFor('default', 1000), workflows, 0.3);

    // Assess: 0.27 ms more per event on a 1 GB function with 1024/1769 of a vCPU, at the arm price
    expect(cost.coreMsPerEvent).toBe(0.3);
    expect(cost.lambda - base.lambda).toBeCloseTo(
      (0.27 / (1024 / 1769)) * 1e-3 * 1 * PRICES.lambdaArmPerGbSecond * 1e6,
      10,
    );
    expect(cost.dynamoDbWrites).toBe(base.dynamoDbWrites);
  });

  it("pays one invocation per batch of the deployment: the window's worth, or a full batch", () => {
    // Act: 1,000 events/s in the default profile fill 40 batches of 1,500 a minute; the optimised
    // profile's 60 batches fill 5,000 each in 300 s
    const byDefault = costPerMillionEvents(measured(), deploymentFor('default', 1000), workflows, 0);
    const optimised = costPerMillionEvents(measured(), deploymentFor('optimised', 1000), workflows, 0);

    // Assess: the same waits, invocations at $0.20 per million
    expect(byDefault.lambda - optimised.lambda).toBeCloseTo((1 / 1500 - 1 / 5000) * 0.2, 10);
  });

  it("puts the crossing-to-suspension time at the span plus the batch's scoring and the workflow", () => {
    // Act
    const cost = costPerMillionEvents(measured(), deploymentFor('optimised', 1000), workflows, 0.03);

    // Assess: under 6 minutes
    expect(cost.crossingToSuspensionSeconds).toBeGreaterThan(300);
    expect(cost.crossingToSuspensionSeconds).toBeLessThan(360);
  });
});

describe('Function: loggedBytes', () => {
  it('adds an envelope per logged event, three more events per task, and the state data when logged', () => {
    // Prepare
    const shape = { transitions: 10, taskStates: 4, dataEvents: 20, dataBytes: 30_000 };

    // Act & Assess
    expect(loggedBytes(shape, true)).toBe((20 + 12) * 300 + 30_000);
    expect(loggedBytes(shape, false)).toBe((20 + 12) * 300);
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
