import { DynamoDbAccountStore } from '../../../lambdas/adapters/dynamodb-account-store';
import { DynamoDbCaseStore } from '../../../lambdas/adapters/dynamodb-case-store';
import { EventBridgeCaseEvents } from '../../../lambdas/adapters/eventbridge-case-events';
import { documentClient } from '../../../lambdas/adapters/aws-clients';
import { scoreAccount } from '../../../lambdas/core/batch/account-scorer';
import { auditHash } from '../../../lambdas/core/cases/audit-chain';
import { auditFromItem } from '../../../lambdas/core/cases/case-record';
import { CaseService } from '../../../lambdas/core/cases/case-service';
import { DEFAULT_ENFORCEMENT_BUS_NAME } from '../../../lambdas/core/events';
import { claimCutoffOf, decideAction } from '../../../lambdas/core/lifecycle/enforcement-action';
import { sealedRequest } from '../../../lambdas/core/lifecycle/sealed-input';
import type { EnforcementAction, Policy } from '../../../lambdas/core/policy/policy';
import type { EnforcementRequest } from '../../../lambdas/core/ports';
import { LocalEventBus, type LocalBusEvent } from '../../../local/eventbridge/local-event-bus';
import {
  MemoryAccountStore,
  MemoryEnforcement,
  type MemoryExecution,
} from '../../../local/replay/memory-adapters';
import { extractionEvent, sequenced } from '../../support/events';
import {
  startLifecycleRuntime,
  synthesizeLifecycleStack,
  type LifecycleRuntime,
} from '../../support/lifecycle-runtime';
import { testPolicy } from '../../support/policy';

const policy = testPolicy();
const shadowPolicy = testPolicy({ mode: 'shadow' });
const T0 = '2026-02-05T18:00:00.000Z';
const TWO_DAYS_LATER = '2026-02-07T18:00:00.000Z';
const INVESTIGATOR = 'investigator@example.com';
const CLEARED_AT = '2026-02-06T09:30:00.000Z';
/** A score in each band of the shipped policy (review 55, throttle 62, verify 66, suspend 70). */
const BAND_SCORE: Readonly<Record<EnforcementAction, number>> = {
  review: 58,
  throttle: 63,
  verify: 67,
  suspend: 82,
};

/**
 * One crossing as the scorer sends it: the action fields decided by the core (decideAction: tier
 * caps, shadow mode, directive), the case sealed (sealedRequest).
 */
function crossing(
  accountId: string,
  n: number,
  requested: EnforcementAction,
  options: { readonly policy?: Policy; readonly triggeredAt?: string; readonly executionName?: string } = {},
): EnforcementRequest {
  const used = options.policy ?? policy;
  const score = BAND_SCORE[requested];
  const triggeredAt = options.triggeredAt ?? T0;
  return sealedRequest({
    executionName: options.executionName ?? `acct-${accountId}-${n}`,
    input: {
      accountId,
      caseId: `case-${accountId}-${n}`,
      riskScore: score,
      policyVersion: used.version,
      triggeredAt,
      claimCutoff: claimCutoffOf(triggeredAt),
      evidence: { reasons: [{ signal: 'topicCoverage', value: 0.93, threshold: 0.5, points: 18.1 }] },
      ...decideAction(requested, 'pro', used, `risk score ${score} is in the ${requested} band`),
    },
  });
}

/** What a test does to an engine: start a workflow, or clear a case as a false positive. */
type Step = { readonly start: EnforcementRequest } | { readonly reinstate: string };

interface ParityRow {
  readonly name: string;
  readonly accountId: string;
  /** Brings the account where the row needs it; compared too (the account after it). */
  readonly prepare?: readonly Step[];
  /** The requests compared. */
  readonly act: readonly EnforcementRequest[];
  /** What both engines must show, so that two engines doing nothing alike do not pass. */
  readonly expected: {
    readonly outcomes: readonly Outcome[];
    readonly status: string;
    readonly events: readonly string[];
  };
}

/** Account attributes the workflows write; times are compared as present or not. */
const ACCOUNT_FIELDS = [
  'status',
  'suspendedCaseId',
  'suspendedScore',
  'suspendedPolicyVersion',
  'suspendedTriggeredAt',
  'enforcementState',
  'enforcementRank',
  'enforcementCaseId',
  'enforcementPolicyVersion',
  'rateLimitPerHour',
  'verificationChecks',
  'claimCaseId',
  'claimRank',
  'claimTriggeredAt',
  'reinstatedCaseId',
  'reinstatedBy',
  'clearedAt',
  'clearedScore',
  'clearedPeakScore',
  'clearedLinkKeys',
] as const;
const ACCOUNT_TIMES = ['suspendedAt', 'enforcementAt', 'reinstatedAt'] as const;

