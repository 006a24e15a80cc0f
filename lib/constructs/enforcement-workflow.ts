import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { EVENT_SOURCE, type EventDetailType } from '../../lambdas/core/events';
import { WORKFLOW_ACTOR } from '../../lambdas/core/lifecycle/sealed-input';
import { ACTION_RANK } from '../../lambdas/core/lifecycle/enforcement-action';
import type { EnforcementAction } from '../../lambdas/core/policy/policy';
import { checkInteger } from '../validate-props';
import {
  CONDITIONAL_CHECK_FAILED,
  literal,
  numberAt,
  openingAuditItem,
  openingHashSteps,
  retryPutEvents,
  retryTransientDynamoDb,
  stringAt,
  workflowStateMachine,
} from './workflow-support';

/**
 * State names of the account enforcement workflow. They are a contract: the local runtime keys
 * its task handlers by them and operators read them in execution histories.
 */
export const ENFORCEMENT_STATE_NAMES = [
  'GetAccount',
  'IsAlreadyEnforced',
  'AlreadyEnforced',
  'RankClaim',
  'ClaimAsReview',
  'ClaimAsThrottle',
  'ClaimAsVerify',
  'ClaimAsSuspend',
  'ClaimAccount',
  'IsCaseSealed',
  'PrepareSealedCase',
  'PrepareCase',
  'OpenCase',
  'GetCase',
  'IsCaseOpenedHere',
  'CaseAlreadyOpen',
  'ChooseAction',
  'SuspendAccount',
  'ThrottleAccount',
  'RequireVerification',
  'RecordAudit',
  'RouteEvents',
  'PublishAccountSuspended',
  'PublishAccountThrottled',
  'PublishVerificationRequired',
  'PublishCaseOpened',
  'Enforced',
] as const;

export type EnforcementStateName = (typeof ENFORCEMENT_STATE_NAMES)[number];

/**
 * Account attributes the graduated actions write (suspension keeps its own: status SUSPENDED,
 * suspendedAt, suspendedCaseId, ...). enforcementRank orders them so that an action never
 * replaces a stronger one: 2 throttle, 3 verify (suspend is status SUSPENDED). The claim
 * (claimRank) ranks every action the same way: 1 review, 2 throttle, 3 verify, 4 suspend.
 */
export const ENFORCEMENT_STATES = { throttle: 'THROTTLED', verify: 'VERIFICATION_REQUIRED' } as const;
const ENFORCEMENT_RANK: Readonly<Record<EnforcementAction, number>> = ACTION_RANK;

export interface EnforcementWorkflowProps {
  /** Accounts table (partition key accountId): read, then conditionally throttled, verified or suspended. */
  readonly accountsTable: dynamodb.ITable;
  /** Cases table (caseId, sk): receives the case item and its first audit entry. */
  readonly casesTable: dynamodb.ITable;
  /** Bus receiving CaseOpened and AccountSuspended, AccountThrottled or VerificationRequired. */
  readonly enforcementBus: events.IEventBus;
  /**
   * Maximum duration of one execution, in minutes (at most 5 under EXPRESS).
   * @default 5
   */
  readonly timeoutMinutes?: number;
  /**
   * STANDARD, or EXPRESS: about 1/200 of the price per run. Exactly once holds under both: every
   * effect is claimed by a conditional write (the account claim, the case put, the audit put), not
   * by the execution name, which Express does not deduplicate (docs/performance.md, "Cost profiles").
   * @default 'STANDARD'
   */
  readonly workflowType?: 'STANDARD' | 'EXPRESS';
  /**
   * Whether the execution log carries each state's input and output (about 100 KB a run at level
   * ALL); without it, events, errors and state names only. The decisions stay in the cases table.
   * @default true
   */
  readonly logExecutionData?: boolean;
  /**
   * Retention of the execution log group.
   * @default logs.RetentionDays.ONE_YEAR - enforcement decisions are audit material
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The account enforcement workflow: a state machine (STANDARD, or EXPRESS in the optimised
 * profile) started by the scorer once per crossing into a stronger action (deterministic
 * execution name, which only STANDARD deduplicates), with input
 * `{ accountId, caseId, riskScore, policyVersion, triggeredAt, claimCutoff, evidence, action,
 * proposedAction, mode, reason, directive, seal }` (lambdas/core/ports.ts EnforcementInput).
 *
 * GetAccount -> IsAlreadyEnforced -> RankClaim -> ClaimAs<Action> -> ClaimAccount -> IsCaseSealed ->
 * PrepareSealedCase (or PrepareCase for an input without a seal) ->
 * OpenCase -> ChooseAction -> (review: nothing | ThrottleAccount | RequireVerification |
 * SuspendAccount) -> RecordAudit -> RouteEvents -> CaseOpened plus the action's event.
 *
 * Two claims, one per account, then one per case. ClaimAccount conditionally sets claimCaseId,
 * claimRank and claimTriggeredAt on the account: it passes for a stronger action than the one
 * claimed, for the claiming case itself (a retry, or a second execution of the same case), and
 * once the claim was triggered before the input's claimCutoff (a new crossing much later).
 * Otherwise the execution ends in AlreadyEnforced, writing nothing: two executions deciding the
 * same crossing differently (a bisected, retried batch) cannot both open a case of one rank.
 * Then the case: its conditional put succeeds for exactly one execution per caseId, and
 * only that execution acts, records the audit entry and publishes. A concurrent execution of the
 * same case ends in CaseAlreadyOpen; a retried step of the owner finds its own case (GetCase,
 * openedByExecution) and goes on. Every account write is conditional and never replaces a
 * stronger action; one that loses a race with another case still records the audit entry and
 * publishes CaseOpened, not the action's event. The definition is JSONPath, not JSONata: the
 * local runtime (aws-local-stepfunctions) ignores JSONata silently.
 */
export class EnforcementWorkflow extends Construct {
  public readonly stateMachine: sfn.StateMachine;
  public readonly logGroup: logs.LogGroup;

