import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AccountState } from '../../../lambdas/core/account-state';
import { parseEnforcementEvent } from '../../../lambdas/core/events';
import {
  ConcurrentUpdateError,
  type EnforcementRequest,
  type RejectedRecord,
} from '../../../lambdas/core/ports';
import { LINK_KEY_SHARDS, linkShard } from '../../../lambdas/core/linking/link-keys';
import { scoreAccount } from '../../../lambdas/core/batch/account-scorer';
import { scoreBatch, WHOLE_BATCH } from '../../../lambdas/core/batch/score-batch';
import { claimCutoffOf } from '../../../lambdas/core/lifecycle/enforcement-action';
import {
  compareUtf8,
  InvalidExecutionNameError,
  MemoryAccountStore,
  MemoryEnforcement,
  MemoryLinkStore,
} from '../../../local/replay/memory-adapters';
import { extractionEvent, minutesAfter, sequenced } from '../../support/events';
import { testPolicy } from '../../support/policy';
import type { LinkEdge } from '../../../lambdas/core/linking/link-keys';
import { LocalDeadLetterSink } from '../../../local/dead-letter-sink';

const policy = testPolicy();
const T0 = '2026-02-02T00:00:00.000Z';
const fixedClock = { now: () => new Date('2026-03-01T12:00:00.000Z') };

/** A state as the scorer writes it (version 1), built by the real scorer. */
function scoredState(accountId: string): AccountState {
  return scoreAccount(
    undefined,
    sequenced([extractionEvent({ accountId, eventId: `${accountId}-1` })]),
    policy,
  ).state;
}

function enforcementRequest(accountId: string, name = `acct-${accountId}-1`): EnforcementRequest {
  return {
    executionName: name,
    input: {
      accountId,
      caseId: `case-${accountId}-1`,
      riskScore: 88,
      policyVersion: policy.version,
      triggeredAt: T0,
      claimCutoff: claimCutoffOf(T0),
      evidence: { reasons: [{ signal: 'singleTurnShare', points: 25 }] },
      action: 'suspend',
      proposedAction: 'suspend',
      mode: 'enforce',
      reason: 'risk score 88 is in the suspend band (70 and over)',
      directive: {},
    },
  };
}