/** Case fields the enforcement workflow writes (times and hashes checked for consistency instead). */
const CASE_FIELDS = [
  'caseId',
  'kind',
  'accountId',
  'accountIds',
  'status',
  'action',
  'proposedAction',
  'mode',
  'actionReason',
  'directive',
  'riskScore',
  'policyVersion',
  'triggeredAt',
  'evidence',
  'openedBy',
  'notes',
  'lastAuditSeq',
] as const;

/** Execution-time fields of the events' details: the two engines' clocks differ. */
const EVENT_TIMES = new Set(['openedAt', 'suspendedAt', 'throttledAt', 'requiredAt']);

type Projection = Record<string, unknown>;

function accountView(item: Readonly<Record<string, unknown>> | undefined): Projection | undefined {
  if (!item) return undefined;
  const view: Projection = {};
  for (const field of ACCOUNT_FIELDS) {
    const value = item[field];
    if (value === undefined) continue;
    // A string set (DynamoDB) or a list (memory): compared as sorted lists.
    view[field] =
      value instanceof Set || field === 'verificationChecks'
        ? [...(value as Iterable<string>)].sort()
        : value;
  }
  for (const field of ACCOUNT_TIMES) if (item[field] !== undefined) view[field] = isTime(item[field]);
  return view;
}

/** A case and its audit entries, as compared: fields, plus whether its times and hashes agree. */
function caseView(
  item: Readonly<Record<string, unknown>> | undefined,
  audit: ReadonlyArray<Readonly<Record<string, unknown>>>,
): Projection | undefined {
  if (!item) return undefined;
  const view: Projection = {};
  for (const field of CASE_FIELDS) {
    const value = item[field];
    // The table keeps evidence and directive as JSON text; memory keeps the objects.
    view[field] =
      (field === 'evidence' || field === 'directive') && typeof value === 'string'
        ? JSON.parse(value)
        : value;
  }
  const opening = audit[0];
  view.openedAtIsTime = isTime(item.openedAt);
  view.updatedAtIsOpenedAt = item.updatedAt === item.openedAt;
  view.lastAuditHashIsOpeningHash = opening !== undefined && item.lastAuditHash === opening.hash;
  view.audit = audit.map((entry) => ({
    sk: entry.sk,
    seq: entry.seq,
    actor: entry.actor,
    action: entry.action,
    fromStatus: entry.fromStatus,
    toStatus: entry.toStatus,
    reason: entry.reason,
    prevHash: entry.prevHash,
    seal: entry.seal,
    atIsOpenedAt: entry.at === item.openedAt,
    hashVerifies: entry.hash === auditHash(entry as unknown as Parameters<typeof auditHash>[0]),
  }));
  return view;
}

function eventView(event: LocalBusEvent): Projection {
  const detail = Object.fromEntries(
    Object.entries(event.detail).map(([key, value]) => [key, EVENT_TIMES.has(key) ? isTime(value) : value]),
  );
  return { detailType: event['detail-type'], source: event.source, eventBusName: event.eventBusName, detail };
}

function isTime(value: unknown): boolean {
  return typeof value === 'string' && !Number.isNaN(Date.parse(value));
}

/** The events of one account (account events name it; case events list it). */
function concerns(event: LocalBusEvent, accountId: string): boolean {
  const { detail } = event;
  return (
    detail.accountId === accountId ||
    (Array.isArray(detail.accountIds) && detail.accountIds.includes(accountId))
  );
}

/**
 * Where an execution ended: the workflow's Succeed state, or the memory engine's outcome named
 * alike; a failed one with its error.
 */
type Outcome = 'Enforced' | 'AlreadyEnforced' | 'CaseAlreadyOpen' | `FAILED: ${string}` | 'NOT RUN';
const MEMORY_OUTCOME: Readonly<Record<Exclude<MemoryExecution['outcome'], 'FAILED'>, Outcome>> = {
  ENFORCED: 'Enforced',
  ALREADY_SUSPENDED: 'AlreadyEnforced',
  ALREADY_ENFORCED: 'AlreadyEnforced',
  CASE_ALREADY_OPEN: 'CaseAlreadyOpen',
};

/** What one engine did with a row, in the terms both share. */
interface RowResult {
  readonly accountAfterPrepare: Projection | undefined;
  readonly started: readonly boolean[];
  readonly outcomes: readonly Outcome[];
  readonly account: Projection | undefined;
  readonly cases: ReadonlyArray<Projection | undefined>;
  readonly events: readonly Projection[];
}