  public constructor(scope: Construct, id: string, props: EnforcementWorkflowProps) {
    super(scope, id);
    checkInteger('timeoutMinutes', props.timeoutMinutes, 1, 525_600);

    // The flow, built from its end back: each step is given the one it leads to.
    const ends = this.ends();
    const publish = this.publishSteps(props, ends.enforced);
    const recordAudit = this.recordAuditStep(props, publish);
    const act = this.actSteps(props, recordAudit);
    const openCase = this.openCaseSteps(props, act, ends.caseAlreadyOpen);
    const claim = this.claimSteps(props, openCase, ends.alreadyEnforced);
    const definition = this.guardSteps(props, claim, ends.alreadyEnforced);

    ({ stateMachine: this.stateMachine, logGroup: this.logGroup } = workflowStateMachine(this, {
      comment:
        'Cauterize account enforcement: open a case, then review, throttle, require verification or suspend, and publish events',
      definition,
      timeoutMinutes: props.timeoutMinutes ?? 5,
      logRetention: props.logRetention,
      workflowType: props.workflowType,
      logExecutionData: props.logExecutionData,
      tables: [props.accountsTable, props.casesTable],
    }));
  }

  private ends() {
    return {
      alreadyEnforced: sfn.Succeed.jsonPath(this, 'AlreadyEnforced', {
        comment:
          'The account is suspended, already under this action or a stronger one, or claimed by another case of this rank or a stronger one: nothing to do.',
      }),
      caseAlreadyOpen: sfn.Succeed.jsonPath(this, 'CaseAlreadyOpen', {
        comment: 'Another execution opened this case: it acts and publishes, not this one.',
      }),
      enforced: sfn.Succeed.jsonPath(this, 'Enforced'),
    };
  }

