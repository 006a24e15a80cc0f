import type { AccountState } from '../../lambdas/core/account-state';

/**
 * An account state with what linking looks at, everything else neutral: a free-tier, active,
 * unclustered account with 30 requests and a low score. `overrides` sets the rest.
 */
export function neutralAccountState(
  overrides: Partial<AccountState> & Pick<AccountState, 'accountId'>,
): AccountState {
  const at = '2026-02-01T00:00:00.000Z';
  return {
    tier: 'free',
    orgId: null,
    emailDomain: 'mail.example',
    clusterId: null,
    accountCreatedAt: '2026-01-01T00:00:00.000Z',
    status: 'ACTIVE',
    firstEventAt: at,
    lastEventAt: at,
    totalRequests: 30,
    buckets: [],
    recentTopics: [],
    templateBands: [],
    recurringTemplateBands: [],
    asns: [],
    riskScore: 10,
    peakRiskScore: 10,
    band: 'NORMAL',
    reasons: [],
    policyVersion: 'test',
    crossings: 0,
    requestedCrossing: 0,
    watermarks: {},
    recentEventIds: [],
    linkKeys: [],
    version: 1,
    ...overrides,
  } as AccountState;
}