/** One way to run the enforcement workflows: in memory, or the synthesized ones on local services. */
interface Engine {
  /** The account as the scorer left it before any crossing. */
  seed(accountId: string): Promise<void>;
  start(request: EnforcementRequest): Promise<{ started: boolean }>;
  /** An investigator clears the case as a false positive; the account is reinstated. */
  reinstate(accountId: string, caseId: string): Promise<void>;
  account(accountId: string): Promise<Projection | undefined>;
  caseOf(caseId: string): Promise<Projection | undefined>;
  events(accountId: string): readonly LocalBusEvent[];
  outcome(executionName: string): Outcome;
}

/** The scorer's state of an account after one extraction-shaped request. */
function scoredState(accountId: string) {
  return scoreAccount(
    undefined,
    sequenced([
      extractionEvent({ accountId, eventId: `${accountId}-1`, tier: 'pro', ts: '2026-02-05T17:00:00.000Z' }),
    ]),
    policy,
  ).state;
}

function memoryEngine(): Engine {
  const accounts = new MemoryAccountStore();
  const enforcement = new MemoryEnforcement({ accounts, bus: new LocalEventBus() });
  return {
    seed: (accountId) => accounts.save(scoredState(accountId), undefined),
    start: (request) => enforcement.start(request),
    reinstate: async (accountId, caseId) => {
      const opened = enforcement.cases().find((c) => c.caseId === caseId);
      accounts.reinstate(accountId, {
        caseId,
        reinstatedAt: new Date().toISOString(),
        reinstatedBy: INVESTIGATOR,
        clearedAt: CLEARED_AT,
        caseScore: opened?.riskScore ?? 0,
      });
    },
    account: async (accountId) => {
      const item = accounts.item(accountId);
      return accountView(item && { ...item.enforcement, status: item.status });
    },
    caseOf: async (caseId) => {
      const opened = enforcement.cases().find((c) => c.caseId === caseId);
      const opening = enforcement.audit(caseId);
      return caseView(opened, opening ? [{ ...opening }] : []);
    },
    events: (accountId) => enforcement.bus.events().filter((e) => concerns(e, accountId)),
    outcome: (executionName) => {
      const execution = enforcement.executions().find((e) => e.name === executionName);
      if (!execution) return 'NOT RUN';
      return execution.outcome === 'FAILED'
        ? `FAILED: ${execution.error}`
        : MEMORY_OUTCOME[execution.outcome];
    },
  };
}

function workflowEngine(runtime: LifecycleRuntime): Engine {
  const documents = documentClient(runtime.services.dynamodb);
  const accounts = new DynamoDbAccountStore(documents, runtime.names.accounts);
  // The cases service as the API runs it: the status change, then CaseUpdated on the bus, whose
  // rule starts the reinstatement workflow.
  const cases = new CaseService({
    store: new DynamoDbCaseStore(documents, runtime.names.cases),
    clock: { now: () => new Date(CLEARED_AT) },
    events: new EventBridgeCaseEvents(runtime.bus, DEFAULT_ENFORCEMENT_BUS_NAME),
  });
  return {
    seed: (accountId) => accounts.save(scoredState(accountId), undefined),
    start: async (request) => {
      const result = await runtime.starter.start(request);
      await runtime.drain();
      return result;
    },
    reinstate: async (_accountId, caseId) => {
      await cases.changeStatus(
        caseId,
        { status: 'FALSE_POSITIVE', reason: 'benchmark lab: confirmed with the customer' },
        INVESTIGATOR,
      );
      await runtime.drain();
    },
    account: async (accountId) => accountView(await runtime.item('accounts', { accountId })),
    caseOf: async (caseId) => {
      const items = await runtime.caseItems(caseId);
      const opened = items.find((i) => i.sk === 'CASE');
      // Audit entries as the cases store reads them (the seal's field hashes are JSON text there).
      const audit = items
        .filter((i) => String(i.sk).startsWith('AUDIT#'))
        .map((i) => ({ ...auditFromItem(i), sk: i.sk }));
      return caseView(opened, audit);
    },
    events: (accountId) => runtime.bus.events().filter((e) => concerns(e, accountId)),
    outcome: (executionName) => {
      const execution = runtime.enforcement.describeExecution(executionName);
      if (!execution) return 'NOT RUN';
      if (execution.status !== 'SUCCEEDED') return `FAILED: ${execution.error}`;
      const entered = execution.history.filter((e) => e.type === 'StateEntered');
      return entered.at(-1)?.stateName as Outcome;
    },
  };
}

