/**
 * What the console's local server answers the browser: the same shapes as the cases API
 * (`GET /cases`, `GET /cases/{caseId}`) plus what only a local store can tell (accounts, events,
 * evaluation). Types only: the server and the browser bundle both import them.
 */
import type { ChainVerification } from '../../lambdas/core/cases/audit-chain';
import type { AuditEntry, CaseRecord, CaseStatus } from '../../lambdas/core/cases/case-record';
import type { ClusterEvidence } from '../../lambdas/core/linking/cluster-engine';
import type { Reason } from '../../lambdas/core/scoring/risk';
import type { EvaluationReport } from '../../sim/evaluation';

export type {
  AuditEntry,
  CaseRecord,
  CaseStatus,
  ChainVerification,
  ClusterEvidence,
  EvaluationReport,
  Reason,
};

export type ConsoleRole = 'investigator' | 'compliance';

/** GET /api/session: who the console acts as, and the token state-changing requests carry. */
export interface SessionInfo {
  readonly mode: 'local' | 'api';
  /** The store folder or the API URL. */
  readonly source: string;
  /** Local mode: the --role flag. API mode: null, the API decides from the caller's IAM role. */
  readonly role: ConsoleRole | null;
  readonly actor: string;
  readonly csrfToken: string;
  /** Whether GET /api/evaluation has a replay with a truth file to show. */
  readonly evaluation: boolean;
  /** Whether account states (reasons, reinstatement) can be read: a local store with an accounts table. */
  readonly accounts: boolean;
}

export interface CaseListResponse {
  /** The console's GET /api/cases sends `evidence` empty: GET /api/cases/{caseId} has it. */
  readonly cases: readonly CaseRecord[];
  readonly nextToken?: string;
}

export interface CaseDetailResponse {
  readonly case: CaseRecord;
  readonly audit: readonly AuditEntry[];
  readonly verification: ChainVerification;
}

/** GET /api/counts: cases per status (capped: `capped` lists the statuses counted only up to the cap). */
export interface StatusCounts {
  readonly counts: Readonly<Record<CaseStatus, number>>;
  readonly capped: readonly CaseStatus[];
}

/** One account as the local store holds it now. */
export interface AccountView {
  readonly accountId: string;
  /** ACTIVE, REVIEW or SUSPENDED, as replay's accounts.jsonl shows it. */
  readonly status: string;
  readonly riskScore: number;
  readonly peakRiskScore: number;
  readonly totalRequests: number;
  readonly tier: string;
  readonly orgId: string | null;
  readonly reasons: readonly Reason[];
  readonly suspendedCaseId: string | null;
  readonly reinstatement: { readonly caseId: string; readonly reinstatedAt: string } | null;
}

/** A usage event as the console shows it (every field as it came from the gateway). */
export type UsageEventView = Readonly<Record<string, unknown>>;

export interface DecisionRequest {
  readonly decision: 'CONFIRMED' | 'FALSE_POSITIVE';
  readonly note: string;
}

export interface DecisionResponse {
  readonly case: CaseRecord;
  readonly entry: AuditEntry;
  readonly changed: boolean;
  /** Local mode, FALSE_POSITIVE: what the reinstatement workflow did. */
  readonly reinstatement?: {
    readonly executions: number;
    readonly failed: ReadonlyArray<{ name: string; error?: string; cause?: string }>;
  };
}

export interface ErrorResponse {
  readonly message: string;
  readonly problems?: readonly string[];
}

/** Header that carries the CSRF token on POST requests. */
export const CSRF_HEADER = 'x-cauterize-csrf';
