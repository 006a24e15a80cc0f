import { Duration, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { AUDIT_HASH_VERSION, SEALED_AUDIT_HASH_VERSION } from '../../lambdas/core/cases/audit-chain';

/**
 * What the account enforcement, cluster enforcement and reinstatement workflows share: error
 * names, retry policies, the audit hash template of the cases contract, the state machine they
 * run as, and the cdk-nag acknowledgements every workflow role needs.
 */

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