async function runRow(engine: Engine, row: ParityRow): Promise<RowResult> {
  const { accountId } = row;
  await engine.seed(accountId);
  for (const step of row.prepare ?? []) {
    if ('start' in step) await engine.start(step.start);
    else await engine.reinstate(accountId, step.reinstate);
  }
  const accountAfterPrepare = await engine.account(accountId);
  const eventsBefore = engine.events(accountId).length;
  const started: boolean[] = [];
  for (const request of row.act) started.push((await engine.start(request)).started);
  const caseIds = [...new Set(row.act.map((r) => r.input.caseId))];
  return {
    accountAfterPrepare,
    started,
    outcomes: row.act.map((r) => engine.outcome(r.executionName)),
    account: await engine.account(accountId),
    cases: await Promise.all(caseIds.map((caseId) => engine.caseOf(caseId))),
    events: engine.events(accountId).slice(eventsBefore).map(eventView),
  };
}

/**
 * Policies whose tier override caps at an action they have no section for: no directive. Policy
 * validation refuses them (so they are built here without it); the rows keep the two engines alike
 * should one reach a workflow anyway, as a hosted configuration written before that check could.
 */
const cappedAt = (maxAction: 'throttle' | 'verify'): Policy => ({
  ...testPolicy(),
  actions: { tierOverrides: { pro: { maxAction } } },
});
const cappedAtThrottle = cappedAt('throttle');
const cappedAtVerify = cappedAt('verify');
const LATER = '2026-02-05T19:00:00.000Z';

