import { dynamoDbItemBytes, readUnitsOf, writeUnitsOf } from '../lambdas/adapters/dynamodb-item-size';
import type { AccountState } from '../lambdas/core/account-state';
import type { AccountStore, Clock, LinkMembers, LinkStore } from '../lambdas/core/ports';
import { loadScorerPolicy, scoreInShards } from '../local/replay/fast-replay';
import { DEFAULT_SCORER_BATCH_SIZE, DEFAULT_SCORER_RETRY_ATTEMPTS } from '../lib/scorer-batching';
import { emptySourceStats, readJsonlRecords } from '../local/jsonl-source';
import { LocalEventBus } from '../local/eventbridge/local-event-bus';
import { MemoryAccountStore, MemoryEnforcement, MemoryLinkStore } from '../local/replay/memory-adapters';
import type { LinkEdge } from '../lambdas/core/linking/link-keys';
import { accountItem } from '../lambdas/adapters/account-item-codec';
import { LocalDeadLetterSink } from '../local/dead-letter-sink';

export interface DynamoDbAccounting {
  /** Batches were cut by this event-time window as well as by size (absent: by size only). */
  readonly batchingWindowSeconds?: number;
  readonly events: number;
  readonly accounts: number;
  readonly batches: number;
  /** Item writes by the scorer: account states (one per account per batch). */
  readonly accountWrites: number;
  /** Write capacity units of those: the account item is read and written whole. */
  readonly accountWriteUnits: number;
  readonly accountItemBytes: { readonly mean: number; readonly p95: number; readonly max: number };
  /** Link edges written, by key kind (pay, dev, ip, tpl, ...). */
  readonly linkWrites: number;
  readonly linkWritesByKind: Readonly<Record<string, number>>;
  /** Workflow writes: suspend, case, audit entry per account enforced (3 items each). */
  readonly workflowWrites: number;
  /** Cases opened (account and cluster). */
  readonly enforcements: number;
  /**
   * Capacity units by table, every billed one: the scorer's (eventually consistent loads and link
   * queries), the workflows' (claims, conditional writes that fail, case items and their two index
   * copies, audit entries, cluster member items and their index copy). The links table has no index.
   */
  readonly tables: Readonly<Record<TableName, { readonly writeUnits: number; readonly readUnits: number }>>;
  /** Workflow runs the scorer started, and the events they published. */
  readonly workflows: {
    readonly accountRuns: number;
    readonly clusterRuns: number;
    readonly clusterMembers: number;
    /** Members of each cluster run (the cluster workflow picks its Map by the count). */
    readonly clusterRunSizes: readonly number[];
    readonly busEvents: number;
  };
  /** Items read: account states loaded per batch, plus link members and states read by cluster lookups. */
  readonly accountReads: number;
  readonly accountReadUnits: number;
  readonly linkQueries: number;
  readonly linkItemsRead: number;
  readonly writesPerEvent: number;
  readonly writeUnitsPerEvent: number;
  readonly readsPerEvent: number;
  readonly readUnitsPerEvent: number;
  /** How many times the same account was written, per distinct account (batches it appeared in). */
  readonly writesPerAccount: number;
  readonly seconds: number;
  /** Mean bytes of a record on the stream, and of a record as Kinesis on-demand bills it in (whole KB). */
  readonly recordBytes: { readonly mean: number; readonly billedIn: number };
  /**
   * Distinct (account, window) pairs per event for event-time windows of 20 s, 1 min, 5 min, 1 h, 1 day:
   * the account-state writes per event of a consumer whose batches span that window (on AWS a
   * batch spans up to a minute, see cost-model.ts batchSpanSeconds; a replay's batch spans about
   * 90 minutes).
   */
  readonly accountWindowsPerEvent: Readonly<Record<string, number>>;
  /**
   * The design sketched in docs/performance.md: low-risk accounts (below the candidate floor, NORMAL
   * band, never enforced) checkpointed once per event-time day and their links kept until they become
   * candidates; everything else written as now.
   */
  readonly design: {
    readonly lowRiskAccountWrites: number;
    readonly lowRiskAccountDays: number;
    readonly lowRiskLinkWrites: number;
    readonly writesPerEvent: number;
  };
  /**
   * The same design carried through (docs/performance.md): all low-risk state in a keyed
   * aggregator, none in DynamoDB; an account outside the low-risk set written on a band change or
   * once per event-time hour; the link edges of every account that was ever outside it (deferred
   * edges included, written when it leaves); the workflows' items as now.
   */
  readonly aggregator: {
    readonly riskyAccounts: number;
    readonly accountWrites: number;
    /** The same with the periodic write every 6 h and every 24 h instead of hourly. */
    readonly accountWritesEvery: { readonly '6h': number; readonly '24h': number };
    readonly linkWrites: number;
    readonly writesPerEvent: number;
  };
}

