import { caseSeal, type CaseSeal, type SealableCase } from '../cases/case-seal';
import type {
  ClusterEnforcementInput,
  ClusterEnforcementRequest,
  EnforcementInput,
  EnforcementRequest,
} from '../ports';

/** Who the enforcement workflows open cases as (`openedBy`, and the opening entry's actor). */
export const WORKFLOW_ACTOR = 'cauterize-enforcement';

/** The action of every cluster case: the cluster workflow suspends. */
export const CLUSTER_CASE_ACTION = 'suspend';

/**
 * The frozen CASE fields the account workflow writes from its input (OpenCase in
 * lib/constructs/enforcement-workflow.ts): keep the two in step, or every new case fails verify.
 */
export function accountCaseFields(input: EnforcementInput): SealableCase {
  return {
    caseId: input.caseId,
    kind: 'account',
    accountId: input.accountId,
    accountIds: [input.accountId],
    action: input.action,
    riskScore: input.riskScore,
    policyVersion: input.policyVersion,
    triggeredAt: input.triggeredAt,
    evidence: input.evidence,
    openedBy: WORKFLOW_ACTOR,
  };
}

/** The frozen CASE fields the cluster workflow writes from its input (OpenClusterCase). */
export function clusterCaseFields(input: ClusterEnforcementInput): SealableCase {
  return {
    caseId: input.caseId,
    kind: 'cluster',
    clusterId: input.clusterId,
    accountIds: input.members.map((member) => member.accountId),
    action: CLUSTER_CASE_ACTION,
    riskScore: input.riskScore,
    policyVersion: input.policyVersion,
    triggeredAt: input.triggeredAt,
    evidence: input.evidence,
    openedBy: WORKFLOW_ACTOR,
  };
}

/**
 * The request with its input sealed: the workflow hashes `seal.digest` into the case's opening
 * audit entry (chain v2) and stores the field hashes with it. Computed from the final input, just
 * before the run starts, so nothing can change the case's fields between sealing and writing.
 */
export function sealedRequest(request: EnforcementRequest): EnforcementRequest {
  const { seal: _old, ...input } = request.input;
  return { ...request, input: { ...input, seal: caseSeal(accountCaseFields(input)) } };
}

export function sealedClusterRequest(request: ClusterEnforcementRequest): ClusterEnforcementRequest {
  const { seal: _old, ...input } = request.input;
  return { ...request, input: { ...input, seal: caseSeal(clusterCaseFields(input)) } };
}

export type { CaseSeal };
