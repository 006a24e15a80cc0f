import { accountDigest, type AccountState } from '../account-state';
import type { Policy } from '../policy/policy';
import type { AccountStore, LinkMembers, LinkStore } from '../ports';
import type { Reason } from '../scoring/risk';
import { assessCluster } from './cluster-risk';
import { weighLink, type LinkEvidence } from './edge-weights';

/** Link evidence kept in a case: the heaviest edges. */
const EVIDENCE_LINKS = 25;

export interface Cluster {
  readonly clusterId: string;
  readonly members: readonly AccountState[];
  /** Every link weighed while exploring, joined or not (discounts are evidence too). */
  readonly links: readonly LinkEvidence[];
  readonly score: number;
  readonly reasons: readonly Reason[];
  /** The exploration stopped at clusters.maxSize accounts. */
  readonly truncated: boolean;
  /** Members joined by private templates they share with another member. */
  readonly templateLinked: ReadonlySet<string>;
}

/**
 * Reads account states and link members for one batch, remembering what it read, and preferring
 * the batch's own new states to what is stored (they are not written yet).
 */
export class ClusterLookup {
  private readonly states = new Map<string, AccountState>();
  private readonly missing = new Set<string>();
  private readonly members = new Map<string, LinkMembers>();
  public reads = 0;

  public constructor(
    private readonly accounts: AccountStore,
    private readonly links: LinkStore,
    batchStates: Iterable<AccountState>,
  ) {
    for (const state of batchStates) this.states.set(state.accountId, state);
  }

  public async load(accountIds: Iterable<string>): Promise<void> {
    const wanted = [...new Set(accountIds)].filter((id) => !this.states.has(id) && !this.missing.has(id));
    if (wanted.length === 0) return;
    this.reads += Math.ceil(wanted.length / 100);
    const loaded = await this.accounts.load(wanted);
    for (const id of wanted) {
      const state = loaded.get(id);
      if (state) this.states.set(id, state);
      else this.missing.add(id);
    }
  }

  public state(accountId: string): AccountState | undefined {
    return this.states.get(accountId);
  }

  public async linkMembers(linkKeys: Iterable<string>, limitPerKey: number): Promise<void> {
    const wanted = [...new Set(linkKeys)].filter((k) => !this.members.has(k));
    if (wanted.length === 0) return;
    this.reads += wanted.length;
    const read = await this.links.members(wanted, limitPerKey);
    for (const key of wanted) this.members.set(key, read.get(key) ?? { accountIds: [], truncated: false });
  }

  public membersOf(linkKey: string): LinkMembers {
    return this.members.get(linkKey) ?? { accountIds: [], truncated: false };
  }
}

/**
 * Explores the connected component around `seed` over edges at least clusters.edgeThreshold
 * heavy, up to clusters.maxHops edges away and clusters.maxSize accounts, then scores it.
 */
export async function exploreCluster(
  seed: AccountState,
  lookup: ClusterLookup,
  policy: Policy,
): Promise<Cluster> {
  const { clusters, links: linkPolicy } = policy;
  const inCluster = new Map<string, AccountState>([[seed.accountId, seed]]);
  const weighed = new Map<string, LinkEvidence>();
  const templateLinked = new Set<string>();
  let frontier: AccountState[] = [seed];
  let truncated = false;

  for (let hop = 0; hop < clusters.maxHops && frontier.length > 0 && !truncated; hop++) {
    const keys = [...new Set(frontier.flatMap((s) => s.linkKeys))].filter((k) => !weighed.has(k));
    await lookup.linkMembers(keys, linkPolicy.membersReadPerKey);
    await lookup.load(keys.flatMap((k) => lookup.membersOf(k).accountIds));
    const next: AccountState[] = [];
    const join = (member: AccountState) => {
      if (inCluster.has(member.accountId)) return;
      if (inCluster.size >= clusters.maxSize) {
        truncated = true;
        return;
      }
      inCluster.set(member.accountId, member);
      next.push(member);
    };
    // One 16-bit template band in common happens by chance between busy accounts; a shared
    // template shows up as several band positions in common with one account. So template keys
    // join pairs: a member joins through a frontier account it shares bands in two positions with,
    // counting only bands more accounts hold (links.minTemplateHolders): a campaign's accounts
    // expose hundreds of one-off bands beside its templates, and a busy ordinary account meets two
    // of them by chance now and then, but rarely two a third account holds too.
    const minHolders = linkPolicy.minTemplateHolders ?? 2;
    const holders = new Map<string, string[]>();
    for (const f of frontier)
      for (const k of f.linkKeys)
        if (k.startsWith('tpl#')) holders.set(k, [...(holders.get(k) ?? []), f.accountId]);
    const sharedTemplates = new Map<string, Map<string, Set<string>>>();
    // Weak edges add up: an address and a sign-up burst in common are worth more than either.
    const weakLinks = new Map<string, number>();
    for (const key of keys) {
      const read = lookup.membersOf(key);
      const members = read.accountIds
        .map((id) => lookup.state(id))
        .filter((s): s is AccountState => s !== undefined);
      const evidence = weighLink(key, members, read.truncated, policy, read);
      weighed.set(key, evidence);
      if (evidence.weight < clusters.edgeThreshold) {
        if (evidence.kind === 'tpl' || evidence.weight < clusters.weakEdgeFloor) continue;
        for (const member of members) {
          const before = weakLinks.get(member.accountId) ?? 0;
          weakLinks.set(member.accountId, 1 - (1 - before) * (1 - evidence.weight));
        }
        continue;
      }
      if (evidence.kind !== 'tpl') {
        for (const member of members) join(member);
        continue;
      }
      if (read.accountIds.length < minHolders) continue;
      const position = key.slice('tpl#'.length, key.indexOf(':'));
      for (const member of members) {
        for (const holder of holders.get(key) ?? []) {
          if (holder === member.accountId) continue;
          const pairs = sharedTemplates.get(member.accountId) ?? new Map<string, Set<string>>();
          sharedTemplates.set(member.accountId, pairs);
          const positions = pairs.get(holder) ?? new Set<string>();
          pairs.set(holder, positions.add(position));
        }
      }
    }
    for (const [accountId, combined] of weakLinks) {
      const member = lookup.state(accountId);
      if (member && combined >= clusters.edgeThreshold) join(member);
    }
    for (const [accountId, pairs] of sharedTemplates) {
      const member = lookup.state(accountId);
      if (!member || member.accountId === seed.accountId || sendsPublicPrompts(member)) continue;
      let shared = 0;
      for (const positions of pairs.values()) shared = Math.max(shared, positions.size);
      if (shared < linkPolicy.minSharedTemplates) continue;
      join(member);
      templateLinked.add(member.accountId);
    }
    frontier = next;
  }

  const members = [...inCluster.values()];
  const links = [...weighed.values()];
  const clusterId = `clu-${accountDigest(members.map((m) => m.accountId).sort()[0] ?? seed.accountId).slice(0, 16)}`;
  if (members.length < clusters.minSize)
    return { clusterId, members, links, score: 0, reasons: [], truncated, templateLinked };
  // The seed side of each template pair counts too.
  if (templateLinked.size > 0) templateLinked.add(seed.accountId);
  const { score, reasons } = assessCluster(members, links, policy, templateLinked.size);
  return { clusterId, members, links, score, reasons, truncated, templateLinked };
}