export type TableName = 'accounts' | 'links' | 'cases';

/** An eventually consistent read costs half a read unit per started 4 KB. */
const EVENTUALLY_CONSISTENT = 0.5;
/** Index copies of a case item: account cases are in byAccount and byStatus, cluster cases in byStatus. */
const ACCOUNT_CASE_INDEXES = 2;
const CLUSTER_CASE_INDEXES = 1;
/** A cluster's MEMBER# item (caseId, sk, accountId, openedAt) is one unit, and one more in byAccount. */
const MEMBER_ITEM_UNITS = 2;

/** The size DynamoDB bills for the account item DynamoDbAccountStore writes for this state. */
export function accountItemBytes(state: AccountState): number {
  return dynamoDbItemBytes({ accountId: state.accountId, status: state.status, ...accountItem(state) });
}

/** The aggregator design's periodic writes of accounts outside the low-risk set, in event-time hours. */
const AGGREGATOR_PERIODS = [
  ['1h', 1],
  ['6h', 6],
  ['24h', 24],
] as const;

class CountingAccountStore implements AccountStore {
  public writes = 0;
  public writeUnits = 0;
  public reads = 0;
  public readUnits = 0;
  public readonly sizes: number[] = [];
  public readonly written = new Set<string>();
  /** Writes of accounts below the cluster candidate floor, in the NORMAL band, never enforced. */
  public lowRiskWrites = 0;
  /** Distinct (account, event-time day) of those: what one checkpoint a day per account would write. */
  public readonly lowRiskAccountDays = new Set<string>();
  /** Accounts ever written outside the low-risk set, and the writes the aggregator design makes for them. */
  public readonly everRisky = new Set<string>();
  /** Aggregator-design writes with the periodic write every 1, 6 and 24 event-time hours. */
  public readonly aggregatorWrites = { '1h': 0, '6h': 0, '24h': 0 };
  private readonly aggregatorLast = new Map<string, { period: number; band: string }>();
  /** The latest score written per account, for classifying its link writes. */
  public readonly lastScore = new Map<string, number>();
  /** The size of each account's item as last written, by version: a load reads what was written. */
  private readonly lastWrite = new Map<string, { version: number; bytes: number }>();

  public constructor(
    private readonly inner: AccountStore,
    private readonly candidateFloor: number,
  ) {}

  public isLowRisk(state: AccountState): boolean {
    return state.riskScore < this.candidateFloor && state.band === 'NORMAL' && state.crossings === 0;
  }

  public async load(accountIds: readonly string[]): Promise<Map<string, AccountState>> {
    const states = await this.inner.load(accountIds);
    // BatchGetItem bills every key asked for; an absent item costs a minimum read unit too.
    for (const id of accountIds) {
      const state = states.get(id);
      this.reads += 1;
      this.readUnits += (state ? readUnitsOf(this.bytesOf(state)) : 1) * EVENTUALLY_CONSISTENT;
    }
    return states;
  }

  /** Bytes of the account's item as last written (the mean written item if it never was). */
  public itemBytes(accountId: string): number {
    const last = this.lastWrite.get(accountId);
    if (last) return last.bytes;
    return this.sizes.reduce((a, b) => a + b, 0) / Math.max(1, this.sizes.length);
  }

  /** Packing the item deflates it: reuse the size of the write the state came from. */
  private bytesOf(state: AccountState): number {
    const last = this.lastWrite.get(state.accountId);
    return last?.version === state.version ? last.bytes : accountItemBytes(state);
  }

