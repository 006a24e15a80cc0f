import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { auditHash, GENESIS_HASH, verifyChain } from '../../../lambdas/core/cases/audit-chain';
import { isAllowed, roleOfPrincipal } from '../../../lambdas/core/cases/case-access';
import { archiveKey } from '../../../lambdas/core/cases/case-archive-document';
import type { CaseArchive, CaseUpdatedDetail } from '../../../lambdas/core/cases/case-ports';
import { CaseValidationError } from '../../../lambdas/core/cases/case-query';
import { caseFromItem, CASE_STATUSES, type CaseStatus } from '../../../lambdas/core/cases/case-record';
import { CaseService, newCase } from '../../../lambdas/core/cases/case-service';
import { InMemoryCaseStore } from '../../../lambdas/core/cases/in-memory-case-store';
import { canTransition, InvalidTransitionError } from '../../../lambdas/core/cases/status-transitions';

const openedAt = '2026-02-03T14:05:09.312Z';
const makeCase = (n: number, overrides: Partial<Parameters<typeof newCase>[0]> = {}) =>
  newCase({
    caseId: `case-${n.toString(16).padStart(24, '0')}-1`,
    kind: 'account',
    accountIds: [`acct_${n}`],
    openedAt,
    riskScore: 80,
    policyVersion: '2026-11-26.2',
    triggeredAt: openedAt,
    evidence: { reasons: [{ signal: 'volume', value: 900, threshold: 400 }] },
    openedBy: 'cauterize-enforcement',
    ...overrides,
  });

function setup() {
  const store = new InMemoryCaseStore();
  const published: CaseUpdatedDetail[] = [];
  let tick = 0;
  const service = new CaseService({
    store,
    clock: { now: () => new Date(Date.parse('2026-02-04T00:00:00Z') + 1000 * tick++) },
    events: { caseUpdated: async (detail) => void published.push(detail) },
  });
  return { store, service, published };
}

