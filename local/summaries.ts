import { displayStatus, type AccountState, type DisplayStatus } from '../lambdas/core/account-state';
import type { Reason } from '../lambdas/core/scoring/risk';

/**
 * The rows replay writes (accounts.jsonl, cases.jsonl), built the same way from the local
 * pipeline's tables and from the memory engine's stores.
 */

/** What a user sees of one account: the contract of replay's accounts.jsonl. */
export interface AccountSummary {
  readonly accountId: string;
  readonly status: DisplayStatus;
  readonly riskScore: number;
  /** When the account was suspended, on the stream's event-time clock (the crossing's event time). */
  readonly suspendedAt: string | null;
  readonly clusterId: string | null;
  readonly reasons: readonly Reason[];
  readonly caseId: string | null;
  readonly policyVersion: string;
  readonly totalRequests: number;
}

export interface CaseSummary {
  readonly caseId: string;
  readonly kind: string;
  /** The account of an account case; null for a cluster case. */
  readonly accountId: string | null;
  /** Every account of the case (the one account of an account case, the members of a cluster case). */
  readonly accountIds: readonly string[];
  readonly status: string;
  /** What enforcement did when it opened the case: review, throttle, verify or suspend. */
  readonly action: string | null;
  readonly openedAt: string;
  readonly riskScore: number;
  readonly policyVersion: string;
  readonly triggeredAt: string;
  readonly evidence: unknown;
}

/**
 * An account's row: its state, and the attributes the enforcement workflows wrote beside it (the
 * accounts table item, or the memory store's enforcement attributes).
 */
export function accountSummary(
  state: AccountState,
  attributes: Readonly<Record<string, unknown>>,
): AccountSummary {
  const suspended = state.status === 'SUSPENDED';
  return {
    accountId: state.accountId,
    status: displayStatus(state),
    riskScore: state.riskScore,
    suspendedAt: suspended
      ? (stringOrNull(attributes.suspendedTriggeredAt) ?? stringOrNull(attributes.suspendedAt))
      : null,
    clusterId: stringOrNull(attributes.clusterId) ?? stringOrNull(state.clusterId),
    reasons: state.reasons,
    caseId: stringOrNull(attributes.suspendedCaseId),
    policyVersion: state.policyVersion,
    totalRequests: state.totalRequests,
  };
}

/** A case's row, from its CASE item (evidence as the workflows store it, JSON text, or as an object). */
export function caseSummary(item: Readonly<Record<string, unknown>>): CaseSummary {
  return {
    caseId: String(item.caseId),
    kind: String(item.kind),
    accountId: stringOrNull(item.accountId),
    accountIds: Array.isArray(item.accountIds)
      ? item.accountIds.map(String)
      : [item.accountId].filter((id): id is string => typeof id === 'string'),
    status: String(item.status),
    action: stringOrNull(item.action),
    openedAt: String(item.openedAt),
    riskScore: Number(item.riskScore),
    policyVersion: String(item.policyVersion),
    triggeredAt: String(item.triggeredAt),
    evidence: typeof item.evidence === 'string' ? JSON.parse(item.evidence) : item.evidence,
  };
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}