  public async save(state: AccountState, expectedVersion: number | undefined): Promise<void> {
    await this.inner.save(state, expectedVersion);
    const bytes = accountItemBytes(state);
    this.lastWrite.set(state.accountId, { version: state.version, bytes });
    this.writes += 1;
    this.writeUnits += writeUnitsOf(bytes);
    this.sizes.push(bytes);
    this.written.add(state.accountId);
    this.lastScore.set(state.accountId, state.riskScore);
    if (this.isLowRisk(state)) {
      this.lowRiskWrites += 1;
      this.lowRiskAccountDays.add(`${state.accountId}|${state.lastEventAt.slice(0, 10)}`);
    } else {
      this.everRisky.add(state.accountId);
      const hour = Math.floor(Date.parse(state.lastEventAt) / 3_600_000);
      for (const [name, hours] of AGGREGATOR_PERIODS) {
        const key = `${name}|${state.accountId}`;
        const period = Math.floor(hour / hours);
        const last = this.aggregatorLast.get(key);
        if (!last || last.period !== period || last.band !== state.band) {
          this.aggregatorWrites[name] += 1;
          this.aggregatorLast.set(key, { period, band: state.band });
        }
      }
    }
  }
}

class CountingLinkStore implements LinkStore {
  public writes = 0;
  public readonly byKind: Record<string, number> = {};
  /** Edges written per account. */
  public readonly byAccount = new Map<string, number>();
  public keysQueried = 0;
  public itemsRead = 0;
  /** Edges of accounts whose latest written score is below the candidate floor (or never written). */
  public lowRiskWrites = 0;

  public constructor(
    private readonly inner: LinkStore,
    private readonly isLowRisk: (accountId: string) => boolean,
  ) {}

  public async put(edges: readonly LinkEdge[]): Promise<void> {
    await this.inner.put(edges);
    const unique = new Map(edges.map((e) => [`${e.linkKey}\u0000${e.accountId}`, e]));
    for (const edge of unique.values()) {
      this.writes += 1;
      const kind = edge.linkKey.split('#')[0] ?? 'other';
      this.byKind[kind] = (this.byKind[kind] ?? 0) + 1;
      this.byAccount.set(edge.accountId, (this.byAccount.get(edge.accountId) ?? 0) + 1);
      if (this.isLowRisk(edge.accountId)) this.lowRiskWrites += 1;
    }
  }

  public async members(linkKeys: readonly string[], limitPerKey: number): Promise<Map<string, LinkMembers>> {
    const result = await this.inner.members(linkKeys, limitPerKey);
    this.keysQueried += new Set(linkKeys).size;
    for (const members of result.values()) this.itemsRead += Math.max(1, members.accountIds.length);
    return result;
  }
}

const clock: Clock = { now: () => new Date('2026-03-01T00:00:00Z') };

/**
 * Runs the traffic through the scoring core on in-memory adapters wrapped in counters, batched as
 * the event source mapping batches it (2 shards, the stack's batch size), and counts the DynamoDB
 * items each port call would read and write.
 */