describe.each([
  { layout: 'copies of states', options: {} },
  { layout: 'marshalled table items (itemCodec)', options: { itemCodec: true } },
])('Class: MemoryAccountStore, keeping $layout', ({ options }) => {
  describe('Method: save', () => {
    it('creates an account once, then only over the version it read', async () => {
      // Prepare
      const store = new MemoryAccountStore(options);
      const first = scoredState('a');

      // Act
      await store.save(first, undefined);

      // Assess
      await expect(store.save(first, undefined)).rejects.toThrow(ConcurrentUpdateError);
      await expect(store.save(first, 0)).rejects.toThrow(ConcurrentUpdateError);
      await expect(store.save({ ...first, version: 3 }, 2)).rejects.toThrow(
        'account a was updated concurrently; the batch will be retried',
      );
      await store.save({ ...first, version: 2, riskScore: 12 }, 1);
      expect((await store.load(['a'])).get('a')).toMatchObject({ version: 2, riskScore: 12 });
      expect(store.counters).toMatchObject({ saves: 2, conflicts: 3 });
    });

    it('copies states in and out, as a table does', async () => {
      // Prepare
      const store = new MemoryAccountStore(options);
      const state = scoredState('a');
      await store.save(state, undefined);

      // Act
      state.linkKeys.push('pay#changed-after-save');
      const loaded = (await store.load(['a'])).get('a') as AccountState;
      loaded.buckets.length = 0;
      loaded.riskScore = 1;

      // Assess
      const again = (await store.load(['a'])).get('a') as AccountState;
      expect(again.linkKeys).not.toContain('pay#changed-after-save');
      expect(again.buckets.length).toBeGreaterThan(0);
      expect(again.riskScore).toBe(state.riskScore);
    });

    it('never overwrites the status the workflow set, even on the first write', async () => {
      // Prepare: the workflow suspends the account before the scorer's first write lands.
      const store = new MemoryAccountStore(options);
      store.suspend('a', { suspendedCaseId: 'case-1', suspendedTriggeredAt: T0 });
      const beforeFirstWrite = (await store.load(['a'])).get('a');

      // Act
      await store.save(scoredState('a'), beforeFirstWrite?.version);

      // Assess
      expect(beforeFirstWrite).toMatchObject({
        accountId: 'a',
        status: 'SUSPENDED',
        version: 0,
        linkKeys: [],
      });
      const after = (await store.load(['a'])).get('a');
      expect(after).toMatchObject({ status: 'SUSPENDED', version: 1 });
      expect(store.item('a')?.enforcement).toEqual({ suspendedCaseId: 'case-1', suspendedTriggeredAt: T0 });
    });
  });

  describe('Method: load', () => {
    it('returns only the accounts it has', async () => {
      // Prepare
      const store = new MemoryAccountStore(options);
      await store.save(scoredState('a'), undefined);

      // Act
      const states = await store.load(['a', 'nobody']);

      // Assess
      expect([...states.keys()]).toEqual(['a']);
    });

    it('gives back the state it was given, with the stored status', async () => {
      // Prepare
      const store = new MemoryAccountStore(options);
      const state = scoredState('a');
      await store.save(state, undefined);
      store.suspend('a', { suspendedCaseId: 'case-1' });

      // Act
      const loaded = (await store.load(['a'])).get('a');

      // Assess
      expect(loaded).toEqual({ ...state, status: 'SUSPENDED' });
      expect(store.item('a')?.state).toEqual(state);
    });
  });

  describe('Method: reinstate', () => {
    it('reinstates only under the case that suspended the account, lifts its claim, and load reads the clearance', async () => {
      // Prepare
      const store = new MemoryAccountStore(options);
      const state = scoredState('a');
      await store.save(state, undefined);
      store.claim('a', { caseId: 'case-1', rank: 4, triggeredAt: T0, cutoff: claimCutoffOf(T0) });
      store.suspend('a', { suspendedCaseId: 'case-1', suspendedScore: 88 });
      const clearance = {
        reinstatedAt: '2026-02-03T09:31:00.000Z',
        reinstatedBy: 'investigator@example.com',
        clearedAt: '2026-02-03T09:30:00.000Z',
        caseScore: 90,
      };

      // Act
      const underOtherCase = store.reinstate('a', { ...clearance, caseId: 'case-other' });
      const underItsCase = store.reinstate('a', { ...clearance, caseId: 'case-1' });

      // Assess
      expect([underOtherCase, underItsCase]).toEqual([false, true]);
      expect(store.item('a')?.status).toBe('ACTIVE');
      expect(store.item('a')?.enforcement).toEqual({
        suspendedCaseId: 'case-1',
        suspendedScore: 88,
        reinstatedAt: clearance.reinstatedAt,
        reinstatedCaseId: 'case-1',
        reinstatedBy: clearance.reinstatedBy,
        clearedAt: clearance.clearedAt,
        clearedScore: 88,
        clearedPeakScore: state.peakRiskScore,
        clearedLinkKeys: state.linkKeys,
      });
      // As DynamoDbAccountStore reads the clearance from the item, for the scorer's protection.
      expect((await store.load(['a'])).get('a')).toMatchObject({
        status: 'ACTIVE',
        reinstatement: {
          caseId: 'case-1',
          reinstatedAt: clearance.reinstatedAt,
          clearedAt: clearance.clearedAt,
          clearedScore: 88,
          clearedPeakScore: state.peakRiskScore,
          clearedLinkKeys: state.linkKeys,
        },
      });
    });
  });
});

