import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { auditHash, verifyChain } from '../../lambdas/core/cases/audit-chain';
import { auditFromItem, caseFromItem } from '../../lambdas/core/cases/case-record';
import { EVENT_DETAIL_SCHEMAS, parseEnforcementEvent, type EventDetailType } from '../../lambdas/core/events';
import {
  synthesizeTemplates,
  type SynthesizedTemplates,
} from '../../local/cloudformation/synthesized-templates';
import { EnforcementHarness, enforcementInput } from '../support/enforcement-harness';

/**
 * The synthesized account enforcement workflow, run by aws-local-stepfunctions against dynalite
 * and a local bus: every action path, the never-downgrade guards, the case and audit contract,
 * and the published events against their JSON Schemas (docs/events/*.schema.json).
 */
describe('Class: EnforcementWorkflow (local run)', () => {
  let templates: SynthesizedTemplates;
  let harness: EnforcementHarness;

  beforeAll(() => {
    templates = synthesizeTemplates();
  });

  beforeEach(async () => {
    harness = await EnforcementHarness.start(templates);
  });

  afterEach(async () => {
    await harness.stop();
  });

  const types = () => harness.events().map((e) => e['detail-type']);
  const caseOf = async (caseId: string) => {
    const items = await harness.caseItems(caseId);
    const record = items.find((i) => i.sk === 'CASE');
    return {
      items,
      record: record ? caseFromItem(record) : undefined,
      raw: record,
      audit: items.filter((i) => String(i.sk).startsWith('AUDIT#')).map(auditFromItem),
    };
  };

  describe('Method: review path', () => {
    it('opens a case with its hash-chained opening entry and publishes CaseOpened only', async () => {
      // Prepare
      await harness.putAccount('acct-r');
      const input = enforcementInput('acct-r', {
        action: 'review',
        proposedAction: 'review',
        riskScore: 50,
        reason: 'risk score 50 is in the review band (45 and over)',
      });

      // Act
      await harness.run('acct-r-1', input);

      // Assess
      expect(harness.machine.describeExecution('acct-r-1')?.status).toBe('SUCCEEDED');
      // The account only records the claim: a review never touches its status.
      expect(await harness.account('acct-r')).toEqual({
        accountId: 'acct-r',
        status: 'ACTIVE',
        claimCaseId: input.caseId,
        claimRank: 1,
        claimTriggeredAt: input.triggeredAt,
      });
      const { record, raw, audit } = await caseOf(input.caseId);
      expect(record).toMatchObject({
        caseId: input.caseId,
        kind: 'account',
        accountId: 'acct-r',
        accountIds: ['acct-r'],
        status: 'OPEN',
        action: 'review',
        riskScore: 50,
        policyVersion: 'test-policy',
        triggeredAt: input.triggeredAt,
        evidence: input.evidence,
        openedBy: 'cauterize-enforcement',
        notes: [],
        lastAuditSeq: 0,
      });
      expect(raw).toMatchObject({ actionReason: input.reason, proposedAction: 'review', mode: 'enforce' });
      expect(record?.updatedAt).toBe(record?.openedAt);
      expect(audit).toHaveLength(1);
      const opening = audit[0]!;
      expect(opening).toMatchObject({
        seq: 0,
        at: record?.openedAt,
        actor: 'cauterize-enforcement',
        action: 'OPENED',
        reason: input.reason,
        fromStatus: 'NONE',
        toStatus: 'OPEN',
        prevHash: '0'.repeat(64),
      });
      // States.Hash(States.Format(...)) in the ASL equals the cases contract's hash, computed here.
      expect(opening.hash).toBe(auditHash(opening));
      expect(record?.lastAuditHash).toBe(opening.hash);
      expect(verifyChain(input.caseId, audit, record).ok).toBe(true);
      expect(types()).toEqual(['CaseOpened']);
    });
  });

  describe('Method: graduated actions', () => {
    it('throttles with the rate-limit directive and publishes AccountThrottled', async () => {
      // Prepare
      await harness.putAccount('acct-t');
      const input = enforcementInput('acct-t', {
        action: 'throttle',
        proposedAction: 'throttle',
        riskScore: 60,
        directive: { requestsPerHour: 10 },
        reason: 'risk score 60 is in the throttle band (58 and over)',
      });

      // Act
      await harness.run('acct-t-1', input);

      // Assess
      expect(await harness.account('acct-t')).toMatchObject({
        status: 'ACTIVE',
        enforcementState: 'THROTTLED',
        enforcementRank: 2,
        enforcementCaseId: input.caseId,
        rateLimitPerHour: 10,
        enforcementPolicyVersion: 'test-policy',
      });
      expect((await caseOf(input.caseId)).record).toMatchObject({ action: 'throttle', status: 'OPEN' });
      expect(types()).toEqual(['AccountThrottled', 'CaseOpened']);
      expect(harness.events('AccountThrottled')[0]?.detail).toMatchObject({
        accountId: 'acct-t',
        caseId: input.caseId,
        requestsPerHour: 10,
      });
    });

    it('requires re-verification with the checks and publishes VerificationRequired', async () => {
      // Prepare: throttled by an earlier crossing, now in the stronger verify band
      await harness.putAccount('acct-v', {
        enforcementState: { S: 'THROTTLED' },
        enforcementRank: { N: '2' },
        enforcementCaseId: { S: 'case-acct-v-1' },
      });
      const input = enforcementInput('acct-v', {
        caseId: 'case-acct-v-2',
        action: 'verify',
        proposedAction: 'verify',
        riskScore: 66,
        directive: { checks: ['identity', 'payment'] },
        reason: 'risk score 66 is in the verify band (64 and over)',
      });

      // Act
      await harness.run('acct-v-2', input);

      // Assess
      const account = await harness.account('acct-v');
      expect(account).toMatchObject({
        enforcementState: 'VERIFICATION_REQUIRED',
        enforcementRank: 3,
        enforcementCaseId: 'case-acct-v-2',
      });
      expect([...(account?.verificationChecks as Set<string>)].sort()).toEqual(['identity', 'payment']);
      expect(types()).toEqual(['VerificationRequired', 'CaseOpened']);
      expect(harness.events('VerificationRequired')[0]?.detail).toMatchObject({
        checks: ['identity', 'payment'],
      });
    });

    it('suspends and publishes AccountSuspended', async () => {
      // Prepare
      await harness.putAccount('acct-s');
      const input = enforcementInput('acct-s');

      // Act
      await harness.run('acct-s-1', input);

      // Assess
      const account = await harness.account('acct-s');
      const { record } = await caseOf(input.caseId);
      expect(account).toMatchObject({
        status: 'SUSPENDED',
        suspendedCaseId: input.caseId,
        suspendedScore: 82,
        suspendedAt: record?.openedAt,
        suspendedTriggeredAt: input.triggeredAt,
      });
      expect(record?.action).toBe('suspend');
      expect(types()).toEqual(['AccountSuspended', 'CaseOpened']);
    });
  });

  describe('Method: never downgrade', () => {
    it.each([
      ['throttle', 'VERIFICATION_REQUIRED', '3', { requestsPerHour: 10 }],
      ['throttle', 'THROTTLED', '2', { requestsPerHour: 10 }],
      ['verify', 'VERIFICATION_REQUIRED', '3', { checks: ['identity' as const] }],
    ] as const)(
      'does not %s an account already %s: no case, no event',
      async (action, enforcementState, rank, directive) => {
        // Prepare
        await harness.putAccount('acct-d', {
          enforcementState: { S: enforcementState },
          enforcementRank: { N: rank },
          enforcementCaseId: { S: 'case-acct-d-1' },
        });
        const input = enforcementInput('acct-d', {
          caseId: 'case-acct-d-2',
          action,
          proposedAction: action,
          directive,
        });

        // Act
        await harness.run('acct-d-2', input);

        // Assess
        const execution = harness.machine.describeExecution('acct-d-2');
        expect(execution?.history.filter((e) => e.type === 'StateEntered').map((e) => e.stateName)).toEqual([
          'GetAccount',
          'IsAlreadyEnforced',
          'AlreadyEnforced',
        ]);
        expect(await harness.account('acct-d')).toMatchObject({
          enforcementState,
          enforcementCaseId: 'case-acct-d-1',
        });
        expect(await harness.caseItems('case-acct-d-2')).toEqual([]);
        expect(harness.events()).toHaveLength(0);
      },
    );

    it('neither throttles nor reviews a suspended account', async () => {
      // Prepare
      await harness.putAccount('acct-x', {
        status: { S: 'SUSPENDED' },
        suspendedCaseId: { S: 'case-acct-x-1' },
      });

      // Act
      await harness.run(
        'acct-x-2',
        enforcementInput('acct-x', {
          caseId: 'case-acct-x-2',
          action: 'throttle',
          directive: { requestsPerHour: 5 },
        }),
      );
      await harness.run(
        'acct-x-3',
        enforcementInput('acct-x', { caseId: 'case-acct-x-3', action: 'review' }),
      );

      // Assess
      expect(await harness.account('acct-x')).toEqual({
        accountId: 'acct-x',
        status: 'SUSPENDED',
        suspendedCaseId: 'case-acct-x-1',
      });
      expect(await harness.caseItems('case-acct-x-2')).toEqual([]);
      expect(await harness.caseItems('case-acct-x-3')).toEqual([]);
      expect(harness.events()).toHaveLength(0);
    });

    it('opens the case but publishes no action event when another case suspended the account meanwhile', async () => {
      // Prepare: the suspension lands between GetAccount and SuspendAccount
      await harness.putAccount('acct-race');
      await harness.stop();
      harness = await EnforcementHarness.start(templates, {
        wrap: {
          GetAccount: (real) => async (input, context) => {
            const result = await real(input, context);
            await harness.putAccount('acct-race', {
              status: { S: 'SUSPENDED' },
              suspendedCaseId: { S: 'case-other' },
            });
            return result;
          },
        },
      });
      await harness.putAccount('acct-race');
      const input = enforcementInput('acct-race');

      // Act
      await harness.run('acct-race-1', input);

      // Assess
      expect(await harness.account('acct-race')).toMatchObject({ suspendedCaseId: 'case-other' });
      const { record, audit } = await caseOf(input.caseId);
      expect(record?.action).toBe('suspend');
      expect(audit).toHaveLength(1);
      expect(types()).toEqual(['CaseOpened']);
    });
  });

  describe('Method: account claim', () => {
    /** Restarts the harness so that every execution waits after GetAccount until `count` have read. */
    const startWithGetAccountBarrier = async (count: number) => {
      await harness.stop();
      const waiting: Array<() => void> = [];
      harness = await EnforcementHarness.start(templates, {
        wrap: {
          GetAccount: (real) => async (input, context) => {
            const result = await real(input, context);
            await new Promise<void>((resolve) => {
              waiting.push(resolve);
              if (waiting.length === count) for (const release of waiting) release();
            });
            return result;
          },
        },
      });
    };
    const statesEntered = (name: string) =>
      harness.machine
        .describeExecution(name)
        ?.history.filter((e) => e.type === 'StateEntered')
        .map((e) => e.stateName) ?? [];

    it('lets one of two concurrent suspend cases of one account through: one case, one AccountSuspended', async () => {
      // Prepare: a bisected batch's halves decided the crossing as n and n+1; both read the account
      // before either suspends it.
      await startWithGetAccountBarrier(2);
      await harness.putAccount('acct-c');
      const first = enforcementInput('acct-c', { caseId: 'case-acct-c-1' });
      const second = enforcementInput('acct-c', {
        caseId: 'case-acct-c-2',
        triggeredAt: '2026-02-05T18:00:04.000Z',
      });

      // Act
      await harness.machine.startExecution({ name: 'acct-c-1', input: first });
      await harness.machine.startExecution({ name: 'acct-c-2', input: second });
      await harness.machine.drain();

      // Assess
      const account = await harness.account('acct-c');
      const winner = String(account?.suspendedCaseId);
      const loser = winner === first.caseId ? second.caseId : first.caseId;
      expect([first.caseId, second.caseId]).toContain(winner);
      expect(account).toMatchObject({ status: 'SUSPENDED', claimCaseId: winner, claimRank: 4 });
      expect((await caseOf(winner)).record?.action).toBe('suspend');
      expect(await harness.caseItems(loser)).toEqual([]);
      expect(statesEntered(`acct-c-${loser.slice(-1)}`)).toEqual([
        'GetAccount',
        'IsAlreadyEnforced',
        'RankClaim',
        'ClaimAsSuspend',
        'ClaimAccount',
        'AlreadyEnforced',
      ]);
      expect(harness.machine.describeExecution(`acct-c-${loser.slice(-1)}`)?.status).toBe('SUCCEEDED');
      expect(types()).toEqual(['AccountSuspended', 'CaseOpened']);
      expect(harness.events('AccountSuspended')[0]?.detail).toMatchObject({ caseId: winner });
    });

    it('still escalates a throttle to a suspension: a stronger action takes the claim, two cases', async () => {
      // Prepare
      await harness.putAccount('acct-e');
      const throttle = enforcementInput('acct-e', {
        caseId: 'case-acct-e-1',
        action: 'throttle',
        proposedAction: 'throttle',
        directive: { requestsPerHour: 10 },
      });
      const suspend = enforcementInput('acct-e', {
        caseId: 'case-acct-e-2',
        triggeredAt: '2026-02-05T18:00:04.000Z',
      });

      // Act
      await harness.run('acct-e-1', throttle);
      await harness.run('acct-e-2', suspend);

      // Assess
      expect(await harness.account('acct-e')).toMatchObject({
        status: 'SUSPENDED',
        suspendedCaseId: suspend.caseId,
        enforcementState: 'THROTTLED',
        enforcementCaseId: throttle.caseId,
        claimCaseId: suspend.caseId,
        claimRank: 4,
        claimTriggeredAt: suspend.triggeredAt,
      });
      expect((await caseOf(throttle.caseId)).record?.action).toBe('throttle');
      expect((await caseOf(suspend.caseId)).record?.action).toBe('suspend');
      expect(types()).toEqual(['AccountThrottled', 'CaseOpened', 'AccountSuspended', 'CaseOpened']);
    });

    it('refuses a second case of the same rank within the claim window, opens one for a crossing past it', async () => {
      // Prepare: review cases never change the account's status, so the claim alone decides.
      await harness.putAccount('acct-w');
      const review = (n: number, triggeredAt: string) =>
        enforcementInput('acct-w', {
          caseId: `case-acct-w-${n}`,
          action: 'review',
          proposedAction: 'review',
          riskScore: 50,
          triggeredAt,
        });
      const first = review(1, '2026-02-05T18:00:00.000Z');
      const soon = review(2, '2026-02-05T23:59:59.000Z');
      const later = review(3, '2026-02-06T00:00:00.001Z');

      // Act
      await harness.run('acct-w-1', first);
      await harness.run('acct-w-2', soon);
      await harness.run('acct-w-3', later);

      // Assess: claimCutoff is triggeredAt minus 6 h, and the claim is released only before it.
      expect(soon.claimCutoff).toBe('2026-02-05T17:59:59.000Z');
      expect(later.claimCutoff).toBe('2026-02-05T18:00:00.001Z');
      expect(await harness.caseItems(soon.caseId)).toEqual([]);
      expect(statesEntered('acct-w-2').at(-1)).toBe('AlreadyEnforced');
      expect((await caseOf(first.caseId)).record?.status).toBe('OPEN');
      expect((await caseOf(later.caseId)).record?.status).toBe('OPEN');
      expect(await harness.account('acct-w')).toMatchObject({
        status: 'ACTIVE',
        claimCaseId: later.caseId,
        claimRank: 1,
        claimTriggeredAt: later.triggeredAt,
      });
      expect(types()).toEqual(['CaseOpened', 'CaseOpened']);
    });

    it('lets a second execution of the same case through the claim: the case decides between them', async () => {
      // Prepare
      await startWithGetAccountBarrier(2);
      await harness.putAccount('acct-same');
      const input = enforcementInput('acct-same');

      // Act
      await harness.machine.startExecution({ name: 'acct-same-a', input });
      await harness.machine.startExecution({ name: 'acct-same-b', input });
      await harness.machine.drain();

      // Assess
      const ends = ['acct-same-a', 'acct-same-b'].map((name) => statesEntered(name).at(-1)).sort();
      expect(ends).toEqual(['CaseAlreadyOpen', 'Enforced']);
      expect(await harness.account('acct-same')).toMatchObject({
        status: 'SUSPENDED',
        suspendedCaseId: input.caseId,
        claimCaseId: input.caseId,
      });
      expect(types()).toEqual(['AccountSuspended', 'CaseOpened']);
    });
  });

  describe('Method: shadow mode', () => {
    it('opens a case recording what would have been done and never touches the account', async () => {
      // Prepare
      await harness.putAccount('acct-sh');
      const input = enforcementInput('acct-sh', {
        action: 'review',
        proposedAction: 'suspend',
        mode: 'shadow',
        reason:
          'risk score 82 is in the suspend band (70 and over); shadow mode: a case only, the account is untouched (would suspend)',
      });

      // Act
      await harness.run('acct-sh-1', input);

      // Assess
      // Shadow mode claims as review and leaves the account's status and restrictions alone.
      expect(await harness.account('acct-sh')).toEqual({
        accountId: 'acct-sh',
        status: 'ACTIVE',
        claimCaseId: input.caseId,
        claimRank: 1,
        claimTriggeredAt: input.triggeredAt,
      });
      const { raw, audit } = await caseOf(input.caseId);
      expect(raw).toMatchObject({ action: 'review', proposedAction: 'suspend', mode: 'shadow' });
      expect(audit[0]?.hash).toBe(auditHash(audit[0]!));
      expect(types()).toEqual(['CaseOpened']);
      expect(harness.events('CaseOpened')[0]?.detail).toMatchObject({
        action: 'review',
        proposedAction: 'suspend',
        mode: 'shadow',
      });
    });

    it('ignores a suspend action sent with mode shadow', async () => {
      // Prepare
      await harness.putAccount('acct-sh2');

      // Act
      await harness.run('acct-sh2-1', enforcementInput('acct-sh2', { mode: 'shadow' }));

      // Assess
      expect((await harness.account('acct-sh2'))?.status).toBe('ACTIVE');
      expect(types()).toEqual(['CaseOpened']);
    });
  });

  describe('Method: published events', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    const validators = Object.fromEntries(
      Object.keys(EVENT_DETAIL_SCHEMAS).map((type) => [
        type,
        ajv.compile(
          JSON.parse(
            readFileSync(join(__dirname, '..', '..', 'docs', 'events', `${type}.schema.json`), 'utf8'),
          ),
        ),
      ]),
    );

    it('validates every event of every path against its zod schema and its published JSON Schema', async () => {
      // Prepare
      const paths = [
        enforcementInput('e-review', { action: 'review', proposedAction: 'review' }),
        enforcementInput('e-throttle', {
          action: 'throttle',
          proposedAction: 'throttle',
          directive: { requestsPerHour: 12 },
        }),
        enforcementInput('e-verify', {
          action: 'verify',
          proposedAction: 'verify',
          directive: { checks: ['payment'] },
        }),
        enforcementInput('e-suspend'),
        enforcementInput('e-shadow', { action: 'review', proposedAction: 'verify', mode: 'shadow' }),
      ];
      for (const input of paths) await harness.putAccount(input.accountId);

      // Act
      for (const input of paths) await harness.machine.startExecution({ name: input.accountId, input });
      await harness.machine.drain();

      // Assess
      const events = harness.events();
      expect(new Set(events.map((e) => e['detail-type']))).toEqual(
        new Set(['CaseOpened', 'AccountThrottled', 'VerificationRequired', 'AccountSuspended']),
      );
      expect(harness.events('CaseOpened')).toHaveLength(paths.length);
      for (const event of events) {
        const detailType = event['detail-type'] as EventDetailType;
        expect(() =>
          parseEnforcementEvent({ source: event.source, detailType, detail: event.detail }),
        ).not.toThrow();
        const validate = validators[detailType]!;
        expect({ detailType, valid: validate(event.detail), errors: validate.errors ?? null }).toEqual({
          detailType,
          valid: true,
          errors: null,
        });
      }
    });
  });
});
