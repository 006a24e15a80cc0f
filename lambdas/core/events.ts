import { z } from 'zod';
import { CASE_STATUSES } from './cases/case-record';
import { ENFORCEMENT_ACTIONS, VERIFICATION_CHECKS } from './policy/policy';

/**
 * The events Cauterize publishes on the enforcement bus (source `cauterize`): the contract with
 * the platform's auth service and gateway. One zod schema per detail-type is the source of truth;
 * docs/events/<DetailType>.schema.json are generated from them (see eventJsonSchemas) and
 * docs/events.md describes them. Details are exact: a field is added only with a schema change.
 */

/** Source of every event Cauterize publishes. */
export const EVENT_SOURCE = 'cauterize';

/** Name of the enforcement event bus unless a deployment names it otherwise. */
export const DEFAULT_ENFORCEMENT_BUS_NAME = 'cauterize-enforcement';

const timestamp = z.iso
  .datetime({ offset: true, message: 'expected an ISO-8601 timestamp' })
  .describe('ISO-8601 timestamp (UTC).');
const accountId = z.string().min(1).max(128).describe('The account (as in the usage event contract).');
const caseId = z.string().min(1).max(128).describe('The compliance case; consumers dedupe on it.');
const riskScore = z.number().min(0).max(100).describe('Risk score (0-100) the decision was made on.');
const policyVersion = z
  .string()
  .min(1)
  .max(64)
  .describe('Version of the policy the decision was made under.');
const reason = z
  .string()
  .min(1)
  .describe('Why, in one sentence (also the reason of the case’s opening audit entry).');
const triggeredAt = timestamp.describe('Event time of the usage event that crossed the threshold.');
const clusterId = z.string().min(1).describe('The linked-account cluster (cluster enforcement only).');
const action = z.enum(ENFORCEMENT_ACTIONS);

export const accountSuspendedDetail = z
  .strictObject({
    accountId,
    caseId,
    riskScore,
    policyVersion,
    suspendedAt: timestamp.describe('When the suspension was decided (the enforcement run’s start).'),
    reason: reason.optional(),
    triggeredAt: triggeredAt.optional(),
    clusterId: clusterId.optional(),
  })
  .describe('The account is suspended: revoke its API keys and sessions, refuse new requests.');

/** What every graduated action's event says about the decision behind it. */
const actionDecision = { accountId, caseId, riskScore, policyVersion, reason, triggeredAt };

export const accountThrottledDetail = z
  .strictObject({
    ...actionDecision,
    throttledAt: timestamp.describe('When the throttle was decided.'),
    requestsPerHour: z
      .number()
      .int()
      .min(1)
      .describe('Rate limit to enforce at the gateway, in requests per hour, until the case is resolved.'),
  })
  .describe('Rate-limit the account at the gateway.');

export const verificationRequiredDetail = z
  .strictObject({
    ...actionDecision,
    requiredAt: timestamp.describe('When re-verification was required.'),
    checks: z
      .array(z.enum(VERIFICATION_CHECKS))
      .min(1)
      .describe('Step-up checks the account must pass before it is served again: identity and/or payment.'),
  })
  .describe('Serve the account again only after it passes step-up verification.');

const accountCaseOpened = z.strictObject({
  caseId,
  kind: z.literal('account'),
  accountId,
  accountIds: z.array(accountId).length(1).describe('Every account involved: here the one account.'),
  action: action.describe('What enforcement did: review (a case only), throttle, verify or suspend.'),
  proposedAction: action.describe('What the policy band asked for; differs from action in shadow mode.'),
  mode: z.enum(['enforce', 'shadow']).describe('The policy mode: shadow never touches the account.'),
  reason,
  riskScore,
  policyVersion,
  triggeredAt,
  openedAt: timestamp.describe('When the case was opened.'),
});

const clusterCaseOpened = z.strictObject({
  caseId,
  kind: z.literal('cluster'),
  clusterId,
  accountIds: z.array(accountId).min(1).describe('Every member the cluster case covers.'),
  riskScore: riskScore.describe('The cluster’s risk score.'),
  policyVersion,
  triggeredAt,
  openedAt: timestamp.describe('When the case was opened.'),
});

export const caseOpenedDetail = z
  .discriminatedUnion('kind', [accountCaseOpened, clusterCaseOpened])
  .describe('A compliance case was opened, for one account or a cluster.');

