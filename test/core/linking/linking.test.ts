import type { AccountState } from '../../../lambdas/core/account-state';
import { assessCluster, signupBurstShare } from '../../../lambdas/core/linking/cluster-risk';
import type { Cluster } from '../../../lambdas/core/linking/cluster-engine';
import { clusterMembersToEnforce } from '../../../lambdas/core/lifecycle/cluster-request';
import { weighLink } from '../../../lambdas/core/linking/edge-weights';
import type { LinkMembers } from '../../../lambdas/core/ports';
import { emptyBucket, type HourBucket } from '../../../lambdas/core/scoring/window';
import { neutralAccountState } from '../../support/account-state';
import { testPolicy } from '../../support/policy';

let n = 0;
/** An account state with what linking looks at; everything else neutral. */
function account(overrides: Partial<AccountState> = {}): AccountState {
  n += 1;
  return neutralAccountState({ accountId: `acct-${n}`, ...overrides });
}

const many = (count: number, overrides: (i: number) => Partial<AccountState>) =>
  Array.from({ length: count }, (_, i) => account(overrides(i)));

/** One hour of traffic; its extraction evidence is 1.5 requests per extraction-shaped one (`ex` counts halves). */
const hourWith = (requests: number, extractionShaped: number): HourBucket => ({
  ...emptyBucket(491_000),
  n: requests,
  ex: extractionShaped * 3,
});

