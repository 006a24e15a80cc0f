import type { AccountState } from '../account-state';
import type { Policy } from '../policy/policy';
import type { LinkMembers } from '../ports';
import { linkKind, type LinkKind } from './link-keys';
import { MANY_TOPICS } from '../scoring/template-memory';
import { extractionEvidence, totals } from '../scoring/window';

/** One shared attribute as evidence: who shares it and how much the sharing is worth. */
export interface LinkEvidence {
  readonly linkKey: string;
  readonly kind: LinkKind;
  /** Accounts read under the key (at most links.membersReadPerKey). */
  readonly accounts: number;
  /** More accounts share the key than were read. */
  readonly crowded: boolean;
  /** Edge weight after discounts, 0-1. */
  readonly weight: number;
  /** Why the weight was discounted, when it was. */
  readonly discount: string | null;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/**
 * What accounts sent together in their windows: their requests, the extraction-shaped ones among
 * them (public prompts aside) and their topics.
 */
export interface CombinedTraffic {
  readonly requests: number;
  readonly extractionRequests: number;
  readonly topics: ReadonlySet<string>;
}

export function combinedTraffic(accounts: readonly AccountState[]): CombinedTraffic {
  const topics = new Set<string>();
  let requests = 0;
  let extractionRequests = 0;
  for (const m of accounts) {
    for (const [topic] of m.recentTopics) topics.add(topic);
    const window = totals(m.buckets);
    requests += window.requests;
    extractionRequests += extractionEvidence(window, m.publicShare);
  }
  return { requests, extractionRequests, topics };
}

/**
 * Whether an organization's accounts together send what no organization's ordinary use does: at
 * least `links.orgBillingLimit` extraction-shaped requests in the window over at least its topics
 * (a campaign posing as an org). CI bots, labs and evaluation platforms send a few dozen, on their
 * few benchmarks or tasks; a campus's students cover every topic but send few. Without the
 * setting, an org is never judged this way.
 */
export function orgOutgrowsBilling(members: readonly AccountState[], policy: Policy): boolean {
  const limit = policy.links.orgBillingLimit;
  if (!limit) return false;
  const combined = combinedTraffic(members);
  return combined.extractionRequests >= limit.extractionRequests && combined.topics.size >= limit.topics;
}

/** Who sends a prompt (a template or census key), read from its edges. */
export interface PromptSpread {
  /** Distinct senders (senderEntity; the account itself for edges written before entities). */
  readonly senders: number;
  /** Edges that carry a topic tag. */
  readonly tagged: number;
  /** Edges whose sender used the prompt with more than one topic. */
  readonly manyTopics: number;
  /** Share of the tagged edges on the commonest topic. */
  readonly topTopicShare: number;
  /** Distinct senders on the commonest topic. */
  readonly topTopicSenders: number;
}

export function promptSpread(read: LinkMembers): PromptSpread {
  const senders = new Set<string>();
  const byTopic = new Map<string, Set<string>>();
  let tagged = 0;
  let manyTopics = 0;
  let top: Set<string> | undefined;
  let topEdges = 0;
  const edgesByTopic = new Map<string, number>();
  read.accountIds.forEach((accountId, i) => {
    const sender = read.entities?.[i] ?? `a:${accountId}`;
    senders.add(sender);
    const tag = read.tags?.[i];
    if (!tag) return;
    tagged += 1;
    if (tag === MANY_TOPICS) {
      manyTopics += 1;
      return;
    }
    const topicSenders = byTopic.get(tag) ?? new Set<string>();
    byTopic.set(tag, topicSenders.add(sender));
    const edges = (edgesByTopic.get(tag) ?? 0) + 1;
    edgesByTopic.set(tag, edges);
    if (edges > topEdges) {
      topEdges = edges;
      top = topicSenders;
    }
  });
  return {
    senders: senders.size,
    tagged,
    manyTopics,
    topTopicShare: tagged > 0 ? topEdges / tagged : 0,
    topTopicSenders: top?.size ?? 0,
  };
}

/**
 * The same question, not a template: its senders used the prompt on one and the same topic (a
 * benchmark item, a homework problem, a popular prompt). A template is a scaffold filled with ever
 * new questions, so its senders' topics differ.
 */
export function isFixedPrompt(spread: PromptSpread): boolean {
  return spread.tagged >= 2 && spread.topTopicShare >= 0.8;
}

/**
 * A prompt many unrelated senders send on one topic: public, whoever sends it. Unrelated prompts
 * that happen to share the key, on other topics, do not make it less public.
 */
export function isPublicPrompt(spread: PromptSpread, policy: Policy): boolean {
  return spread.topTopicSenders >= policy.links.publicPromptMinSenders && spread.topTopicShare >= 0.6;
}

function topShare(values: ReadonlyArray<string | null>): { value: string | null; share: number } {
  const counts = new Map<string, number>();
  for (const v of values) if (v !== null) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: string | null = null;
  let bestCount = 0;
  for (const [v, c] of counts) if (c > bestCount) [best, bestCount] = [v, c];
  return { value: best, share: values.length > 0 ? bestCount / values.length : 0 };
}

/**
 * Whether a crowded key is a burner wave's: its typical account is thin (at most
 * `clusters.regrowth.maxRequests` requests in all) and sends `links.proxyExitShare` of them
 * extraction-shaped or more. A campaign's proxy exits and sign-up batches carry that; a campus NAT
 * carries thin accounts in ordinary use, and a hackathon venue, an office or a lab carries busy
 * accounts (their protection is what they send together, see assessCluster). An organization's
 * own accounts are never a burner wave while their traffic together stays ordinary
 * (orgOutgrowsBilling). The median member, so that one heavy account behind a campus NAT does not
 * make the NAT a proxy.
 */
export function burnerWave(members: readonly AccountState[], policy: Policy): boolean {
  const threshold = policy.links.proxyExitShare;
  if (threshold === undefined || members.length === 0) return false;
  if (median(members.map((m) => m.totalRequests)) > policy.clusters.regrowth.maxRequests) return false;
  if (median(members.map(extractionShare)) < threshold) return false;
  const org = topShare(members.map((m) => m.orgId));
  return !(org.value !== null && org.share === 1 && !orgOutgrowsBilling(members, policy));
}

/**
 * One account's share of extraction-shaped requests in its window. Cluster exploration weighs
 * every crowded key its members hold, each with up to `membersReadPerKey` members, and the same
 * state objects come back key after key: their shares are remembered, checked against the state's
 * request count and last event so that a state object updated in place is summed again.
 */
const shares = new WeakMap<
  AccountState,
  { readonly at: string; readonly requests: number; readonly share: number }
>();
function extractionShare(account: AccountState): number {
  const known = shares.get(account);
  if (known && known.at === account.lastEventAt && known.requests === account.totalRequests)
    return known.share;
  const window = totals(account.buckets);
  const share = window.requests > 0 ? extractionEvidence(window, account.publicShare) / window.requests : 0;
  shares.set(account, { at: account.lastEventAt, requests: account.totalRequests, share });
  return share;
}

/**
 * Weighs one link key from the accounts that share it. Ordinary sharing is discounted, and the
 * discount is named: a card paid by one organization for its own accounts, a NAT address shared
 * by a campus, a public prompt (benchmark item) sent by many unrelated, ordinary accounts, a
 * network mix or sign-up hour that many ordinary accounts happen to share. A crowded address,
 * footprint or burst whose typical member is a thin account sending extraction-shaped traffic
 * (burnerWave) is not discounted: burners behind a proxy pool score low one by one, but that is
 * all they send.
 */
export function weighLink(
  linkKey: string,
  members: readonly AccountState[],
  crowded: boolean,
  policy: Policy,
  /** The key's edges as read (their senders and topic tags weigh template keys). */
  read?: LinkMembers,
): LinkEvidence {
  const kind = linkKind(linkKey);
  const settings = policy.links;
  let weight = settings.weights[kind];
  let discount: string | null = null;
  const n = members.length;

  if (kind === 'pay' && n > 1) {
    const org = topShare(members.map((m) => m.orgId));
    // An org's own card is ordinary billing, as long as what the org sends together is ordinary.
    if (org.value !== null && org.share === 1 && !orgOutgrowsBilling(members, policy)) {
      weight *= settings.sameOrgPaymentDiscount;
      discount = `card shared only inside org ${org.value} (ordinary billing)`;
    }
  } else if (kind === 'ip' && (crowded || n >= settings.natMinAccounts)) {
    if (burnerWave(members, policy)) return { linkKey, kind, accounts: n, crowded, weight, discount };
    const domain = topShare(members.map((m) => m.emailDomain));
    if (domain.share >= settings.natDomainShare) {
      weight *= settings.natDiscount;
      discount = `NAT: ${Math.round(domain.share * 100)}% of ${n}${crowded ? '+' : ''} accounts on ${domain.value}`;
    } else {
      weight *= settings.crowdedIpDiscount;
      discount = `crowded address: ${n}${crowded ? '+' : ''} accounts`;
    }
  } else if ((kind === 'asn' || kind === 'burst') && n > 1) {
    const what = kind === 'asn' ? 'network footprint' : 'sign-up burst';
    const org = topShare(members.map((m) => m.orgId));
    if (org.value !== null && org.share === 1) {
      weight *= settings.sameOrgPaymentDiscount;
      discount = `${what} only inside org ${org.value} (an organization's own accounts)`;
    } else if ((crowded || n >= settings.natMinAccounts) && !burnerWave(members, policy)) {
      const domain = topShare(members.map((m) => m.emailDomain));
      const typicalRisk = median(members.map((m) => m.riskScore));
      if (domain.share >= settings.natDomainShare) {
        weight *= settings.natDiscount;
        discount = `${what} of a campus or company: ${Math.round(domain.share * 100)}% of ${n}${crowded ? '+' : ''} accounts on ${domain.value}`;
      } else if (typicalRisk < settings.ordinaryNetworkRiskCeiling) {
        weight *= settings.crowdedIpDiscount;
        discount = `ordinary ${what}: ${n}${crowded ? '+' : ''} accounts with typical score ${Math.round(typicalRisk)}`;
      }
    }
  } else if (kind === 'tpl' && n > 1) {
    const spread = read ? promptSpread(read) : undefined;
    const org = topShare(members.map((m) => m.orgId));
    if (org.value !== null && org.share === 1) {
      weight *= settings.sameOrgPaymentDiscount;
      discount = `template only inside org ${org.value} (an organization's own prompts)`;
    } else if (spread && isPublicPrompt(spread, policy)) {
      weight *= settings.publicTemplateDiscount;
      discount = `public prompt: ${spread.topTopicSenders}${crowded ? '+' : ''} unrelated senders on one topic`;
    } else if (spread && isFixedPrompt(spread)) {
      weight *= settings.publicTemplateDiscount;
      discount = `the same question sent by ${n} accounts, not a template (one topic)`;
    }
  }
  return { linkKey, kind, accounts: n, crowded, weight: Number(weight.toFixed(4)), discount };
}