const ROWS: readonly ParityRow[] = [
  {
    name: 'suspend',
    accountId: 'p-suspend',
    act: [crossing('p-suspend', 1, 'suspend')],
    expected: { outcomes: ['Enforced'], status: 'SUSPENDED', events: ['AccountSuspended', 'CaseOpened'] },
  },
  {
    name: 'throttle',
    accountId: 'p-throttle',
    act: [crossing('p-throttle', 1, 'throttle')],
    expected: { outcomes: ['Enforced'], status: 'ACTIVE', events: ['AccountThrottled', 'CaseOpened'] },
  },
  {
    name: 'verify',
    accountId: 'p-verify',
    act: [crossing('p-verify', 1, 'verify')],
    expected: { outcomes: ['Enforced'], status: 'ACTIVE', events: ['VerificationRequired', 'CaseOpened'] },
  },
  {
    name: 'review',
    accountId: 'p-review',
    act: [crossing('p-review', 1, 'review')],
    expected: { outcomes: ['Enforced'], status: 'ACTIVE', events: ['CaseOpened'] },
  },
  {
    name: 'shadow mode (policy mode: shadow), a suspend crossing',
    accountId: 'p-shadow',
    act: [crossing('p-shadow', 1, 'suspend', { policy: shadowPolicy })],
    expected: { outcomes: ['Enforced'], status: 'ACTIVE', events: ['CaseOpened'] },
  },
  {
    name: 'shadow mode sent with a suspend action (the workflow ignores the action)',
    accountId: 'p-shadow-suspend',
    act: [
      (() => {
        const request = crossing('p-shadow-suspend', 1, 'suspend');
        return sealedRequest({ ...request, input: { ...request.input, mode: 'shadow' } });
      })(),
    ],
    expected: { outcomes: ['Enforced'], status: 'ACTIVE', events: ['CaseOpened'] },
  },
  {
    name: 'throttle, then suspend (a stronger crossing takes the claim)',
    accountId: 'p-escalate',
    act: [
      crossing('p-escalate', 1, 'throttle'),
      crossing('p-escalate', 2, 'suspend', { triggeredAt: LATER }),
    ],
    expected: {
      outcomes: ['Enforced', 'Enforced'],
      status: 'SUSPENDED',
      events: ['AccountThrottled', 'CaseOpened', 'AccountSuspended', 'CaseOpened'],
    },
  },
  {
    name: 'verify, then throttle (never a downgrade)',
    accountId: 'p-downgrade',
    act: [
      crossing('p-downgrade', 1, 'verify'),
      crossing('p-downgrade', 2, 'throttle', { triggeredAt: LATER }),
    ],
    expected: {
      outcomes: ['Enforced', 'AlreadyEnforced'],
      status: 'ACTIVE',
      events: ['VerificationRequired', 'CaseOpened'],
    },
  },
  {
    name: 'a second review within the claim window (the claim refuses it)',
    accountId: 'p-claim',
    act: [crossing('p-claim', 1, 'review'), crossing('p-claim', 2, 'review', { triggeredAt: LATER })],
    expected: { outcomes: ['Enforced', 'AlreadyEnforced'], status: 'ACTIVE', events: ['CaseOpened'] },
  },
  {
    name: 'a second review past the claim window (a new case)',
    accountId: 'p-claim-later',
    act: [
      crossing('p-claim-later', 1, 'review'),
      crossing('p-claim-later', 2, 'review', { triggeredAt: TWO_DAYS_LATER }),
    ],
    expected: { outcomes: ['Enforced', 'Enforced'], status: 'ACTIVE', events: ['CaseOpened', 'CaseOpened'] },
  },
  {
    name: 'suspended, reinstated as a false positive, then crosses again',
    accountId: 'p-reinstated',
    prepare: [{ start: crossing('p-reinstated', 1, 'suspend') }, { reinstate: 'case-p-reinstated-1' }],
    act: [crossing('p-reinstated', 2, 'suspend', { triggeredAt: TWO_DAYS_LATER })],
    expected: { outcomes: ['Enforced'], status: 'SUSPENDED', events: ['AccountSuspended', 'CaseOpened'] },
  },
  {
    name: 'throttled, reinstated as a false positive, then crosses again (the throttle was lifted)',
    accountId: 'p-reinstated-t',
    prepare: [{ start: crossing('p-reinstated-t', 1, 'throttle') }, { reinstate: 'case-p-reinstated-t-1' }],
    act: [crossing('p-reinstated-t', 2, 'throttle', { triggeredAt: TWO_DAYS_LATER })],
    expected: { outcomes: ['Enforced'], status: 'ACTIVE', events: ['AccountThrottled', 'CaseOpened'] },
  },
  {
    name: 'the same request twice (a redelivered batch)',
    accountId: 'p-repeat',
    act: [crossing('p-repeat', 1, 'suspend'), crossing('p-repeat', 1, 'suspend')],
    expected: {
      outcomes: ['Enforced', 'Enforced'],
      status: 'SUSPENDED',
      events: ['AccountSuspended', 'CaseOpened'],
    },
  },
  {
    name: 'the same case under a second execution name (the case put decides)',
    accountId: 'p-same-case',
    act: [
      crossing('p-same-case', 1, 'review', { executionName: 'acct-p-same-case-1-a' }),
      crossing('p-same-case', 1, 'review', { executionName: 'acct-p-same-case-1-b' }),
    ],
    expected: { outcomes: ['Enforced', 'CaseAlreadyOpen'], status: 'ACTIVE', events: ['CaseOpened'] },
  },
  {
    name: 'a throttle without its directive (tier capped at throttle, no actions.throttle): the run fails, once',
    accountId: 'p-no-rate',
    act: [
      crossing('p-no-rate', 1, 'suspend', { policy: cappedAtThrottle }),
      crossing('p-no-rate', 1, 'suspend', { policy: cappedAtThrottle }),
    ],
    expected: {
      outcomes: ['FAILED: States.Runtime', 'FAILED: States.Runtime'],
      status: 'ACTIVE',
      events: [],
    },
  },
  {
    name: 'a verify without its directive (tier capped at verify, no actions.verify): the run fails',
    accountId: 'p-no-checks',
    act: [crossing('p-no-checks', 1, 'suspend', { policy: cappedAtVerify })],
    expected: { outcomes: ['FAILED: States.Runtime'], status: 'ACTIVE', events: [] },
  },
];

/**
 * MemoryEnforcement (the fast replay's in-memory workflows) against the synthesized enforcement
 * and reinstatement workflows run by the local state machine on dynalite: the same requests, row
 * by row, must leave the same account, cases, audit entries and events, and end the same way.
 */
describe('Class: MemoryEnforcement (parity with the synthesized workflows)', () => {
  let runtime: LifecycleRuntime;

  beforeAll(async () => {
    runtime = await startLifecycleRuntime(synthesizeLifecycleStack());
  }, 120_000);

  afterAll(async () => {
    await runtime?.stop();
  });

  it.each(ROWS.map((row) => [row.name, row] as const))('%s', async (_name, row) => {
    // Act
    const workflow = await runRow(workflowEngine(runtime), row);
    const memory = await runRow(memoryEngine(), row);

    // Assess
    expect(workflow.outcomes).toEqual(row.expected.outcomes);
    expect(workflow.account?.status).toBe(row.expected.status);
    expect(workflow.events.map((e) => e.detailType)).toEqual(row.expected.events);
    expect(memory).toEqual(workflow);
  });
});
