import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { edgeTraits } from '../../lambdas/adapters/dynamodb-link-store';
import type { AccountState } from '../../lambdas/core/account-state';
import {
  ConcurrentUpdateError,
  systemClock,
  type AccountStore,
  type Clock,
  type ClusterEnforcementInput,
  type ClusterEnforcementRequest,
  type EnforcementDirective,
  type EnforcementInput,
  type EnforcementRequest,
  type EnforcementStarter,
  type LinkMembers,
  type LinkStore,
} from '../../lambdas/core/ports';
import {
  linkKeyShards,
  linkShard,
  perShardLimit,
  shardedLinkKey,
} from '../../lambdas/core/linking/link-keys';
import { chainEntry } from '../../lambdas/core/cases/audit-chain';
import type { CaseSeal } from '../../lambdas/core/cases/case-seal';
import {
  DEFAULT_ENFORCEMENT_BUS_NAME,
  EVENT_SOURCE,
  type EventDetailType,
  type PublishedDetail,
} from '../../lambdas/core/events';
import { CLUSTER_OPENING_REASON, WORKFLOW_ACTOR } from '../../lambdas/core/lifecycle/sealed-input';
import { ACTION_RANK } from '../../lambdas/core/lifecycle/enforcement-action';
import { reinstatementFromItem } from '../../lambdas/core/lifecycle/protection';
import { isValidExecutionName } from '../stepfunctions/execution-name';
import { LocalEventBus, type PutEventsEntry } from '../eventbridge/local-event-bus';
import type { LinkEdge } from '../../lambdas/core/linking/link-keys';
import { accountItem, fromItem } from '../../lambdas/adapters/account-item-codec';

/**
 * In-memory adapters for the core's ports, with the semantics of the AWS ones they stand for
 * (the DynamoDB stores, the Step Functions enforcement workflow, the SQS dead-letter queue), so
 * that `scoreBatch` makes the same decisions on them as on the real services, only much faster.
 * For backtests, tuning and unit tests; the full pipeline is still what a test must compare with.
 */

/**
 * Deep copy of plain data (what DynamoDB or Step Functions would store and give back). Undefined
 * fields are dropped, as DynamoDB (marshalled without undefined values) and JSON drop them.
 */
function copy<T>(value: T): T {
  return (typeof value === 'object' && value !== null ? copyObject(value) : value) as T;
}

function copyObject(value: object): unknown {
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      out[i] = typeof item === 'object' && item !== null ? copyObject(item) : item;
    }
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const key in value) {
    const field: unknown = (value as Record<string, unknown>)[key];
    if (field === undefined) continue;
    out[key] = typeof field === 'object' && field !== null ? copyObject(field) : field;
  }
  return out;
}

/** One account item: what the scorer wrote, and what only the enforcement workflow writes. */
export interface MemoryAccountItem {
  readonly accountId: string;
  /** The scorer's last write; undefined until its first one (the workflow may create the item). */
  readonly state: Readonly<AccountState> | undefined;
  readonly status: AccountState['status'];
  /** Attributes the enforcement workflow set (suspendedAt, suspendedCaseId, ...). */
  readonly enforcement: Readonly<Record<string, unknown>>;
}

interface MutableAccountItem {
  state: AccountState | undefined;
  /** With `itemCodec`: the scorer's last write as the SDK sends it (state stays undefined). */
  encoded?: Record<string, AttributeValue>;
  status: AccountState['status'];
  enforcement: Record<string, unknown>;
}

export interface MemoryAccountStoreOptions {
  /**
   * Keep each state as the accounts-table item DynamoDbAccountStore writes (`accountItem`, its
   * memory deflated, marshalled as the SDK marshals it) and read it back with `fromItem`, instead
   * of as a copy: the store then costs the CPU the DynamoDB adapter's encoding costs a Lambda (the
   * throughput bench), not that of a copy. @default false
   */
  readonly itemCodec?: boolean;
}

/**
 * The accounts table in memory, with DynamoDbAccountStore's write semantics: a save expects the
 * version it read (undefined or 0: the scorer never wrote the account, though the workflow may
 * have created it), never overwrites the enforcement-owned status, and throws
 * ConcurrentUpdateError when the version moved. States are copied in and out, as a table would.
 */
