import { Duration, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { AUDIT_HASH_VERSION, SEALED_AUDIT_HASH_VERSION } from '../../lambdas/core/cases/audit-chain';
import { WORKFLOW_ACTOR } from '../../lambdas/core/lifecycle/sealed-input';

/**
 * What the account enforcement, cluster enforcement and reinstatement workflows share: error
 * names, retry policies, DynamoDB attribute values from the state input, the opening audit entry
 * of the cases contract and its hash, the state machine they run as, and the cdk-nag
 * acknowledgements every workflow role needs.
 */

/** A string attribute read from the state input at `path`. */
export function stringAt(path: string): tasks.DynamoAttributeValue {
  return tasks.DynamoAttributeValue.fromString(sfn.JsonPath.stringAt(path));
}

/** A string attribute with a fixed value. */
export function literal(value: string): tasks.DynamoAttributeValue {
  return tasks.DynamoAttributeValue.fromString(value);
}

/** A number attribute from the input number at `path` (DynamoDB wants it as text: States.Format renders it). */
export function numberAt(path: string): tasks.DynamoAttributeValue {
  return tasks.DynamoAttributeValue.numberFromString(sfn.JsonPath.format('{}', sfn.JsonPath.stringAt(path)));
}

/** prevHash of an audit trail's first entry (seq 0). */
export const AUDIT_GENESIS_HASH = '0'.repeat(64);

export const CONDITIONAL_CHECK_FAILED = 'DynamoDB.ConditionalCheckFailedException';

/** DynamoDB errors worth retrying: throttling and service-side failures, never a failed condition. */
const DYNAMODB_TRANSIENT_ERRORS = [
  'DynamoDB.ProvisionedThroughputExceededException',
  'DynamoDB.ThrottlingException',
  'DynamoDB.InternalServerErrorException',
];

export function retryTransientDynamoDb(task: sfn.TaskStateBase): void {
  task.addRetry({
    errors: DYNAMODB_TRANSIENT_ERRORS,
    interval: Duration.seconds(1),
    backoffRate: 2,
    maxAttempts: 5,
    maxDelay: Duration.seconds(20),
    jitterStrategy: sfn.JitterType.FULL,
  });
}

/** A partly failed PutEvents fails the task with EventBridge.FailedEntry: retry it. */
export function retryPutEvents(task: sfn.TaskStateBase): void {
  task.addRetry({
    errors: ['EventBridge.FailedEntry', sfn.Errors.TASKS_FAILED],
    interval: Duration.seconds(1),
    backoffRate: 2,
    maxAttempts: 6,
    maxDelay: Duration.seconds(30),
    jitterStrategy: sfn.JitterType.FULL,
  });
}

/** The fields of an audit entry's hash; undefined ones become `{}` placeholders, in this order. */
export interface AuditHashFields {
  readonly caseId?: string;
  readonly seq?: string;
  readonly at?: string;
  readonly actor?: string;
  readonly action?: string;
  readonly fromStatus?: string;
  readonly toStatus?: string;
  readonly reason?: string;
  readonly prevHash?: string;
}

/**
 * The States.Format template of the cases contract's audit hash input,
 * `cauterize-audit-v1|{caseId}|{seq}|{at}|{actor}|{action}|{fromStatus}|{toStatus}|{reason}|{prevHash}`,
 * with the known fields filled in and a `{}` for each other one (pass those, in this order, to
 * JsonPath.format). Hashed with States.Hash(..., 'SHA-256') it gives the lowercase hex digest
 * lambdas/core/cases/audit-chain.ts computes.
 */
export function auditHashTemplate(fields: AuditHashFields): string {
  return [AUDIT_HASH_VERSION, ...AUDIT_HASH_ORDER.map((key) => literalOrPlaceholder(key, fields[key]))].join(
    '|',
  );
}

/**
 * The States.Format template of a sealed opening entry's hash input (chain v2),
 * `cauterize-audit-v2|<the nine v1 fields>|{seal digest}`: as auditHashTemplate, with one more `{}`
 * at the end for the seal's digest (lambdas/core/cases/case-seal.ts).
 */
export function sealedAuditHashTemplate(fields: AuditHashFields): string {
  return [
    SEALED_AUDIT_HASH_VERSION,
    ...AUDIT_HASH_ORDER.map((key) => literalOrPlaceholder(key, fields[key])),
    '{}',
  ].join('|');
}

const AUDIT_HASH_ORDER: ReadonlyArray<keyof AuditHashFields> = [
  'caseId',
  'seq',
  'at',
  'actor',
  'action',
  'fromStatus',
  'toStatus',
  'reason',
  'prevHash',
];

function literalOrPlaceholder(key: string, value: string | undefined): string {
  if (value === undefined) return '{}';
  if (/[{}]/.test(value)) {
    throw new Error(
      `audit ${key} '${value}' contains a brace, which States.Format reads as a placeholder: pass it as an argument`,
    );
  }
  return value;
}

/** cdk-nag acknowledgements for what CDK grants every workflow role (logs, X-Ray, the data key). */
export function acknowledgeWorkflowRoleFindings(stateMachine: sfn.StateMachine): void {
  Validations.of(stateMachine.role).acknowledge(
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'CDK generates these for logging to CloudWatch Logs (logs:*LogDelivery* and Describe* ' +
        'act on no resource ARN) and for X-Ray (xray:PutTraceSegments and friends take no resource ARN).',
    },
    {
      id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      reason:
        'grantEncryptDecrypt on the data key; the wildcard covers GenerateDataKey and its WithoutPlaintext variant.',
    },
    {
      id: 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
      reason:
        'grantEncryptDecrypt on the data key; the wildcard covers ReEncryptFrom/ReEncryptTo of that one key.',
    },
  );
}

