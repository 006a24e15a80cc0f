import { Duration, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { EVENT_SOURCE } from '../../lambdas/core/events';
import { WORKFLOW_ACTOR } from '../../lambdas/core/lifecycle/sealed-input';
import { checkInteger } from '../validate-props';
import {
  CONDITIONAL_CHECK_FAILED,
  auditHashTemplate,
  literal,
  numberAt,
  retryPutEvents,
  retryTransientDynamoDb,
  stringAt,
  workflowStateMachine,
} from './workflow-support';

/** The event pattern that starts a reinstatement: a case cleared as a false positive. */
export const CASE_CLEARED_PATTERN = {
  source: [EVENT_SOURCE],
  detailType: ['CaseUpdated'],
  detail: { toStatus: ['FALSE_POSITIVE'] },
} as const;

/** States.Format template of the REINSTATED audit entry's reason: one entry per account. */
export const REINSTATED_REASON_TEMPLATE = 'account {} reinstated: the case was cleared as a false positive';

/** State names: a contract, as for the enforcement workflows. */
export const REINSTATEMENT_STATE_NAMES = [
  'ReadClearedCase',
  'IsCaseCleared',
  'CaseNotCleared',
  'HasAccountList',
  'ListSingleAccount',
  'ReinstateCaseAccounts',
  'ReinstateAccount',
  'ReadReinstatedAccount',
  'IsReinstatedUnderCase',
  'AccountNotReinstated',
  'FindReinstatedEntry',
  'IsEntryRecorded',
  'AdoptRecordedEntry',
  'ReadCaseChain',
  'NextAuditSeq',
  'PadAuditSeq',
  'AuditKey1',
  'AuditKey2',
  'AuditKey3',
  'AuditKey4',
  'HashReinstatedEntry',
  'AppendReinstatedEntry',
  'CountChainAttempt',
  'IsChainContended',
  'AuditChainContended',
  'WaitForChain',
  'AdvanceCaseChain',
  'PublishAccountReinstated',
  'MarkAccountAudited',
  'AccountReinstated',
  'CaseReinstated',
] as const;

export interface ReinstatementWorkflowProps {
  /** Accounts table: accounts suspended under the case are conditionally set back to ACTIVE. */
  readonly accountsTable: dynamodb.ITable;
  /** Cases table: read for the case's accounts; receives one REINSTATED audit entry per account. */
  readonly casesTable: dynamodb.ITable;
  /** Carries CaseUpdated (the trigger) and receives AccountReinstated. */
  readonly enforcementBus: events.IEventBus;
  /**
   * Attempts at appending an audit entry while other writers (the cases API) keep taking the
   * next sequence number, before the execution fails (1 to 100).
   * @default 20
   */
  readonly maxChainAttempts?: number;
  /**
   * Maximum duration of one execution, in minutes.
   * @default 30
   */
  readonly timeoutMinutes?: number;
  /**
   * Retention of the execution log group.
   * @default logs.RetentionDays.ONE_YEAR - reinstatements are audit material
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The reinstatement workflow: started by an EventBridge rule on CaseUpdated events whose
 * toStatus is FALSE_POSITIVE, with the event as its input. For every account of the case (its
 * accountIds) that is suspended under this case, it
 * - sets the account back to ACTIVE with a conditional write, recording reinstatedAt,
 *   reinstatedCaseId and what was cleared (clearedAt, clearedScore, clearedPeakScore,
 *   clearedLinkKeys: the scorer's protection from re-suspension reads them);
 * - appends a REINSTATED entry to the case's hash-chained audit trail (seq = lastAuditSeq + 1 with
 *   States.MathAdd, hash with States.Hash, conditional put, then the case's lastAuditSeq moved on
 *   with a condition on its old value);
 * - publishes AccountReinstated.
 *
 * Accounts are processed one at a time: each appends to the same chain. Idempotent under retries
 * and duplicate events: the reinstatement is conditional, an entry already recorded for the account
 * (found by its deterministic reason) is adopted instead of appended again, and an account marked
 * audited (reinstatedAuditSeq) is skipped. A retried AccountReinstated may be delivered twice.
 */
export class ReinstatementWorkflow extends Construct {
  public readonly stateMachine: sfn.StateMachine;
  public readonly logGroup: logs.LogGroup;
  /** The rule on the enforcement bus that starts the workflow. */
  public readonly rule: events.Rule;
  /** Events the rule could not deliver to the workflow (after its retries). */
  public readonly deadLetterQueue: sqs.Queue;

  public constructor(scope: Construct, id: string, props: ReinstatementWorkflowProps) {
    super(scope, id);
    checkInteger('maxChainAttempts', props.maxChainAttempts, 1, 100);
    checkInteger('timeoutMinutes', props.timeoutMinutes, 1, 525_600);

    // The flow, built from its end back: each step is given the one it leads to.
    const announce = this.announceSteps(props);
    const recordEntry = this.recordEntrySteps(props, announce);
    const reinstateAccount = this.reinstateAccountSteps(props, recordEntry.start);
    // Linked last: the definition lists the states in the order it always has (CDK lists a state
    // after the states that lead to it, in the order they were linked).
    recordEntry.closeRetryLoop();
    const definition = this.caseSteps(props, reinstateAccount);

    ({ stateMachine: this.stateMachine, logGroup: this.logGroup } = workflowStateMachine(this, {
      comment:
        'Cauterize reinstatement: a case cleared as a false positive sets its accounts back to ACTIVE, ' +
        'audited and announced',
      definition,
      timeoutMinutes: props.timeoutMinutes ?? 30,
      logRetention: props.logRetention,
      tables: [props.accountsTable, props.casesTable],
    }));
    ({ rule: this.rule, deadLetterQueue: this.deadLetterQueue } = this.startOnCaseCleared(props));
  }

  /**
   * ReadClearedCase -> IsCaseCleared -> HasAccountList (ListSingleAccount) -> ReinstateCaseAccounts:
   * a case still FALSE_POSITIVE has its accounts reinstated one at a time.
   */
  private caseSteps(props: ReinstatementWorkflowProps, reinstateAccount: sfn.IChainable): sfn.IChainable {
    const { casesTable } = props;
    const readCase = tasks.DynamoGetItem.jsonPath(this, 'ReadClearedCase', {
      table: casesTable,
      key: { caseId: stringAt('$.detail.caseId'), sk: literal('CASE') },
      consistentRead: true,
      resultPath: '$.case',
    });
    retryTransientDynamoDb(readCase);
    const notCleared = sfn.Succeed.jsonPath(this, 'CaseNotCleared', {
      comment: 'No such case, or no longer FALSE_POSITIVE (reopened since): nothing to reinstate.',
    });

    // Account cases written before accountIds existed list their one account in accountId.
    const listSingle = sfn.Pass.jsonPath(this, 'ListSingleAccount', {
      parameters: { 'L.$': 'States.Array($.case.Item.accountId)' },
      resultPath: '$.case.Item.accountIds',
    });

    const reinstateAccounts = sfn.Map.jsonPath(this, 'ReinstateCaseAccounts', {
      itemsPath: '$.case.Item.accountIds.L',
      // One at a time: every account appends to the same audit chain.
      maxConcurrency: 1,
      itemSelector: {
        'accountId.$': '$$.Map.Item.Value.S',
        'caseId.$': '$.detail.caseId',
        'caseScore.$': '$.case.Item.riskScore.N',
        'clearedAt.$': '$.detail.at',
        'clearedBy.$': '$.detail.actor',
        'policyVersion.$': '$.detail.policyVersion',
        'startedAt.$': '$$.Execution.StartTime',
        retry: { n: 0 },
      },
      resultPath: sfn.JsonPath.DISCARD,
    });

    reinstateAccounts.itemProcessor(reinstateAccount);
    reinstateAccounts.next(sfn.Succeed.jsonPath(this, 'CaseReinstated'));

    const cleared = sfn.Condition.and(
      sfn.Condition.isPresent('$.case.Item.status.S'),
      sfn.Condition.stringEquals('$.case.Item.status.S', 'FALSE_POSITIVE'),
    );
    return readCase.next(
      sfn.Choice.jsonPath(this, 'IsCaseCleared')
        .when(
          cleared,
          sfn.Choice.jsonPath(this, 'HasAccountList')
            .when(sfn.Condition.isPresent('$.case.Item.accountIds.L'), reinstateAccounts)
            .otherwise(listSingle.next(reinstateAccounts)),
        )
        .otherwise(notCleared),
    );
  }

  /**
   * ReinstateAccount (only an account this very case enforced) -> the audit entry; a failed
   * condition reads the account (ReadReinstatedAccount -> IsReinstatedUnderCase) and finishes a
   * reinstatement a previous attempt began, or ends in AccountNotReinstated.
   */
  private reinstateAccountSteps(props: ReinstatementWorkflowProps, recordEntry: sfn.State): sfn.IChainable {
    const { accountsTable } = props;
    const reinstate = tasks.DynamoUpdateItem.jsonPath(this, 'ReinstateAccount', {
      table: accountsTable,
      key: { accountId: stringAt('$.accountId') },
      updateExpression:
        'SET #status = :active, reinstatedAt = :now, reinstatedCaseId = :caseId, reinstatedBy = :by, ' +
        'clearedAt = :clearedAt, clearedScore = if_not_exists(suspendedScore, :caseScore), ' +
        'clearedPeakScore = if_not_exists(peakRiskScore, :caseScore), ' +
        'clearedLinkKeys = if_not_exists(linkKeys, :noKeys) ' +
        // A throttle or verification this case imposed is lifted with it, and so is the
        // enforcement workflow's claim: a later crossing may open a case again.
        'REMOVE reinstatedAuditSeq, enforcementState, enforcementRank, enforcementCaseId, ' +
        'rateLimitPerHour, verificationChecks, claimCaseId, claimRank, claimTriggeredAt',
      // Only an account this very case suspended, throttled or sent to verification: one
      // suspended since by another case stays so.
      conditionExpression:
        '(#status = :suspended AND suspendedCaseId = :caseId) OR ' +
        '((attribute_not_exists(#status) OR #status <> :suspended) AND enforcementCaseId = :caseId)',
      expressionAttributeNames: { '#status': 'status' },
      expressionAttributeValues: {
        ':active': literal('ACTIVE'),
        ':suspended': literal('SUSPENDED'),
        ':now': stringAt('$.startedAt'),
        ':caseId': stringAt('$.caseId'),
        ':by': stringAt('$.clearedBy'),
        ':clearedAt': stringAt('$.clearedAt'),
        // The score the case was opened at: what a throttled or verified account was cleared for.
        ':caseScore': tasks.DynamoAttributeValue.numberFromString(sfn.JsonPath.stringAt('$.caseScore')),
        ':noKeys': tasks.DynamoAttributeValue.fromList([]),
      },
      resultPath: sfn.JsonPath.DISCARD,
    });
    retryTransientDynamoDb(reinstate);

    const readAccount = tasks.DynamoGetItem.jsonPath(this, 'ReadReinstatedAccount', {
      table: accountsTable,
      key: { accountId: stringAt('$.accountId') },
      consistentRead: true,
      resultPath: '$.account',
    });
    retryTransientDynamoDb(readAccount);
    const notReinstated = sfn.Pass.jsonPath(this, 'AccountNotReinstated', {
      comment: 'Not suspended under this case, or already reinstated and audited: nothing to do.',
      result: sfn.Result.fromObject({}),
    });

    reinstate.addCatch(readAccount, { errors: [CONDITIONAL_CHECK_FAILED], resultPath: sfn.JsonPath.DISCARD });
    const account = (field: string) => `$.account.Item.${field}`;
    readAccount.next(
      sfn.Choice.jsonPath(this, 'IsReinstatedUnderCase')
        .when(
          sfn.Condition.and(
            sfn.Condition.isPresent(account('reinstatedCaseId.S')),
            sfn.Condition.stringEqualsJsonPath(account('reinstatedCaseId.S'), '$.caseId'),
            sfn.Condition.isPresent(account('status.S')),
            sfn.Condition.stringEquals(account('status.S'), 'ACTIVE'),
            // Not(IsPresent) rather than IsPresent: false, which aws-local-stepfunctions 3.0.0
            // evaluates as false whatever the input.
            sfn.Condition.not(sfn.Condition.isPresent(account('reinstatedAuditSeq'))),
          ),
          recordEntry,
        )
        .otherwise(notReinstated),
    );
    reinstate.next(recordEntry);
    return reinstate;
  }

  /**
   * FindReinstatedEntry -> IsEntryRecorded -> AdoptRecordedEntry | ReadCaseChain -> NextAuditSeq ->
   * PadAuditSeq -> AuditKey<n> -> HashReinstatedEntry -> AppendReinstatedEntry: the account's
   * REINSTATED entry, appended to the case's chain once (a contended append reads the chain again,
   * a bounded number of times).
   */
  private recordEntrySteps(
    props: ReinstatementWorkflowProps,
    advance: sfn.State,
  ): { readonly start: sfn.State; closeRetryLoop(): void } {
    const { casesTable } = props;
    const caseKey = { caseId: stringAt('$.caseId'), sk: literal('CASE') };
    const findEntry = tasks.CallAwsService.jsonPath(this, 'FindReinstatedEntry', {
      service: 'dynamodb',
      action: 'query',
      iamResources: [casesTable.tableArn],
      iamAction: 'dynamodb:Query',
      parameters: {
        TableName: casesTable.tableName,
        ConsistentRead: true,
        KeyConditionExpression: 'caseId = :caseId AND begins_with(sk, :audit)',
        FilterExpression: '#action = :reinstated AND reason = :reason',
        ExpressionAttributeNames: { '#action': 'action' },
        ExpressionAttributeValues: {
          ':caseId': { S: sfn.JsonPath.stringAt('$.caseId') },
          ':audit': { S: 'AUDIT#' },
          ':reinstated': { S: 'REINSTATED' },
          ':reason': {
            S: sfn.JsonPath.format(REINSTATED_REASON_TEMPLATE, sfn.JsonPath.stringAt('$.accountId')),
          },
        },
      },
      resultSelector: { 'count.$': '$.Count', 'items.$': '$.Items' },
      resultPath: '$.found',
    });
    findEntry.addRetry({
      errors: [
        'DynamoDb.ProvisionedThroughputExceededException',
        'DynamoDb.ThrottlingException',
        'DynamoDb.InternalServerErrorException',
      ],
      interval: Duration.seconds(1),
      backoffRate: 2,
      maxAttempts: 5,
      jitterStrategy: sfn.JitterType.FULL,
    });

    // A previous attempt recorded the entry: finish from there (move the chain on if it did not).
    const adopt = sfn.Pass.jsonPath(this, 'AdoptRecordedEntry', {
      parameters: {
        'seq.$': 'States.StringToJson($.found.items[0].seq.N)',
        'prevSeq.$': 'States.MathAdd(States.StringToJson($.found.items[0].seq.N), -1)',
        'hash.$': '$.found.items[0].hash.S',
      },
      resultPath: '$.entry',
    });

    const readChain = tasks.DynamoGetItem.jsonPath(this, 'ReadCaseChain', {
      table: casesTable,
      key: caseKey,
      consistentRead: true,
      resultSelector: { 'seq.$': '$.Item.lastAuditSeq.N', 'hash.$': '$.Item.lastAuditHash.S' },
      resultPath: '$.chain',
    });
    retryTransientDynamoDb(readChain);
    const nextSeq = sfn.Pass.jsonPath(this, 'NextAuditSeq', {
      parameters: {
        'seq.$': 'States.MathAdd(States.StringToJson($.chain.seq), 1)',
        reason: sfn.JsonPath.format(REINSTATED_REASON_TEMPLATE, sfn.JsonPath.stringAt('$.accountId')),
      },
      resultPath: '$.next',
    });
    // Audit sort keys are zero-padded to four digits; ASL has no padding function.
    const key = (digits: number, template: string) =>
      sfn.Pass.jsonPath(this, `AuditKey${digits}`, {
        parameters: { sk: sfn.JsonPath.format(template, sfn.JsonPath.stringAt('$.next.seq')) },
        resultPath: '$.key',
      });
    const key1 = key(1, 'AUDIT#000{}');
    const key2 = key(2, 'AUDIT#00{}');
    const key3 = key(3, 'AUDIT#0{}');
    const key4 = key(4, 'AUDIT#{}');

    const hashEntry = sfn.Pass.jsonPath(this, 'HashReinstatedEntry', {
      parameters: {
        'seq.$': '$.next.seq',
        'prevSeq.$': 'States.StringToJson($.chain.seq)',
        hash: sfn.JsonPath.hash(
          sfn.JsonPath.format(
            auditHashTemplate({
              actor: WORKFLOW_ACTOR,
              action: 'REINSTATED',
              fromStatus: 'FALSE_POSITIVE',
              toStatus: 'FALSE_POSITIVE',
            }),
            sfn.JsonPath.stringAt('$.caseId'),
            sfn.JsonPath.stringAt('$.next.seq'),
            sfn.JsonPath.stringAt('$.startedAt'),
            sfn.JsonPath.stringAt('$.next.reason'),
            sfn.JsonPath.stringAt('$.chain.hash'),
          ),
          'SHA-256',
        ),
      },
      resultPath: '$.entry',
    });

    const append = tasks.DynamoPutItem.jsonPath(this, 'AppendReinstatedEntry', {
      table: casesTable,
      item: {
        caseId: stringAt('$.caseId'),
        sk: stringAt('$.key.sk'),
        seq: numberAt('$.next.seq'),
        at: stringAt('$.startedAt'),
        actor: literal(WORKFLOW_ACTOR),
        action: literal('REINSTATED'),
        reason: stringAt('$.next.reason'),
        fromStatus: literal('FALSE_POSITIVE'),
        toStatus: literal('FALSE_POSITIVE'),
        prevHash: stringAt('$.chain.hash'),
        hash: stringAt('$.entry.hash'),
      },
      conditionExpression: 'attribute_not_exists(caseId)',
      resultPath: sfn.JsonPath.DISCARD,
    });
    retryTransientDynamoDb(append);

    // Someone else (the cases API) took that sequence number: read the chain again, a bounded
    // number of times.
    const countAttempt = sfn.Pass.jsonPath(this, 'CountChainAttempt', {
      parameters: { 'n.$': 'States.MathAdd($.retry.n, 1)' },
      resultPath: '$.retry',
    });
    const contended = sfn.Fail.jsonPath(this, 'AuditChainContended', {
      error: 'AuditChainContended',
      cause: 'the case audit chain kept moving; redrive the execution',
    });
    const waitForChain = sfn.Wait.jsonPath(this, 'WaitForChain', {
      time: sfn.WaitTime.duration(Duration.seconds(1)),
    });
    append.addCatch(countAttempt, { errors: [CONDITIONAL_CHECK_FAILED], resultPath: sfn.JsonPath.DISCARD });

    findEntry.next(
      sfn.Choice.jsonPath(this, 'IsEntryRecorded')
        .when(sfn.Condition.numberGreaterThan('$.found.count', 0), adopt)
        .otherwise(readChain),
    );
    adopt.next(advance);
    readChain
      .next(nextSeq)
      .next(
        sfn.Choice.jsonPath(this, 'PadAuditSeq')
          .when(sfn.Condition.numberLessThan('$.next.seq', 10), key1)
          .when(sfn.Condition.numberLessThan('$.next.seq', 100), key2)
          .when(sfn.Condition.numberLessThan('$.next.seq', 1000), key3)
          .otherwise(key4),
      );
    for (const k of [key1, key2, key3, key4]) k.next(hashEntry);
    hashEntry.next(append).next(advance);
    countAttempt.next(
      sfn.Choice.jsonPath(this, 'IsChainContended')
        .when(sfn.Condition.numberGreaterThanEquals('$.retry.n', props.maxChainAttempts ?? 20), contended)
        .otherwise(waitForChain),
    );
    return { start: findEntry, closeRetryLoop: () => waitForChain.next(findEntry) };
  }

  /**
   * AdvanceCaseChain -> PublishAccountReinstated -> MarkAccountAudited -> AccountReinstated: the
   * chain moved on to the entry, the event, and the account marked so a retry skips it.
   */
  private announceSteps(props: ReinstatementWorkflowProps): sfn.State {
    const { accountsTable, casesTable, enforcementBus } = props;
    const caseKey = { caseId: stringAt('$.caseId'), sk: literal('CASE') };
    const advance = tasks.DynamoUpdateItem.jsonPath(this, 'AdvanceCaseChain', {
      table: casesTable,
      key: caseKey,
      updateExpression: 'SET lastAuditSeq = :seq, lastAuditHash = :hash, updatedAt = :now',
      conditionExpression: 'lastAuditSeq = :prev',
      expressionAttributeValues: {
        ':seq': numberAt('$.entry.seq'),
        ':prev': numberAt('$.entry.prevSeq'),
        ':hash': stringAt('$.entry.hash'),
        ':now': stringAt('$.startedAt'),
      },
      resultPath: sfn.JsonPath.DISCARD,
    });
    retryTransientDynamoDb(advance);

    const publish = tasks.EventBridgePutEvents.jsonPath(this, 'PublishAccountReinstated', {
      entries: [
        {
          eventBus: enforcementBus,
          source: EVENT_SOURCE,
          detailType: 'AccountReinstated',
          detail: sfn.TaskInput.fromObject({
            accountId: sfn.JsonPath.stringAt('$.accountId'),
            caseId: sfn.JsonPath.stringAt('$.caseId'),
            reinstatedAt: sfn.JsonPath.stringAt('$.startedAt'),
            clearedAt: sfn.JsonPath.stringAt('$.clearedAt'),
            clearedBy: sfn.JsonPath.stringAt('$.clearedBy'),
            policyVersion: sfn.JsonPath.stringAt('$.policyVersion'),
          }),
        },
      ],
      resultPath: sfn.JsonPath.DISCARD,
    });
    retryPutEvents(publish);
    // The chain already holds the entry (a retry moved it on, or another writer appended after it).
    advance.addCatch(publish, { errors: [CONDITIONAL_CHECK_FAILED], resultPath: sfn.JsonPath.DISCARD });

    const markAudited = tasks.DynamoUpdateItem.jsonPath(this, 'MarkAccountAudited', {
      table: accountsTable,
      key: { accountId: stringAt('$.accountId') },
      updateExpression: 'SET reinstatedAuditSeq = :seq',
      conditionExpression: 'reinstatedCaseId = :caseId',
      expressionAttributeValues: { ':seq': numberAt('$.entry.seq'), ':caseId': stringAt('$.caseId') },
      resultPath: sfn.JsonPath.DISCARD,
    });
    retryTransientDynamoDb(markAudited);
    const reinstated = sfn.Pass.jsonPath(this, 'AccountReinstated', { result: sfn.Result.fromObject({}) });
    markAudited.addCatch(reinstated, {
      errors: [CONDITIONAL_CHECK_FAILED],
      resultPath: sfn.JsonPath.DISCARD,
    });

    advance.next(publish).next(markAudited).next(reinstated);
    return advance;
  }

  /** The rule on the enforcement bus that starts the workflow, and its dead-letter queue. */
  private startOnCaseCleared(props: ReinstatementWorkflowProps): {
    rule: events.Rule;
    deadLetterQueue: sqs.Queue;
  } {
    const deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter queue of the reinstatement rule: CaseUpdated events it ' +
        'could not deliver wait here 14 days for a redrive.',
    });
    const rule = new events.Rule(this, 'OnCaseCleared', {
      eventBus: props.enforcementBus,
      description: 'Starts the reinstatement workflow when a case is cleared as a false positive',
      eventPattern: {
        source: [...CASE_CLEARED_PATTERN.source],
        detailType: [...CASE_CLEARED_PATTERN.detailType],
        detail: { toStatus: [...CASE_CLEARED_PATTERN.detail.toStatus] },
      },
      targets: [
        new targets.SfnStateMachine(this.stateMachine, {
          deadLetterQueue,
          retryAttempts: 20,
          maxEventAge: Duration.hours(24),
        }),
      ],
    });
    return { rule, deadLetterQueue };
  }
}
