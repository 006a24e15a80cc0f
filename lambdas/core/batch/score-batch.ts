import type { AccountState } from '../account-state';
import { parseUsageEventBytes } from '../contract/usage-event';
import { clusterEnforcementPlan } from '../lifecycle/cluster-request';
import { afterClearance, reenforcementCheck } from '../lifecycle/protection';
import { sealedClusterRequest, sealedRequest } from '../lifecycle/sealed-input';
import { ClusterLookup, exploreCluster, sendsPublicPrompts } from '../linking/cluster-engine';
import type { Policy } from '../policy/policy';
import {
  ClusterEnforcementUnavailableError,
  type AccountStore,
  type Clock,
  type ClusterEnforcementRequest,
  type DeadLetterSink,
  type EnforcementRequest,
  type EnforcementStarter,
  type LinkStore,
  type RejectedRecord,
} from '../ports';
import { isPublicPrompt, promptSpread } from '../linking/edge-weights';
import {
  isExtractionSeed,
  scoreAccount,
  type AccountCheck,
  type AccountUpdate,
  type ScorerLimits,
} from './account-scorer';
import { extractionEvidence, totals } from '../scoring/window';
import type { LinkEdge } from '../linking/link-keys';
import type { SequencedEvent } from '../contract/usage-event';
import { regrowthEnforcement } from '../lifecycle/regrowth';

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

