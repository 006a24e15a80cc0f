import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { verifyChain } from '../../lambdas/core/cases/audit-chain';
import type { ClusterEnforcementRequest } from '../../lambdas/core/ports';
import { scoreBatch } from '../../lambdas/core/batch/score-batch';
import type { CloudFormationTemplate } from '../../local/cloudformation/cloudformation-template';
import {
  ExecutionAlreadyExistsError,
  type LocalExecution,
} from '../../local/stepfunctions/local-state-machine';
import { failOnceAfterWrite } from '../support/task-faults';
import { testPolicy } from '../support/policy';
import {
  startLifecycleRuntime,
  synthesizeLifecycleStack,
  type LifecycleRuntime,
} from '../support/lifecycle-runtime';
import { ringTraffic, streamRecords } from '../support/ring-traffic';

const policy = testPolicy();

/** A cluster workflow request over these members (what the scorer sends). */
function clusterRequest(name: string, members: string[]): ClusterEnforcementRequest {
  return {
    executionName: name,
    input: {
      clusterId: 'clu-test',
      caseId: `case-${name}`,
      riskScore: 74,
      members: members.map((accountId, i) => ({ accountId, riskScore: 30 + i })),
      policyVersion: policy.version,
      triggeredAt: '2026-02-02T10:00:00.000Z',
      evidence: { trigger: 'cluster', cluster: { size: members.length, score: 74 } },
    },
  };
}

async function putAccount(runtime: LifecycleRuntime, accountId: string, extra: Record<string, string> = {}) {
  await runtime.services.dynamodb.send(
    new PutItemCommand({
      TableName: runtime.names.accounts,
      Item: {
        accountId: { S: accountId },
        status: { S: extra.status ?? 'ACTIVE' },
        ...Object.fromEntries(
          Object.entries(extra)
            .filter(([key]) => key !== 'status')
            .map(([key, value]) => [key, { S: value }]),
        ),
      },
    }),
  );
}

/** The last state each execution entered. */
const endStates = (executions: readonly LocalExecution[]) =>
  executions.map((e) => e.history.filter((h) => h.type === 'StateEntered').pop()?.stateName);

