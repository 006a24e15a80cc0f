import type { AccountState } from './account-state';
import type { CaseSeal } from './cases/case-seal';
import type { EnforcementAction, Policy, VerificationCheck } from './policy/policy';
import type { LinkEdge } from './linking/link-keys';

/**
 * Ports: what the pure core needs from the outside world. Adapters implement them for AWS
 * (DynamoDB, Step Functions, SQS), for the local runtime and for in-memory tests.
 */

/** Time comes through a clock so that scoring and replay are deterministic. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** One enforcement workflow run, started once per threshold crossing. */
export interface EnforcementRequest {
  /** Deterministic Step Functions execution name: the same crossing always maps to the same name. */
  readonly executionName: string;
  /** The state machine input (see EnforcementInput). */
  readonly input: EnforcementInput;
}

/** Input of the account enforcement state machine. Field names are part of the ASL definition. */
export interface EnforcementInput {
  readonly accountId: string;
  readonly caseId: string;
  readonly riskScore: number;
  readonly policyVersion: string;
  /** Event time of the event that crossed the threshold (ISO-8601). */
  readonly triggeredAt: string;
  /**
   * triggeredAt minus a fixed 6 hours (ISO-8601 UTC, see claimCutoffOf): the workflow's per-account
   * claim yields to a new case of the same or a weaker action only if the claim it holds was
   * triggered before this. Derived from event time alone, so the same crossing sends the same input.
   */
  readonly claimCutoff: string;
  /** Frozen at the crossing: signals with values and thresholds, sample event ids. */
  readonly evidence: Record<string, unknown>;
  /** What the workflow does: review (a case only), throttle, verify or suspend. Never a downgrade. */
  readonly action: EnforcementAction;
  /**
   * What the policy band asks for, after tier overrides. Equals `action`, except in shadow mode,
   * where the case records what would have been done and `action` is review.
   */
  readonly proposedAction: EnforcementAction;
  readonly mode: Policy['mode'];
  /** Why, in one sentence: the case's actionReason and the reason of its opening audit entry. */
  readonly reason: string;
  /** What the gateway is told with the action: requestsPerHour (throttle), checks (verify); else {}. */
  readonly directive: EnforcementDirective;
  /**
   * The seal of the case's frozen fields (lifecycle/sealed-input.ts), added as the run starts: the
   * opening audit entry's hash covers its digest (chain v2). An input without one (from a scorer
   * older than chain v2) opens a v1 case.
   */
  readonly seal?: CaseSeal;
}

export interface EnforcementDirective {
  readonly requestsPerHour?: number;
  readonly checks?: readonly VerificationCheck[];
}

/** One cluster enforcement workflow run: one case for the members a cluster crossing suspends. */
export interface ClusterEnforcementRequest {
  /** Deterministic execution name: the same cluster crossing always maps to the same name. */
  readonly executionName: string;
  readonly input: ClusterEnforcementInput;
}

/** A member the cluster workflow suspends (unless it already is). */
export interface ClusterMemberInput {
  readonly accountId: string;
  readonly riskScore: number;
}

/** Input of the cluster enforcement state machine. Field names are part of the ASL definition. */
export interface ClusterEnforcementInput {
  readonly clusterId: string;
  readonly caseId: string;
  /** The cluster's score (0-100), over clusters.suspend. */
  readonly riskScore: number;
  /** The accounts to suspend, every one also listed in the case. */
  readonly members: readonly ClusterMemberInput[];
  readonly policyVersion: string;
  /** Event time of the event whose batch made the cluster cross (ISO-8601). */
  readonly triggeredAt: string;
  /** Frozen at the crossing: cluster score and reasons, edges, members and their signals. */
  readonly evidence: Record<string, unknown>;
  /** The seal of the case's frozen fields, as EnforcementInput.seal. */
  readonly seal?: CaseSeal;
}