  /** GetAccount -> IsAlreadyEnforced: a suspended account, or one already under this action, ends here. */
  private guardSteps(
    props: EnforcementWorkflowProps,
    claim: sfn.IChainable,
    alreadyEnforced: sfn.State,
  ): sfn.IChainable {
    const getAccount = tasks.DynamoGetItem.jsonPath(this, 'GetAccount', {
      table: props.accountsTable,
      key: { accountId: stringAt('$.accountId') },
      consistentRead: true,
      resultPath: '$.account',
    });
    retryTransientDynamoDb(getAccount);

    const enforcementState = '$.account.Item.enforcementState.S';
    const stateIs = (state: string) =>
      sfn.Condition.and(
        sfn.Condition.isPresent(enforcementState),
        sfn.Condition.stringEquals(enforcementState, state),
      );
    const isAlreadyEnforced = sfn.Choice.jsonPath(this, 'IsAlreadyEnforced')
      .when(
        sfn.Condition.and(
          sfn.Condition.isPresent('$.account.Item.status.S'),
          sfn.Condition.stringEquals('$.account.Item.status.S', 'SUSPENDED'),
        ),
        alreadyEnforced,
      )
      .when(
        sfn.Condition.and(
          sfn.Condition.not(IS_SHADOW),
          sfn.Condition.or(
            sfn.Condition.and(actionIs('verify'), stateIs(ENFORCEMENT_STATES.verify)),
            sfn.Condition.and(
              actionIs('throttle'),
              sfn.Condition.or(stateIs(ENFORCEMENT_STATES.throttle), stateIs(ENFORCEMENT_STATES.verify)),
            ),
          ),
        ),
        alreadyEnforced,
      )
      .otherwise(claim);
    return getAccount.next(isAlreadyEnforced);
  }

  /**
   * RankClaim -> ClaimAs<Action> -> ClaimAccount: one case per account and rank. A lost claim ends
   * the execution like IsAlreadyEnforced, writing nothing.
   */
  private claimSteps(
    props: EnforcementWorkflowProps,
    openCase: sfn.IChainable,
    alreadyEnforced: sfn.State,
  ): sfn.IChainable {
    // The claim's rank, from the action (shadow mode acts as review). JSONPath has no map lookup:
    // a Choice picks a Pass state per action.
    const claimAs = (name: string, action: EnforcementAction) =>
      sfn.Pass.jsonPath(this, name, {
        result: sfn.Result.fromObject({ rank: String(ENFORCEMENT_RANK[action]) }),
        resultPath: '$.claim',
      });
    const claimRanks = {
      review: claimAs('ClaimAsReview', 'review'),
      throttle: claimAs('ClaimAsThrottle', 'throttle'),
      verify: claimAs('ClaimAsVerify', 'verify'),
      suspend: claimAs('ClaimAsSuspend', 'suspend'),
    };
    const rankClaim = sfn.Choice.jsonPath(this, 'RankClaim')
      .when(IS_SHADOW, claimRanks.review)
      .when(actionIs('suspend'), claimRanks.suspend)
      .when(actionIs('verify'), claimRanks.verify)
      .when(actionIs('throttle'), claimRanks.throttle)
      .otherwise(claimRanks.review);

    const claimAccount = tasks.DynamoUpdateItem.jsonPath(this, 'ClaimAccount', {
      table: props.accountsTable,
      key: { accountId: stringAt('$.accountId') },
      updateExpression: 'SET claimCaseId = :caseId, claimRank = :rank, claimTriggeredAt = :triggeredAt',
      // One case per account and rank: a stronger action, this very case (a retry) or a claim
      // older than the cutoff (a new crossing much later) may take it.
      conditionExpression:
        'attribute_not_exists(claimRank) OR claimRank < :rank OR claimCaseId = :caseId ' +
        'OR claimTriggeredAt < :claimCutoff',
      expressionAttributeValues: {
        ':caseId': stringAt('$.caseId'),
        ':rank': tasks.DynamoAttributeValue.numberFromString(sfn.JsonPath.stringAt('$.claim.rank')),
        ':triggeredAt': stringAt('$.triggeredAt'),
        ':claimCutoff': stringAt('$.claimCutoff'),
      },
      resultPath: sfn.JsonPath.DISCARD,
    });
    retryTransientDynamoDb(claimAccount);
    // Another case of this rank or a stronger one holds the account: nothing written, nothing published.
    claimAccount.addCatch(alreadyEnforced, {
      errors: [CONDITIONAL_CHECK_FAILED],
      resultPath: '$.claimError',
    });
    for (const pass of Object.values(claimRanks)) pass.next(claimAccount);
    claimAccount.next(openCase);
    return rankClaim;
  }