export class MemoryAccountStore implements AccountStore {
  private readonly items = new Map<string, MutableAccountItem>();
  /**
   * Calls made, for the same accounting as the DynamoDB adapter (reads are per account), and with
   * `itemCodec` the milliseconds spent encoding and decoding items.
   */
  public readonly counters = { loads: 0, accountsLoaded: 0, saves: 0, conflicts: 0, codecMs: 0 };
  private readonly itemCodec: boolean;

  public constructor(options: MemoryAccountStoreOptions = {}) {
    this.itemCodec = options.itemCodec ?? false;
  }

  public async load(accountIds: readonly string[]): Promise<Map<string, AccountState>> {
    this.counters.loads += 1;
    const states = new Map<string, AccountState>();
    for (const accountId of accountIds) {
      const item = this.items.get(accountId);
      if (!item) continue;
      this.counters.accountsLoaded += 1;
      const started = performance.now();
      states.set(accountId, toState(accountId, item));
      if (item.encoded) this.counters.codecMs += performance.now() - started;
    }
    return states;
  }

  public async save(state: AccountState, expectedVersion: number | undefined): Promise<void> {
    const item = this.items.get(state.accountId);
    const storedVersion = item && versionOf(item);
    const ok = !expectedVersion ? storedVersion === undefined : storedVersion === expectedVersion;
    if (!ok) {
      this.counters.conflicts += 1;
      throw new ConcurrentUpdateError(state.accountId);
    }
    this.counters.saves += 1;
    const started = performance.now();
    const written: Pick<MutableAccountItem, 'state' | 'encoded'> = this.itemCodec
      ? {
          state: undefined,
          encoded: marshall(
            { accountId: state.accountId, ...accountItem(state) },
            { removeUndefinedValues: true },
          ),
        }
      : { state: copy(state) };
    if (this.itemCodec) this.counters.codecMs += performance.now() - started;
    if (item) {
      Object.assign(item, written);
    } else {
      // `if_not_exists(status, ACTIVE)`: a first write creates the status, later ones keep it.
      this.items.set(state.accountId, { ...written, status: 'ACTIVE', enforcement: {} });
    }
  }

  /**
   * The workflow's SuspendAccount step: sets SUSPENDED and the given attributes unless the account
   * is already suspended (the conditional update's guard), creating the item if needed.
   * @returns whether it suspended the account
   */
  public suspend(accountId: string, attributes: Readonly<Record<string, unknown>>): boolean {
    const item = this.items.get(accountId);
    if (item?.status === 'SUSPENDED') return false;
    if (item) {
      item.status = 'SUSPENDED';
      Object.assign(item.enforcement, copy(attributes));
    } else {
      this.items.set(accountId, {
        state: undefined,
        status: 'SUSPENDED',
        enforcement: copy({ ...attributes }),
      });
    }
    return true;
  }

  /**
   * The workflow's ThrottleAccount / RequireVerification step: sets the attributes and
   * enforcementRank unless the account is suspended or already under an action of this rank or
   * stronger (the conditional update's guard), creating the item if needed.
   * @returns whether it changed the account
   */
  public restrict(accountId: string, rank: number, attributes: Readonly<Record<string, unknown>>): boolean {
    const item = this.items.get(accountId);
    if (item?.status === 'SUSPENDED') return false;
    const current = item?.enforcement.enforcementRank;
    if (typeof current === 'number' && current >= rank) return false;
    const written = copy({ ...attributes, enforcementRank: rank });
    if (item) Object.assign(item.enforcement, written);
    else this.items.set(accountId, { state: undefined, status: 'ACTIVE', enforcement: written });
    return true;
  }