/**
 * An account most of whose extraction-shaped prompts are public (benchmark items, by the census)
 * shares prompts with the world, not templates with a campaign: it is not joined to a cluster by
 * template bands, which its many distinct prompts meet by chance now and then.
 */
export function sendsPublicPrompts(account: AccountState): boolean {
  return (account.publicShare ?? 0) >= 0.5;
}

/** One member as a cluster case freezes it: enough to draw it in the cluster graph. */
export interface ClusterEvidenceMember {
  readonly accountId: string;
  readonly riskScore: number;
  readonly status: AccountState['status'];
  readonly accountCreatedAt: string;
  /** Requests in the account's history when the cluster was explored (the node's size). */
  readonly totalRequests: number;
  /** Indexes into the evidence's `links` of the links this member holds: the graph's edges. */
  readonly links: readonly number[];
}

/** The cluster evidence frozen into a case (under `evidence.cluster`). */
export interface ClusterEvidence {
  readonly clusterId: string;
  readonly score: number;
  readonly reasons: readonly Reason[];
  readonly size: number;
  readonly truncated: boolean;
  /** Every member (a cluster is at most clusters.maxSize accounts). */
  readonly members: readonly ClusterEvidenceMember[];
  /** The heaviest shared links, discounted ones included, each with its weight and named discount. */
  readonly links: readonly LinkEvidence[];
  readonly edgeThreshold: number;
}

/**
 * The cluster evidence frozen into a case. Every member is listed with the links it holds, so the
 * case alone draws the cluster (the console's graph): a member is a node, and each (member, link)
 * pair an edge to that shared card, device, address, template, network or sign-up burst.
 */
export function clusterEvidence(cluster: Cluster, policy: Policy): ClusterEvidence {
  const links = [...cluster.links]
    .filter((l) => l.accounts > 1)
    .sort((a, b) => b.weight * b.accounts - a.weight * a.accounts)
    .slice(0, EVIDENCE_LINKS);
  const linkIndex = new Map(links.map((l, i) => [l.linkKey, i]));
  return {
    clusterId: cluster.clusterId,
    score: cluster.score,
    reasons: cluster.reasons,
    size: cluster.members.length,
    truncated: cluster.truncated,
    members: cluster.members.map((m) => ({
      accountId: m.accountId,
      riskScore: m.riskScore,
      status: m.status,
      accountCreatedAt: m.accountCreatedAt,
      totalRequests: m.totalRequests,
      links: m.linkKeys
        .map((k) => linkIndex.get(k))
        .filter((i): i is number => i !== undefined)
        .sort((x, y) => x - y),
    })),
    links,
    edgeThreshold: policy.clusters.edgeThreshold,
  };
}

/**
 * Card and device keys heavy enough to join accounts into this cluster: a member on one of them
 * is in the ring for certain.
 */
export function clusterInstrumentKeys(cluster: Cluster, policy: Policy): Set<string> {
  return new Set(
    cluster.links
      .filter(
        (l) =>
          (l.kind === 'pay' || l.kind === 'dev') &&
          l.accounts > 1 &&
          l.weight >= policy.clusters.edgeThreshold,
      )
      .map((l) => l.linkKey),
  );
}