describe.each([
  ['STANDARD, inline Map', {}, 'SuspendMembers'],
  ['STANDARD, Distributed Map', { distributedMapThreshold: 2 }, 'SuspendMembersDistributed'],
  ['EXPRESS, inline Map', { clusterWorkflowType: 'EXPRESS' }, 'SuspendMembers'],
] as const)('Class: ClusterEnforcementWorkflow (%s)', (_flavour, stackOptions, mapState) => {
  let template: CloudFormationTemplate;
  let runtime: LifecycleRuntime;

  beforeAll(() => {
    template = synthesizeLifecycleStack(stackOptions);
  });

  beforeEach(async () => {
    runtime = await startLifecycleRuntime(template);
  });

  afterEach(async () => {
    await runtime.stop();
  });

  it('suspends exactly the members not yet suspended, under one cluster case with all of them', async () => {
    // Prepare: m3 was suspended by another case before
    for (const id of ['m1', 'm2', 'm4']) await putAccount(runtime, id);
    await putAccount(runtime, 'm3', { status: 'SUSPENDED', suspendedCaseId: 'case-other' });
    const request = clusterRequest('clu-one', ['m1', 'm2', 'm3', 'm4', 'm5']);

    // Act
    const { started } = await runtime.starter.startCluster(request);
    await runtime.drain();

    // Assess
    expect(started).toBe(true);
    const execution = runtime.cluster.describeExecution('clu-one');
    expect(execution?.status).toBe('SUCCEEDED');
    expect(execution?.history.some((e) => e.stateName === mapState)).toBe(true);
    for (const id of ['m1', 'm2', 'm4', 'm5']) {
      expect(await runtime.item('accounts', { accountId: id })).toMatchObject({
        status: 'SUSPENDED',
        suspendedCaseId: 'case-clu-one',
        suspendedClusterId: 'clu-test',
        suspendedTriggeredAt: '2026-02-02T10:00:00.000Z',
      });
    }
    expect(await runtime.item('accounts', { accountId: 'm3' })).toMatchObject({
      status: 'SUSPENDED',
      suspendedCaseId: 'case-other',
    });

    const items = await runtime.caseItems('case-clu-one');
    expect(items.map((i) => i.sk)).toEqual([
      'AUDIT#0000',
      'CASE',
      'MEMBER#m1',
      'MEMBER#m2',
      'MEMBER#m3',
      'MEMBER#m4',
      'MEMBER#m5',
    ]);
    const { record, entries } = await runtime.caseChain('case-clu-one');
    expect(record).toMatchObject({
      kind: 'cluster',
      clusterId: 'clu-test',
      accountIds: ['m1', 'm2', 'm3', 'm4', 'm5'],
      status: 'OPEN',
      action: 'suspend',
      riskScore: 74,
      lastAuditSeq: 0,
      notes: [],
    });
    expect(record).not.toHaveProperty('accountId');
    expect(record.evidence).toEqual(request.input.evidence);
    // Stored as a JSON string, as the cases contract says.
    expect(JSON.parse(String(items.find((i) => i.sk === 'CASE')?.evidence))).toEqual(request.input.evidence);
    for (const member of items.filter((i) => String(i.sk).startsWith('MEMBER#'))) {
      expect(member).toEqual({
        caseId: 'case-clu-one',
        sk: `MEMBER#${String(member.accountId)}`,
        accountId: member.accountId,
        openedAt: record.openedAt,
        kind: 'cluster-member',
      });
    }
    // The hash States.Hash computed in the workflow is the one the cases service recomputes.
    expect(verifyChain('case-clu-one', entries, record)).toMatchObject({ ok: true, entries: 1 });
    expect(entries[0]).toMatchObject({ action: 'OPENED', fromStatus: 'NONE', toStatus: 'OPEN', seq: 0 });

    expect(runtime.bus.events({ detailType: 'CaseOpened' }).map((e) => e.detail)).toEqual([
      expect.objectContaining({
        caseId: 'case-clu-one',
        kind: 'cluster',
        accountIds: ['m1', 'm2', 'm3', 'm4', 'm5'],
        openedAt: record.openedAt,
      }),
    ]);
    const suspendedEvents = runtime.bus.events({ detailType: 'AccountSuspended' });
    expect(suspendedEvents.map((e) => e.detail.accountId).sort()).toEqual(['m1', 'm2', 'm4', 'm5']);
    expect(suspendedEvents.every((e) => e.detail.caseId === 'case-clu-one')).toBe(true);
  });

  /** Exactly one case, opening entry and CaseOpened, and one AccountSuspended per member, for `request`. */
  async function expectEnforcedOnce(request: ClusterEnforcementRequest): Promise<void> {
    const { caseId } = request.input;
    const members = request.input.members.map((m) => m.accountId);
    expect((await runtime.caseItems(caseId)).map((i) => i.sk)).toEqual([
      'AUDIT#0000',
      'CASE',
      ...members.map((id) => `MEMBER#${id}`).sort(),
    ]);
    const { record, entries } = await runtime.caseChain(caseId);
    expect(verifyChain(caseId, entries, record)).toMatchObject({ ok: true, entries: 1 });
    for (const id of members) {
      expect(await runtime.item('accounts', { accountId: id })).toMatchObject({
        status: 'SUSPENDED',
        suspendedCaseId: caseId,
        suspendedAt: record.openedAt,
      });
    }
    expect(runtime.bus.events({ detailType: 'CaseOpened' })).toHaveLength(1);
    expect(
      runtime.bus
        .events({ detailType: 'AccountSuspended' })
        .map((e) => e.detail.accountId)
        .sort(),
    ).toEqual([...members].sort());
  }

  it('changes nothing when started again under the same name, or re-run as another execution', async () => {
    // Prepare
    for (const id of ['m1', 'm2', 'm3']) await putAccount(runtime, id);
    const request = clusterRequest('clu-two', ['m1', 'm2', 'm3']);
    await runtime.starter.startCluster(request);
    await runtime.drain();
    const before = {
      items: await runtime.caseItems('case-clu-two'),
      accounts: await Promise.all(
        ['m1', 'm2', 'm3'].map((id) => runtime.item('accounts', { accountId: id })),
      ),
    };

    // Act: the same name again (a redelivered batch), the same name with other input, then a
    // second run of the same input under another name (a crossing routed to the other machine)
    const again = await runtime.starter.startCluster(request);
    const changed = { name: 'clu-two', input: { ...request.input, riskScore: 75 } };
    if (runtime.cluster.workflowType === 'STANDARD') {
      await expect(runtime.cluster.startExecution(changed)).rejects.toBeInstanceOf(
        ExecutionAlreadyExistsError,
      );
    } else {
      await runtime.cluster.startExecution(changed);
    }
    await runtime.cluster.startExecution({ name: 'clu-two-rerun', input: request.input });
    await runtime.drain();

    // Assess: Standard refuses the name; Express runs every start, and each later run finds the
    // case owned by the first and ends writing and publishing nothing
    expect(again.started).toBe(runtime.cluster.workflowType === 'EXPRESS');
    const [first, ...later] = runtime.cluster.executions();
    expect(endStates([first!])).toEqual(['ClusterEnforced']);
    expect(later).toHaveLength(runtime.cluster.workflowType === 'EXPRESS' ? 3 : 1);
    expect(later.every((e) => e.status === 'SUCCEEDED')).toBe(true);
    expect(endStates(later).every((end) => end === 'ClusterCaseAlreadyOpen')).toBe(true);
    expect(await runtime.caseItems('case-clu-two')).toEqual(before.items);
    expect(
      await Promise.all(['m1', 'm2', 'm3'].map((id) => runtime.item('accounts', { accountId: id }))),
    ).toEqual(before.accounts);
    await expectEnforcedOnce(request);
  });

  it('acts once for ten concurrent starts of the same crossing', async () => {
    // Prepare
    const members = ['c1', 'c2', 'c3', 'c4'];
    for (const id of members) await putAccount(runtime, id);
    const request = clusterRequest('clu-ten', members);

    // Act
    const results = await Promise.all(
      Array.from({ length: 10 }, () => runtime.starter.startCluster(request)),
    );
    await runtime.drain();

    // Assess: Standard dedupes the name; Express starts ten, and the case's put lets one act
    const executions = runtime.cluster.executions();
    expect(executions.every((e) => e.status === 'SUCCEEDED')).toBe(true);
    const express = runtime.cluster.workflowType === 'EXPRESS';
    expect(results.filter((r) => r.started)).toHaveLength(express ? 10 : 1);
    expect(executions).toHaveLength(express ? 10 : 1);
    const ends = endStates(executions);
    expect(ends.filter((end) => end === 'ClusterEnforced')).toHaveLength(1);
    expect(
      ends.filter((end) => end !== 'ClusterEnforced').every((end) => end === 'ClusterCaseAlreadyOpen'),
    ).toBe(true);
    await expectEnforcedOnce(request);
  });

  it('acts once when ten executions with different names carry the same case', async () => {
    // Prepare
    const members = ['d1', 'd2', 'd3'];
    for (const id of members) await putAccount(runtime, id);
    const request = clusterRequest('clu-names', members);

    // Act
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        runtime.cluster.startExecution({ name: `clu-names-run-${i}`, input: request.input }),
      ),
    );
    await runtime.drain();

    // Assess: one owns the case; the others found it owned, or lost its put and read the owner
    const ends = endStates(runtime.cluster.executions());
    expect(ends).toHaveLength(10);
    expect(ends.filter((end) => end === 'ClusterEnforced')).toHaveLength(1);
    expect(ends.filter((end) => end === 'ClusterCaseAlreadyOpen')).toHaveLength(9);
    await expectEnforcedOnce(request);
  });
});