  /**
   * The workflow's ClaimAccount step: sets claimCaseId, claimRank and claimTriggeredAt unless
   * another case holds a claim of this rank or stronger that was triggered at or after the cutoff
   * (the conditional update's guard), creating the item if needed.
   * @returns whether the execution holds the claim
   */
  public claim(
    accountId: string,
    claim: {
      readonly caseId: string;
      readonly rank: number;
      readonly triggeredAt: string;
      readonly cutoff: string;
    },
  ): boolean {
    const item = this.items.get(accountId);
    const held = item?.enforcement;
    const free =
      typeof held?.claimRank !== 'number' ||
      held.claimRank < claim.rank ||
      held.claimCaseId === claim.caseId ||
      (typeof held.claimTriggeredAt === 'string' && held.claimTriggeredAt < claim.cutoff);
    if (!free) return false;
    const written = { claimCaseId: claim.caseId, claimRank: claim.rank, claimTriggeredAt: claim.triggeredAt };
    if (item) Object.assign(item.enforcement, written);
    else this.items.set(accountId, { state: undefined, status: 'ACTIVE', enforcement: written });
    return true;
  }

  /**
   * The reinstatement workflow's ReinstateAccount step, for an account this very case suspended,
   * throttled or sent to verification: sets ACTIVE and the clearance (reinstatedCaseId,
   * reinstatedAt, reinstatedBy, clearedAt, clearedScore, clearedPeakScore, clearedLinkKeys), and
   * lifts the case's restriction and the enforcement claim, so that a later crossing may open a
   * case again. The memory engine has no investigators: tests reinstate with it.
   * @returns whether it reinstated the account (false: no case, or another one, enforces it)
   */
  public reinstate(
    accountId: string,
    clearance: {
      readonly caseId: string;
      readonly reinstatedAt: string;
      readonly reinstatedBy: string;
      readonly clearedAt: string;
      /** The score the case was opened at: what a throttled or verified account was cleared for. */
      readonly caseScore: number;
    },
  ): boolean {
    const item = this.items.get(accountId);
    if (!item) return false;
    const { enforcement } = item;
    const { caseId } = clearance;
    const enforcedHere =
      item.status === 'SUSPENDED'
        ? enforcement.suspendedCaseId === caseId
        : enforcement.enforcementCaseId === caseId;
    if (!enforcedHere) return false;
    const scored = item.encoded ? fromItem(unmarshall(item.encoded)) : item.state;
    item.status = 'ACTIVE';
    for (const lifted of REINSTATEMENT_LIFTS) delete enforcement[lifted];
    Object.assign(enforcement, {
      reinstatedAt: clearance.reinstatedAt,
      reinstatedCaseId: caseId,
      reinstatedBy: clearance.reinstatedBy,
      clearedAt: clearance.clearedAt,
      // if_not_exists(suspendedScore | peakRiskScore | linkKeys, ...), as the workflow's update.
      clearedScore: enforcement.suspendedScore ?? clearance.caseScore,
      clearedPeakScore: scored?.peakRiskScore ?? clearance.caseScore,
      clearedLinkKeys: copy(scored?.linkKeys ?? []),
    });
    return true;
  }

  /** What a strongly consistent read of one account gives (a copy), or undefined. */
  public stateOf(accountId: string): AccountState | undefined {
    const item = this.items.get(accountId);
    return item && toState(accountId, item);
  }

  /** One item as stored (read-only view), or undefined. */
  public item(accountId: string): MemoryAccountItem | undefined {
    const item = this.items.get(accountId);
    return item && viewOf(accountId, item);
  }

  /** Every item, in insertion order (a scan). */
  public *scan(): Generator<MemoryAccountItem> {
    for (const [accountId, item] of this.items) yield viewOf(accountId, item);
  }

  public get size(): number {
    return this.items.size;
  }
}

/** Attributes ReinstateAccount removes: the case's restriction, the claim, an earlier audit mark. */
const REINSTATEMENT_LIFTS = [
  'reinstatedAuditSeq',
  'enforcementState',
  'enforcementRank',
  'enforcementCaseId',
  'rateLimitPerHour',
  'verificationChecks',
  'claimCaseId',
  'claimRank',
  'claimTriggeredAt',
] as const;

/**
 * What a strongly consistent read of the item gives: the scorer's state with the stored status, or
 * for an item only the workflow wrote, what DynamoDbAccountStore reads from such an item.
 */