/** The accountId of BatchOutcome.errors for a failure of the whole batch (see scoreBatch). */
export const WHOLE_BATCH = '(batch)';

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
    let linked: LinkDecisions;
    let pending: AccountUpdate[];
    try {
      ({ pending, linked } = await decideBatch(byAccount, deps, stats));
    } catch (error) {
      // A step the whole batch shares failed (loading states, writing links, exploring clusters,
      // starting a cluster run) after the SDK's retries. Nothing was saved yet: report every valid
      // record failed instead of throwing, so the event source mapping redelivers this same batch
      // from its first record and it is decided again from the same events. A thrown error would
      // be bisected instead, and a half decides a cluster crossing from fewer events, so under
      // another name: a second case for the same members.
      errors.push({ accountId: WHOLE_BATCH, error: error as Error });
      for (const seqs of recordsByAccount.values()) for (const seq of seqs) failed.add(seq);
      return { failedSequenceNumbers: [...failed], rejected, stats, updates, errors };
    }

    await forEachLimited(pending, deps.concurrency ?? 16, async (update) => {
      const { accountId } = update.state;
      try {
        // Start before saving: if the save fails the redelivered batch recomputes the same
        // request. Standard refuses a second execution of the same name; under Express (the
        // optimised profile) the second one runs and loses the workflow's conditional claim and
        // case puts, writing and publishing nothing.
        // A member of a cluster crossing is enforced with its cluster, never on its own as well;
        // its crossing counts as requested.
        const clustered = linked.covered.has(accountId);
        if (clustered) update.state.requestedCrossing = update.state.crossings;
        const request = clustered ? undefined : (update.enforcement ?? linked.accountRequests.get(accountId));
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

/**
 * Everything before the saves: loads the states, scores each account, writes the new link edges,
 * explores clusters and starts the cluster runs. Its failures fail the whole batch.
 */
async function decideBatch(
  byAccount: ReadonlyMap<string, SequencedEvent[]>,
  deps: ScoreBatchDependencies,
  stats: BatchStats,
): Promise<{ pending: AccountUpdate[]; linked: LinkDecisions }> {
  const states = await deps.accounts.load([...byAccount.keys()]);
  const checks = await checkPublicPrompts(states, byAccount, deps, stats);
  const pending: AccountUpdate[] = [];
  for (const [accountId, events] of byAccount) {
    const update = scoreAccount(
      states.get(accountId),
      events,
      deps.policy,
      deps.limits,
      checks.get(accountId),
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
  // One cluster run per cluster crossing, started before any account is saved: a failure to
  // start fails the batch, which is then redelivered and decided again (same name, no-op).
  await forEachLimited(linked.clusterRequests, deps.concurrency ?? 16, async (request) =>
    startClusterEnforcement(deps.enforcement, request, stats),
  );
  return { pending, linked };
}

/** Census keys read per public check, and the fewest that make a share worth knowing. */
const PUBLIC_CHECK_KEYS = 16;
const MIN_PUBLIC_CHECK_KEYS = 4;

/**
 * How much of each account's extraction evidence is public prompts: for accounts with at least
 * clusters.seedEvidence of it (whose evidence can seed a cluster, join one or add points) and a
 * few census keys, not checked for links.publicRecheckHours of event time, reads who else sent the
 * prompts its latest census keys sample. A prompt many unrelated senders send on one topic is
 * public (a benchmark item), whoever they are.
 */
async function checkPublicPrompts(
  states: ReadonlyMap<string, AccountState>,
  byAccount: ReadonlyMap<string, SequencedEvent[]>,
  deps: ScoreBatchDependencies,
  stats: BatchStats,
): Promise<Map<string, AccountCheck>> {
  const { policy } = deps;
  const due = new Map<string, readonly string[]>();
  for (const [accountId, events] of byAccount) {
    const state = states.get(accountId);
    // The most recent census keys: a sample of what it sends now.
    const keys = (state?.censusKeys ?? []).slice(-PUBLIC_CHECK_KEYS);
    if (!state || keys.length < MIN_PUBLIC_CHECK_KEYS) continue;
    if (extractionEvidence(totals(state.buckets)) < policy.clusters.seedEvidence) continue;
    const latest = events.reduce((t, e) => (e.event.ts > t ? e.event.ts : t), state.lastEventAt);
    const checkedAt = state.publicCheckedAt ? Date.parse(state.publicCheckedAt) : Number.NEGATIVE_INFINITY;
    if (Date.parse(latest) - checkedAt < policy.links.publicRecheckHours * 3_600_000) continue;
    due.set(accountId, keys);
  }
  const checks = new Map<string, AccountCheck>();
  if (due.size === 0) return checks;
  const keys = [...new Set([...due.values()].flat())];
  const read = await deps.links.members(keys, policy.links.membersReadPerKey);
  stats.clusterReads += keys.length;
  const isPublic = new Map(
    keys.map((k) => [
      k,
      isPublicPrompt(promptSpread(read.get(k) ?? { accountIds: [], truncated: false }), policy),
    ]),
  );
  for (const [accountId, accountKeys] of due) {
    const publicKeys = accountKeys.filter((k) => isPublic.get(k)).length;
    checks.set(accountId, { publicShare: Number((publicKeys / accountKeys.length).toFixed(3)) });
  }
  return checks;
}

async function startEnforcement(starter: EnforcementStarter, request: EnforcementRequest, stats: BatchStats) {
  const { started } = await starter.start(sealedRequest(request));
  if (started) stats.enforcementsStarted += 1;
}

async function startClusterEnforcement(
  starter: EnforcementStarter,
  request: ClusterEnforcementRequest,
  stats: BatchStats,
) {
  if (!starter.startCluster) throw new ClusterEnforcementUnavailableError(request.executionName);
  const { started } = await starter.startCluster(sealedClusterRequest(request));
  if (started) stats.enforcementsStarted += 1;
}

/** What linking decided for a batch. */
interface LinkDecisions {
  /** One run per cluster crossing. */
  readonly clusterRequests: ClusterEnforcementRequest[];
  /** Accounts covered by a cluster crossing (enforced with it, or already suspended). */
  readonly covered: Set<string>;
  /** Account enforcements linking adds: anti-regrowth, by account id. */
  readonly accountRequests: Map<string, EnforcementRequest>;
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
): Promise<LinkDecisions> {
  const { policy } = deps;
  const requests = new Map<string, EnforcementRequest>();
  const clusterRequests = new Map<string, ClusterEnforcementRequest>();
  const covered = new Set<string>();
  const lookup = new ClusterLookup(
    deps.accounts,
    deps.links,
    pending.map((u) => u.state),
  );
  const pendingById = new Map(pending.map((u) => [u.state.accountId, u]));
  const explored = new Set<string>();
  // A risky account's cluster is explored again only when something of it moved: new links,
  // a first score over the floor, or a higher peak. Newcomers to a cluster are seeds themselves.
  // So are accounts with extraction evidence however low their score: a campaign spread thin.
  const { candidateFloor, seedEvidence, reexplorePeakRise } = policy.clusters;
  const evidenceOf = (s: AccountState) => extractionEvidence(totals(s.buckets), s.publicShare);
  const isCandidate = (s: AccountState) =>
    s.riskScore >= candidateFloor || isExtractionSeed(totals(s.buckets), s.publicShare, policy);
  const seeds = pending
    .filter((u) => {
      const s = u.state;
      if (s.status === 'SUSPENDED' || !isCandidate(s) || sendsPublicPrompts(s)) return false;
      const before = previous.get(s.accountId);
      return (
        !before ||
        u.newLinks.some((l) => l.kind !== 'prm') ||
        !isCandidate(before) ||
        s.peakRiskScore >= (before.peakRiskScore ?? 0) + reexplorePeakRise ||
        evidenceOf(s) >= 2 * Math.max(seedEvidence, evidenceOf(before))
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
      const own = pendingById.get(member.accountId);
      if (own) own.state.clusterId = cluster.clusterId;
    }
    const plan = clusterEnforcementPlan(cluster, policy, seed.lastEventAt);
    for (const accountId of plan.covered) covered.add(accountId);
    if (plan.request) clusterRequests.set(plan.request.executionName, plan.request);
  }

  const { regrowth } = policy.clusters;
  const isHeavyKey = (k: string) => k.startsWith('pay#') || k.startsWith('dev#') || k.startsWith('tpl#');
  const newcomers = pending
    .filter(
      ({ state: s, newLinks }) =>
        !covered.has(s.accountId) &&
        s.status !== 'SUSPENDED' &&
        s.totalRequests >= regrowth.minRequests &&
        s.riskScore >= regrowth.floor &&
        // Checked while new, and when an account with a history of its own shows up on a new card
        // or device (templates churn with every new prompt: they do not reopen the check).
        (s.totalRequests <= regrowth.maxRequests ||
          newLinks.some((l) => l.kind === 'pay' || l.kind === 'dev')),
    )
    .map((u) => u.state);
  const heavyKeys = newcomers.flatMap((s) => s.linkKeys.filter(isHeavyKey));
  await lookup.linkMembers(heavyKeys, policy.links.membersReadPerKey);
  await lookup.load(heavyKeys.flatMap((k) => lookup.membersOf(k).accountIds));
  for (const newcomer of newcomers) {
    const request = regrowthEnforcement(newcomer, lookup, policy);
    if (!request) continue;
    // A reinstated account is not enforced again for links it was cleared with.
    const check = reenforcementCheck(newcomer, policy);
    if (!check || !newcomer.reinstatement) requests.set(newcomer.accountId, request);
    else if (check.allowed)
      requests.set(newcomer.accountId, afterClearance(request, newcomer.reinstatement, check));
  }
  stats.clusterReads += lookup.reads;
  return { clusterRequests: [...clusterRequests.values()], covered, accountRequests: requests };
}