describe.each(['STANDARD', 'EXPRESS'] as const)(
  'Class: ClusterEnforcementWorkflow (%s, a step retried after its write)',
  (clusterWorkflowType) => {
    let template: CloudFormationTemplate;
    let runtime: LifecycleRuntime | undefined;

    beforeAll(() => {
      template = synthesizeLifecycleStack({ clusterWorkflowType });
    });

    afterEach(async () => {
      await runtime?.stop();
      runtime = undefined;
    });

    it.each(['OpenClusterCase', 'RecordClusterCaseOpening'])(
      'goes on and never duplicates a write or an event when %s is retried',
      async (state) => {
        // Prepare
        const calls = { count: 0 };
        runtime = await startLifecycleRuntime(template, {
          wrapCluster: { [state]: failOnceAfterWrite(calls) },
        });
        for (const id of ['r1', 'r2', 'r3']) await putAccount(runtime, id);
        const request = clusterRequest('clu-retry', ['r1', 'r2', 'r3']);

        // Act
        await runtime.starter.startCluster(request);
        await runtime.drain();

        // Assess: the owner's retried put finds its own case (openedByExecution) and goes on
        const [execution] = runtime.cluster.executions();
        expect(calls.count).toBe(2);
        expect(execution?.history).toContainEqual(
          expect.objectContaining({ type: 'StateRetried', stateName: state }),
        );
        expect(endStates([execution!])).toEqual(['ClusterEnforced']);
        expect((await runtime.caseItems('case-clu-retry')).map((i) => i.sk)).toEqual([
          'AUDIT#0000',
          'CASE',
          'MEMBER#r1',
          'MEMBER#r2',
          'MEMBER#r3',
        ]);
        expect(runtime.bus.events({ detailType: 'CaseOpened' })).toHaveLength(1);
        expect(runtime.bus.events({ detailType: 'AccountSuspended' })).toHaveLength(3);
      },
    );
  },
);