  /**
   * IsCaseSealed -> PrepareSealedCase | PrepareCase -> OpenCase: the case's conditional put lets
   * exactly one execution per caseId go on to act. A retried step of that execution finds its own
   * case (GetCase, openedByExecution) and goes on; any other ends in CaseAlreadyOpen.
   */
  private openCaseSteps(
    props: EnforcementWorkflowProps,
    act: sfn.State,
    caseAlreadyOpen: sfn.State,
  ): sfn.IChainable {
    const prepare = openingHashSteps(this, {
      names: { choice: 'IsCaseSealed', sealed: 'PrepareSealedCase', unsealed: 'PrepareCase' },
      hashArgs: ['$.caseId', '$$.Execution.StartTime', '$.reason'],
      fields: { 'at.$': '$$.Execution.StartTime', 'executionId.$': '$$.Execution.Id' },
      hashKey: 'auditHash',
      resultPath: '$.opening',
    });

    const openCase = tasks.DynamoPutItem.jsonPath(this, 'OpenCase', {
      table: props.casesTable,
      item: {
        caseId: stringAt('$.caseId'),
        sk: literal('CASE'),
        kind: literal('account'),
        accountId: stringAt('$.accountId'),
        accountIds: tasks.DynamoAttributeValue.fromList([stringAt('$.accountId')]),
        status: literal('OPEN'),
        action: stringAt('$.action'),
        proposedAction: stringAt('$.proposedAction'),
        mode: stringAt('$.mode'),
        actionReason: stringAt('$.reason'),
        directive: tasks.DynamoAttributeValue.fromString(
          sfn.JsonPath.jsonToString(sfn.JsonPath.objectAt('$.directive')),
        ),
        openedAt: tasks.DynamoAttributeValue.fromString(OPENED_AT),
        updatedAt: tasks.DynamoAttributeValue.fromString(OPENED_AT),
        riskScore: numberAt('$.riskScore'),
        policyVersion: stringAt('$.policyVersion'),
        triggeredAt: stringAt('$.triggeredAt'),
        evidence: tasks.DynamoAttributeValue.fromString(
          sfn.JsonPath.jsonToString(sfn.JsonPath.objectAt('$.evidence')),
        ),
        openedBy: literal(WORKFLOW_ACTOR),
        openedByExecution: stringAt('$.opening.executionId'),
        notes: tasks.DynamoAttributeValue.fromList([]),
        lastAuditSeq: tasks.DynamoAttributeValue.fromNumber(0),
        lastAuditHash: stringAt('$.opening.auditHash'),
      },
      // The claim: one execution per case gets past this put.
      conditionExpression: 'attribute_not_exists(caseId)',
      resultPath: sfn.JsonPath.DISCARD,
    });
    retryTransientDynamoDb(openCase);

    const getCase = tasks.DynamoGetItem.jsonPath(this, 'GetCase', {
      table: props.casesTable,
      key: { caseId: stringAt('$.caseId'), sk: literal('CASE') },
      consistentRead: true,
      resultPath: '$.existingCase',
    });
    retryTransientDynamoDb(getCase);
    openCase.addCatch(getCase, { errors: [CONDITIONAL_CHECK_FAILED], resultPath: '$.openCaseError' });
    openCase.next(act);

    const isCaseOpenedHere = sfn.Choice.jsonPath(this, 'IsCaseOpenedHere')
      .when(
        sfn.Condition.and(
          sfn.Condition.isPresent('$.existingCase.Item.openedByExecution.S'),
          sfn.Condition.stringEqualsJsonPath(
            '$.existingCase.Item.openedByExecution.S',
            '$.opening.executionId',
          ),
        ),
        act,
      )
      .otherwise(caseAlreadyOpen);
    getCase.next(isCaseOpenedHere);

    prepare.sealed.next(openCase);
    prepare.unsealed.next(openCase);
    return prepare.choice;
  }