export async function measureDynamoDbAccounting(
  file: string,
  options: { shards?: number; batchSize?: number; batchingWindowSeconds?: number } = {},
): Promise<DynamoDbAccounting> {
  const policy = loadScorerPolicy();
  const memoryAccounts = new MemoryAccountStore();
  const floor = policy.clusters.candidateFloor;
  const accounts = new CountingAccountStore(memoryAccounts, floor);
  const memoryLinks = new MemoryLinkStore();
  const links = new CountingLinkStore(memoryLinks, (id) => (accounts.lastScore.get(id) ?? 0) < floor);
  const enforcement = new MemoryEnforcement({ accounts: memoryAccounts, bus: new LocalEventBus(), clock });
  const deps = { accounts, links, enforcement, deadLetters: new LocalDeadLetterSink(), policy, clock };
  const source = emptySourceStats();
  const started = performance.now();
  const windows: Record<string, number> = { '20s': 20, '1min': 60, '5min': 300, '1h': 3600, '1day': 86_400 };
  const seen = Object.fromEntries(Object.keys(windows).map((name) => [name, new Set<string>()]));
  let recordBytes = 0;
  let billedInBytes = 0;
  async function* observed() {
    for await (const record of readJsonlRecords(file, source)) {
      recordBytes += record.data.byteLength;
      billedInBytes += Math.ceil(record.data.byteLength / 1024) * 1024;
      // The reader already parsed the event's ts.
      if (record.eventTimeMs !== undefined) {
        const seconds = record.eventTimeMs / 1000;
        for (const [name, width] of Object.entries(windows)) {
          seen[name]!.add(`${record.partitionKey}|${Math.floor(seconds / width)}`);
        }
      }
      yield record;
    }
  }
  const result = await scoreInShards(observed(), deps, {
    shards: options.shards ?? 2,
    batchSize: options.batchSize ?? DEFAULT_SCORER_BATCH_SIZE,
    maximumRetryAttempts: DEFAULT_SCORER_RETRY_ATTEMPTS,
    interleaving: 'event-time',
    batchingWindowSeconds: options.batchingWindowSeconds,
  });
  const seconds = (performance.now() - started) / 1000;
  const events = source.lines;
  const enforcements = enforcement.cases().length;
  const workflowWrites = 3 * enforcements;
  const workflow = workflowUnits(enforcement, (id) => accounts.itemBytes(id));
  const linkQueries = (memoryLinks.counters as { queries?: number }).queries ?? links.keysQueried;
  const tables: DynamoDbAccounting['tables'] = {
    accounts: {
      writeUnits: accounts.writeUnits + workflow.accounts.writeUnits,
      readUnits: accounts.readUnits + workflow.accounts.readUnits,
    },
    // Edges are small items, one unit each; link queries read under 4 KB each.
    links: { writeUnits: links.writes, readUnits: linkQueries * EVENTUALLY_CONSISTENT },
    cases: workflow.cases,
  };
  const sizes = [...accounts.sizes].sort((a, b) => a - b);
  const writes = accounts.writes + links.writes + workflowWrites;
  let aggregatorLinkWrites = 0;
  for (const id of accounts.everRisky) aggregatorLinkWrites += links.byAccount.get(id) ?? 0;
  const reads = accounts.reads + links.itemsRead + enforcements;
  const writeUnits = tables.accounts.writeUnits + tables.links.writeUnits + tables.cases.writeUnits;
  const readUnits = tables.accounts.readUnits + tables.links.readUnits + tables.cases.readUnits;
  return {
    ...(options.batchingWindowSeconds === undefined
      ? {}
      : { batchingWindowSeconds: options.batchingWindowSeconds }),
    events,
    accounts: accounts.written.size,
    batches: result.batches,
    accountWrites: accounts.writes,
    accountWriteUnits: accounts.writeUnits,
    accountItemBytes: {
      mean: sizes.reduce((a, b) => a + b, 0) / Math.max(1, sizes.length),
      p95: sizes[Math.floor(sizes.length * 0.95)] ?? 0,
      max: sizes[sizes.length - 1] ?? 0,
    },
    linkWrites: links.writes,
    linkWritesByKind: links.byKind,
    workflowWrites,
    enforcements,
    tables,
    workflows: workflow.runs,
    accountReads: accounts.reads,
    accountReadUnits: accounts.readUnits,
    linkQueries,
    linkItemsRead: links.itemsRead,
    writesPerEvent: writes / events,
    writeUnitsPerEvent: writeUnits / events,
    readsPerEvent: reads / events,
    readUnitsPerEvent: readUnits / events,
    writesPerAccount: accounts.writes / Math.max(1, accounts.written.size),
    seconds,
    recordBytes: { mean: recordBytes / Math.max(1, events), billedIn: billedInBytes / Math.max(1, events) },
    accountWindowsPerEvent: Object.fromEntries(
      Object.entries(seen).map(([name, set]) => [name, set.size / Math.max(1, events)]),
    ),
    design: {
      lowRiskAccountWrites: accounts.lowRiskWrites,
      lowRiskAccountDays: accounts.lowRiskAccountDays.size,
      lowRiskLinkWrites: links.lowRiskWrites,
      writesPerEvent:
        (writes - accounts.lowRiskWrites + accounts.lowRiskAccountDays.size - links.lowRiskWrites) / events,
    },
    aggregator: {
      riskyAccounts: accounts.everRisky.size,
      accountWrites: accounts.aggregatorWrites['1h'],
      accountWritesEvery: { '6h': accounts.aggregatorWrites['6h'], '24h': accounts.aggregatorWrites['24h'] },
      linkWrites: aggregatorLinkWrites,
      writesPerEvent: (accounts.aggregatorWrites['1h'] + aggregatorLinkWrites + workflowWrites) / events,
    },
  };
}