describe('Function: scoreBatch (cluster crossing on the local services)', () => {
  let runtime: LifecycleRuntime;

  beforeAll(async () => {
    runtime = await startLifecycleRuntime(synthesizeLifecycleStack());
  });

  afterAll(async () => {
    await runtime.stop();
  });

  it('starts ONE cluster run for a ring no account threshold catches, and nothing more on redelivery', async () => {
    // Prepare
    const deps = runtime.scorerDependencies(policy);
    const ring = Array.from({ length: 8 }, (_, i) => `ring-${i}`);
    const records = streamRecords(ring.flatMap((id, i) => ringTraffic(id, `card-${i % 2}`, 36)));

    // Act
    const first = await scoreBatch(records, deps);
    await runtime.drain();
    const redelivered = await scoreBatch(records, deps);
    await runtime.drain();

    // Assess
    expect(first.failedSequenceNumbers).toEqual([]);
    expect(runtime.cluster.executions()).toHaveLength(1);
    expect(runtime.enforcement.executions()).toHaveLength(0);
    const [execution] = runtime.cluster.executions();
    expect(execution?.status).toBe('SUCCEEDED');
    const caseId = (execution?.input as { caseId: string }).caseId;
    const { record } = await runtime.caseChain(caseId);
    expect([...record.accountIds].sort()).toEqual([...ring].sort());
    for (const id of ring) {
      const account = await runtime.item('accounts', { accountId: id });
      expect(account).toMatchObject({ status: 'SUSPENDED', suspendedCaseId: caseId });
      expect(Number(account?.riskScore)).toBeLessThan(policy.thresholds.suspend);
    }
    expect(redelivered.stats.enforcementsStarted).toBe(0);
    expect(runtime.bus.events({ detailType: 'CaseOpened' })).toHaveLength(1);
    expect(runtime.bus.events({ detailType: 'AccountSuspended' })).toHaveLength(ring.length);
  });
});
