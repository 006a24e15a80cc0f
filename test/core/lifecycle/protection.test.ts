import type { Reinstatement } from '../../../lambdas/core/account-state';
import {
  afterClearance,
  reenforcementCheck,
  reinstatementFromItem,
} from '../../../lambdas/core/lifecycle/protection';
import { testPolicy } from '../../support/policy';

const policy = testPolicy(); // reinstatement.reenforceMargin 10, newInstrumentLifts true
const cleared: Reinstatement = {
  caseId: 'case-clu-abc',
  reinstatedAt: '2026-02-03T10:00:00.000Z',
  clearedAt: '2026-02-03T09:30:00.000Z',
  clearedScore: 72,
  clearedPeakScore: 75,
  clearedLinkKeys: ['pay#card-1', 'dev#dev-1', 'ip#198.51.100.7'],
};
const account = (
  overrides: Partial<{ riskScore: number; peakRiskScore: number; linkKeys: string[] }> = {},
) => ({
  reinstatement: cleared,
  riskScore: 76,
  peakRiskScore: 78,
  linkKeys: [...cleared.clearedLinkKeys],
  ...overrides,
});

describe('Function: reenforcementCheck', () => {
  it('says nothing about an account never reinstated', () => {
    // Act / Assess
    expect(reenforcementCheck({ ...account(), reinstatement: undefined }, policy)).toBeUndefined();
  });

  it('protects an account whose risk stays within the margin over what was cleared (its peak, 75)', () => {
    // Act
    const check = reenforcementCheck(account({ peakRiskScore: 84 }), policy);

    // Assess
    expect(check).toEqual({
      allowed: false,
      because: 'cleared in case-clu-abc: risk 84 is under 85 and no new card or device',
    });
  });

  it('lifts the protection once the risk rises the margin over the cleared score', () => {
    // Act / Assess
    expect(reenforcementCheck(account({ peakRiskScore: 85 }), policy)?.allowed).toBe(true);
  });

  it('lifts it for a card or device the account did not have when cleared, not for a new address', () => {
    // Act
    const newAddress = reenforcementCheck(
      account({ linkKeys: [...cleared.clearedLinkKeys, 'ip#203.0.113.9'] }),
      policy,
    );
    const newCard = reenforcementCheck(
      account({ linkKeys: [...cleared.clearedLinkKeys, 'pay#card-9'] }),
      policy,
    );
    const newCardNotInCluster = reenforcementCheck(
      account({ linkKeys: [...cleared.clearedLinkKeys, 'pay#card-9'] }),
      policy,
      new Set(['pay#card-1']),
    );

    // Assess
    expect(newAddress?.allowed).toBe(false);
    expect(newCard).toEqual({ allowed: true, because: 'new pay link since case-clu-abc was cleared' });
    expect(newCardNotInCluster?.allowed).toBe(false);
  });

  it('does not count new instruments when the policy says so', () => {
    // Prepare
    const strict = testPolicy({ reinstatement: { reenforceMargin: 10, newInstrumentLifts: false } });

    // Act / Assess
    expect(reenforcementCheck(account({ linkKeys: ['pay#card-9'] }), strict)?.allowed).toBe(false);
  });
});

describe('Function: afterClearance', () => {
  it('renames the run after the cleared case and freezes the clearance into the evidence', () => {
    // Prepare
    const request = {
      executionName: 'acct-0123456789abcdef01234567-r1',
      input: {
        accountId: 'a',
        caseId: 'case-0123456789abcdef01234567-r1',
        evidence: { trigger: 'regrowth' },
      },
    } as unknown as Parameters<typeof afterClearance>[0];

    // Act
    const renamed = afterClearance(request, cleared, { allowed: true, because: 'new pay link' });

    // Assess
    expect(renamed.executionName).toMatch(/^acct-0123456789abcdef01234567-x[0-9a-f]{10}$/);
    expect(renamed.input.caseId).toBe(
      `case-0123456789abcdef01234567-${renamed.executionName.split('-').pop()}`,
    );
    expect(renamed.input.evidence).toEqual({
      trigger: 'regrowth',
      afterClearance: {
        clearedCaseId: 'case-clu-abc',
        clearedAt: cleared.clearedAt,
        clearedScore: 75,
        reenforcedBecause: 'new pay link',
      },
    });
  });
});

describe('Function: reinstatementFromItem', () => {
  it('reads what the reinstatement workflow writes on an accounts item', () => {
    // Act / Assess
    expect(
      reinstatementFromItem({
        reinstatedCaseId: 'case-clu-abc',
        reinstatedAt: cleared.reinstatedAt,
        clearedAt: cleared.clearedAt,
        clearedScore: 72,
        clearedPeakScore: 75,
        clearedLinkKeys: [...cleared.clearedLinkKeys],
      }),
    ).toEqual(cleared);
    expect(reinstatementFromItem({ status: 'ACTIVE' })).toBeUndefined();
  });
});
