import type { AccountState } from '../account-state';
import { accountDigest } from '../account-state';
import { weighLink } from '../linking/edge-weights';
import type { ClusterLookup } from '../linking/cluster-engine';
import type { Policy } from '../policy/policy';
import type { EnforcementRequest } from '../ports';
import { claimCutoffOf, decideAction } from './enforcement-action';
import { isAllowlisted } from './protection';

/**
 * Anti-regrowth: an account that shares a heavy link (a card, a device) with an account already
 * suspended is enforced as soon as it has made a few requests, without waiting for its own history.
 */
export function regrowthEnforcement(
  account: AccountState,
  lookup: ClusterLookup,
  policy: Policy,
): EnforcementRequest | undefined {
  const { regrowth } = policy.clusters;
  if (
    policy.mode !== 'enforce' ||
    account.status === 'SUSPENDED' ||
    account.totalRequests < regrowth.minRequests ||
    account.riskScore < regrowth.floor ||
    isAllowlisted(policy, account.accountId, account.orgId)
  ) {
    return undefined;
  }
  for (const linkKey of account.linkKeys) {
    const read = lookup.membersOf(linkKey);
    const members = read.accountIds
      .map((id) => lookup.state(id))
      .filter((s): s is AccountState => s !== undefined);
    const suspended = members.find((m) => m.status === 'SUSPENDED' && m.accountId !== account.accountId);
    if (!suspended) continue;
    const evidence = weighLink(linkKey, members, read.truncated, policy, read);
    if (evidence.weight < regrowth.edgeWeight) continue;
    return regrowthRequest(account, policy, { accountId: suspended.accountId, link: evidence });
  }
  // A campaign's replacement accounts may bring fresh cards and devices but not fresh prompts.
  const templatesShared = new Map<string, string[]>();
  for (const linkKey of account.linkKeys) {
    if (!linkKey.startsWith('tpl#')) continue;
    const read = lookup.membersOf(linkKey);
    const members = read.accountIds
      .map((id) => lookup.state(id))
      .filter((s): s is AccountState => s !== undefined);
    if (weighLink(linkKey, members, read.truncated, policy, read).weight < policy.clusters.edgeThreshold)
      continue;
    for (const m of members) {
      if (m.status !== 'SUSPENDED' || m.accountId === account.accountId) continue;
      templatesShared.set(m.accountId, [...(templatesShared.get(m.accountId) ?? []), linkKey]);
    }
  }
  for (const [suspendedId, templates] of templatesShared) {
    // A shared prompt matches in several of its four bands; matches in one band position only
    // are different prompts colliding by chance.
    const bandPositions = new Set(templates.map((k) => k.slice('tpl#'.length).split(':')[0]));
    // One band position more than linking asks: a newcomer is enforced on this alone, and 16-bit
    // bands of a busy account meet a campaign's many paraphrases by chance now and then.
    if (bandPositions.size < policy.links.minSharedTemplates + 1) continue;
    return regrowthRequest(account, policy, { accountId: suspendedId, templates });
  }
  return undefined;
}

/** The enforcement of an account that grew back on a suspended account's instruments or prompts. */
function regrowthRequest(
  account: AccountState,
  policy: Policy,
  linkedToSuspended: Record<string, unknown>,
): EnforcementRequest {
  const digest = accountDigest(account.accountId);
  return {
    executionName: `acct-${digest}-r1`,
    input: {
      accountId: account.accountId,
      caseId: `case-${digest}-r1`,
      riskScore: account.riskScore,
      policyVersion: policy.version,
      triggeredAt: account.lastEventAt,
      claimCutoff: claimCutoffOf(account.lastEventAt),
      evidence: { trigger: 'regrowth', reasons: account.reasons, linkedToSuspended },
      ...decideAction(
        'suspend',
        account.tier,
        policy,
        `anti-regrowth: linked to suspended account ${String(linkedToSuspended.accountId)}`,
      ),
    },
  };
}