describe('Function: auditHash', () => {
  it('is the SHA-256 of the contract string, lowercase hex', () => {
    // Prepare
    const entry = {
      caseId: 'case-abc-1',
      seq: 0,
      at: openedAt,
      actor: 'cauterize-enforcement',
      action: 'OPENED',
      fromStatus: 'NONE' as const,
      toStatus: 'OPEN' as const,
      reason: 'risk score crossed the suspend threshold',
      prevHash: GENESIS_HASH,
    };
    const text = `cauterize-audit-v1|case-abc-1|0|${openedAt}|cauterize-enforcement|OPENED|NONE|OPEN|risk score crossed the suspend threshold|${'0'.repeat(64)}`;

    // Act & Assess
    expect(auditHash(entry)).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
    expect(auditHash(entry)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('Class: CaseService', () => {
  describe('Method: changeStatus', () => {
    it('appends a chained STATUS_CHANGED entry and publishes CaseUpdated', async () => {
      // Prepare
      const { store, service, published } = setup();
      const opened = makeCase(1);
      await store.create([opened]);

      // Act
      const outcome = await service.changeStatus(
        opened.record.caseId,
        { status: 'CONFIRMED', reason: 'shared card with a suspended ring' },
        'alice',
      );

      // Assess
      expect(outcome.changed).toBe(true);
      expect(outcome.entry).toMatchObject({
        seq: 1,
        fromStatus: 'OPEN',
        toStatus: 'CONFIRMED',
        actor: 'alice',
      });
      expect(outcome.entry.prevHash).toBe(opened.opening.hash);
      const detail = await service.get(opened.record.caseId);
      expect(detail.record.status).toBe('CONFIRMED');
      expect(detail.verification.ok).toBe(true);
      expect(published).toEqual([
        expect.objectContaining({
          caseId: opened.record.caseId,
          kind: 'account',
          accountIds: ['acct_1'],
          fromStatus: 'OPEN',
          toStatus: 'CONFIRMED',
          actor: 'alice',
          policyVersion: '2026-11-26.2',
        }),
      ]);
    });

    it('refuses a transition the rules do not allow, naming the allowed ones', async () => {
      // Prepare
      const { store, service } = setup();
      const opened = makeCase(2);
      await store.create([opened]);

      // Act & Assess
      await expect(
        service.changeStatus(opened.record.caseId, { status: 'CLOSED', reason: 'done here' }, 'alice'),
      ).rejects.toThrow(InvalidTransitionError);
      await expect(
        service.changeStatus(opened.record.caseId, { status: 'CLOSED', reason: 'done here' }, 'alice'),
      ).rejects.toThrow(/allowed next statuses are UNDER_REVIEW, CONFIRMED, FALSE_POSITIVE/);
    });

    it('treats the same change repeated as already done and republishes it', async () => {
      // Prepare
      const { store, service, published } = setup();
      const opened = makeCase(3);
      await store.create([opened]);
      const change = { status: 'FALSE_POSITIVE', reason: 'benchmark lab', expectedStatus: 'OPEN' };

      // Act
      await service.changeStatus(opened.record.caseId, change, 'bob');
      const again = await service.changeStatus(opened.record.caseId, change, 'bob');

      // Assess
      expect(again.changed).toBe(false);
      expect((await service.get(opened.record.caseId)).audit).toHaveLength(2);
      expect(published).toHaveLength(2);
    });

    it('rejects bad input naming the field and the fix', async () => {
      // Prepare
      const { store, service } = setup();
      const opened = makeCase(4);
      await store.create([opened]);

      // Act & Assess
      await expect(
        service.changeStatus(opened.record.caseId, { status: 'confirmed', reason: 'x' }, 'alice'),
      ).rejects.toThrow(CaseValidationError);
      await expect(
        service.changeStatus(opened.record.caseId, { status: 'confirmed', reason: 'x' }, 'alice'),
      ).rejects.toThrow(
        /status: expected one of OPEN, UNDER_REVIEW, CONFIRMED, FALSE_POSITIVE, CLOSED \(got "confirmed"\)/,
      );
      await expect(service.get('../etc/passwd')).rejects.toThrow(/expected a case id like case-/);
    });
  });

  describe('Method: verify', () => {
    it('detects an edited, a deleted and a truncated entry', async () => {
      // Prepare
      const { store, service } = setup();
      const cases = [makeCase(10), makeCase(11), makeCase(12)];
      await store.create(cases);
      for (const c of cases) {
        await service.assign(c.record.caseId, { assignee: 'carol' }, 'lead');
        await service.changeStatus(c.record.caseId, { status: 'UNDER_REVIEW', reason: 'looking' }, 'carol');
        await service.addNote(c.record.caseId, { text: 'card also seen on acct_99' }, 'carol');
      }
      const [edited, deleted, truncated] = cases.map((c) => c.record.caseId) as [string, string, string];

      // Act
      store.tamper(edited, 2, (e) => ({ ...e, reason: 'nothing to see' }));
      store.tamper(deleted, 1, () => undefined);
      store.tamper(truncated, 3, () => undefined);

      // Assess
      expect((await service.verify(edited)).problems).toContainEqual({
        seq: 2,
        problem: 'hash does not match its fields (edited?)',
      });
      expect((await service.verify(deleted)).problems.map((p) => p.problem).join('\n')).toMatch(/missing/);
      expect((await service.verify(truncated)).problems.map((p) => p.problem).join('\n')).toMatch(
        /case says the last entry is 3, the trail ends at 2/,
      );
    });

    it('accepts every chain built through the service (property)', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(fc.constantFrom(...CASE_STATUSES), { maxLength: 8 }), async (targets) => {
          const { store, service } = setup();
          const opened = makeCase(20);
          await store.create([opened]);
          let status: CaseStatus = 'OPEN';
          for (const to of targets) {
            if (!canTransition(status, to)) continue;
            await service.changeStatus(opened.record.caseId, { status: to, reason: `to ${to}` }, 'dave');
            status = to;
          }
          const detail = await service.get(opened.record.caseId);
          return detail.verification.ok && detail.record.status === status;
        }),
        { numRuns: 50 },
      );
    });
  });

  describe('Method: list', () => {
    it('pages through exactly the matching cases', async () => {
      // Prepare
      const { store, service } = setup();
      await store.create(
        Array.from({ length: 25 }, (_, i) => makeCase(100 + i, { policyVersion: i % 2 ? 'a' : 'b' })),
      );

      // Act
      const seen: string[] = [];
      let nextToken: string | undefined;
      do {
        const page = await service.list(
          { policyVersion: 'a' },
          { limit: '4', ...(nextToken ? { nextToken } : {}) },
        );
        seen.push(...page.cases.map((c) => c.caseId));
        nextToken = page.nextToken;
      } while (nextToken);

      // Assess
      expect(seen).toHaveLength(12);
      expect(new Set(seen).size).toBe(12);
    });

    it('rejects unknown filters and an inverted time range', async () => {
      const { service } = setup();
      await expect(service.list({ state: 'OPEN' })).rejects.toThrow(/Unrecognized key/);
      await expect(
        service.list({ from: '2026-02-05T00:00:00Z', to: '2026-02-04T00:00:00Z' }),
      ).rejects.toThrow(/to: to must be later than from/);
      await expect(service.list({}, { limit: '0' })).rejects.toThrow(/limit: expected at least 1/);
    });
  });

  describe('Method: archive', () => {
    it('archives a closed case once, then records ARCHIVED in the chain', async () => {
      // Prepare
      const { store, service } = setup();
      const opened = makeCase(30);
      await store.create([opened]);
      const id = opened.record.caseId;
      await service.changeStatus(id, { status: 'CONFIRMED', reason: 'ring' }, 'erin');
      const objects = new Map<string, { document: string; retainUntil: Date }>();
      const archive: CaseArchive = {
        put: async (key, document, retainUntil) => {
          const alreadyArchived = objects.has(key);
          if (!alreadyArchived) objects.set(key, { document, retainUntil });
          return { bucket: 'archive', key, versionId: 'v1', alreadyArchived };
        },
      };

      // Act
      const early = await service.archive(id, archive, 30, 'archiver');
      await service.changeStatus(id, { status: 'CLOSED', reason: 'enforced' }, 'erin');
      const first = await service.archive(id, archive, 30, 'archiver');
      const second = await service.archive(id, archive, 30, 'archiver');

      // Assess
      expect(early).toEqual({ outcome: 'not-closed', status: 'CONFIRMED' });
      expect(first).toMatchObject({ outcome: 'archived', verified: true });
      expect(second.outcome).toBe('already-archived');
      const stored = objects.get(archiveKey(opened.record));
      expect(archiveKey(opened.record)).toBe(`cases/2026/02/${id}.json`);
      const document = JSON.parse(stored!.document);
      expect(document.format).toBe('cauterize-case-archive/v1');
      expect(document.audit).toHaveLength(3);
      expect(document.chain.verified).toBe(true);
      const detail = await service.get(id);
      expect(detail.audit.at(-1)).toMatchObject({ seq: 3, action: 'ARCHIVED', toStatus: 'CLOSED' });
      expect(detail.verification.ok).toBe(true);
      expect(detail.record.archive?.key).toBe(archiveKey(opened.record));
    });
  });
});

describe('Function: roleOfPrincipal', () => {
  const roles = { investigator: 'Cauterize-Investigator', compliance: 'Cauterize-Compliance' };

  it('maps assumed-role and role ARNs to case roles, and nothing else', () => {
    expect(
      roleOfPrincipal('arn:aws:sts::123456789012:assumed-role/Cauterize-Investigator/alice', roles),
    ).toBe('investigator');
    expect(roleOfPrincipal('arn:aws:iam::123456789012:role/team/Cauterize-Compliance', roles)).toBe(
      'compliance',
    );
    expect(roleOfPrincipal('arn:aws:iam::123456789012:user/Cauterize-Investigator', roles)).toBeUndefined();
    expect(roleOfPrincipal(undefined, roles)).toBeUndefined();
    expect(isAllowed('compliance', 'changeStatus')).toBe(false);
    expect(isAllowed('investigator', 'changeStatus')).toBe(true);
  });
});

describe('Function: caseFromItem', () => {
  it('reads items the first enforcement workflow wrote, with contract defaults', () => {
    const record = caseFromItem({
      caseId: 'case-abc-1',
      sk: 'CASE',
      kind: 'account',
      accountId: 'acct_1',
      status: 'OPEN',
      openedAt,
      riskScore: 82,
      policyVersion: 'p1',
      triggeredAt: openedAt,
      evidence: '{"reasons":[]}',
      openedBy: 'cauterize-enforcement',
    });
    expect(record).toMatchObject({ accountIds: ['acct_1'], updatedAt: openedAt, notes: [], lastAuditSeq: 0 });
    expect(verifyChain('case-abc-1', [], record).ok).toBe(false);
  });
});