/** Longest an Express execution may run. */
const EXPRESS_MAX_MINUTES = 5;

export interface WorkflowStateMachineProps {
  readonly comment: string;
  readonly definition: sfn.IChainable;
  readonly timeoutMinutes: number;
  readonly logRetention?: logs.RetentionDays;
  /**
   * STANDARD, or EXPRESS for a definition that keeps its effects exactly once by conditional
   * writes alone (Express does not refuse a second start under the same name) and ends within 5
   * minutes.
   * @default 'STANDARD'
   */
  readonly workflowType?: 'STANDARD' | 'EXPRESS';
  /**
   * Whether the execution log (level ALL) carries each state's input and output. With it, a run
   * logs about 100 KB, most of a cheap run's price; without it, the events, errors and names only
   * (the decisions stay in the cases table: case evidence and hash-chained audit entries).
   * @default true
   */
  readonly logExecutionData?: boolean;
  /** Tables the definition's DynamoDB tasks use: their keys are granted to the state machine. */
  readonly tables: readonly dynamodb.ITable[];
}

/**
 * The state machine every workflow runs as (STANDARD unless told): X-Ray tracing, every execution logged with
 * its data (a year by default: enforcement decisions are audit material), the tables' customer
 * managed keys granted (the optimized DynamoDB integrations grant the table actions, not the key),
 * and the workflow role's cdk-nag findings acknowledged. Creates `LogGroup` and `StateMachine` in
 * `scope`.
 */
export function workflowStateMachine(
  scope: Construct,
  props: WorkflowStateMachineProps,
): { stateMachine: sfn.StateMachine; logGroup: logs.LogGroup } {
  const express = props.workflowType === 'EXPRESS';
  if (express && props.timeoutMinutes > EXPRESS_MAX_MINUTES) {
    throw new Error(
      `an EXPRESS workflow runs at most ${EXPRESS_MAX_MINUTES} minutes, got timeoutMinutes ${props.timeoutMinutes}: ` +
        `lower it or use STANDARD`,
    );
  }
  const logGroup = new logs.LogGroup(scope, 'LogGroup', {
    retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
  });
  const stateMachine = new sfn.StateMachine(scope, 'StateMachine', {
    comment: props.comment,
    stateMachineType: express ? sfn.StateMachineType.EXPRESS : sfn.StateMachineType.STANDARD,
    definitionBody: sfn.DefinitionBody.fromChainable(props.definition),
    timeout: Duration.minutes(props.timeoutMinutes),
    tracingEnabled: true,
    logs: {
      destination: logGroup,
      level: sfn.LogLevel.ALL,
      includeExecutionData: props.logExecutionData ?? true,
    },
  });
  const keys = new Set(props.tables.map((table) => table.encryptionKey));
  for (const key of keys) key?.grantEncryptDecrypt(stateMachine);
  acknowledgeWorkflowRoleFindings(stateMachine);
  return { stateMachine, logGroup };
}

