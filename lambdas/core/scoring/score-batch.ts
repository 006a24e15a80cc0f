import type { AccountState } from '../account-state';
import { parseUsageEventBytes } from '../contract/usage-event';
import {
  ClusterLookup,
  clusterEnforcement,
  exploreCluster,
  regrowthEnforcement,
} from '../linking/cluster-engine';
import type { Policy } from '../policy/policy';
import type {
  AccountStore,
  Clock,
  DeadLetterSink,
  EnforcementRequest,
  EnforcementStarter,
  LinkStore,
  RejectedRecord,
} from '../ports';
import {
  scoreAccount,
  type AccountUpdate,
  type LinkEdge,
  type ScorerLimits,
  type SequencedEvent,
} from './account-scorer';

/** One stream record as any Kinesis consumer sees it. */
export interface StreamRecord {
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly partitionKey: string;
  readonly data: Uint8Array;
}

export interface ScoreBatchDependencies {
  readonly accounts: AccountStore;
  readonly links: LinkStore;
  readonly enforcement: EnforcementStarter;
  readonly deadLetters: DeadLetterSink;
  readonly policy: Policy;
  readonly clock: Clock;
  readonly limits?: ScorerLimits;
  /** Accounts processed at once (each: maybe a workflow start, then one write). @default 16 */
  readonly concurrency?: number;
}

export interface BatchOutcome {
  /** Sequence numbers of records to redeliver (ReportBatchItemFailures). */
  readonly failedSequenceNumbers: string[];
  readonly rejected: readonly RejectedRecord[];
  readonly stats: BatchStats;
  /** Accounts whose state was written, with what happened to each. */
  readonly updates: readonly AccountUpdate[];
  readonly errors: ReadonlyArray<{ accountId: string; error: Error }>;
}

export interface BatchStats {
  records: number;
  valid: number;
  rejected: number;
  duplicates: number;
  accounts: number;
  accountWrites: number;
  linkWrites: number;
  /** Read requests made to explore clusters (one per link key, one per 100 accounts). */
  clusterReads: number;
  clustersScored: number;
  enforcementsStarted: number;
}

export function emptyBatchStats(): BatchStats {
  return {
    records: 0,
    valid: 0,
    rejected: 0,
    duplicates: 0,
    accounts: 0,
    accountWrites: 0,
    linkWrites: 0,
    clusterReads: 0,
    clustersScored: 0,
    enforcementsStarted: 0,
  };
}

async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  });
  await Promise.all(workers);
}

/**
 * Scores one batch of stream records: validates, dead-letters what is invalid, aggregates the rest
 * per account (one state write per account per batch, not one per event), writes new link edges,
 * and starts enforcement for accounts that crossed the suspend threshold.
 *
 * Failure contract (same as Lambda's ReportBatchItemFailures): a record is either applied,
 * dead-lettered, or reported as failed so that it is delivered again. Redelivery is harmless:
 * per-account sequence watermarks skip what was already applied.
 */
export async function scoreBatch(
  records: readonly StreamRecord[],
  deps: ScoreBatchDependencies,
): Promise<BatchOutcome> {
  const stats: BatchStats = { ...emptyBatchStats(), records: records.length };
  const failed = new Set<string>();
  const rejected: RejectedRecord[] = [];
  const byAccount = new Map<string, SequencedEvent[]>();
  const recordsByAccount = new Map<string, string[]>();

  for (const record of records) {
    const parsed = parseUsageEventBytes(record.data);
    if (!parsed.ok) {
      rejected.push({
        sequenceNumber: record.sequenceNumber,
        partitionKey: record.partitionKey,
        field: parsed.rejection.field,
        reason: parsed.rejection.reason,
        dataBase64: Buffer.from(record.data).toString('base64'),
        rejectedAt: deps.clock.now().toISOString(),
      });
      continue;
    }
    const { accountId } = parsed.event;
    const list = byAccount.get(accountId) ?? [];
    list.push({ event: parsed.event, shardId: record.shardId, sequenceNumber: record.sequenceNumber });
    byAccount.set(accountId, list);
    const seqs = recordsByAccount.get(accountId) ?? [];
    seqs.push(record.sequenceNumber);
    recordsByAccount.set(accountId, seqs);
    stats.valid += 1;
  }

  if (rejected.length > 0) {
    try {
      await deps.deadLetters.send(rejected);
      stats.rejected = rejected.length;
    } catch {
      // Not dead-lettered means not handled: have them delivered again.
      for (const r of rejected) failed.add(r.sequenceNumber);
    }
  }

  const accountIds = [...byAccount.keys()];
  stats.accounts = accountIds.length;
  const errors: Array<{ accountId: string; error: Error }> = [];
  const updates: AccountUpdate[] = [];
  if (accountIds.length > 0) {
    const states = await deps.accounts.load(accountIds);
    const pending: AccountUpdate[] = [];
    for (const accountId of accountIds) {
      const update = scoreAccount(
        states.get(accountId),
        byAccount.get(accountId) ?? [],
        deps.policy,
        deps.limits,
      );
      stats.duplicates += update.duplicates;
      if (update.applied > 0) pending.push(update);
    }

    // Links first: the account state remembers which links it wrote, so they must exist before it does.
    const edges: LinkEdge[] = pending.flatMap((u) => [...u.newLinks]);
    if (edges.length > 0) {
      await deps.links.put(edges);
      stats.linkWrites += edges.length;
    }

    const linked = await linkAccounts(pending, states, deps, stats);
    // Linked accounts outside this batch are enforced with their cluster; a failure to start
    // fails the batch, which is then redelivered and decided again.
    const batchIds = new Set(pending.map((u) => u.state.accountId));
    await forEachLimited(
      [...linked].filter(([accountId]) => !batchIds.has(accountId)),
      deps.concurrency ?? 16,
      async ([, request]) => startEnforcement(deps.enforcement, request, stats),
    );

    await forEachLimited(pending, deps.concurrency ?? 16, async (update) => {
      const { accountId } = update.state;
      try {
        // Start before saving: if the save fails the redelivered batch recomputes the same
        // request, and starting an execution with the same name again is a no-op.
        const request = update.enforcement ?? linked.get(accountId);
        if (request) await startEnforcement(deps.enforcement, request, stats);
        await deps.accounts.save(update.state, update.expectedVersion);
        stats.accountWrites += 1;
        updates.push(update);
      } catch (error) {
        errors.push({ accountId, error: error as Error });
        for (const seq of recordsByAccount.get(accountId) ?? []) failed.add(seq);
      }
    });
  }

  return { failedSequenceNumbers: [...failed], rejected, stats, updates, errors };
}