  /**
   * ChooseAction -> SuspendAccount | ThrottleAccount | RequireVerification (review and shadow mode:
   * none). Every account write is conditional and never replaces a stronger action; one that loses
   * to another case goes on to the audit entry with `$.actionSkipped`.
   */
  private actSteps(props: EnforcementWorkflowProps, recordAudit: sfn.State): sfn.State {
    const accountKey = { accountId: stringAt('$.accountId') };
    const notSuspended = '(attribute_not_exists(#status) OR #status <> :suspended)';

    const suspendAccount = tasks.DynamoUpdateItem.jsonPath(this, 'SuspendAccount', {
      table: props.accountsTable,
      key: accountKey,
      updateExpression:
        'SET #status = :suspended, suspendedAt = :now, suspendedCaseId = :caseId, ' +
        'suspendedScore = :score, suspendedPolicyVersion = :pv, suspendedTriggeredAt = :triggeredAt',
      // Suspends once: a retry of this case's own write passes (same values), any other
      // suspension fails the condition.
      conditionExpression: `${notSuspended} OR suspendedCaseId = :caseId`,
      expressionAttributeNames: { '#status': 'status' },
      expressionAttributeValues: {
        ':suspended': literal('SUSPENDED'),
        ':now': tasks.DynamoAttributeValue.fromString(OPENED_AT),
        ':caseId': stringAt('$.caseId'),
        ':score': numberAt('$.riskScore'),
        ':pv': stringAt('$.policyVersion'),
        // Event time of the crossing: replays, which run faster than event time, measure by it.
        ':triggeredAt': stringAt('$.triggeredAt'),
      },
      resultPath: sfn.JsonPath.DISCARD,
    });

    const restrict = (
      name: 'ThrottleAccount' | 'RequireVerification',
      action: keyof typeof ENFORCEMENT_STATES,
      directive: { readonly expression: string; readonly value: tasks.DynamoAttributeValue },
    ) =>
      tasks.DynamoUpdateItem.jsonPath(this, name, {
        table: props.accountsTable,
        key: accountKey,
        updateExpression:
          'SET enforcementState = :state, enforcementRank = :rank, enforcementCaseId = :caseId, ' +
          `enforcementAt = :now, enforcementPolicyVersion = :pv, ${directive.expression} = :directive`,
        // Never downgrade: not on a suspended account, not over an action as strong or stronger
        // (unless it is this case's own write, retried).
        conditionExpression:
          `${notSuspended} AND ` +
          '(attribute_not_exists(enforcementRank) OR enforcementRank < :rank OR enforcementCaseId = :caseId)',
        expressionAttributeNames: { '#status': 'status' },
        expressionAttributeValues: {
          ':suspended': literal('SUSPENDED'),
          ':state': literal(ENFORCEMENT_STATES[action]),
          ':rank': tasks.DynamoAttributeValue.fromNumber(ENFORCEMENT_RANK[action]),
          ':caseId': stringAt('$.caseId'),
          ':now': tasks.DynamoAttributeValue.fromString(OPENED_AT),
          ':pv': stringAt('$.policyVersion'),
          ':directive': directive.value,
        },
        resultPath: sfn.JsonPath.DISCARD,
      });
    const throttleAccount = restrict('ThrottleAccount', 'throttle', {
      expression: 'rateLimitPerHour',
      value: numberAt('$.directive.requestsPerHour'),
    });
    const requireVerification = restrict('RequireVerification', 'verify', {
      expression: 'verificationChecks',
      value: tasks.DynamoAttributeValue.fromStringSet(sfn.JsonPath.listAt('$.directive.checks')),
    });

    for (const task of [suspendAccount, throttleAccount, requireVerification]) {
      retryTransientDynamoDb(task);
      // Another case got there first with this action or a stronger one: the case stays open for
      // review, with its audit entry and CaseOpened, but no action event of its own.
      task.addCatch(recordAudit, { errors: [CONDITIONAL_CHECK_FAILED], resultPath: '$.actionSkipped' });
      task.next(recordAudit);
    }

    // Shadow mode never touches the account, whatever the action says.
    return sfn.Choice.jsonPath(this, 'ChooseAction')
      .when(IS_SHADOW, recordAudit)
      .when(actionIs('suspend'), suspendAccount)
      .when(actionIs('throttle'), throttleAccount)
      .when(actionIs('verify'), requireVerification)
      .otherwise(recordAudit);
  }

  /** RecordAudit: the case's hash-chained opening entry, written once (a retry of it goes on). */
  private recordAuditStep(props: EnforcementWorkflowProps, publish: sfn.State): sfn.State {
    const recordAudit = tasks.DynamoPutItem.jsonPath(this, 'RecordAudit', {
      table: props.casesTable,
      item: openingAuditItem({
        at: tasks.DynamoAttributeValue.fromString(OPENED_AT),
        reason: stringAt('$.reason'),
        opening: '$.opening',
        hashKey: 'auditHash',
      }),
      conditionExpression: 'attribute_not_exists(caseId)',
      resultPath: sfn.JsonPath.DISCARD,
    });
    retryTransientDynamoDb(recordAudit);
    recordAudit.next(publish);
    // This execution's own case (a retried OpenCase) goes on; nothing is written twice after it.
    recordAudit.addCatch(publish, {
      errors: [CONDITIONAL_CHECK_FAILED],
      resultPath: '$.recordAuditError',
    });
    return recordAudit;
  }