function toState(accountId: string, item: MutableAccountItem): AccountState {
  if (item.encoded)
    return fromItem({ ...item.enforcement, ...unmarshall(item.encoded), status: item.status });
  if (!item.state) return fromItem({ accountId, status: item.status, ...item.enforcement });
  const state = copy(item.state);
  state.status = item.status;
  // The clearance a reinstatement recorded, which DynamoDbAccountStore reads with the item.
  const reinstatement = reinstatementFromItem(item.enforcement);
  if (reinstatement) state.reinstatement = reinstatement;
  return state;
}

/** The version of the scorer's last write (undefined: it never wrote the account). */
function versionOf(item: MutableAccountItem): number | undefined {
  if (item.encoded) return Number(item.encoded.version?.N);
  return item.state?.version;
}

function viewOf(accountId: string, item: MutableAccountItem): MemoryAccountItem {
  const { encoded, state, status, enforcement } = item;
  return {
    accountId,
    state: encoded ? fromItem(unmarshall(encoded)) : state,
    status,
    enforcement,
  };
}

/**
 * The links table in memory: one edge per (link key, account); puts are idempotent (a put of an
 * existing pair replaces it, as PutItem does). `members` returns a key's accounts in sort-key order
 * (accountId, by UTF-8 bytes) like a DynamoDB Query, at most `limitPerKey`, with `truncated` set
 * when there are more.
 */
export class MemoryLinkStore implements LinkStore {
  /** Keyed like the table: by sharded key ("<key>@<shard>"), members in sort-key order. */
  private readonly byKey = new Map<string, Map<string, LinkEdge>>();
  private readonly sorted = new Map<string, string[]>();
  public readonly counters = { puts: 0, queries: 0 };

  public async put(edges: readonly LinkEdge[]): Promise<void> {
    for (const edge of edges) {
      this.counters.puts += 1;
      const key = shardedLinkKey(edge.linkKey, linkShard(edge.accountId, edge.linkKey));
      let members = this.byKey.get(key);
      if (!members) {
        members = new Map();
        this.byKey.set(key, members);
      }
      const isNew = !members.has(edge.accountId);
      members.set(edge.accountId, { ...edge });
      const ordered = this.sorted.get(key);
      if (isNew && ordered) ordered.splice(insertionIndex(ordered, edge.accountId), 0, edge.accountId);
    }
  }

  /** The same reads as DynamoDbLinkStore: every shard, at most perShardLimit accounts each. */
  public async members(linkKeys: readonly string[], limitPerKey: number): Promise<Map<string, LinkMembers>> {
    const result = new Map<string, LinkMembers>();
    for (const linkKey of new Set(linkKeys)) {
      const perShard = perShardLimit(limitPerKey, linkKey);
      const accountIds: string[] = [];
      const traits: Array<[string | undefined, string | undefined]> = [];
      let truncated = false;
      for (let shard = 0; shard < linkKeyShards(linkKey); shard++) {
        this.counters.queries += 1;
        const key = shardedLinkKey(linkKey, shard);
        const ids = this.orderedMembers(key);
        const edges = this.byKey.get(key);
        for (const id of ids.slice(0, perShard)) {
          const edge = edges?.get(id);
          accountIds.push(id);
          traits.push([edge?.entity, edge?.tag]);
        }
        truncated ||= ids.length > perShard;
      }
      result.set(linkKey, { accountIds, ...edgeTraits(traits), truncated });
    }
    return result;
  }

  /** Every edge of a key, shard by shard, in sort-key order within each. */
  public edges(linkKey: string): LinkEdge[] {
    const edges: LinkEdge[] = [];
    for (let shard = 0; shard < linkKeyShards(linkKey); shard++) {
      const key = shardedLinkKey(linkKey, shard);
      const members = this.byKey.get(key);
      for (const id of this.orderedMembers(key)) edges.push({ ...(members?.get(id) as LinkEdge) });
    }
    return edges;
  }

  public get size(): number {
    let n = 0;
    for (const members of this.byKey.values()) n += members.size;
    return n;
  }

