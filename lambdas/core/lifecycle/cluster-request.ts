import { createHash } from 'node:crypto';
import type { AccountState } from '../account-state';
import { clusterEvidence, clusterInstrumentKeys, type Cluster } from '../linking/cluster-engine';
import type { Policy } from '../policy/policy';
import type { ClusterEnforcementRequest } from '../ports';
import { extractionEvidence, totals } from '../scoring/window';
import { clearanceEvidence, isAllowlisted, reenforcementCheck } from './protection';

/** Members whose own signals are frozen into a cluster case (the cluster evidence lists every member). */
const EVIDENCE_MEMBER_SIGNALS = 25;

export interface ClusterEnforcementPlan {
  /** The cluster workflow run, or undefined when the crossing has nobody left to suspend. */
  readonly request: ClusterEnforcementRequest | undefined;
  /**
   * Every member the crossing covers, already suspended or not: none of them is enforced on its
   * own for this batch (one case for the campaign, not one per account).
   */
  readonly covered: ReadonlySet<string>;
}

/**
 * One cluster crossing: the members the cluster engine says belong to the ring, less those an
 * investigator cleared and that show no new evidence since (see protection.ts), become ONE
 * cluster workflow run and ONE cluster case.
 *
 * The execution name is a digest of that member set, suspended members included: while a run is
 * suspending the members, a re-exploration of the same cluster finds the same set, hence the same
 * name, and Step Functions refuses the duplicate. A member joining later, or one whose protection
 * lifts, changes the set: that is a new crossing, and its run suspends only those not suspended.
 */
export function clusterEnforcementPlan(
  cluster: Cluster,
  policy: Policy,
  triggeredAt: string,
): ClusterEnforcementPlan {
  const heavyKeys = clusterInstrumentKeys(cluster, policy);
  const lifted: Array<{ accountId: string; evidence: ReturnType<typeof clearanceEvidence> }> = [];
  const protectedMembers: Array<{ accountId: string; because: string }> = [];
  const eligible = clusterMembersToEnforce(cluster, policy).filter((member) => {
    if (member.status === 'SUSPENDED') return true;
    const check = reenforcementCheck(member, policy, heavyKeys);
    if (!check || !member.reinstatement) return true;
    if (check.allowed)
      lifted.push({ accountId: member.accountId, evidence: clearanceEvidence(member.reinstatement, check) });
    else protectedMembers.push({ accountId: member.accountId, because: check.because });
    return check.allowed;
  });
  const covered = new Set(eligible.map((m) => m.accountId));
  const toSuspend = eligible
    .filter((m) => m.status !== 'SUSPENDED')
    .sort((a, b) => (a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0));
  if (toSuspend.length === 0) return { request: undefined, covered };

  const crossing = createHash('sha256')
    .update([...covered].sort().join('\n'))
    .digest('hex')
    .slice(0, 24);
  return {
    covered,
    request: {
      executionName: `clu-${crossing}`,
      input: {
        clusterId: cluster.clusterId,
        caseId: `case-clu-${crossing}`,
        riskScore: cluster.score,
        members: toSuspend.map((m) => ({ accountId: m.accountId, riskScore: m.riskScore })),
        policyVersion: policy.version,
        triggeredAt,
        evidence: {
          trigger: 'cluster',
          cluster: clusterEvidence(cluster, policy),
          memberSignals: toSuspend.slice(0, EVIDENCE_MEMBER_SIGNALS).map((m) => ({
            accountId: m.accountId,
            riskScore: m.riskScore,
            peakRiskScore: m.peakRiskScore,
            reasons: m.reasons,
          })),
          alreadySuspended: eligible.length - toSuspend.length,
          ...(lifted.length > 0 ? { afterClearance: lifted } : {}),
          ...(protectedMembers.length > 0 ? { protectedMembers } : {}),
        },
      },
    },
  };
}

/**
 * Members of a cluster over its suspend threshold that are to be suspended with it, whatever their
 * status (the caller tells apart those already suspended). The cluster workflow suspends them
 * under one cluster case (lambdas/core/lifecycle/cluster-request.ts).
 */
export function clusterMembersToEnforce(cluster: Cluster, policy: Policy): AccountState[] {
  if (policy.mode !== 'enforce' || cluster.score < policy.clusters.suspend) return [];
  // A member on a shared card or device is in the ring for certain, whatever its own score: a
  // campaign spreads its extraction thin. One tied by private templates must have sent some
  // extraction-shaped traffic itself (a templated CI bot whose prompts happen to share LSH bands
  // with a campaign has not). One tied only by networks must also score memberFloor on its own,
  // or show the count, the share and the shape of extraction itself: a campaign sharing nothing
  // but a proxy network keeps each account's score low, but each still sends extraction-shaped
  // requests sweeping new topics, a tenth or more of its traffic (a stranger behind one of its
  // exits shares one address, too few to join; a busy participant of an event on the same
  // network sends such requests at 1-3% of its traffic).
  const instrumentKeys = clusterInstrumentKeys(cluster, policy);
  // A burner sends a handful of requests and is dropped: it never reaches seedEvidence, a topic
  // sweep or memberFloor (young accounts' scores are scaled down for thin evidence). Up to
  // regrowth.maxRequests requests in all, the count asked of it shrinks with its size, down to one
  // extraction-shaped request, provided that is what its traffic mostly is (fullShare or more).
  const { seedEvidence, regrowth } = policy.clusters;
  const burner = (m: AccountState, evidence: number, concentrated: boolean) =>
    policy.clusters.thinMembers === true &&
    m.totalRequests <= regrowth.maxRequests &&
    concentrated &&
    evidence >= Math.max(1, (seedEvidence * m.totalRequests) / regrowth.maxRequests);
  const belongs = (m: AccountState) => {
    if (m.linkKeys.some((k) => instrumentKeys.has(k))) return true;
    const window = totals(m.buckets);
    const evidence = extractionEvidence(window, m.publicShare);
    const counted = evidence >= policy.clusters.seedEvidence;
    const swept = m.reasons.some((r) => r.signal === 'topicCoverage');
    if (cluster.templateLinked.has(m.accountId)) return counted || swept;
    const scored = Math.max(m.riskScore, m.peakRiskScore ?? 0) >= policy.clusters.memberFloor;
    const concentrated = evidence >= (policy.clusters.fullShare ?? 0) * window.requests;
    return (
      (scored && (counted || swept)) ||
      (counted && swept && concentrated) ||
      burner(m, evidence, concentrated)
    );
  };
  return cluster.members.filter(
    (m) =>
      belongs(m) &&
      !isAllowlisted(policy, m.accountId, m.orgId) &&
      // A tier capped below suspension (enterprise: review only) is never suspended with a
      // cluster either; its own score still opens a case at its cap.
      (policy.actions.tierOverrides[m.tier]?.maxAction ?? 'suspend') === 'suspend',
  );
}