describe('Class: MemoryLinkStore', () => {
  const edge = (linkKey: string, accountId: string): LinkEdge => ({
    linkKey,
    accountId,
    kind: 'pay',
    firstSeenAt: T0,
  });

  describe('Method: members', () => {
    it('lists members shard by shard in sort-key order, at most the limit, saying when there are more', async () => {
      // Prepare
      const links = new MemoryLinkStore();
      const ids = Array.from({ length: 40 }, (_, i) => `acct_${String(i).padStart(2, '0')}`);
      await links.put([...ids.slice(20).reverse(), ...ids.slice(0, 5)].map((id) => edge('pay#1', id)));
      await links.members(['pay#1'], 1000); // caches the order, which later puts must keep
      await links.put([...ids.slice(5, 20).reverse(), 'acct_00'].map((id) => edge('pay#1', id)));
      await links.put([edge('pay#2', 'acct_z')]);

      // Act
      const all = await links.members(['pay#1', 'pay#2', 'pay#none'], 1000);
      const sample = await links.members(['pay#1', 'pay#1'], 8);

      // Assess
      const byShard = (list: readonly string[]) =>
        Array.from({ length: LINK_KEY_SHARDS }, (_, s) => list.filter((id) => linkShard(id, 'pay#1') === s));
      const expectedAll = byShard(ids).flat();
      expect(all.get('pay#1')).toEqual({ accountIds: expectedAll, truncated: false });
      expect(all.get('pay#2')).toEqual({ accountIds: ['acct_z'], truncated: false });
      expect(all.get('pay#none')).toEqual({ accountIds: [], truncated: false });
      // 8 over 4 shards: the first 2 of each shard, in order.
      expect(sample.get('pay#1')).toEqual({
        accountIds: byShard(ids).flatMap((shard) => shard.slice(0, 2)),
        truncated: true,
      });
      expect(new Set(byShard(ids).map((shard) => shard.length > 0)).has(false)).toBe(false);
      expect(links.size).toBe(41);
      expect(links.edges('pay#1').map((e) => e.accountId)).toEqual(expectedAll);
    });
  });

  describe('Function: compareUtf8', () => {
    it('orders by code point (UTF-8 bytes), not by UTF-16 unit', () => {
      // Assess
      expect(compareUtf8('\uffff', '\u{10000}')).toBeLessThan(0);
      expect('\u{10000}' < '\uffff').toBe(true);
      expect(['b', 'a', 'ab', '\u{10000}', '\uffff'].sort(compareUtf8)).toEqual([
        'a',
        'ab',
        'b',
        '\uffff',
        '\u{10000}',
      ]);
    });
  });
});

