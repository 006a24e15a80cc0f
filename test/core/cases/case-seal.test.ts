import fc from 'fast-check';
import { auditHashInput, chainEntry, verifyChain } from '../../../lambdas/core/cases/audit-chain';
import { auditFromItem, auditToItem, type CaseRecord } from '../../../lambdas/core/cases/case-record';
import { canonicalJson, caseSeal, sealDigest, unsealedFields } from '../../../lambdas/core/cases/case-seal';
import { newCase, type OpenCaseInput } from '../../../lambdas/core/cases/case-service';
import { accountCaseFields, sealedRequest } from '../../../lambdas/core/lifecycle/sealed-input';
import { enforcementInput } from '../../support/enforcement-harness';

const opened: OpenCaseInput = {
  caseId: 'case-00000000000000000000000a-1',
  kind: 'account',
  accountIds: ['acct_a'],
  action: 'suspend',
  openedAt: '2026-02-05T18:00:01.000Z',
  riskScore: 82,
  policyVersion: '2026-11-27.1',
  triggeredAt: '2026-02-05T18:00:00.000Z',
  evidence: { reasons: [{ signal: 'topicCoverage', value: 0.93, threshold: 0.5, points: 18.1 }] },
  openedBy: 'cauterize-enforcement',
};

describe('Function: canonicalJson', () => {
  it('is RFC 8785: keys sorted, no whitespace, numbers in their shortest ECMAScript form', () => {
    // Act & Assess
    expect(canonicalJson({ b: [1.5e1, 'x'], a: { d: 1e21, c: 0.1 } })).toBe(
      '{"a":{"c":0.1,"d":1e+21},"b":[15,"x"]}',
    );
  });

  it('gives one text for one JSON value, whatever the key order or spacing it arrived in', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const reparsed = JSON.parse(JSON.stringify(value, null, 2)) as unknown;
        const reordered = JSON.parse(JSON.stringify(reverseKeys(reparsed))) as unknown;
        expect(canonicalJson(reordered)).toBe(canonicalJson(value));
      }),
    );
  });
});

describe('Function: caseSeal', () => {
  it('hashes each present frozen field, and the map of those hashes into the digest', () => {
    // Act
    const seal = caseSeal({ caseId: 'case-x-1', riskScore: 82, evidence: { a: 1 } });

    // Assess
    expect(Object.keys(seal.fields)).toEqual(['caseId', 'riskScore', 'evidence']);
    expect(seal.fields.riskScore).toMatch(/^[0-9a-f]{64}$/);
    expect(seal.digest).toBe(sealDigest(seal.fields));
  });

  it('names every frozen field whose value changed, and none when only JSON formatting did', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 })),
        fc.integer({ min: 0, max: 100 }),
        (evidence, score) => {
          // Prepare
          const fields = { ...accountCaseFields(enforcementInput('acct_p')), evidence, riskScore: score };
          const seal = caseSeal(fields);

          // Act & Assess
          expect(unsealedFields(JSON.parse(JSON.stringify(fields)) as typeof fields, seal.fields)).toEqual(
            [],
          );
          expect(unsealedFields({ ...fields, riskScore: score + 1 }, seal.fields)).toEqual(['riskScore']);
          expect(unsealedFields({ ...fields, evidence: { ...evidence, forged: true } }, seal.fields)).toEqual(
            ['evidence'],
          );
        },
      ),
    );
  });
});

describe('Function: sealedRequest', () => {
  it('seals exactly the fields the account workflow writes, and replaces any seal already there', () => {
    // Prepare
    const input = enforcementInput('acct_s', { action: 'throttle', proposedAction: 'throttle' });

    // Act
    const sealed = sealedRequest({
      executionName: 'acct-s-1',
      input: { ...input, seal: { fields: {}, digest: 'x' } },
    });

    // Assess
    expect(sealed.input.seal).toEqual(
      caseSeal({
        caseId: input.caseId,
        kind: 'account',
        accountId: 'acct_s',
        accountIds: ['acct_s'],
        action: 'throttle',
        riskScore: input.riskScore,
        policyVersion: input.policyVersion,
        triggeredAt: input.triggeredAt,
        evidence: input.evidence,
        openedBy: 'cauterize-enforcement',
      }),
    );
    expect({ ...sealed.input, seal: undefined }).toEqual({ ...input, seal: undefined });
  });
});