/** The opening audit entry's fields that every workflow writes the same (seq 0, genesis hash). */
const OPENING_ENTRY = {
  seq: '0',
  actor: WORKFLOW_ACTOR,
  action: 'OPENED',
  fromStatus: 'NONE',
  toStatus: 'OPEN',
} as const;

export interface OpeningHashProps {
  /** Names of the Choice and of the Pass states for a sealed input and for one without a seal. */
  readonly names: { readonly choice: string; readonly sealed: string; readonly unsealed: string };
  /** The reason, when the workflow's is fixed; else a `{}` for it among hashArgs. */
  readonly reason?: string;
  /** JSONPaths of the hash input's other fields, in template order: caseId, at (and reason). */
  readonly hashArgs: readonly string[];
  /** Written under resultPath beside the hash and the seal (first, in this order). */
  readonly fields?: Readonly<Record<string, unknown>>;
  /** The name of the hash under resultPath. */
  readonly hashKey: string;
  readonly resultPath: string;
}

/**
 * The opening audit entry's hash, computed once per execution so that a retried step writes what
 * the first try wrote: a sealed input (lambdas/core/lifecycle/sealed-input.ts) gets a chain-v2
 * hash covering the seal digest, and the entry's seal attribute in DynamoDB's typed form; an input
 * without a seal (from a scorer older than the definition, during a deploy) a chain-v1 hash.
 * Returns the Choice, and the two Pass states to continue from.
 */
export function openingHashSteps(
  scope: Construct,
  props: OpeningHashProps,
): { readonly choice: sfn.Choice; readonly sealed: sfn.Pass; readonly unsealed: sfn.Pass } {
  const fields = {
    ...OPENING_ENTRY,
    ...(props.reason === undefined ? {} : { reason: props.reason }),
    prevHash: AUDIT_GENESIS_HASH,
  };
  const args = props.hashArgs.map((path) => sfn.JsonPath.stringAt(path));
  const sealed = sfn.Pass.jsonPath(scope, props.names.sealed, {
    parameters: {
      ...props.fields,
      [props.hashKey]: sfn.JsonPath.hash(
        sfn.JsonPath.format(sealedAuditHashTemplate(fields), ...args, sfn.JsonPath.stringAt('$.seal.digest')),
        'SHA-256',
      ),
      seal: {
        digest: { 'S.$': '$.seal.digest' },
        fields: { S: sfn.JsonPath.jsonToString(sfn.JsonPath.objectAt('$.seal.fields')) },
      },
    },
    resultPath: props.resultPath,
  });
  const unsealed = sfn.Pass.jsonPath(scope, props.names.unsealed, {
    parameters: {
      ...props.fields,
      [props.hashKey]: sfn.JsonPath.hash(sfn.JsonPath.format(auditHashTemplate(fields), ...args), 'SHA-256'),
      seal: {},
    },
    resultPath: props.resultPath,
  });
  const choice = sfn.Choice.jsonPath(scope, props.names.choice)
    .when(sfn.Condition.isPresent('$.seal.digest'), sealed)
    .otherwise(unsealed);
  return { choice, sealed, unsealed };
}

/**
 * The opening audit entry (AUDIT#0000) as a workflow puts it, hash-chained from the genesis hash
 * and carrying the seal the opening-hash step prepared.
 */
export function openingAuditItem(values: {
  readonly at: tasks.DynamoAttributeValue;
  readonly reason: tasks.DynamoAttributeValue;
  /** The JSONPath of the object the opening-hash step wrote (its hash and seal). */
  readonly opening: string;
  readonly hashKey: string;
}): Record<string, tasks.DynamoAttributeValue> {
  return {
    caseId: stringAt('$.caseId'),
    sk: literal('AUDIT#0000'),
    seq: tasks.DynamoAttributeValue.fromNumber(0),
    at: values.at,
    actor: literal(WORKFLOW_ACTOR),
    action: literal(OPENING_ENTRY.action),
    reason: values.reason,
    fromStatus: literal(OPENING_ENTRY.fromStatus),
    toStatus: literal(OPENING_ENTRY.toStatus),
    prevHash: literal(AUDIT_GENESIS_HASH),
    hash: stringAt(`${values.opening}.${values.hashKey}`),
    seal: tasks.DynamoAttributeValue.mapFromJsonPath(`${values.opening}.seal`),
  };
}
