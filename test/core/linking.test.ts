import type { AccountState } from '../../lambdas/core/account-state';
import { assessCluster, signupBurstShare } from '../../lambdas/core/linking/cluster-risk';
import { weighLink } from '../../lambdas/core/linking/edge-weights';
import { testPolicy } from '../support/policy';

let n = 0;
/** An account state with what linking looks at; everything else neutral. */
function account(overrides: Partial<AccountState> = {}): AccountState {
  n += 1;
  return {
    accountId: `acct-${n}`,
    tier: 'free',
    orgId: null,
    emailDomain: 'mail.example',
    clusterId: null,
    accountCreatedAt: '2026-01-01T00:00:00.000Z',
    status: 'ACTIVE',
    firstEventAt: '2026-02-01T00:00:00.000Z',
    lastEventAt: '2026-02-01T00:00:00.000Z',
    totalRequests: 30,
    buckets: [],
    riskScore: 10,
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

const many = (count: number, overrides: (i: number) => Partial<AccountState>) =>
  Array.from({ length: count }, (_, i) => account(overrides(i)));

describe('Function: weighLink', () => {
  const policy = testPolicy();

  it('gives a card shared by unrelated accounts its full weight', () => {
    // Act
    const link = weighLink(
      'pay#card-9',
      many(12, () => ({})),
      false,
      policy,
    );

    // Assess
    expect(link.weight).toBe(policy.links.weights.pay);
    expect(link.discount).toBeNull();
  });

  it('discounts a card shared only inside one org as ordinary billing', () => {
    // Act
    const link = weighLink(
      'pay#corp-card',
      many(40, () => ({ orgId: 'org-acme' })),
      false,
      policy,
    );

    // Assess
    expect(link.weight).toBeCloseTo(policy.links.weights.pay * policy.links.sameOrgPaymentDiscount);
    expect(link.discount).toMatch(/org-acme/);
  });

  it('discounts an address shared by hundreds of accounts of one email domain as a NAT', () => {
    // Act
    const link = weighLink(
      'ip#192.0.2.10',
      many(200, (i) => ({ emailDomain: i < 180 ? 'uni.edu' : 'mail.example' })),
      true,
      policy,
    );

    // Assess
    expect(link.weight).toBeLessThan(policy.clusters.edgeThreshold);
    expect(link.discount).toMatch(/NAT: 90% of 200\+ accounts on uni\.edu/);
  });

  it('discounts a template shared by many unrelated ordinary accounts as a public prompt', () => {
    // Prepare
    const members = many(30, (i) => ({ orgId: `lab-${i}`, riskScore: 20 }));

    // Act
    const link = weighLink('tpl#0:9f3a', members, false, policy);

    // Assess
    expect(link.weight).toBeLessThan(policy.clusters.edgeThreshold);
    expect(link.discount).toMatch(/public prompt/);
  });

  it('keeps the weight of a template shared by many risky accounts: a campaign, not a benchmark', () => {
    // Act
    const link = weighLink(
      'tpl#0:9f3a',
      many(30, () => ({ riskScore: 60 })),
      false,
      policy,
    );

    // Assess
    expect(link.weight).toBe(policy.links.weights.tpl);
    expect(link.discount).toBeNull();
  });
});

describe('Function: assessCluster', () => {
  const policy = testPolicy();

  it('scores a coordinated ring of young extraction-shaped accounts on shared cards over the suspend threshold', () => {
    // Prepare
    const members = many(20, (i) => ({
      riskScore: 55,
      reasons: [
        {
          signal: 'topicCoverage',
          value: 0.8,
          threshold: 0.3,
          saturation: 0.8,
          points: 15,
          text: 'topic sweep',
        },
      ],
      accountCreatedAt: `2026-01-30T${String(i % 24).padStart(2, '0')}:00:00.000Z`,
      linkKeys: [`pay#card-${i % 2}`],
    }));
    const links = [0, 1].map((c) =>
      weighLink(
        `pay#card-${c}`,
        members.filter((_, i) => i % 2 === c),
        false,
        policy,
      ),
    );

    // Act
    const cluster = assessCluster(members, links, policy);

    // Assess
    expect(cluster.score).toBeGreaterThanOrEqual(policy.clusters.suspend);
    expect(cluster.reasons.map((r) => r.signal)).toEqual(
      expect.arrayContaining(['cluster.memberRisk', 'cluster.signupBurst', 'cluster.sharedInstruments']),
    );
  });

  it('keeps an org of ordinary accounts on one billing card below review', () => {
    // Prepare
    const members = many(40, (i) => ({
      orgId: 'org-acme',
      riskScore: 15,
      accountCreatedAt: `2025-${String((i % 12) + 1).padStart(2, '0')}-01T00:00:00.000Z`,
      linkKeys: ['pay#corp-card'],
    }));

    // Act
    const cluster = assessCluster(members, [weighLink('pay#corp-card', members, false, policy)], policy);

    // Assess
    expect(cluster.score).toBeLessThan(policy.clusters.review);
  });
});

describe('Function: signupBurstShare', () => {
  it('finds the largest group of sign-ups within 72 hours', () => {
    // Prepare
    const members = [
      ...many(6, (i) => ({ accountCreatedAt: `2026-01-10T0${i}:00:00.000Z` })),
      ...many(4, (i) => ({ accountCreatedAt: `2025-0${i + 1}-01T00:00:00.000Z` })),
    ];

    // Act & Assess
    expect(signupBurstShare(members)).toBeCloseTo(0.6);
  });
});