describe('Function: verifyChain (chain v2)', () => {
  const sealedCase = () => newCase(opened);

  it('accepts a freshly opened case, its opening hashed as cauterize-audit-v2 with the seal digest last', () => {
    // Prepare
    const { record, opening } = sealedCase();

    // Act
    const verification = verifyChain(record.caseId, [opening], record);

    // Assess
    expect(verification).toMatchObject({ ok: true, sealed: true, problems: [] });
    expect(auditHashInput(opening)).toMatch(/^cauterize-audit-v2\|.*\|0{64}\|[0-9a-f]{64}$/);
  });

  it.each([
    ['evidence', { evidence: { reasons: [] } }],
    ['riskScore', { riskScore: 99 }],
    ['policyVersion', { policyVersion: 'forged' }],
    ['accountIds', { accountIds: ['acct_a', 'acct_b'] }],
    ['action', { action: 'review' }],
    ['kind', { kind: 'cluster' }],
    ['clusterId', { clusterId: 'clu-forged' }],
    ['triggeredAt', { triggeredAt: '2026-01-01T00:00:00.000Z' }],
  ] as Array<[string, Partial<CaseRecord>]>)(
    'names %s when the case item was edited after opening',
    (field, edit) => {
      // Prepare
      const { record, opening } = sealedCase();

      // Act
      const verification = verifyChain(record.caseId, [opening], { ...record, ...edit });

      // Assess
      expect(verification.ok).toBe(false);
      expect(verification.problems).toEqual([
        {
          seq: -1,
          field,
          problem: `${field} differs from what entry 0 sealed when the case was opened (edited?)`,
        },
      ]);
    },
  );

  it('names openedAt when it no longer matches the opening entry', () => {
    // Prepare
    const { record, opening } = sealedCase();

    // Act
    const verification = verifyChain(record.caseId, [opening], {
      ...record,
      openedAt: '2025-01-01T00:00:00.000Z',
    });

    // Assess
    expect(verification.problems).toEqual([expect.objectContaining({ seq: -1, field: 'openedAt' })]);
  });

  it('catches a re-sealed case whose opening hash was not recomputed, and a seal map edited to match', () => {
    // Prepare
    const { record, opening } = sealedCase();
    const forged = { ...record, riskScore: 99 };
    const resealed = { ...opening, seal: caseSeal(accountFieldsOf(forged)) };
    const fieldsOnly = {
      ...opening,
      seal: { ...opening.seal!, fields: caseSeal(accountFieldsOf(forged)).fields },
    };

    // Act
    const whole = verifyChain(record.caseId, [resealed], forged);
    const partial = verifyChain(record.caseId, [fieldsOnly], forged);

    // Assess
    expect(whole.problems).toEqual([{ seq: 0, problem: 'hash does not match its fields (edited?)' }]);
    expect(partial.problems.map((p) => p.problem)).toContain(
      'sealed field hashes do not match the seal digest (edited?)',
    );
  });

  it('checks only the chain tail when given only the tail of the case item', () => {
    // Prepare
    const { record, opening } = sealedCase();
    const { lastAuditSeq, lastAuditHash, status } = record;

    // Act & Assess
    expect(verifyChain(record.caseId, [opening], { lastAuditSeq, lastAuditHash, status }).ok).toBe(true);
  });

  it('still accepts a v1 case (opened before seals), reporting it as not sealed', () => {
    // Prepare
    const { record, opening } = newCase({ ...opened, v1Opening: true });

    // Act
    const verification = verifyChain(record.caseId, [opening], { ...record, riskScore: 99 });

    // Assess
    expect(verification).toMatchObject({ ok: true, sealed: false });
  });

  it('round-trips a sealed opening through the stored item (field hashes as a JSON string)', () => {
    // Prepare
    const { opening } = sealedCase();

    // Act
    const item = auditToItem(opening);
    const back = auditFromItem(item);

    // Assess
    expect(typeof (item.seal as { fields: unknown }).fields).toBe('string');
    expect(back).toEqual(opening);
    expect(auditFromItem({ ...item, seal: {} })).not.toHaveProperty('seal');
  });

  it('lets later entries chain on a sealed opening as before (v1 form)', () => {
    // Prepare
    const { record, opening } = sealedCase();
    const next = chainEntry(opening, {
      caseId: record.caseId,
      at: '2026-02-06T00:00:00.000Z',
      actor: 'alice',
      action: 'STATUS_CHANGED',
      reason: 'looks right',
      fromStatus: 'OPEN',
      toStatus: 'CONFIRMED',
    });

    // Act
    const verification = verifyChain(record.caseId, [opening, next], {
      ...record,
      status: 'CONFIRMED',
      lastAuditSeq: 1,
      lastAuditHash: next.hash,
    });

    // Assess
    expect(verification.ok).toBe(true);
    expect(auditHashInput(next)).toMatch(/^cauterize-audit-v1\|/);
  });
});

function accountFieldsOf(record: CaseRecord) {
  const {
    caseId,
    kind,
    accountId,
    accountIds,
    action,
    riskScore,
    policyVersion,
    triggeredAt,
    evidence,
    openedBy,
  } = record;
  return {
    caseId,
    kind,
    accountId,
    accountIds,
    action,
    riskScore,
    policyVersion,
    triggeredAt,
    evidence,
    openedBy,
  };
}

function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([k, v]) => [k, reverseKeys(v)]),
  );
}