describe('Class: MemoryEnforcement', () => {
  describe('Method: start', () => {
    it('suspends, opens the case with its first audit entry and publishes both events', async () => {
      // Prepare
      const accounts = new MemoryAccountStore();
      await accounts.save(scoredState('a'), undefined);
      const enforcement = new MemoryEnforcement({ accounts, clock: fixedClock });
      const request = enforcementRequest('a');
      const withClusterFields = {
        ...request,
        input: { ...request.input, clusterId: 'cl-1' } as EnforcementRequest['input'],
      };

      // Act
      const { started } = await enforcement.start(withClusterFields);

      // Assess
      expect(started).toBe(true);
      expect(accounts.item('a')).toMatchObject({
        status: 'SUSPENDED',
        enforcement: {
          suspendedAt: '2026-03-01T12:00:00.000Z',
          suspendedCaseId: 'case-a-1',
          suspendedScore: 88,
          suspendedPolicyVersion: policy.version,
          suspendedTriggeredAt: T0,
        },
      });
      expect(enforcement.cases()).toEqual([
        {
          caseId: 'case-a-1',
          kind: 'account',
          accountId: 'a',
          status: 'OPEN',
          openedAt: '2026-03-01T12:00:00.000Z',
          riskScore: 88,
          policyVersion: policy.version,
          triggeredAt: T0,
          evidence: { reasons: [{ signal: 'singleTurnShare', points: 25 }] },
          openedBy: 'cauterize-enforcement',
          clusterId: 'cl-1',
          accountIds: ['a'],
          action: 'suspend',
          proposedAction: 'suspend',
          mode: 'enforce',
          actionReason: 'risk score 88 is in the suspend band (70 and over)',
          directive: {},
          updatedAt: '2026-03-01T12:00:00.000Z',
          notes: [],
          lastAuditSeq: 0,
          lastAuditHash: enforcement.audit('case-a-1')?.hash,
        },
      ]);
      expect(enforcement.audit('case-a-1')).toMatchObject({
        sk: 'AUDIT#0000',
        action: 'OPENED',
        toStatus: 'OPEN',
        reason: 'risk score 88 is in the suspend band (70 and over)',
      });
      expect(
        enforcement.bus.events().map((e) => [e['detail-type'], e.source, e.eventBusName, e.detail]),
      ).toEqual([
        [
          'AccountSuspended',
          'cauterize',
          'cauterize-enforcement',
          {
            accountId: 'a',
            caseId: 'case-a-1',
            riskScore: 88,
            policyVersion: policy.version,
            reason: 'risk score 88 is in the suspend band (70 and over)',
            triggeredAt: T0,
            suspendedAt: '2026-03-01T12:00:00.000Z',
          },
        ],
        [
          'CaseOpened',
          'cauterize',
          'cauterize-enforcement',
          {
            accountId: 'a',
            caseId: 'case-a-1',
            riskScore: 88,
            policyVersion: policy.version,
            reason: 'risk score 88 is in the suspend band (70 and over)',
            triggeredAt: T0,
            kind: 'account',
            accountIds: ['a'],
            action: 'suspend',
            proposedAction: 'suspend',
            mode: 'enforce',
            openedAt: '2026-03-01T12:00:00.000Z',
          },
        ],
      ]);
    });

    it('runs an execution name once, and skips an account that is already suspended', async () => {
      // Prepare
      const accounts = new MemoryAccountStore();
      const enforcement = new MemoryEnforcement({ accounts, clock: fixedClock });
      await enforcement.start(enforcementRequest('a'));

      // Act
      const again = await enforcement.start(enforcementRequest('a'));
      const secondCrossing = await enforcement.start(enforcementRequest('a', 'acct-a-2'));

      // Assess
      expect(again.started).toBe(false);
      expect(secondCrossing.started).toBe(true);
      expect(enforcement.executions().map((e) => [e.name, e.outcome])).toEqual([
        ['acct-a-1', 'ENFORCED'],
        ['acct-a-2', 'ALREADY_SUSPENDED'],
      ]);
      expect(enforcement.cases()).toHaveLength(1);
      expect(enforcement.bus.events()).toHaveLength(2);
    });

    it('rejects names Step Functions rejects', async () => {
      // Prepare
      const enforcement = new MemoryEnforcement({ accounts: new MemoryAccountStore() });

      // Act / Assess
      await expect(enforcement.start(enforcementRequest('a', 'has space'))).rejects.toThrow(
        InvalidExecutionNameError,
      );
      await expect(enforcement.start(enforcementRequest('a', 'x'.repeat(81)))).rejects.toThrow(
        "Invalid Name: 'xxx",
      );
    });
  });

  describe('Method: startCluster', () => {
    it("publishes CaseOpened and each AccountSuspended as their schemas say, with the workflow's fields", async () => {
      // Prepare
      const accounts = new MemoryAccountStore();
      const enforcement = new MemoryEnforcement({ accounts, clock: fixedClock });

      // Act
      await enforcement.startCluster({
        executionName: 'clu-1',
        input: {
          clusterId: 'clu-1',
          caseId: 'case-clu-1',
          riskScore: 80,
          members: [
            { accountId: 'a', riskScore: 70 },
            { accountId: 'b', riskScore: 60 },
          ],
          policyVersion: policy.version,
          triggeredAt: T0,
          evidence: {},
        },
      });

      // Assess
      const events = enforcement.bus.events();
      expect(events.map((e) => e['detail-type'])).toEqual([
        'CaseOpened',
        'AccountSuspended',
        'AccountSuspended',
      ]);
      for (const event of events) {
        expect(() =>
          parseEnforcementEvent({
            source: event.source,
            detailType: event['detail-type'],
            detail: event.detail,
          }),
        ).not.toThrow();
      }
      expect(events[0]?.detail).toMatchObject({ kind: 'cluster', accountIds: ['a', 'b'], triggeredAt: T0 });
    });
  });
});

