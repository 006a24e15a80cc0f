import type { Tier } from './contract/usage-event';
import type { EnforcementAction } from './policy/policy';
import type { Reason } from './scoring/risk';
import type { TemplateBandCount } from './scoring/signals/template-reuse';
import type { TopicSeen } from './scoring/signals/topic-coverage';
import type { HourBucket } from './scoring/window';

/** Enforcement-owned status: only the enforcement workflow sets SUSPENDED. */
export type AccountStatus = 'ACTIVE' | 'SUSPENDED';
/** The scorer's view: which policy band the latest score falls in. */
export type RiskBand = 'NORMAL' | 'REVIEW' | 'SUSPEND';

/** Everything Cauterize keeps about one account; one DynamoDB item. */
export interface AccountState {
  readonly accountId: string;
  tier: Tier;
  orgId: string | null;
  /** Email domain of the account (links campus NAT users; not an edge on its own). */
  emailDomain: string | null;
  /** The linked-account cluster it was last scored in, if any. */
  clusterId: string | null;
  accountCreatedAt: string;
  status: AccountStatus;
  /** Event time of the first and latest request seen. */
  firstEventAt: string;
  lastEventAt: string;
  totalRequests: number;
  buckets: HourBucket[];
  /** Topics asked about in the window, least recent first; bounded (64 by default). */
  recentTopics: TopicSeen[];
  /** LSH band keys of conversation openers' prompt hashes with their use counts; bounded (64). */
  templateBands: TemplateBandCount[];
  /**
   * Band keys (e.g. "0:9f3a") the account reused in the window, most used first; bounded (16).
   * What linking turns into cross-account template keys.
   */
  recurringTemplateBands: string[];
  riskScore: number;
  /** The highest score the account has had: decoy traffic dilutes the current one. */
  peakRiskScore: number;
  band: RiskBand;
  reasons: Reason[];
  policyVersion: string;
  /** Enforcement crossings: how many times the account entered a stronger action band (one workflow each). */
  crossings: number;
  /** The crossing for which enforcement was last requested (0: never). */
  requestedCrossing: number;
  /** The strongest action requested (enforce mode) since the score last entered the review band. */
  requestedAction?: EnforcementAction;
  /** The strongest action a shadow-mode case recorded since the score last entered the review band. */
  shadowedAction?: EnforcementAction;
  /** The cleared case (see reinstatement) the two above were counted after; a new clearance resets them. */
  requestedClearance?: string;
  /** Per Kinesis shard, the last sequence number applied: a redelivered record is skipped. */
  watermarks: Record<string, string>;
  /** Short hashes of the latest event ids: a duplicate put by the gateway is skipped. */
  recentEventIds: string[];
  /** Link keys (e.g. "pay#…") already written to the links table for this account. */
  linkKeys: string[];
  /** Distinct networks (ASNs) the account used, first seen first; bounded (4): its footprint. */
  asns: number[];
  /**
   * Census keys ("prm#<band>", see link-keys.ts) the account wrote most recently, oldest first;
   * bounded (32). They sample its extraction-shaped prompts: how many of them many unrelated
   * accounts send too is how much of its extraction evidence is public prompts.
   */
  censusKeys?: string[];
  /**
   * Share of its sampled extraction-shaped prompts that are public (sent by many unrelated
   * accounts), as last checked; its extraction evidence is discounted by it. Absent: never checked.
   */
  publicShare?: number;
  /** Event time the public share was last checked. */
  publicCheckedAt?: string;
  /**
   * Set by the reinstatement workflow when an investigator cleared, as a false positive, the case
   * the account was suspended under: what was cleared, so the same evidence never suspends it again.
   * Never written by the scorer.
   */
  reinstatement?: Reinstatement;
  /**
   * Optimistic-concurrency version: every write expects the version it read. 0 means the scorer
   * never wrote the account (its item, if any, was created by the enforcement workflow).
   */
  version: number;
}

/** An account's clearance: written by the reinstatement workflow, read by the scorer's protection. */
export interface Reinstatement {
  /** The case cleared as a false positive. */
  readonly caseId: string;
  readonly reinstatedAt: string;
  /** When the investigator cleared the case. */
  readonly clearedAt: string;
  /** The account score the case was opened with (suspendedScore). */
  readonly clearedScore: number;
  /** The account's peak score when it was reinstated (its risk as cleared, decoys aside). */
  readonly clearedPeakScore: number;
  /** Link keys the account had when cleared: a new card or device after that is new evidence. */
  readonly clearedLinkKeys: readonly string[];
}

/** What a status line looks like to users (replay output, CLI). */
export type DisplayStatus = 'ACTIVE' | 'REVIEW' | 'SUSPENDED';

export function displayStatus(state: Pick<AccountState, 'status' | 'band'>): DisplayStatus {
  if (state.status === 'SUSPENDED') return 'SUSPENDED';
  return state.band === 'NORMAL' ? 'ACTIVE' : 'REVIEW';
}
