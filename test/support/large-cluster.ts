import { openLocalCases } from '../../cli/commands/cases';
import { newCase } from '../../lambdas/core/cases/case-service';
import type { ClusterEvidence } from '../../lambdas/core/linking/cluster-engine';
import type { LinkKind } from '../../lambdas/core/linking/link-keys';

export const LARGE_CLUSTER_CASE_ID = 'case-clu-large0000000000000000000';

/** A deterministic generator (mulberry32), so every run draws the same cluster. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Evidence of a campaign-sized cluster as clusterEvidence freezes it: `size` members over 25
 * shared links (cards and devices of sub-rings, prompt-template bands, sign-up bursts and network
 * footprints, some discounted), each member holding its ring's card and device, a burst and a
 * few templates: about 7 links per member.
 */
export function largeClusterEvidence(size = 400): ClusterEvidence {
  const rand = random(size);
  const plan: Array<[LinkKind, number, string | null]> = [
    ['pay', 4, null],
    ['dev', 8, null],
    ['tpl', 9, null],
    ['burst', 2, null],
    ['asn', 1, 'ordinary network footprint: 40+ accounts with typical score 12'],
    ['ip', 1, 'crowded address: 30+ accounts'],
  ];
  const links: Array<ClusterEvidence['links'][number]> = [];
  for (const [kind, n, discount] of plan) {
    for (let i = 0; i < n; i++) {
      links.push({
        linkKey: `${kind}#${kind}_${i.toString(16).padStart(6, '0')}`,
        kind,
        accounts: 0,
        crowded: discount !== null,
        weight: discount ? 0.08 : kind === 'tpl' ? 0.6 : kind === 'burst' ? 0.4 : 0.9,
        discount,
      });
    }
  }
  const byKind = (kind: LinkKind) =>
    links
      .map((l, i) => [l, i] as const)
      .filter(([l]) => l.kind === kind)
      .map(([, i]) => i);
  const [pay, dev, tpl, burst, asn, ip] = (['pay', 'dev', 'tpl', 'burst', 'asn', 'ip'] as const).map(byKind);
  const members = Array.from({ length: size }, (_, m) => {
    const ring = m % pay!.length;
    const held = new Set<number>([pay![ring]!, dev![m % dev!.length]!, burst![m % burst!.length]!]);
    for (const t of tpl!) if (rand() < 0.35) held.add(t);
    if (rand() < 0.1) held.add(asn![0]!);
    if (rand() < 0.08) held.add(ip![0]!);
    for (const i of held) links[i] = { ...links[i]!, accounts: links[i]!.accounts + 1 };
    return {
      accountId: `acct_${(0x100000000000 + m * 7919).toString(16).slice(-12)}`,
      riskScore: Math.round(45 + rand() * 50),
      status: 'SUSPENDED' as const,
      accountCreatedAt: new Date(Date.UTC(2026, 1, 1, Math.floor(m / 40))).toISOString(),
      totalRequests: Math.round(20 + rand() * rand() * 2000),
      links: [...held].sort((a, b) => a - b),
    };
  });
  return {
    clusterId: 'clu-large000000000',
    score: 96,
    reasons: [
      {
        signal: 'cluster.memberRisk',
        value: 70,
        threshold: 15,
        saturation: 45,
        points: 25,
        text: 'median member account score 70',
      },
      {
        signal: 'cluster.sharedInstruments',
        value: 1,
        threshold: 0.3,
        saturation: 0.9,
        points: 15,
        text: '100% of members share a card or device with another member',
      },
    ],
    size,
    truncated: false,
    members,
    links,
    edgeThreshold: 0.5,
  };
}

/** A local store holding one cluster case of `size` members (for the bench and the graph's size test). */
export async function writeLargeClusterStore(dir: string, size = 400): Promise<ClusterEvidence> {
  const cluster = largeClusterEvidence(size);
  const connection = await openLocalCases(dir);
  try {
    await connection.store.create([
      newCase({
        caseId: LARGE_CLUSTER_CASE_ID,
        kind: 'cluster',
        accountIds: cluster.members.map((m) => m.accountId),
        clusterId: cluster.clusterId,
        action: 'suspend',
        openedAt: '2026-02-03T12:00:00.000Z',
        riskScore: cluster.score,
        policyVersion: 'bench',
        triggeredAt: '2026-02-03T11:59:00.000Z',
        evidence: { trigger: 'cluster', cluster },
        openedBy: 'cauterize-enforcement',
      }),
    ]);
  } finally {
    await connection.close();
  }
  return cluster;
}
