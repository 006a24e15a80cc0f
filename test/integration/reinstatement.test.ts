import { PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { chainEntry, verifyChain } from '../../lambdas/core/cases/audit-chain';
import { scoreBatch } from '../../lambdas/core/batch/score-batch';
import { enforcementInput } from '../support/enforcement-harness';
import { testPolicy } from '../support/policy';
import {
  startLifecycleRuntime,
  synthesizeLifecycleStack,
  type LifecycleRuntime,
} from '../support/lifecycle-runtime';
import { ringTraffic, streamRecords } from '../support/ring-traffic';

const policy = testPolicy();
const BUS = 'cauterize-enforcement';
const RING = Array.from({ length: 6 }, (_, i) => `fp-${i}`);

/**
 * What the cases service does when an investigator clears a case: appends the STATUS_CHANGED entry
 * to the chain, moves the case to FALSE_POSITIVE and publishes CaseUpdated on the bus.
 */
async function clearCase(runtime: LifecycleRuntime, caseId: string) {
  const { record, entries } = await runtime.caseChain(caseId);
  const last = entries.at(-1)!;
  const at = '2026-02-03T09:30:00.000Z';
  const reason = 'benchmark lab: confirmed with the customer';
  const entry = chainEntry(last, {
    caseId,
    at,
    actor: 'investigator@example.com',
    action: 'STATUS_CHANGED',
    reason,
    fromStatus: record.status,
    toStatus: 'FALSE_POSITIVE',
  });
  await runtime.services.dynamodb.send(
    new PutItemCommand({
      TableName: runtime.names.cases,
      Item: marshall({ ...entry, sk: `AUDIT#${String(entry.seq).padStart(4, '0')}` }),
      ConditionExpression: 'attribute_not_exists(caseId)',
    }),
  );
  await runtime.services.dynamodb.send(
    new UpdateItemCommand({
      TableName: runtime.names.cases,
      Key: marshall({ caseId, sk: 'CASE' }),
      UpdateExpression: 'SET #status = :s, lastAuditSeq = :seq, lastAuditHash = :hash, updatedAt = :at',
      ConditionExpression: 'lastAuditSeq = :prev',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: marshall({
        ':s': 'FALSE_POSITIVE',
        ':seq': entry.seq,
        ':hash': entry.hash,
        ':at': at,
        ':prev': last.seq,
      }),
    }),
  );
  return caseUpdated(caseId, record.accountIds, record.status, 'FALSE_POSITIVE', at, reason);
}

function caseUpdated(
  caseId: string,
  accountIds: readonly string[],
  fromStatus: string,
  toStatus: string,
  at: string,
  reason: string,
) {
  return {
    EventBusName: BUS,
    Source: 'cauterize',
    DetailType: 'CaseUpdated',
    Detail: JSON.stringify({
      caseId,
      kind: 'cluster',
      accountIds,
      fromStatus,
      toStatus,
      actor: 'investigator@example.com',
      reason,
      at,
      policyVersion: policy.version,
    }),
  };
}

describe('Class: ReinstatementWorkflow', () => {
  let runtime: LifecycleRuntime;
  let caseId: string;
  let suspendedScores: Map<string, unknown>;

  beforeAll(async () => {
    // Prepare: a ring suspended by one cluster case, which an investigator then clears
    runtime = await startLifecycleRuntime(synthesizeLifecycleStack());
    const deps = runtime.scorerDependencies(policy);
    await scoreBatch(streamRecords(RING.flatMap((id, i) => ringTraffic(id, `fp-card-${i % 2}`, 36))), deps);
    await runtime.drain();
    const [execution] = runtime.cluster.executions();
    caseId = (execution?.input as { caseId: string }).caseId;
    suspendedScores = new Map();
    for (const id of RING) {
      suspendedScores.set(id, (await runtime.item('accounts', { accountId: id }))?.suspendedScore);
    }

    // Act: the cases service clears it
    await runtime.bus.putEvents([await clearCase(runtime, caseId)]);
    await runtime.drain();
  }, 120_000);

  afterAll(async () => {
    await runtime?.stop();
  });

  it('is started by the CaseUpdated rule and reinstates every account the case suspended', async () => {
    // Assess
    expect(runtime.reinstatement.executions().map((e) => e.status)).toEqual(['SUCCEEDED']);
    expect(runtime.bus.deliveryFailures()).toEqual([]);
    for (const id of RING) {
      const account = await runtime.item('accounts', { accountId: id });
      expect(account).toMatchObject({
        status: 'ACTIVE',
        reinstatedCaseId: caseId,
        reinstatedBy: 'investigator@example.com',
        clearedAt: '2026-02-03T09:30:00.000Z',
        clearedScore: suspendedScores.get(id),
        clearedPeakScore: account?.peakRiskScore,
        clearedLinkKeys: account?.linkKeys,
        suspendedCaseId: caseId,
      });
      expect(typeof account?.reinstatedAt).toBe('string');
      expect(typeof account?.reinstatedAuditSeq).toBe('number');
    }
  });

  it('publishes one AccountReinstated per account', () => {
    // Assess
    const events = runtime.bus.events({ detailType: 'AccountReinstated' });
    expect(events.map((e) => e.detail.accountId).sort()).toEqual([...RING].sort());
    expect(events.every((e) => e.detail.caseId === caseId && e.source === 'cauterize')).toBe(true);
  });

  it('appends one REINSTATED entry per account to a chain the cases service verifies', async () => {
    // Assess
    const { record, entries } = await runtime.caseChain(caseId);
    const verification = verifyChain(caseId, entries, record);
    expect(verification.problems).toEqual([]);
    expect(verification.ok).toBe(true);
    expect(entries.map((e) => e.action)).toEqual([
      'OPENED',
      'STATUS_CHANGED',
      ...RING.map(() => 'REINSTATED'),
    ]);
    expect(record).toMatchObject({ status: 'FALSE_POSITIVE', lastAuditSeq: RING.length + 1 });
    expect(
      entries
        .filter((e) => e.action === 'REINSTATED')
        .map((e) => e.reason)
        .sort(),
    ).toEqual(
      [...RING].sort().map((id) => `account ${id} reinstated: the case was cleared as a false positive`),
    );
  });

  it('changes nothing when the event is delivered again (EventBridge delivers at least once)', async () => {
    // Prepare
    const before = await runtime.caseItems(caseId);
    const published = runtime.bus.events().length;
    const { record } = await runtime.caseChain(caseId);

    // Act
    await runtime.bus.putEvents([
      caseUpdated(caseId, record.accountIds, 'OPEN', 'FALSE_POSITIVE', '2026-02-03T09:30:00.000Z', 'again'),
    ]);
    await runtime.drain();

    // Assess
    expect(runtime.reinstatement.executions().map((e) => e.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(await runtime.caseItems(caseId)).toEqual(before);
    expect(runtime.bus.events().length).toBe(published + 1); // the CaseUpdated itself
  });

  it('finishes an interrupted run from its recorded entry instead of appending another', async () => {
    // Prepare: as if a run crashed after the audit entry but before marking the account audited
    const [first] = RING;
    await runtime.services.dynamodb.send(
      new UpdateItemCommand({
        TableName: runtime.names.accounts,
        Key: marshall({ accountId: first }),
        UpdateExpression: 'REMOVE reinstatedAuditSeq',
      }),
    );
    const entriesBefore = (await runtime.caseChain(caseId)).entries.length;
    const reinstatedBefore = runtime.bus.events({ detailType: 'AccountReinstated' }).length;

    // Act
    const { record } = await runtime.caseChain(caseId);
    await runtime.bus.putEvents([
      caseUpdated(caseId, record.accountIds, 'OPEN', 'FALSE_POSITIVE', '2026-02-03T09:30:00.000Z', 'redrive'),
    ]);
    await runtime.drain();

    // Assess
    const after = await runtime.caseChain(caseId);
    expect(after.entries).toHaveLength(entriesBefore);
    expect(verifyChain(caseId, after.entries, after.record).ok).toBe(true);
    expect(await runtime.item('accounts', { accountId: first! })).toHaveProperty('reinstatedAuditSeq');
    // The interrupted account's event may go out again; no other account's does.
    expect(runtime.bus.events({ detailType: 'AccountReinstated' }).length).toBe(reinstatedBefore + 1);
  });

  it('ignores case updates that do not clear a case', async () => {
    // Prepare
    const runs = runtime.reinstatement.executions().length;

    // Act
    await runtime.bus.putEvents([
      caseUpdated(caseId, RING, 'OPEN', 'CONFIRMED', '2026-02-03T10:00:00.000Z', 'not cleared'),
    ]);
    await runtime.drain();

    // Assess
    expect(runtime.reinstatement.executions()).toHaveLength(runs);
  });

  it('does not suspend the accounts again when they are re-scored on the same evidence', async () => {
    // Prepare: the same behaviour a day later from a new shared address (a new link, so the
    // cluster is explored and scored again), on the cards and devices that were cleared
    const deps = runtime.scorerDependencies(policy);
    const clusterRuns = runtime.cluster.executions().length;
    const records = streamRecords(
      RING.flatMap((id, i) =>
        ringTraffic(id, `fp-card-${i % 2}`, 36, 24 * 60).map((e) => ({ ...e, ip: '203.0.113.9' })),
      ),
    );

    // Act
    const outcome = await scoreBatch(records, deps);
    await runtime.drain();

    // Assess
    expect(outcome.failedSequenceNumbers).toEqual([]);
    expect(outcome.stats.clustersScored).toBeGreaterThan(0);
    expect(outcome.stats.enforcementsStarted).toBe(0);
    expect(runtime.cluster.executions()).toHaveLength(clusterRuns);
    expect(runtime.enforcement.executions()).toHaveLength(0);
    for (const id of RING) {
      expect(await runtime.item('accounts', { accountId: id })).toMatchObject({ status: 'ACTIVE' });
    }
  });

  it('enforces again once there is new evidence: members on a new shared card', async () => {
    // Prepare: two members move to a card they share, which they did not have when cleared
    const deps = runtime.scorerDependencies(policy);
    const [a, b] = RING as [string, string];
    const records = streamRecords([a, b].flatMap((id) => ringTraffic(id, 'fp-card-new', 36, 2 * 24 * 60)));

    // Act
    await scoreBatch(records, deps);
    await runtime.drain();

    // Assess: one new cluster case, with exactly the two members whose evidence is new
    const latest = runtime.cluster.executions().at(-1);
    const input = latest?.input as {
      caseId: string;
      members: Array<{ accountId: string }>;
      evidence: { afterClearance: Array<{ accountId: string }> };
    };
    expect(input.caseId).not.toBe(caseId);
    expect(input.members.map((m) => m.accountId).sort()).toEqual([a, b].sort());
    expect(input.evidence.afterClearance.map((c) => c.accountId).sort()).toEqual([a, b].sort());
    for (const id of [a, b]) {
      expect(await runtime.item('accounts', { accountId: id })).toMatchObject({
        status: 'SUSPENDED',
        suspendedCaseId: input.caseId,
      });
    }
    for (const id of RING.slice(2)) {
      expect(await runtime.item('accounts', { accountId: id })).toMatchObject({ status: 'ACTIVE' });
    }
  });

  it('lifts a throttle the cleared case imposed, and leaves an account another case suspended alone', async () => {
    // Prepare: one account throttled by its case; one throttled by the same case but since
    // suspended by another
    const throttle = (accountId: string) =>
      enforcementInput(accountId, {
        caseId: `case-${accountId}-t`,
        action: 'throttle',
        proposedAction: 'throttle',
        riskScore: 60,
        directive: { requestsPerHour: 10 },
        reason: 'risk score 60 is in the throttle band (58 and over)',
      });
    for (const id of ['thr-1', 'thr-2']) {
      await runtime.starter.start({ executionName: `acct-${id}-t`, input: throttle(id) });
    }
    await runtime.drain();
    await runtime.starter.start({
      executionName: 'acct-thr-2-s',
      input: enforcementInput('thr-2', { caseId: 'case-thr-2-s' }),
    });
    await runtime.drain();
    expect(await runtime.item('accounts', { accountId: 'thr-1' })).toMatchObject({
      enforcementState: 'THROTTLED',
      rateLimitPerHour: 10,
    });

    // Act
    await runtime.bus.putEvents([
      await clearCase(runtime, 'case-thr-1-t'),
      await clearCase(runtime, 'case-thr-2-t'),
    ]);
    await runtime.drain();

    // Assess
    const lifted = await runtime.item('accounts', { accountId: 'thr-1' });
    expect(lifted).toMatchObject({ status: 'ACTIVE', reinstatedCaseId: 'case-thr-1-t', clearedScore: 60 });
    for (const field of [
      'enforcementState',
      'enforcementRank',
      'enforcementCaseId',
      'rateLimitPerHour',
      // The enforcement workflow's claim goes with it: a later crossing may open a case again.
      'claimCaseId',
      'claimRank',
      'claimTriggeredAt',
    ]) {
      expect(lifted).not.toHaveProperty(field);
    }
    expect(await runtime.item('accounts', { accountId: 'thr-2' })).toMatchObject({
      status: 'SUSPENDED',
      suspendedCaseId: 'case-thr-2-s',
    });
    const reinstated = runtime.bus
      .events()
      .filter((e) => e['detail-type'] === 'AccountReinstated')
      .map((e) => (e.detail as { accountId: string }).accountId);
    expect(reinstated).toContain('thr-1');
    expect(reinstated).not.toContain('thr-2');
  });
});
