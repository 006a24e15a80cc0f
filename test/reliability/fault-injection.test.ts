import type { KinesisWriteRecord } from '../../local/kinesis/kinesis-writer';
import { generateTraffic } from '../../sim';
import {
  failedExecutions,
  ReliabilityPipeline,
  stopPipelinesLeftRunning,
} from '../support/reliability-pipeline';

/**
 * Injected faults against the local services, through a proxy in front of dynalite that the real
 * SDK talks to: DynamoDB throttling and 500s under the scorer and the workflow, and workflow
 * steps failing. Retries (the SDK's, the event source mapping's, the workflow's) must absorb them:
 * nothing lost, nothing doubled, the same end state as a run without faults.
 */
describe('Reliability: injected faults', () => {
  stopPipelinesLeftRunning();
  const since = new Date();
  const simulation = generateTraffic({ preset: 'demo', seed: 12, scale: 0.5 });
  const labelled = [...simulation.events];
  const records: KinesisWriteRecord[] = labelled.map((e) => ({
    partitionKey: e.event.accountId,
    data: Buffer.from(JSON.stringify(e.event)),
  }));
  let reference: Record<string, unknown[]>;

  /**
   * The decisions: each account's status and request count. (Link items and intermediate scores
   * may differ: a redelivered batch can start at another record, and the scorer's link keys depend
   * on where batches split an account's events.)
   */
  const decisions = (snapshot: Record<string, unknown[]>) =>
    (snapshot.AccountsTable as Array<{ accountId: string; status?: string; totalRequests?: number }>).map(
      (a) => ({ accountId: a.accountId, status: a.status, totalRequests: a.totalRequests }),
    );

  const totalRequests = async (pipeline: ReliabilityPipeline): Promise<number> => {
    let sum = 0;
    for await (const account of pipeline.pipeline.accounts()) sum += account.totalRequests;
    return sum;
  };

  /**
   * Nothing doubled: each suspended account has exactly one AccountSuspended and at most one
   * account case (a cluster case also lists members suspended before it); each case has exactly one
   * CaseOpened. Nothing lost: every suspended account has a case.
   */
  const expectNothingDoubled = (pipeline: ReliabilityPipeline, snapshot: Record<string, unknown[]>) => {
    const suspended = (snapshot.AccountsTable as Array<{ status?: string; accountId: string }>)
      .filter((a) => a.status === 'SUSPENDED')
      .map((a) => a.accountId)
      .sort();
    const cases = (
      snapshot.CasesTable as Array<{
        sk: string;
        caseId: string;
        kind: string;
        accountId?: string;
        accountIds?: unknown;
      }>
    ).filter((c) => c.sk === 'CASE');
    const accountsOf = (c: (typeof cases)[number]) =>
      c.accountIds ? [...(c.accountIds as Iterable<string>)] : [String(c.accountId)];
    const published = (type: string, field: string) =>
      pipeline.pipeline.bus
        .events({ detailType: type })
        .map((e) => String(e.detail[field]))
        .sort();
    expect(suspended.length).toBeGreaterThan(0);
    // Account cases only: a cluster case lists its members even when some already have a case.
    const covered = cases.filter((c) => c.kind === 'account').flatMap(accountsOf);
    expect(covered.filter((id, i) => covered.indexOf(id) !== i)).toEqual([]);
    const withCase = new Set(cases.flatMap(accountsOf));
    expect(suspended.filter((id) => !withCase.has(id))).toEqual([]);
    expect(published('AccountSuspended', 'accountId')).toEqual(suspended);
    expect(published('CaseOpened', 'caseId')).toEqual(cases.map((c) => c.caseId).sort());
    // No account is to be suspended by two cluster cases (a MEMBER# item per member it suspends).
    const clusterMembers = (snapshot.CasesTable as Array<{ sk: string }>)
      .filter((item) => item.sk.startsWith('MEMBER#'))
      .map((item) => item.sk);
    expect(clusterMembers.filter((sk, i) => clusterMembers.indexOf(sk) !== i)).toEqual([]);
  };

  /** Nothing lost or given up, nothing doubled, and each account's decision that of the clean run. */
  const expectSameOutcomeAsClean = async (pipeline: ReliabilityPipeline) => {
    expect(pipeline.pipeline.poller.stats.recordsDiscarded).toBe(0);
    expect(pipeline.pipeline.failedBatches).toHaveLength(0);
    expect(await totalRequests(pipeline)).toBe(records.length);
    expect(failedExecutions(pipeline.executions())).toEqual([]);
    const snapshot = await pipeline.snapshot(since);
    expectNothingDoubled(pipeline, snapshot);
    expect(decisions(snapshot)).toEqual(decisions(reference));
  };

  beforeAll(async () => {
    // Prepare: the same traffic without faults
    const clean = await ReliabilityPipeline.start();
    try {
      await clean.run(records);
      reference = await clean.snapshot(since);
      expectNothingDoubled(clean, reference);
    } finally {
      await clean.stop();
    }
  });

  it('absorbs DynamoDB throttling and 500s on every call with SDK retries and redelivery', async () => {
    // Prepare: a quarter of all DynamoDB calls throttled, some answered 500 (some after the write).
    // The SDK's retries absorb throttling; writes whose response is lost come back as per-account
    // failures and are redelivered. (With few SDK attempts whole batches fail: see the next test.)
    const pipeline = await ReliabilityPipeline.start({
      dynamodbMaxAttempts: 10,
      rules: [
        { fault: 'throttle', probability: 0.25, maxInjections: 200 },
        { fault: 'server-error', probability: 0.05, maxInjections: 60 },
        {
          fault: 'server-error-after',
          operations: ['BatchWriteItem', 'UpdateItem'],
          probability: 0.05,
          maxInjections: 30,
        },
        { fault: 'latency', probability: 0.1, latencyMs: 15 },
      ],
    });
    try {
      // Act
      await pipeline.run(records);

      // Assess: the faults happened
      const stats = pipeline.proxy.stats();
      const throttled = Object.values(stats.byOperation).reduce((n, c) => n + c.throttled, 0);
      expect(throttled).toBeGreaterThan(50);
      expect(stats.injectedPerRule[1]).toBeGreaterThan(0);
      expect(stats.injectedPerRule[2]).toBeGreaterThan(0);
      // ...nothing was lost, given up or doubled, and the decisions are those of the clean run
      await expectSameOutcomeAsClean(pipeline);
    } finally {
      await pipeline.stop();
    }
  });

  it('redelivers a batch whose shared steps fail as a whole, without bisecting it or doubling a case', async () => {
    // Prepare: two SDK attempts and frequent throttling of the scorer's tables, so loading states
    // and writing links often fail outright: the scorer reports the whole batch failed, and it is
    // delivered again from its first record (a thrown error would be bisected, and a half could
    // decide a cluster crossing from fewer events, under another name).
    const pipeline = await ReliabilityPipeline.start({ dynamodbMaxAttempts: 2 });
    const { AccountsTable, LinksTable } = pipeline.pipeline.names;
    pipeline.proxy.setRules([
      {
        fault: 'throttle',
        tableName: AccountsTable,
        operations: ['BatchGetItem'],
        probability: 0.3,
        maxInjections: 12,
      },
      {
        fault: 'throttle',
        tableName: LinksTable,
        operations: ['BatchWriteItem'],
        probability: 0.3,
        maxInjections: 12,
      },
    ]);
    try {
      // Act
      await pipeline.run(records);

      // Assess: whole batches failed and were redelivered, none bisected, none given up
      const { poller } = pipeline.pipeline;
      expect(poller.stats.retries).toBeGreaterThan(0);
      expect(poller.stats.bisections).toBe(0);
      // ...nothing lost or doubled (cluster cases included), the decisions of the clean run
      await expectSameOutcomeAsClean(pipeline);
    } finally {
      await pipeline.stop();
    }
  });

  it("retries failing workflow steps with the definition's Retry, writing each case once", async () => {
    // Prepare: no SDK retries, so the state machines' own Retry (throttling, 500s) does the work.
    // Faults hit the cases table, which only the workflows write; some writes land and are then
    // reported as failed (lost responses), so the retry finds its item already there.
    const pipeline = await ReliabilityPipeline.start({ dynamodbMaxAttempts: 1 });
    const tableName = pipeline.pipeline.names.CasesTable;
    pipeline.proxy.setRules([
      // At most 5 faults in all: a state's Retry (5 attempts) can absorb even all of them in a row.
      { fault: 'throttle', tableName, probability: 0.4, maxInjections: 2 },
      { fault: 'server-error', tableName, probability: 0.4, maxInjections: 2 },
      { fault: 'server-error-after', tableName, probability: 0.4, maxInjections: 1 },
    ]);
    try {
      // Act
      await pipeline.run(records);

      // Assess: steps failed and were retried inside the executions
      const injected = pipeline.proxy.stats().injectedPerRule;
      expect(injected.every((n) => n > 0)).toBe(true);
      const executions = pipeline.executions();
      expect(executions.length).toBeGreaterThan(0);
      expect(failedExecutions(executions)).toEqual([]);
      const failedSteps = executions.flatMap((e) => e.history.filter((h) => h.error !== undefined));
      expect(failedSteps.length).toBeGreaterThan(0);
      const snapshot = await pipeline.snapshot(since);
      expectNothingDoubled(pipeline, snapshot);
      expect(snapshot).toEqual(reference);
    } finally {
      await pipeline.stop();
    }
  });
});