export interface EnforcementStarter {
  /**
   * Starts the workflow. Starting an execution whose name already exists, with the same input or
   * another, is not an error (Step Functions Standard semantics): it reports started=false. An
   * Express workflow, which does not deduplicate names, starts a repeat again (started=true); its
   * conditional writes make that run a no-op.
   */
  start(request: EnforcementRequest): Promise<{ started: boolean }>;
  /**
   * Starts the cluster enforcement workflow, with the same naming semantics as `start`. Optional
   * so that starters of the account workflow alone still fit; the scorer fails a batch that needs
   * it with ClusterEnforcementUnavailableError.
   */
  startCluster?(request: ClusterEnforcementRequest): Promise<{ started: boolean }>;
}

/** A cluster crossed its threshold but the enforcement starter cannot start the cluster workflow. */
export class ClusterEnforcementUnavailableError extends Error {
  public constructor(public readonly executionName: string) {
    super(
      `cluster enforcement ${executionName} cannot start: the enforcement starter has no startCluster; ` +
        'wire the cluster workflow (CLUSTER_STATE_MACHINE_ARN) into the starter',
    );
    this.name = 'ClusterEnforcementUnavailableError';
  }
}

/** A record that could not be read as a usage event, with where it came from and why. */
export interface RejectedRecord {
  readonly sequenceNumber: string;
  readonly partitionKey: string;
  readonly field: string;
  readonly reason: string;
  /**
   * The raw record data, base64, so it can be fixed and re-driven. On SQS, a record too large for
   * one message keeps a prefix of it only (SqsDeadLetterSink's DeadLetterMessage says how).
   */
  readonly dataBase64: string;
  readonly rejectedAt: string;
}

export interface DeadLetterSink {
  send(records: readonly RejectedRecord[]): Promise<void>;
}

/** Account state storage; implemented over DynamoDB and in memory. */
export interface AccountStore {
  /** Loads the states of these accounts (strongly consistent); absent accounts are missing from the map. */
  load(accountIds: readonly string[]): Promise<Map<string, AccountState>>;
  /**
   * Writes one account's new state if its stored version is still `expectedVersion`
   * (undefined or 0: the scorer has never written it). Never overwrites the enforcement-owned status.
   * Throws ConcurrentUpdateError when the version moved.
   */
  save(state: AccountState, expectedVersion: number | undefined): Promise<void>;
}

/** Members of one link key, as far as they were read. */
export interface LinkMembers {
  readonly accountIds: readonly string[];
  /** Per account (same order), who is behind it when it wrote the edge (senderEntity); absent for old edges. */
  readonly entities?: readonly (string | undefined)[];
  /** Per account (same order), the edge's topic tag (template and census keys); absent for old edges. */
  readonly tags?: readonly (string | undefined)[];
  /** More accounts share the key than were read (the key is large: a NAT, a public prompt, a big ring). */
  readonly truncated: boolean;
}

/** Link edges: an account shares an attribute (card, device, IP, template) under a link key. */
export interface LinkStore {
  /** Idempotent puts. */
  put(edges: readonly LinkEdge[]): Promise<void>;
  /** The accounts under each key, at most `limitPerKey` each (strongly consistent where possible). */
  members(linkKeys: readonly string[], limitPerKey: number): Promise<Map<string, LinkMembers>>;
}

export class ConcurrentUpdateError extends Error {
  public constructor(
    public readonly accountId: string,
    options?: ErrorOptions,
  ) {
    super(`account ${accountId} was updated concurrently; the batch will be retried`, options);
    this.name = 'ConcurrentUpdateError';
  }
}

/**
 * A second cluster workflow for the clusters with fewer than `belowMembers` members (the optimised
 * profile's Express one, which has no Distributed Map); the others go to the main cluster workflow.
 */
export interface SmallClusterRoute<Target> {
  readonly target: Target;
  readonly belowMembers: number;
}

/** The cluster workflow that takes `request`: the small-cluster one when it fits, else `main`. */
export function clusterWorkflowFor<Target>(
  request: ClusterEnforcementRequest,
  main: Target,
  small: SmallClusterRoute<Target> | undefined,
): Target {
  return small !== undefined && request.input.members.length < small.belowMembers ? small.target : main;
}