  private orderedMembers(key: string): readonly string[] {
    let ordered = this.sorted.get(key);
    if (!ordered) {
      ordered = [...(this.byKey.get(key)?.keys() ?? [])].sort(compareUtf8);
      this.sorted.set(key, ordered);
    }
    return ordered;
  }
}

/** Compares strings by their UTF-8 bytes (DynamoDB's order for string keys), i.e. by code point. */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // UTF-16 puts surrogates (U+10000 and up) before U+E000-U+FFFF; code point order does not.
    return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

function codePointRank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}

function insertionIndex(sorted: readonly string[], value: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareUtf8(sorted[mid] as string, value) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Step Functions' InvalidName. */
export class InvalidExecutionNameError extends Error {
  public constructor(name: string) {
    super(`Invalid Name: '${name}'`);
    this.name = 'InvalidName';
  }
}

/** One case item (the cases table's `sk = CASE` item), evidence as an object. */
export interface MemoryCase {
  readonly caseId: string;
  readonly kind: string;
  /** Account cases; absent on cluster cases, which list their accounts in accountIds. */
  readonly accountId?: string;
  readonly status: 'OPEN';
  readonly openedAt: string;
  readonly riskScore: number;
  readonly policyVersion: string;
  readonly triggeredAt: string;
  readonly evidence: unknown;
  readonly openedBy: string;
  /** Any further input fields the scorer sends (passed through as the workflow input carries them). */
  readonly [field: string]: unknown;
}

export interface MemoryAuditEntry {
  readonly caseId: string;
  readonly sk: string;
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly fromStatus: string;
  readonly toStatus: string;
  readonly reason: string;
  readonly seq?: number;
  readonly prevHash?: string;
  readonly hash?: string;
  /** Chain v2 openings: the seal of the case's frozen fields (AuditEntry.seal). */
  readonly seal?: CaseSeal;
}

export interface MemoryExecution {
  readonly name: string;
  readonly input: EnforcementInput;
  readonly startedAt: string;
  /**
   * Which way the workflow went: ENFORCED (opened the case, acted, published), ALREADY_SUSPENDED or
   * ALREADY_ENFORCED (IsAlreadyEnforced), CASE_ALREADY_OPEN (another execution owns the case),
   * FAILED (the execution failed: see error and cause).
   */
  readonly outcome: 'ENFORCED' | 'ALREADY_SUSPENDED' | 'ALREADY_ENFORCED' | 'CASE_ALREADY_OPEN' | 'FAILED';
  /** A FAILED execution's error name, as Step Functions reports it (e.g. States.Runtime). */
  readonly error?: string;
  /** A FAILED execution's cause. */
  readonly cause?: string;
}

/** How one account workflow run ended. */
type RunResult = Pick<MemoryExecution, 'outcome' | 'error' | 'cause'>;

export interface MemoryClusterExecution {
  readonly name: string;
  readonly input: ClusterEnforcementInput;
  readonly startedAt: string;
  /**
   * ENFORCED: this run opened the case; CASE_ALREADY_OPEN: another execution had (it wrote and
   * published nothing).
   */
  readonly outcome: 'ENFORCED' | 'CASE_ALREADY_OPEN';
  /** Members this run suspended (the others were suspended already). */
  readonly suspended: readonly string[];
}

export interface MemoryEnforcementOptions {
  /** The accounts the workflow reads and suspends. */
  readonly accounts: MemoryAccountStore;
  /** Execution start time ($$.Execution.StartTime): suspendedAt and openedAt. @default systemClock */
  readonly clock?: Clock;
  /** Receives AccountSuspended and CaseOpened. @default a new LocalEventBus */
  readonly bus?: LocalEventBus;
  /** @default DEFAULT_ENFORCEMENT_BUS_NAME */
  readonly eventBusName?: string;
}

/**
 * The directive field the action's step reads (ThrottleAccount: requestsPerHour,
 * RequireVerification: checks) if the input lacks it, else undefined. The core leaves one out only
 * when a tier override caps at an action whose policy section (actions.throttle / actions.verify)
 * is absent.
 */
function missingDirective(
  action: EnforcementInput['action'],
  directive: EnforcementDirective,
): string | undefined {
  if (action === 'throttle' && directive.requestsPerHour === undefined) return 'requestsPerHour';
  if (action === 'verify' && directive.checks === undefined) return 'checks';
  return undefined;
}

/** One entry for the enforcement bus, its detail typed by the event's schema (core/events.ts). */
function enforcementEvent<T extends EventDetailType>(
  eventBusName: string,
  detailType: T,
  detail: PublishedDetail<T>,
): PutEventsEntry {
  return { EventBusName: eventBusName, Source: EVENT_SOURCE, DetailType: detailType, Detail: detail };
}

/**
 * The account enforcement workflow (lib/constructs/enforcement-workflow.ts), run synchronously:
 * GetAccount, skip if already suspended or under this action or a stronger one, ClaimAccount (skip
 * if another case holds the account at this rank or stronger), OpenCase (skip if the case exists),
 * the action (review: none; throttle, verify, suspend: each conditional; a throttle or verify
 * without its directive field fails the run there, FAILED), the hash-chained first audit entry,
 * then CaseOpened and the action's event. Execution names are unique as in Step Functions: a name
 * seen before is not run again (started=false), a failed run's included. Effects are visible as
 * soon as start() returns, which models a workflow that finishes within seconds of event time.
 * test/local/replay/memory-enforcement-parity.test.ts holds it to the synthesized workflows.
 */
export class MemoryEnforcement implements EnforcementStarter {
  public readonly bus: LocalEventBus;
  private readonly accounts: MemoryAccountStore;
  private readonly clock: Clock;
  private readonly eventBusName: string;
  private readonly executionsByName = new Map<string, MemoryExecution>();
  private readonly casesById = new Map<string, MemoryCase>();
  private readonly auditByCase = new Map<string, MemoryAuditEntry>();
  private readonly clusterExecutionsByName = new Map<string, MemoryClusterExecution>();

  public constructor(options: MemoryEnforcementOptions) {
    this.accounts = options.accounts;
    this.clock = options.clock ?? systemClock;
    this.bus = options.bus ?? new LocalEventBus();
    this.eventBusName = options.eventBusName ?? DEFAULT_ENFORCEMENT_BUS_NAME;
  }

  public async start(request: EnforcementRequest): Promise<{ started: boolean }> {
    const { executionName: name } = request;
    if (!isValidExecutionName(name)) throw new InvalidExecutionNameError(name);
    if (this.executionsByName.has(name)) return { started: false };
    // The state machine's input is JSON: what it works on is a copy.
    const input = copy(request.input);
    const startedAt = this.clock.now().toISOString();
    // A run that fails is still started, as Step Functions accepts an execution that fails later.
    const result = await this.run(input, startedAt);
    this.executionsByName.set(name, { name, input, startedAt, ...result });
    return { started: true };
  }

  public executions(): readonly MemoryExecution[] {
    return [...this.executionsByName.values()];
  }

  /**
   * The cluster enforcement workflow (lib/constructs/cluster-enforcement-workflow.ts), run
   * synchronously: opens the cluster case with its hashed opening audit entry, publishes
   * CaseOpened, then suspends each member unless it is already suspended (or was reinstated from
   * this very case) and publishes AccountSuspended for each it suspended. A case another execution
   * opened ends the run with nothing written (ClusterCaseAlreadyOpen). Execution names are unique
   * per state machine, as for start() (the Standard workflow's rule).
   */
  public async startCluster(request: ClusterEnforcementRequest): Promise<{ started: boolean }> {
    const { executionName: name } = request;
    if (!isValidExecutionName(name)) throw new InvalidExecutionNameError(name);
    if (this.clusterExecutionsByName.has(name)) return { started: false };
    const input = copy(request.input) as ClusterEnforcementInput;
    const startedAt = this.clock.now().toISOString();
    const { clusterId, caseId, riskScore, members, policyVersion, triggeredAt, evidence, seal } = input;
    const accountIds = members.map((m) => m.accountId);
    if (this.casesById.has(caseId)) {
      this.clusterExecutionsByName.set(name, {
        name,
        input,
        startedAt,
        outcome: 'CASE_ALREADY_OPEN',
        suspended: [],
      });
      return { started: true };
    }
    const opening = this.openCase(caseId, startedAt, CLUSTER_OPENING_REASON, seal, {
      kind: 'cluster',
      clusterId,
      accountIds,
      action: 'suspend',
      riskScore,
      policyVersion,
      triggeredAt,
      evidence,
    });
    this.recordAudit(opening);
    const eventBusName = this.eventBusName;
    await this.bus.putEvents([
      enforcementEvent(eventBusName, 'CaseOpened', {
        caseId,
        kind: 'cluster',
        clusterId,
        accountIds,
        riskScore,
        policyVersion,
        triggeredAt,
        openedAt: startedAt,
      }),
    ]);
    const suspended: string[] = [];
    for (const member of members) {
      const item = this.accounts.item(member.accountId);
      if (item?.enforcement.reinstatedCaseId === caseId) continue;
      const done = this.accounts.suspend(member.accountId, {
        suspendedAt: startedAt,
        suspendedCaseId: caseId,
        suspendedScore: member.riskScore,
        suspendedPolicyVersion: policyVersion,
        suspendedTriggeredAt: triggeredAt,
        suspendedClusterId: clusterId,
      });
      if (!done) continue;
      suspended.push(member.accountId);
      await this.bus.putEvents([
        enforcementEvent(eventBusName, 'AccountSuspended', {
          accountId: member.accountId,
          caseId,
          clusterId,
          riskScore: member.riskScore,
          policyVersion,
          suspendedAt: startedAt,
        }),
      ]);
    }
    this.clusterExecutionsByName.set(name, { name, input, startedAt, outcome: 'ENFORCED', suspended });
    return { started: true };
  }

  public clusterExecutions(): readonly MemoryClusterExecution[] {
    return [...this.clusterExecutionsByName.values()];
  }

  /**
   * OpenCase as both workflows write it: the case with the fields of its kind, its lastAuditHash
   * that of the hash-chained opening entry (AUDIT#0000) with `reason`, sealing the case (chain v2)
   * when the input carried a seal. Returns that entry, for recordAudit.
   */
  private openCase(
    caseId: string,
    at: string,
    reason: string,
    seal: CaseSeal | undefined,
    fields: Pick<MemoryCase, 'kind' | 'riskScore' | 'policyVersion' | 'triggeredAt' | 'evidence'> &
      Readonly<Record<string, unknown>>,
  ): MemoryAuditEntry {
    const opening = chainEntry(undefined, {
      caseId,
      at,
      actor: WORKFLOW_ACTOR,
      action: 'OPENED',
      reason,
      fromStatus: 'NONE',
      toStatus: 'OPEN',
      ...(seal ? { seal } : {}),
    });
    this.casesById.set(caseId, {
      caseId,
      ...fields,
      status: 'OPEN',
      openedAt: at,
      updatedAt: at,
      openedBy: WORKFLOW_ACTOR,
      notes: [],
      lastAuditSeq: 0,
      lastAuditHash: opening.hash,
    });
    return { ...opening, sk: 'AUDIT#0000' };
  }

  /** RecordAudit: the case's opening entry. */
  private recordAudit(opening: MemoryAuditEntry): void {
    this.auditByCase.set(opening.caseId, opening);
  }

  /** Open cases in the order they were opened. */
  public cases(): readonly MemoryCase[] {
    return [...this.casesById.values()];
  }

  public audit(caseId: string): MemoryAuditEntry | undefined {
    return this.auditByCase.get(caseId);
  }

  private async run(input: EnforcementInput, startedAt: string): Promise<RunResult> {
    const {
      accountId,
      caseId,
      riskScore,
      policyVersion,
      triggeredAt,
      claimCutoff,
      evidence,
      reason,
      seal,
      ...extra
    } = input;
    const { action, proposedAction, mode, directive } = input;
    const shadow = mode === 'shadow';
    // GetAccount + IsAlreadyEnforced: never a second suspension, never a downgrade.
    const item = this.accounts.item(accountId);
    if (item?.status === 'SUSPENDED') return { outcome: 'ALREADY_SUSPENDED' };
    const restriction = item?.enforcement.enforcementState;
    const covered =
      (action === 'verify' && restriction === 'VERIFICATION_REQUIRED') ||
      (action === 'throttle' && (restriction === 'THROTTLED' || restriction === 'VERIFICATION_REQUIRED'));
    if (!shadow && covered) return { outcome: 'ALREADY_ENFORCED' };

    // ClaimAccount: one case per account and rank (shadow mode claims as review); a lost claim
    // ends the execution like IsAlreadyEnforced, writing nothing.
    const claimed = this.accounts.claim(accountId, {
      caseId,
      rank: ACTION_RANK[shadow ? 'review' : action],
      triggeredAt,
      cutoff: claimCutoff,
    });
    if (!claimed) return { outcome: 'ALREADY_ENFORCED' };

    // OpenCase: the claim; only the execution that opens the case acts and publishes.
    if (this.casesById.has(caseId)) return { outcome: 'CASE_ALREADY_OPEN' };
    const opening = this.openCase(caseId, startedAt, reason, seal, {
      ...extra,
      kind: 'account',
      accountId,
      accountIds: [accountId],
      actionReason: reason,
      riskScore,
      policyVersion,
      triggeredAt,
      evidence,
    });

    // ChooseAction. ThrottleAccount and RequireVerification read their directive field first:
    // without it the execution fails there, leaving the claim and the case item without its audit
    // entry, the account untouched and nothing published.
    const missing = shadow ? undefined : missingDirective(action, directive);
    if (missing !== undefined) {
      return {
        outcome: 'FAILED',
        error: 'States.Runtime',
        cause: `Path expression '$.directive.${missing}' does not point to a value`,
      };
    }
    // Each write conditional; one that loses to another case publishes no action event.
    let applied = !shadow;
    if (!shadow && action === 'suspend') {
      applied = this.accounts.suspend(accountId, {
        suspendedAt: startedAt,
        suspendedCaseId: caseId,
        suspendedScore: riskScore,
        suspendedPolicyVersion: policyVersion,
        suspendedTriggeredAt: triggeredAt,
      });
    } else if (!shadow && (action === 'throttle' || action === 'verify')) {
      applied = this.accounts.restrict(accountId, action === 'throttle' ? 2 : 3, {
        enforcementState: action === 'throttle' ? 'THROTTLED' : 'VERIFICATION_REQUIRED',
        enforcementCaseId: caseId,
        enforcementAt: startedAt,
        enforcementPolicyVersion: policyVersion,
        ...(action === 'throttle'
          ? { rateLimitPerHour: directive.requestsPerHour }
          : { verificationChecks: directive.checks }),
      });
    }
    this.recordAudit(opening);

    const bus = this.eventBusName;
    const common = { accountId, caseId, riskScore, policyVersion, reason, triggeredAt };
    const caseOpened = enforcementEvent(bus, 'CaseOpened', {
      ...common,
      kind: 'account',
      accountIds: [accountId],
      action,
      proposedAction,
      mode,
      openedAt: startedAt,
    });
    // The action's event, as the workflow's Publish<Action> state writes it (none for review).
    const actionEvent = (): PutEventsEntry | undefined => {
      switch (action) {
        case 'suspend':
          return enforcementEvent(bus, 'AccountSuspended', { ...common, suspendedAt: startedAt });
        case 'throttle':
          return enforcementEvent(bus, 'AccountThrottled', {
            ...common,
            throttledAt: startedAt,
            // Present: checked at ChooseAction.
            requestsPerHour: directive.requestsPerHour as number,
          });
        case 'verify':
          return enforcementEvent(bus, 'VerificationRequired', {
            ...common,
            requiredAt: startedAt,
            checks: directive.checks as NonNullable<EnforcementDirective['checks']>,
          });
        case 'review':
          return undefined;
      }
    };
    const event = applied ? actionEvent() : undefined;
    await this.bus.putEvents([...(event ? [event] : []), caseOpened]);
    return { outcome: 'ENFORCED' };
  }
}
