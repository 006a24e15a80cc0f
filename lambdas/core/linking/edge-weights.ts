import type { AccountState } from '../account-state';
import type { Policy } from '../policy/policy';
import { linkKind, type LinkKind } from './link-keys';

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

function topShare(values: ReadonlyArray<string | null>): { value: string | null; share: number } {
  const counts = new Map<string, number>();
  for (const v of values) if (v !== null) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: string | null = null;
  let bestCount = 0;
  for (const [v, c] of counts) if (c > bestCount) [best, bestCount] = [v, c];
  return { value: best, share: values.length > 0 ? bestCount / values.length : 0 };
}

/**
 * Weighs one link key from the accounts that share it. Ordinary sharing is discounted, and the
 * discount is named: a card paid by one organization for its own accounts, a NAT address shared
 * by a campus, a public prompt (benchmark item) sent by many unrelated, ordinary accounts, a
 * network mix or sign-up hour that many ordinary accounts happen to share.
 */
export function weighLink(
  linkKey: string,
  members: readonly AccountState[],
  crowded: boolean,
  policy: Policy,
): LinkEvidence {
  const kind = linkKind(linkKey);
  const settings = policy.links;
  let weight = settings.weights[kind];
  let discount: string | null = null;
  const n = members.length;

  if (kind === 'pay' && n > 1) {
    const org = topShare(members.map((m) => m.orgId));
    if (org.value !== null && org.share === 1) {
      weight *= settings.sameOrgPaymentDiscount;
      discount = `card shared only inside org ${org.value} (ordinary billing)`;
    }
  } else if (kind === 'ip' && (crowded || n >= settings.natMinAccounts)) {
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
    } else if (crowded || n >= settings.natMinAccounts) {
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
  } else if (kind === 'tpl' && (crowded || n >= settings.publicTemplateMinAccounts)) {
    const instruments = new Set(
      members.map((m) => m.orgId ?? m.linkKeys.find((k) => k.startsWith('pay#')) ?? m.accountId),
    );
    const typicalRisk = median(members.map((m) => m.riskScore));
    // A prompt many of whose senders were already suspended is a campaign's, however ordinary
    // the rest of its senders look (low-and-slow campaigns dilute their scores with decoys).
    const suspendedShare = members.filter((m) => m.status === 'SUSPENDED').length / Math.max(1, n);
    if (
      instruments.size >= settings.publicTemplateMinAccounts &&
      typicalRisk < settings.publicTemplateRiskCeiling &&
      suspendedShare < settings.publicTemplateMaxSuspendedShare
    ) {
      weight *= settings.publicTemplateDiscount;
      discount = `public prompt: ${n}${crowded ? '+' : ''} unrelated accounts with typical score ${Math.round(typicalRisk)}`;
    }
  }
  return { linkKey, kind, accounts: n, crowded, weight: Number(weight.toFixed(4)), discount };
}
