import { Duration, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { checkInteger } from '../validate-props';

/**
 * State names of the account enforcement workflow. They are a contract: the local runtime keys
 * its task handlers by them and operators read them in execution histories.
 */
export const ENFORCEMENT_STATE_NAMES = [
  'GetAccount',
  'IsAlreadySuspended',
  'AlreadySuspended',
  'SuspendAccount',
  'OpenCase',
  'RecordAudit',
  'PublishEvents',
  'Enforced',
] as const;

export type EnforcementStateName = (typeof ENFORCEMENT_STATE_NAMES)[number];

/** Who the workflow writes as, in cases, audit entries and events. */
export const ENFORCEMENT_ACTOR = 'cauterize-enforcement';

/** Source of every event the workflow publishes on the enforcement bus. */
export const ENFORCEMENT_EVENT_SOURCE = 'cauterize';

/** DynamoDB errors worth retrying: throttling and service-side failures, never a failed condition. */
const DYNAMODB_TRANSIENT_ERRORS = [
  'DynamoDB.ProvisionedThroughputExceededException',
  'DynamoDB.ThrottlingException',
  'DynamoDB.InternalServerErrorException',
];
const CONDITIONAL_CHECK_FAILED = 'DynamoDB.ConditionalCheckFailedException';

export interface EnforcementWorkflowProps {
  /** Accounts table (partition key accountId): read, then conditionally set to SUSPENDED. */
  readonly accountsTable: dynamodb.ITable;
  /** Cases table (caseId, sk): receives the case item and its first audit entry. */
  readonly casesTable: dynamodb.ITable;
  /** Bus receiving AccountSuspended and CaseOpened. */
  readonly enforcementBus: events.IEventBus;
  /**
   * Maximum duration of one execution, in minutes.
   * @default 5
   */
  readonly timeoutMinutes?: number;
  /**
   * Retention of the execution log group.
   * @default logs.RetentionDays.ONE_YEAR - enforcement decisions are audit material
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The account enforcement workflow: a STANDARD state machine started by the scorer once per
 * threshold crossing (deterministic execution name), with input
 * `{ accountId, caseId, riskScore, policyVersion, triggeredAt, evidence }`.
 *
 * GetAccount -> IsAlreadySuspended -> SuspendAccount -> OpenCase -> RecordAudit -> PublishEvents.
 * Every write is conditional, so a retried or concurrent execution suspends once, opens one
 * case and records one audit entry. The definition is JSONPath, not JSONata: the local runtime
 * (aws-local-stepfunctions) ignores JSONata silently.
 */
export class EnforcementWorkflow extends Construct {
  public readonly stateMachine: sfn.StateMachine;
  public readonly logGroup: logs.LogGroup;

  public constructor(scope: Construct, id: string, props: EnforcementWorkflowProps) {
    super(scope, id);
    checkInteger('timeoutMinutes', props.timeoutMinutes, 1, 525_600);

    const { accountsTable, casesTable, enforcementBus } = props;
    const str = (path: string) => tasks.DynamoAttributeValue.fromString(sfn.JsonPath.stringAt(path));
    const literal = (value: string) => tasks.DynamoAttributeValue.fromString(value);
    // DynamoDB wants numbers as strings; States.Format renders the input number as one.
    const riskScore = tasks.DynamoAttributeValue.numberFromString(
      sfn.JsonPath.format('{}', sfn.JsonPath.stringAt('$.riskScore')),
    );
    const startedAt = sfn.JsonPath.stringAt('$$.Execution.StartTime');
    const retryTransient = (task: sfn.TaskStateBase) =>
      task.addRetry({
        errors: DYNAMODB_TRANSIENT_ERRORS,
        interval: Duration.seconds(1),
        backoffRate: 2,
        maxAttempts: 5,
        maxDelay: Duration.seconds(20),
        jitterStrategy: sfn.JitterType.FULL,
      });

    const alreadySuspended = sfn.Succeed.jsonPath(this, 'AlreadySuspended', {
      comment: 'The account was suspended before (by this crossing or another): nothing to do.',
    });
    const enforced = sfn.Succeed.jsonPath(this, 'Enforced');

    const getAccount = tasks.DynamoGetItem.jsonPath(this, 'GetAccount', {
      table: accountsTable,
      key: { accountId: str('$.accountId') },
      consistentRead: true,
      resultPath: '$.account',
    });
    retryTransient(getAccount);

    const suspendAccount = tasks.DynamoUpdateItem.jsonPath(this, 'SuspendAccount', {
      table: accountsTable,
      key: { accountId: str('$.accountId') },
      updateExpression:
        'SET #status = :suspended, suspendedAt = :now, suspendedCaseId = :caseId, ' +
        'suspendedScore = :score, suspendedPolicyVersion = :pv, suspendedTriggeredAt = :triggeredAt',
      // The guard that makes two concurrent executions suspend once: the loser gets
      // ConditionalCheckFailed and ends in AlreadySuspended.
      conditionExpression: 'attribute_not_exists(#status) OR #status <> :suspended',
      expressionAttributeNames: { '#status': 'status' },
      expressionAttributeValues: {
        ':suspended': literal('SUSPENDED'),
        ':now': tasks.DynamoAttributeValue.fromString(startedAt),
        ':caseId': str('$.caseId'),
        ':score': riskScore,
        ':pv': str('$.policyVersion'),
        // Event time of the crossing: replays, which run faster than event time, measure by it.
        ':triggeredAt': str('$.triggeredAt'),
      },
      resultPath: sfn.JsonPath.DISCARD,
    });
    retryTransient(suspendAccount);
    suspendAccount.addCatch(alreadySuspended, {
      errors: [CONDITIONAL_CHECK_FAILED],
      resultPath: '$.suspendError',
    });

    const openCase = tasks.DynamoPutItem.jsonPath(this, 'OpenCase', {
      table: casesTable,
      item: {
        caseId: str('$.caseId'),
        sk: literal('CASE'),
        kind: literal('account'),
        accountId: str('$.accountId'),
        status: literal('OPEN'),
        openedAt: tasks.DynamoAttributeValue.fromString(startedAt),
        riskScore,
        policyVersion: str('$.policyVersion'),
        triggeredAt: str('$.triggeredAt'),
        evidence: tasks.DynamoAttributeValue.fromString(
          sfn.JsonPath.jsonToString(sfn.JsonPath.objectAt('$.evidence')),
        ),
        openedBy: literal(ENFORCEMENT_ACTOR),
      },
      conditionExpression: 'attribute_not_exists(caseId)',
      resultPath: sfn.JsonPath.DISCARD,
    });
    retryTransient(openCase);

    const recordAudit = tasks.DynamoPutItem.jsonPath(this, 'RecordAudit', {
      table: casesTable,
      item: {
        caseId: str('$.caseId'),
        sk: literal('AUDIT#0000'),
        at: tasks.DynamoAttributeValue.fromString(startedAt),
        actor: literal(ENFORCEMENT_ACTOR),
        action: literal('OPENED'),
        fromStatus: literal('NONE'),
        toStatus: literal('OPEN'),
        reason: literal('risk score crossed the suspend threshold'),
      },
      conditionExpression: 'attribute_not_exists(caseId)',
      resultPath: sfn.JsonPath.DISCARD,
    });
    retryTransient(recordAudit);

    const eventDetail = (timeField: 'suspendedAt' | 'openedAt') =>
      sfn.TaskInput.fromObject({
        accountId: sfn.JsonPath.stringAt('$.accountId'),
        caseId: sfn.JsonPath.stringAt('$.caseId'),
        riskScore: sfn.JsonPath.numberAt('$.riskScore'),
        policyVersion: sfn.JsonPath.stringAt('$.policyVersion'),
        [timeField]: startedAt,
      });
    const publishEvents = tasks.EventBridgePutEvents.jsonPath(this, 'PublishEvents', {
      entries: [
        {
          eventBus: enforcementBus,
          source: ENFORCEMENT_EVENT_SOURCE,
          detailType: 'AccountSuspended',
          detail: eventDetail('suspendedAt'),
        },
        {
          eventBus: enforcementBus,
          source: ENFORCEMENT_EVENT_SOURCE,
          detailType: 'CaseOpened',
          detail: eventDetail('openedAt'),
        },
      ],
      resultPath: sfn.JsonPath.DISCARD,
    });
    // A partly failed PutEvents fails the task with EventBridge.FailedEntry. Retrying may deliver
    // an entry twice; consumers dedupe on caseId (the account is suspended either way).
    publishEvents.addRetry({
      errors: ['EventBridge.FailedEntry', sfn.Errors.TASKS_FAILED],
      interval: Duration.seconds(1),
      backoffRate: 2,
      maxAttempts: 6,
      maxDelay: Duration.seconds(30),
      jitterStrategy: sfn.JitterType.FULL,
    });

    // A retried execution (redrive, or a restart after a partial failure) finds its case or
    // audit entry already written: skip ahead instead of failing.
    openCase.addCatch(recordAudit, { errors: [CONDITIONAL_CHECK_FAILED], resultPath: '$.openCaseError' });
    recordAudit.addCatch(publishEvents, {
      errors: [CONDITIONAL_CHECK_FAILED],
      resultPath: '$.recordAuditError',
    });

    const isAlreadySuspended = sfn.Choice.jsonPath(this, 'IsAlreadySuspended')
      .when(
        sfn.Condition.and(
          sfn.Condition.isPresent('$.account.Item.status.S'),
          sfn.Condition.stringEquals('$.account.Item.status.S', 'SUSPENDED'),
        ),
        alreadySuspended,
      )
      .otherwise(suspendAccount);

    const definition = getAccount.next(isAlreadySuspended);
    suspendAccount.next(openCase);
    openCase.next(recordAudit);
    recordAudit.next(publishEvents);
    publishEvents.next(enforced);

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
    });

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      comment: 'Cauterize account enforcement: suspend, open a case, record the audit entry, publish events',
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      timeout: Duration.minutes(props.timeoutMinutes ?? 5),
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    });

    // The optimized DynamoDB integrations grant the table actions, not the key: a CMK-encrypted
    // table also needs kms:Decrypt/Encrypt for the caller.
    accountsTable.encryptionKey?.grantEncryptDecrypt(this.stateMachine);
    if (casesTable.encryptionKey !== accountsTable.encryptionKey) {
      casesTable.encryptionKey?.grantEncryptDecrypt(this.stateMachine);
    }

    Validations.of(this.stateMachine.role).acknowledge(
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
}