describe('Class: LocalDeadLetterSink', () => {
  it('counts each record once and appends it to the file once', async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'cauterize-dlq-'));
    const sink = new LocalDeadLetterSink(join(dir, 'rejected.jsonl'));
    const record = (sequenceNumber: string): RejectedRecord => ({
      sequenceNumber,
      partitionKey: 'p',
      field: '(record)',
      reason: 'not valid JSON',
      dataBase64: 'e30=',
      rejectedAt: T0,
    });

    try {
      // Act
      await sink.send([record('1'), record('2')]);
      await sink.send([record('2'), record('3')]);

      // Assess
      expect(sink.total).toBe(3);
      expect(sink.records().map((r) => r.sequenceNumber)).toEqual(['1', '2', '3']);
      expect((await readFile(join(dir, 'rejected.jsonl'), 'utf8')).trim().split('\n')).toHaveLength(3);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('Function: scoreBatch on the memory adapters', () => {
  /** Scorer dependencies on fresh memory adapters, with `links` in place of the link store if given. */
  const memoryDependencies = (links: MemoryLinkStore = new MemoryLinkStore()) => {
    const accounts = new MemoryAccountStore();
    const enforcement = new MemoryEnforcement({ accounts, clock: fixedClock });
    const deadLetters = new LocalDeadLetterSink();
    return { accounts, links, enforcement, deadLetters, policy, clock: fixedClock };
  };

  /** 32 extraction requests 45 minutes apart, of `accountOf(i)`, as stream records. */
  const extractionRecords = (accountOf: (i: number) => string) =>
    sequenced(
      Array.from({ length: 32 }, (_, i) =>
        extractionEvent({
          accountId: accountOf(i),
          eventId: `e-${i}`,
          ts: minutesAfter(T0, i * 45),
          conversationId: `c-${i}`,
        }),
      ),
    ).map(({ event, shardId, sequenceNumber }) => ({
      shardId,
      sequenceNumber,
      partitionKey: event.accountId,
      data: Buffer.from(JSON.stringify(event)),
    }));

  it('suspends an extraction account once across redelivered batches', async () => {
    // Prepare
    const deps = memoryDependencies();
    const { accounts, links, enforcement } = deps;
    const records = extractionRecords(() => 'x');

    // Act
    const first = await scoreBatch(records, deps);
    const redelivered = await scoreBatch(records, deps);

    // Assess
    expect(first.failedSequenceNumbers).toEqual([]);
    expect(first.stats.enforcementsStarted).toBe(1);
    expect(redelivered.stats.duplicates).toBe(32);
    expect(accounts.item('x')?.status).toBe('SUSPENDED');
    expect(accounts.item('x')?.state?.totalRequests).toBe(32);
    expect(enforcement.cases()).toHaveLength(1);
    expect(links.size).toBeGreaterThan(0);
  });

  it('reports every record failed, saving nothing, when a step the whole batch shares fails', async () => {
    // Prepare: the link write fails once (its SDK retries spent), then works
    const links = new MemoryLinkStore();
    let failures = 1;
    const flakyLinks = Object.assign(Object.create(links) as MemoryLinkStore, {
      put: async (edges: readonly LinkEdge[]) => {
        if (failures-- > 0) throw new Error('ProvisionedThroughputExceededException');
        return links.put(edges);
      },
    });
    const deps = memoryDependencies(flakyLinks);
    const { accounts } = deps;
    const records = extractionRecords((i) => (i % 2 === 0 ? 'x' : 'y'));

    // Act
    const failed = await scoreBatch(records, deps);
    const savedAfterFailure = accounts.size;
    const retried = await scoreBatch(records, deps);

    // Assess: the first delivery failed as a whole without throwing, wrote nothing, named the cause
    expect([...failed.failedSequenceNumbers].sort()).toEqual(records.map((r) => r.sequenceNumber).sort());
    expect(failed.errors).toEqual([
      { accountId: WHOLE_BATCH, error: new Error('ProvisionedThroughputExceededException') },
    ]);
    expect(savedAfterFailure).toBe(0);
    expect(failed.stats.enforcementsStarted).toBe(0);
    // ...and the same batch again was scored as one delivery is
    expect(retried.failedSequenceNumbers).toEqual([]);
    expect(accounts.item('x')?.state?.totalRequests).toBe(16);
    expect(accounts.item('y')?.state?.totalRequests).toBe(16);
    expect(retried.stats.duplicates).toBe(0);
  });
});