/** A key's edges as the link store reads them: each member's sender and topic tag. */
const edgesOf = (
  members: readonly AccountState[],
  sender: (i: number) => string,
  tag: (i: number) => string,
) =>
  ({
    accountIds: members.map((m) => m.accountId),
    entities: members.map((_, i) => sender(i)),
    tags: members.map((_, i) => tag(i)),
    truncated: false,
  }) satisfies LinkMembers;

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

  describe('an org card whose accounts together outgrow ordinary use (links.orgBillingLimit)', () => {
    const limit = policy.links.orgBillingLimit!;
    /** `count` org accounts, each with `evidence` extraction-shaped requests on `topics` topics of its own. */
    const seats = (count: number, evidence: number, topics: (i: number) => string[]) =>
      many(count, (i) => ({
        orgId: 'org-fake',
        buckets: [{ ...emptyBucket(491_000), n: evidence * 2, ex: evidence * 2 }],
        recentTopics: topics(i).map((t) => [t, 491_000] as const),
      }));
    const own = (per: number) => (i: number) => Array.from({ length: per }, (_, t) => `topic-${i}-${t}`);

    it('keeps its full weight once they send the limit of extraction-shaped requests over the limit of topics', () => {
      // Act
      const link = weighLink('pay#org-card', seats(15, limit.extractionRequests / 15, own(5)), false, policy);

      // Assess
      expect(15 * 5).toBeGreaterThanOrEqual(limit.topics);
      expect(link.weight).toBe(policy.links.weights.pay);
      expect(link.discount).toBeNull();
    });

    it('stays ordinary billing with the volume on few topics (a lab re-running its benchmarks)', () => {
      // Act
      const sharedTopics = () => Array.from({ length: limit.topics - 1 }, (_, t) => `bench-${t}`);
      const link = weighLink(
        'pay#org-card',
        seats(15, limit.extractionRequests, sharedTopics),
        false,
        policy,
      );

      // Assess
      expect(link.weight).toBeCloseTo(policy.links.weights.pay * policy.links.sameOrgPaymentDiscount);
      expect(link.discount).toMatch(/ordinary billing/);
    });

    it('stays ordinary billing with every topic but little extraction (a campus)', () => {
      // Act
      const link = weighLink('pay#org-card', seats(150, 0.5, own(3)), false, policy);

      // Assess
      expect(150 * 0.5).toBeLessThan(limit.extractionRequests);
      expect(link.discount).toMatch(/ordinary billing/);
    });

    it('stays ordinary billing whatever the traffic when the policy leaves the limit out', () => {
      // Prepare
      const { orgBillingLimit: _left, ...links } = policy.links;
      const withoutLimit = { ...policy, links };

      // Act
      const link = weighLink('pay#org-card', seats(15, 100, own(10)), false, withoutLimit);

      // Assess
      expect(link.discount).toMatch(/ordinary billing/);
    });
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

  it('discounts a prompt unrelated senders send on one topic as public, however risky they look', () => {
    // Prepare: a benchmark item, sent by researchers whose own scores are high.
    const members = many(30, () => ({ riskScore: 60 }));
    const read = edgesOf(
      members,
      (i) => `o:lab-${i}`,
      () => 'k3',
    );

    // Act
    const link = weighLink('tpl#0:9f3a', members, false, policy, read);

    // Assess
    expect(link.weight).toBeLessThan(policy.clusters.edgeThreshold);
    expect(link.discount).toMatch(/public prompt: 30 unrelated senders on one topic/);
  });

  it('keeps the weight of a template its senders fill with ever new topics: a campaign, not a benchmark', () => {
    // Prepare
    const members = many(30, () => ({ riskScore: 20 }));
    const read = edgesOf(
      members,
      (i) => `p:card-${i}`,
      (i) => `t${i}`,
    );

    // Act
    const link = weighLink('tpl#0:9f3a', members, false, policy, read);

    // Assess
    expect(link.weight).toBe(policy.links.weights.tpl);
    expect(link.discount).toBeNull();
  });

  it('discounts the same question sent by two accounts of one sender: not a template', () => {
    // Prepare
    const members = many(2, () => ({}));
    const read = edgesOf(
      members,
      () => 'p:family-card',
      () => 'k3',
    );

    // Act
    const link = weighLink('tpl#1:0042', members, false, policy, read);

    // Assess
    expect(link.weight).toBeLessThan(policy.clusters.edgeThreshold);
    expect(link.discount).toMatch(/same question sent by 2 accounts/);
  });

  it("discounts templates used only inside one org as the organization's own prompts", () => {
    // Prepare
    const members = many(6, () => ({ orgId: 'org-ci' }));
    const read = edgesOf(
      members,
      () => 'o:org-ci',
      (i) => `t${i}`,
    );

    // Act
    const link = weighLink('tpl#2:7777', members, false, policy, read);

    // Assess
    expect(link.weight).toBeLessThan(policy.clusters.edgeThreshold);
    expect(link.discount).toMatch(/only inside org org-ci/);
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
      // Thin slices of one syllabus: a few extraction-shaped requests and topics each.
      buckets: [hourWith(6, 4)],
      recentTopics: Array.from({ length: 4 }, (_, t) => [`topic-${i * 4 + t}`, 491_000] as const),
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
      expect.arrayContaining([
        'cluster.extractionVolume',
        'cluster.syllabus',
        'cluster.memberRisk',
        'cluster.signupBurst',
        'cluster.sharedInstruments',
      ]),
    );
  });

  it('scores a campaign spread thin over low-scoring accounts on its combined traffic', () => {
    // Prepare: 60 accounts scoring 10 each (diluted with ordinary traffic), 2 extraction-shaped
    // requests apiece, 3 topics each of one syllabus, on 6 shared devices.
    const members = many(60, (i) => ({
      riskScore: 10,
      peakRiskScore: 12,
      accountCreatedAt: `2026-0${(i % 6) + 1}-01T00:00:00.000Z`,
      linkKeys: [`dev#d-${i % 6}`],
      buckets: [hourWith(8, 2)],
      recentTopics: Array.from({ length: 3 }, (_, t) => [`topic-${(i * 3 + t) % 150}`, 491_000] as const),
    }));
    const links = Array.from({ length: 6 }, (_, d) =>
      weighLink(
        `dev#d-${d}`,
        members.filter((_, i) => i % 6 === d),
        false,
        policy,
      ),
    );

    // Act
    const cluster = assessCluster(members, links, policy);

    // Assess
    expect(cluster.score).toBeGreaterThanOrEqual(policy.clusters.suspend);
    expect(cluster.reasons[0]?.signal).toBe('cluster.extractionVolume');
  });

  it("adds campaign evidence for the members' traffic together, when they share only a proxy network", () => {
    // Prepare: 50 aged accounts scoring 15, no card, device, template or sign-up burst in common,
    // 6 requests of extraction evidence apiece (300 together) over 4 topics each of one syllabus.
    const members = many(50, (i) => ({
      riskScore: 15,
      accountCreatedAt: `2025-${String((i % 12) + 1).padStart(2, '0')}-01T00:00:00.000Z`,
      linkKeys: [`ip#10.0.0.${i % 25}`],
      buckets: [hourWith(30, 4)],
      recentTopics: Array.from({ length: 4 }, (_, t) => [`topic-${i * 4 + t}`, 491_000] as const),
    }));
    const { evidence: settings, ...withoutEvidence } = policy.clusters;
    const expected = (settings!.points * (300 - settings!.low)) / (settings!.high - settings!.low);

    // Act
    const cluster = assessCluster(members, [], policy);
    const partsOnly = assessCluster(members, [], testPolicy({ clusters: withoutEvidence }));

    // Assess: the parts alone (volume and syllabus) stay under suspend; the count lifts it over.
    expect(partsOnly.score).toBeLessThan(policy.clusters.suspend);
    expect(cluster.score).toBeGreaterThanOrEqual(policy.clusters.suspend);
    expect(cluster.reasons.find((r) => r.signal === 'cluster.evidence')).toMatchObject({
      value: 300,
      points: Number(expected.toFixed(1)),
    });
    expect(cluster.score).toBe(Math.round(partsOnly.score + expected));
  });

  it("counts extraction-shaped requests in proportion below clusters.fullShare of the members' traffic", () => {
    // Prepare: the same 10 members, 6 requests of extraction evidence each, among 40 requests each
    // (a campaign: 15%) or among 300 each (busy event participants: 2%).
    const members = (requests: number) =>
      many(10, (i) => ({
        buckets: [hourWith(requests, 4)],
        recentTopics: Array.from({ length: 3 }, (_, t) => [`topic-${i * 3 + t}`, 491_000] as const),
      }));
    const fullShare = policy.clusters.fullShare!;

    // Act
    const concentrated = assessCluster(members(40), [], policy);
    const diluted = assessCluster(members(300), [], policy);

    // Assess
    const volume = (c: typeof concentrated) => c.reasons.find((r) => r.signal === 'cluster.extractionVolume');
    expect(volume(concentrated)?.text).not.toMatch(/in proportion/);
    expect(volume(diluted)?.text).toMatch(/2\.0% of their requests: counted in proportion/);
    expect(volume(diluted)!.points).toBeCloseTo((volume(concentrated)!.points * 0.02) / fullShare, 0);
    expect(diluted.score).toBeLessThan(concentrated.score);
  });

  it('keeps a family sharing one card below review: their combined traffic shows no syllabus', () => {
    // Prepare
    const members = many(4, (i) => ({
      riskScore: 8,
      linkKeys: ['pay#family'],
      buckets: [hourWith(20, 0.3)],
      recentTopics: Array.from({ length: 5 }, (_, t) => [`topic-${i * 5 + t}`, 491_000] as const),
    }));

    // Act
    const cluster = assessCluster(members, [weighLink('pay#family', members, false, policy)], policy);

    // Assess
    expect(cluster.score).toBeLessThan(policy.clusters.review);
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

describe('Function: clusterMembersToEnforce (members tied only by networks)', () => {
  const policy = testPolicy();
  const swept = [
    { signal: 'topicCoverage', value: 0.9, threshold: 0.5, saturation: 0.9, points: 15, text: 'sweep' },
  ];
  const clusterOf = (members: AccountState[]): Cluster => ({
    clusterId: 'clu-test',
    members,
    links: [],
    score: 90,
    reasons: [],
    truncated: false,
    templateLinked: new Set(),
  });

  it('enforces a low scorer that sent extraction-shaped requests sweeping topics, a tenth of its traffic', () => {
    // Prepare: 6 requests of evidence among 40 (15%); among 400 (1.5%); and a scorer over memberFloor.
    const campaign = account({ riskScore: 8, peakRiskScore: 8, reasons: swept, buckets: [hourWith(40, 4)] });
    const busy = account({ riskScore: 8, peakRiskScore: 8, reasons: swept, buckets: [hourWith(400, 4)] });
    const scorer = account({
      riskScore: policy.clusters.memberFloor,
      reasons: swept,
      buckets: [hourWith(400, 4)],
    });
    const quiet = account({ riskScore: 8, peakRiskScore: 8, totalRequests: 400, buckets: [hourWith(40, 4)] });

    // Act
    const enforced = clusterMembersToEnforce(clusterOf([campaign, busy, scorer, quiet]), policy);

    // Assess
    expect(enforced.map((m) => m.accountId).sort()).toEqual([campaign.accountId, scorer.accountId].sort());
  });

  it('enforces a burner on its handful of requests when they are mostly extraction-shaped (clusters.thinMembers)', () => {
    // Prepare: 6 requests in all, 2 extraction-shaped (3 of evidence, 1 asked); 6 with none; 50
    // with 2 (3 of evidence, 2.5 asked, 6% of its traffic); 50 with 1 (1.5, 3%: too few, too
    // diluted); one with the young one's window but 300 requests in all (settled: memberFloor holds).
    const burner = account({ riskScore: 6, peakRiskScore: 6, totalRequests: 6, buckets: [hourWith(6, 2)] });
    const idle = account({ riskScore: 6, peakRiskScore: 6, totalRequests: 6, buckets: [hourWith(6, 0)] });
    const young = account({ riskScore: 6, peakRiskScore: 6, totalRequests: 50, buckets: [hourWith(50, 2)] });
    const diluted = account({
      riskScore: 6,
      peakRiskScore: 6,
      totalRequests: 50,
      buckets: [hourWith(50, 1)],
    });
    const settled = account({
      riskScore: 6,
      peakRiskScore: 6,
      totalRequests: 300,
      buckets: [hourWith(50, 2)],
    });
    const members = [burner, idle, young, diluted, settled];

    // Act
    const enforced = clusterMembersToEnforce(clusterOf(members), policy);
    const without = clusterMembersToEnforce(clusterOf(members), {
      ...policy,
      clusters: { ...policy.clusters, thinMembers: false },
    });

    // Assess
    expect(policy.clusters.thinMembers).toBe(true);
    expect(enforced.map((m) => m.accountId).sort()).toEqual([burner.accountId, young.accountId].sort());
    expect(without).toEqual([]);
  });
});