/** The item OpenCase puts for a case (enforcement-workflow.ts), with the fields the memory engine keeps. */
function caseItemBytes(record: Readonly<Record<string, unknown>>): number {
  const { evidence, directive, ...rest } = record;
  return dynamoDbItemBytes({
    ...rest,
    sk: 'CASE',
    evidence: JSON.stringify(evidence ?? {}),
    directive: JSON.stringify(directive ?? {}),
    updatedAt: rest.openedAt,
    openedByExecution:
      'arn:aws:states:us-east-1:123456789012:execution:EnforcementStateMachineXXXXXXXX:acct-000000000000000000000000-1',
    notes: [],
    lastAuditSeq: 0,
    lastAuditHash: '0'.repeat(64),
  });
}

/** An opening audit entry: case id, sk, seq, time, actor, action, statuses, reason, two hashes. */
const AUDIT_ENTRY_UNITS = 1;

/**
 * The capacity units the enforcement workflows use, run by run, as their definitions make the
 * calls (a conditional write bills its units whether or not it passes).
 */
function workflowUnits(enforcement: MemoryEnforcement, accountBytes: (accountId: string) => number) {
  const accounts = { writeUnits: 0, readUnits: 0 };
  const cases = { writeUnits: 0, readUnits: 0 };
  const runs = {
    accountRuns: 0,
    clusterRuns: 0,
    clusterMembers: 0,
    clusterRunSizes: [] as number[],
    busEvents: 0,
  };
  const caseById = new Map(enforcement.cases().map((c) => [c.caseId, c]));
  const caseUnits = (caseId: string) => {
    const record = caseById.get(caseId);
    return record ? writeUnitsOf(caseItemBytes(record)) : 1;
  };
  for (const run of enforcement.executions()) {
    const { accountId, caseId, action, mode } = run.input;
    const bytes = accountBytes(accountId);
    runs.accountRuns += 1;
    accounts.readUnits += readUnitsOf(bytes); // GetAccount, consistent
    if (run.outcome === 'ENFORCED' || run.outcome === 'CASE_ALREADY_OPEN')
      accounts.writeUnits += writeUnitsOf(bytes); // ClaimAccount
    if (run.outcome === 'CASE_ALREADY_OPEN') {
      cases.writeUnits += caseUnits(caseId); // the OpenCase put that failed its condition
      cases.readUnits += 1; // GetCase
    }
    if (run.outcome === 'ENFORCED') {
      cases.writeUnits += caseUnits(caseId) * (1 + ACCOUNT_CASE_INDEXES) + AUDIT_ENTRY_UNITS;
      const acts = mode !== 'shadow' && action !== 'review';
      if (acts) accounts.writeUnits += writeUnitsOf(bytes); // SuspendAccount, ThrottleAccount or RequireVerification
      runs.busEvents += acts ? 2 : 1;
    }
  }
  for (const run of enforcement.clusterExecutions()) {
    const members = run.input.members;
    runs.clusterRuns += 1;
    runs.clusterMembers += members.length;
    runs.clusterRunSizes.push(members.length);
    cases.readUnits += 1; // ReadClusterCase
    if (run.outcome === 'CASE_ALREADY_OPEN') continue; // found the case another execution owns
    cases.writeUnits += caseUnits(run.input.caseId) * (1 + CLUSTER_CASE_INDEXES) + AUDIT_ENTRY_UNITS;
    runs.busEvents += 1 + run.suspended.length;
    for (const member of members) {
      cases.writeUnits += MEMBER_ITEM_UNITS;
      accounts.writeUnits += writeUnitsOf(accountBytes(member.accountId)); // SuspendMember
    }
  }
  return { accounts, cases, runs };
}