export const accountReinstatedDetail = z
  .strictObject({
    accountId,
    caseId: caseId.describe('The case cleared as a false positive.'),
    reinstatedAt: timestamp.describe('When the account was set back to ACTIVE.'),
    clearedAt: timestamp.describe('When the investigator cleared the case.'),
    clearedBy: z.string().min(1).describe('Who cleared the case.'),
    policyVersion,
  })
  .describe('A suspended account was cleared as a false positive and is ACTIVE again: restore its access.');

const caseStatus = z.enum(CASE_STATUSES);

export const caseUpdatedDetail = z
  .strictObject({
    caseId,
    kind: z.enum(['account', 'cluster']),
    accountIds: z.array(accountId).min(1),
    fromStatus: caseStatus,
    toStatus: caseStatus,
    actor: z.string().min(1).describe('Who changed the status.'),
    reason: z.string().min(1),
    at: timestamp.describe('When the status changed.'),
    policyVersion,
  })
  .describe('A case changed status (FALSE_POSITIVE starts the reinstatement workflow).');

/** Every detail-type on the enforcement bus, with its detail schema. */
export const EVENT_DETAIL_SCHEMAS = {
  AccountSuspended: accountSuspendedDetail,
  AccountThrottled: accountThrottledDetail,
  VerificationRequired: verificationRequiredDetail,
  AccountReinstated: accountReinstatedDetail,
  CaseOpened: caseOpenedDetail,
  CaseUpdated: caseUpdatedDetail,
} as const;

export type EventDetailType = keyof typeof EVENT_DETAIL_SCHEMAS;
export type EventDetail<T extends EventDetailType> = z.infer<(typeof EVENT_DETAIL_SCHEMAS)[T]>;

type DeepReadonly<T> = T extends readonly (infer E)[]
  ? readonly DeepReadonly<E>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/**
 * A detail as a publisher hands it over (read-only throughout, so records and inputs pass as
 * they are): typed from its schema, so that a publisher drifting from the contract fails to compile.
 */
export type PublishedDetail<T extends EventDetailType> = DeepReadonly<EventDetail<T>>;

export const EVENT_DETAIL_TYPES = Object.keys(EVENT_DETAIL_SCHEMAS) as EventDetailType[];

/** Where a detail-type's JSON Schema is published. */
export function eventSchemaId(detailType: EventDetailType): string {
  return `urn:cauterize:event:${detailType}`;
}

/** The JSON Schema (draft 2020-12) of one detail-type's `detail`, as published in docs/events/. */
export function eventJsonSchema(detailType: EventDetailType): Record<string, unknown> {
  const { $schema, ...schema } = z.toJSONSchema(EVENT_DETAIL_SCHEMAS[detailType], { io: 'output' });
  return { $schema, $id: eventSchemaId(detailType), title: `${detailType} detail`, ...schema };
}

/** Every detail-type's JSON Schema, keyed by detail-type. */
export function eventJsonSchemas(): Record<EventDetailType, Record<string, unknown>> {
  return Object.fromEntries(EVENT_DETAIL_TYPES.map((t) => [t, eventJsonSchema(t)])) as Record<
    EventDetailType,
    Record<string, unknown>
  >;
}

export class EventContractError extends Error {
  public constructor(
    public readonly detailType: string,
    public readonly problems: readonly string[],
  ) {
    super(
      `${detailType} event does not match its schema (docs/events/${detailType}.schema.json): ${problems.join('; ')}`,
    );
    this.name = 'EventContractError';
  }
}

/** Validates an event from the bus: its source, detail-type and detail. Throws EventContractError naming each field at fault. */
export function parseEnforcementEvent(event: {
  readonly source: string;
  readonly detailType: string;
  readonly detail: unknown;
}): { detailType: EventDetailType; detail: unknown } {
  if (event.source !== EVENT_SOURCE) {
    throw new EventContractError(event.detailType, [
      `source: expected '${EVENT_SOURCE}', got '${event.source}'`,
    ]);
  }
  if (!(event.detailType in EVENT_DETAIL_SCHEMAS)) {
    throw new EventContractError(event.detailType, [
      `detail-type: not one of ${EVENT_DETAIL_TYPES.join(', ')}: add its schema to lambdas/core/events.ts`,
    ]);
  }
  const detailType = event.detailType as EventDetailType;
  const result = EVENT_DETAIL_SCHEMAS[detailType].safeParse(event.detail);
  if (!result.success) {
    throw new EventContractError(
      detailType,
      result.error.issues.map((i) => `detail.${i.path.join('.') || '(root)'}: ${i.message}`),
    );
  }
  return { detailType, detail: result.data };
}
