import { createHash } from 'node:crypto';
import {
  clusterEvidence,
  clusterInstrumentKeys,
  clusterMembersToEnforce,
  type Cluster,
} from '../linking/cluster-engine';
import type { Policy } from '../policy/policy';
import type { ClusterEnforcementRequest } from '../ports';
import { clearanceEvidence, reenforcementCheck } from './protection';

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