async function startEnforcement(starter: EnforcementStarter, request: EnforcementRequest, stats: BatchStats) {
  const { started } = await starter.start(request);
  if (started) stats.enforcementsStarted += 1;
}

/**
 * Explores the clusters around this batch's risky accounts and decides what linking adds: whole
 * clusters over their threshold, and new accounts tied to suspended ones (anti-regrowth).
 * Records each in-batch account's cluster on its state (written with it, no extra write).
 */
async function linkAccounts(
  pending: readonly AccountUpdate[],
  previous: ReadonlyMap<string, AccountState>,
  deps: ScoreBatchDependencies,
  stats: BatchStats,
): Promise<Map<string, EnforcementRequest>> {
  const { policy } = deps;
  const requests = new Map<string, EnforcementRequest>();
  const lookup = new ClusterLookup(
    deps.accounts,
    deps.links,
    pending.map((u) => u.state),
  );
  const explored = new Set<string>();
  // A risky account's cluster is explored again only when something of it moved: new links,
  // a first score over the floor, or a higher peak. Newcomers to a cluster are seeds themselves.
  const seeds = pending
    .filter((u) => {
      const s = u.state;
      if (s.status === 'SUSPENDED' || s.riskScore < policy.clusters.candidateFloor) return false;
      const before = previous.get(s.accountId);
      return (
        !before ||
        u.newLinks.length > 0 ||
        before.riskScore < policy.clusters.candidateFloor ||
        s.peakRiskScore >= (before.peakRiskScore ?? 0) + policy.clusters.reexplorePeakRise
      );
    })
    .map((u) => u.state)
    .sort((a, b) => b.riskScore - a.riskScore);
  for (const seed of seeds) {
    if (explored.has(seed.accountId)) continue;
    const cluster = await exploreCluster(seed, lookup, policy);
    for (const member of cluster.members) explored.add(member.accountId);
    if (cluster.members.length < policy.clusters.minSize) continue;
    stats.clustersScored += 1;
    for (const member of cluster.members) {
      const own = pending.find((u) => u.state.accountId === member.accountId);
      if (own) own.state.clusterId = cluster.clusterId;
    }
    for (const decision of clusterEnforcement(cluster, policy, seed.lastEventAt)) {
      if (!requests.has(decision.accountId)) requests.set(decision.accountId, decision.request);
    }
  }

  const { regrowth } = policy.clusters;
  const newcomers = pending
    .map((u) => u.state)
    .filter(
      (s) =>
        !requests.has(s.accountId) &&
        s.status !== 'SUSPENDED' &&
        s.totalRequests >= regrowth.minRequests &&
        s.riskScore >= regrowth.floor,
    );
  const heavyKeys = newcomers.flatMap((s) =>
    s.linkKeys.filter((k) => k.startsWith('pay#') || k.startsWith('dev#') || k.startsWith('tpl#')),
  );
  await lookup.linkMembers(heavyKeys, policy.links.membersReadPerKey);
  await lookup.load(heavyKeys.flatMap((k) => lookup.membersOf(k).accountIds));
  for (const newcomer of newcomers) {
    const request = regrowthEnforcement(newcomer, lookup, policy);
    if (request) requests.set(newcomer.accountId, request);
  }
  stats.clusterReads += lookup.reads;
  return requests;
}
