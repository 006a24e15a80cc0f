import type { Tier } from './contract/usage-event';
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
  /** How many times the score has entered the suspend band. */
  crossings: number;
  /** The crossing for which enforcement was last requested (0: never). */
  requestedCrossing: number;
  /** Per Kinesis shard, the last sequence number applied: a redelivered record is skipped. */
  watermarks: Record<string, string>;
  /** Short hashes of the latest event ids: a duplicate put by the gateway is skipped. */
  recentEventIds: string[];
  /** Link keys (e.g. "pay#…") already written to the links table for this account. */
  linkKeys: string[];
  /**
   * Optimistic-concurrency version: every write expects the version it read. 0 means the scorer
   * never wrote the account (its item, if any, was created by the enforcement workflow).
   */
  version: number;
}

/** What a status line looks like to users (replay output, CLI). */
export type DisplayStatus = 'ACTIVE' | 'REVIEW' | 'SUSPENDED';

export function displayStatus(state: Pick<AccountState, 'status' | 'band'>): DisplayStatus {
  if (state.status === 'SUSPENDED') return 'SUSPENDED';
  return state.band === 'NORMAL' ? 'ACTIVE' : 'REVIEW';
}
