import { LocalPipeline } from '../../local/local-pipeline';
import type { EnforcementAction } from '../../lambdas/core/policy/policy';
import { ACTION_RANK, actionBandOf } from '../../lambdas/core/lifecycle/enforcement-action';
import type { KinesisWriteRecord } from '../../local/kinesis/kinesis-writer';
import { generateTraffic, type GroundTruth, type LabelledEvent } from '../../sim';
import type { AccountSummary, CaseSummary } from '../../local/summaries';

/**
 * The whole pipeline against the local services: the synthesized stacks provisioned in dynalite
 * and kinesalite, the real scorer handler behind the event source mapping's semantics, and the
 * synthesized state machine run by aws-local-stepfunctions. Nothing is mocked.
 */
describe('Class: LocalPipeline', () => {
  let pipeline: LocalPipeline;
  let truth: GroundTruth;
  let labelled: LabelledEvent[];
  let accounts: Map<string, AccountSummary>;
  let cases: CaseSummary[];

  const toRecord = (e: LabelledEvent): KinesisWriteRecord => ({
    partitionKey: e.event.accountId,
    data: Buffer.from(JSON.stringify(e.event)),
  });

  beforeAll(async () => {
    // Prepare
    const simulation = generateTraffic({ preset: 'demo', seed: 7 });
    truth = simulation.truth;
    labelled = [...simulation.events];
    pipeline = await LocalPipeline.start();

    // Act
    await pipeline.startScoring();
    await pipeline.ingest([
      ...labelled.map(toRecord),
      { partitionKey: 'broken', data: Buffer.from('{"v":1,') },
      {
        partitionKey: 'acct-x',
        data: Buffer.from(JSON.stringify({ ...labelled[0]?.event, promptHash: 'XYZ' })),
      },
    ]);
    await pipeline.drain();
    accounts = new Map();
    for await (const a of pipeline.accounts()) accounts.set(a.accountId, a);
    cases = [];
    for await (const c of pipeline.cases()) cases.push(c);
  });

  afterAll(async () => {
    await pipeline?.stop();
  });

  describe('Method: ingest + drain', () => {
    it('scores every account that sent a valid event', () => {
      const seen = new Set(labelled.map((e) => e.accountId));
      expect(accounts.size).toBe(seen.size);
      expect(pipeline.scoring.valid - pipeline.scoring.duplicates).toBe(labelled.length);
    });

    it('suspends every campaign account under the one case that suspended it', () => {
      const attackers = truth.accounts.filter((a) => a.attack).map((a) => a.accountId);
      expect(attackers.length).toBeGreaterThanOrEqual(5);
      for (const accountId of attackers) {
        const account = accounts.get(accountId);
        expect(account?.status).toBe('SUSPENDED');
        const suspendedBy = cases.filter((c) => c.caseId === account?.caseId);
        expect(suspendedBy).toHaveLength(1);
        expect(suspendedBy[0]).toMatchObject({
          action: 'suspend',
          accountIds: expect.arrayContaining([accountId]),
        });
        // At most one case of its own suspends it; a cluster case may list it as well.
        const own = cases.filter((c) => c.accountId === accountId && c.action === 'suspend');
        expect(own.length).toBeLessThanOrEqual(1);
      }
    });

    it('opens at most one case per account and action, each within its score band', () => {
      const accountCases = cases.filter((c) => c.kind === 'account');
      const keys = accountCases.map((c) => `${c.accountId}:${c.action}`);
      expect(new Set(keys).size).toBe(keys.length);
      // Crossings of the account's own score (anti-regrowth enforces on links, not on the score);
      // a tier override may only weaken the band's action.
      for (const c of accountCases.filter(
        (k) => (k.evidence as { trigger?: string }).trigger === undefined,
      )) {
        const band = actionBandOf(c.riskScore, pipeline.policy);
        expect(band).toBeDefined();
        expect(ACTION_RANK[c.action as EnforcementAction]).toBeLessThanOrEqual(ACTION_RANK[band!.action]);
      }
    });

    it('suspends no legitimate account, the heavy coding-agent user included', () => {
      const legit = truth.accounts.filter((a) => !a.attack);
      const heavy = legit.filter((a) => a.cohort === 'heavy-coding-agent');
      expect(heavy).toHaveLength(1);
      for (const { accountId } of legit) expect(accounts.get(accountId)?.status).not.toBe('SUSPENDED');
    });

    it('freezes the evidence and policy version into each case', () => {
      expect(cases.length).toBeGreaterThan(0);
      for (const c of cases.filter((k) => k.kind === 'account')) {
        expect(c.status).toBe('OPEN');
        expect(c.policyVersion).toBe(pipeline.policy.version);
        expect(c.riskScore).toBeGreaterThanOrEqual(pipeline.policy.thresholds.review);
        const evidence = c.evidence as {
          reasons: Array<{ signal: string; value: number; threshold: number; saturation: number }>;
        };
        expect(evidence.reasons.length).toBeGreaterThan(0);
        // Past the threshold, towards the saturation: below it for lower-is-riskier signals (account age).
        for (const r of evidence.reasons) {
          if (r.saturation > r.threshold) expect(r.value).toBeGreaterThan(r.threshold);
          else expect(r.value).toBeLessThan(r.threshold);
        }
      }
    });

    it('publishes one AccountSuspended per suspension and one CaseOpened per case', () => {
      const suspended = [...accounts.values()].filter((a) => a.status === 'SUSPENDED');
      const published = (type: string, field: string) =>
        pipeline.bus.events({ detailType: type }).map((e) => String(e.detail[field]));
      expect(published('AccountSuspended', 'accountId').sort()).toEqual(
        suspended.map((a) => a.accountId).sort(),
      );
      expect(published('CaseOpened', 'caseId').sort()).toEqual(cases.map((c) => c.caseId).sort());
    });

    it('dead-letters invalid records with the field at fault and fails no batch', () => {
      expect(pipeline.deadLetters.total).toBe(2);
      expect(
        pipeline.deadLetters
          .records()
          .map((r) => r.field)
          .sort(),
      ).toEqual(['(record)', 'promptHash']);
      expect(pipeline.failedBatches).toHaveLength(0);
    });
  });

  describe('Method: ingest (duplicate delivery)', () => {
    it('counts a re-put of recent events once and opens no second case', async () => {
      // Prepare: the gateway retries its last PutRecords call for every account
      const lastPerAccount = new Map<string, LabelledEvent>();
      for (const e of labelled) lastPerAccount.set(e.accountId, e);
      const before = new Map([...accounts].map(([id, a]) => [id, a.totalRequests]));
      const casesBefore = cases.length;

      // Act
      await pipeline.ingest([...lastPerAccount.values()].map(toRecord));
      await pipeline.drain();

      // Assess
      for await (const a of pipeline.accounts()) expect(a.totalRequests).toBe(before.get(a.accountId));
      let casesAfter = 0;
      for await (const _ of pipeline.cases()) casesAfter += 1;
      expect(casesAfter).toBe(casesBefore);
      expect(pipeline.bus.events({ detailType: 'CaseOpened' })).toHaveLength(casesBefore);
    });
  });
});