  /**
   * RouteEvents -> Publish<Action> (the action's event and CaseOpened) | PublishCaseOpened (review,
   * shadow mode, or an action another case's stronger one had already covered).
   */
  private publishSteps(props: EnforcementWorkflowProps, enforced: sfn.State): sfn.State {
    const { enforcementBus } = props;
    const common = {
      accountId: sfn.JsonPath.stringAt('$.accountId'),
      caseId: sfn.JsonPath.stringAt('$.caseId'),
      riskScore: sfn.JsonPath.numberAt('$.riskScore'),
      policyVersion: sfn.JsonPath.stringAt('$.policyVersion'),
      reason: sfn.JsonPath.stringAt('$.reason'),
      triggeredAt: sfn.JsonPath.stringAt('$.triggeredAt'),
    };
    const caseOpened: tasks.EventBridgePutEventsEntry = {
      eventBus: enforcementBus,
      source: EVENT_SOURCE,
      detailType: 'CaseOpened',
      detail: sfn.TaskInput.fromObject({
        ...common,
        kind: 'account',
        accountIds: sfn.JsonPath.array(sfn.JsonPath.stringAt('$.accountId')),
        action: sfn.JsonPath.stringAt('$.action'),
        proposedAction: sfn.JsonPath.stringAt('$.proposedAction'),
        mode: sfn.JsonPath.stringAt('$.mode'),
        openedAt: OPENED_AT,
      }),
    };
    const publish = (name: string, entries: tasks.EventBridgePutEventsEntry[]) => {
      const task = tasks.EventBridgePutEvents.jsonPath(this, name, {
        entries,
        resultPath: sfn.JsonPath.DISCARD,
      });
      // Retrying a partly failed PutEvents may deliver an entry twice: consumers dedupe on
      // (detail-type, caseId). Every write before it is already done exactly once.
      retryPutEvents(task);
      return task.next(enforced);
    };
    const actionEvent = (detailType: EventDetailType, detail: Record<string, unknown>) => ({
      eventBus: enforcementBus,
      source: EVENT_SOURCE,
      detailType,
      detail: sfn.TaskInput.fromObject({ ...common, ...detail }),
    });
    const publishSuspended = publish('PublishAccountSuspended', [
      actionEvent('AccountSuspended', { suspendedAt: OPENED_AT }),
      caseOpened,
    ]);
    const publishThrottled = publish('PublishAccountThrottled', [
      actionEvent('AccountThrottled', {
        throttledAt: OPENED_AT,
        requestsPerHour: sfn.JsonPath.numberAt('$.directive.requestsPerHour'),
      }),
      caseOpened,
    ]);
    const publishVerification = publish('PublishVerificationRequired', [
      actionEvent('VerificationRequired', {
        requiredAt: OPENED_AT,
        checks: sfn.JsonPath.listAt('$.directive.checks'),
      }),
      caseOpened,
    ]);
    const publishCaseOpened = publish('PublishCaseOpened', [caseOpened]);

    return sfn.Choice.jsonPath(this, 'RouteEvents')
      .when(sfn.Condition.isPresent('$.actionSkipped'), publishCaseOpened)
      .when(IS_SHADOW, publishCaseOpened)
      .when(actionIs('suspend'), publishSuspended)
      .when(actionIs('throttle'), publishThrottled)
      .when(actionIs('verify'), publishVerification)
      .otherwise(publishCaseOpened);
  }
}

/** The case's opening time: the execution's start, prepared once with the opening hash. */
const OPENED_AT = sfn.JsonPath.stringAt('$.opening.at');

const IS_SHADOW = sfn.Condition.and(
  sfn.Condition.isPresent('$.mode'),
  sfn.Condition.stringEquals('$.mode', 'shadow'),
);

function actionIs(action: EnforcementAction): sfn.Condition {
  return sfn.Condition.stringEquals('$.action', action);
}
