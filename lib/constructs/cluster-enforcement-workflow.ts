import { type CfnResource, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { EVENT_SOURCE } from '../../lambdas/core/events';
import {
  CLUSTER_CASE_ACTION,
  CLUSTER_OPENING_REASON,
  WORKFLOW_ACTOR,
} from '../../lambdas/core/lifecycle/sealed-input';
import { checkInteger } from '../validate-props';
import {
  CONDITIONAL_CHECK_FAILED,
  literal,
  numberAt,
  openingAuditItem,
  openingHashSteps,
  retryTransientDynamoDb,
  retryPutEvents,
  stringAt,
  workflowStateMachine,
} from './workflow-support';

/**
 * State names of the cluster enforcement workflow, a contract like ENFORCEMENT_STATE_NAMES: the
 * local runtime keys task handlers by them and operators read them in execution histories. The
 * member steps exist twice, once per Map flavour (inline, and Distributed with the suffix).
 */
export const CLUSTER_MEMBER_STATE_NAMES = [
  'RecordCaseMember',
  'SuspendMember',
  'PublishAccountSuspended',
  'MemberSuspended',
  'MemberNotSuspended',
] as const;

export const CLUSTER_ENFORCEMENT_STATE_NAMES = [
  'ReadClusterCase',
  'HasClusterCase',
  'ResumeClusterCase',
  'StampClusterCase',
  'ClusterCaseAlreadyOpen',
  'GetClusterCase',
  'IsClusterCaseOpenedHere',
  'IsClusterCaseSealed',
  'HashSealedClusterCaseOpening',
  'HashClusterCaseOpening',
  'ListCaseAccounts',
  'CaseAccount',
  'OpenClusterCase',
  'RecordClusterCaseOpening',
  'PublishClusterCaseOpened',
  'IsLargeCluster',
  'SuspendMembers',
  'SuspendMembersDistributed',
  ...CLUSTER_MEMBER_STATE_NAMES,
  ...CLUSTER_MEMBER_STATE_NAMES.map((name) => `${name}Distributed` as const),
  'ClusterEnforced',
] as const;

/** The states an EXPRESS cluster workflow has: no Distributed Map, so no choice of Map either. */
export const EXPRESS_CLUSTER_ENFORCEMENT_STATE_NAMES = CLUSTER_ENFORCEMENT_STATE_NAMES.filter(
  (name) => name !== 'IsLargeCluster' && !name.endsWith('Distributed'),
);

/** Members the inline Map suspends at once (what an Express run's duration is priced by). */
export const INLINE_MAP_MAX_CONCURRENCY = 10;

export interface ClusterEnforcementWorkflowProps {
  /** Accounts table (partition key accountId): members are conditionally set to SUSPENDED. */
  readonly accountsTable: dynamodb.ITable;
  /** Cases table (caseId, sk): the cluster case, one MEMBER# item per member, AUDIT#0000. */
  readonly casesTable: dynamodb.ITable;
  /** Bus receiving CaseOpened and one AccountSuspended per member suspended. */
  readonly enforcementBus: events.IEventBus;
  /**
   * STANDARD, or EXPRESS: about 1/200 of the price per run, inline Map only (Step Functions runs a
   * Distributed Map in STANDARD workflows only), at most 5 minutes. Exactly once holds under both:
   * the case's conditional put names the execution that owns it, not the execution name.
   * @default 'STANDARD'
   */
  readonly workflowType?: 'STANDARD' | 'EXPRESS';
  /**
   * Clusters with at least this many members to suspend run their members in a Distributed Map
   * (child executions) instead of the inline Map (2 to 100,000). STANDARD only.
   * @default 100
   */
  readonly distributedMapThreshold?: number;
  /**
   * Child executions of the Distributed Map running at once (1 to 10,000).
   * @default 100
   */
  readonly distributedMaxConcurrency?: number;
  /**
   * Maximum duration of one execution, in minutes (at most 5 under EXPRESS).
   * @default 30, EXPRESS 5
   */
  readonly timeoutMinutes?: number;
  /**
   * Retention of the execution log group.
   * @default logs.RetentionDays.ONE_YEAR - enforcement decisions are audit material
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Whether the execution log carries each state's input and output (about 100 KB a run at level
   * ALL); without it, events, errors and state names only. The decisions stay in the cases table.
   * @default true
   */
  readonly logExecutionData?: boolean;
}

/**
 * The cluster enforcement workflow: a state machine (STANDARD, or EXPRESS for the optimised
 * profile's clusters below the Distributed Map threshold) the scorer starts once per cluster
 * crossing (deterministic execution name, which only STANDARD deduplicates), with input
 * `{ clusterId, caseId, riskScore, members: [{ accountId, riskScore }], policyVersion, triggeredAt, evidence, seal }`.
 *
 * Opens ONE cluster case (the CASE item with every member in accountIds, its hash-chained
 * AUDIT#0000), publishes CaseOpened, then for each member: records a MEMBER# item (so the cases
 * byAccount index finds the case), suspends it with a conditional write (skipped when another
 * case suspended it, or when an investigator cleared it from this very case) and publishes
 * AccountSuspended.
 *
 * The case's conditional put is the claim: it records openedByExecution, and only that execution
 * goes on to publish and suspend. A second execution of the same case (an Express start under a
 * name already run, a redelivered crossing routed to the other machine) finds the case at
 * ReadClusterCase, or loses the put and reads it (GetClusterCase), and ends in
 * ClusterCaseAlreadyOpen, writing and publishing nothing. A retried step of the owner finds its
 * own case and goes on; a STANDARD redrive keeps the execution, so it goes on too. Every write is
 * conditional or idempotent; a retried PutEvents may deliver an event twice (consumers dedupe on
 * caseId). An execution that fails for good after its put leaves the case with the members it
 * reached: the ExecutionsFailed alarm says so, and a STANDARD one can be redriven.
 *
 * Small clusters go through an inline Map: fast, and ~12 history events per member stay far from
 * the 25,000-event limit. From `distributedMapThreshold` members on, a Distributed Map runs each
 * member in an EXPRESS child execution, so history and concurrency no longer grow with the
 * cluster. Both run the same steps; the local runtime (aws-local-stepfunctions) runs a
 * DISTRIBUTED ItemProcessor inline over the same input array, so both paths are tested locally.
 * JSONPath only: the local runtime ignores JSONata silently.
 */
export class ClusterEnforcementWorkflow extends Construct {
  public readonly stateMachine: sfn.StateMachine;
  public readonly logGroup: logs.LogGroup;

  public constructor(scope: Construct, id: string, props: ClusterEnforcementWorkflowProps) {
    super(scope, id);
    const express = props.workflowType === 'EXPRESS';
    if (express && props.distributedMapThreshold !== undefined) {
      throw new Error(
        'distributedMapThreshold applies to a STANDARD cluster workflow only (an EXPRESS one has no ' +
          'Distributed Map): leave it out, or use workflowType STANDARD',
      );
    }
    checkInteger('distributedMapThreshold', props.distributedMapThreshold, 2, 100_000);
    checkInteger('distributedMaxConcurrency', props.distributedMaxConcurrency, 1, 10_000);
    checkInteger('timeoutMinutes', props.timeoutMinutes, 1, 525_600);

    // The flow, built from its end back: each step is given the one it leads to.
    const enforced = sfn.Succeed.jsonPath(this, 'ClusterEnforced');
    const alreadyOpen = sfn.Succeed.jsonPath(this, 'ClusterCaseAlreadyOpen', {
      comment: 'Another execution opened this case: it publishes and suspends, not this one.',
    });
    const suspendMembers = express
      ? this.inlineMapStep(props, enforced)
      : this.suspendMembersSteps(props, enforced);
    const publish = this.publishCaseOpenedStep(props, suspendMembers);
    const openCase = this.openCaseSteps(props, publish, alreadyOpen);
    const definition = this.caseTimeSteps(props, openCase, alreadyOpen);

    ({ stateMachine: this.stateMachine, logGroup: this.logGroup } = workflowStateMachine(this, {
      comment:
        'Cauterize cluster enforcement: one cluster case, then suspend each member and publish its event',
      definition,
      timeoutMinutes: props.timeoutMinutes ?? (express ? 5 : 30),
      logRetention: props.logRetention,
      workflowType: props.workflowType,
      logExecutionData: props.logExecutionData,
      tables: [props.accountsTable, props.casesTable],
    }));
  }

  /**
   * ReadClusterCase -> HasClusterCase -> ResumeClusterCase | StampClusterCase |
   * ClusterCaseAlreadyOpen: one time for the whole case, the stored openedAt when this execution
   * (a redrive) or a version without owners opened it, else this execution's start; a case another
   * execution owns ends the run. Every write (child executions included, whose own start time
   * differs) carries that time, so a re-run writes exactly what the first run wrote.
   */
  private caseTimeSteps(
    props: ClusterEnforcementWorkflowProps,
    openCase: sfn.IChainable,
    alreadyOpen: sfn.State,
  ): sfn.IChainable {
    const readCase = tasks.DynamoGetItem.jsonPath(this, 'ReadClusterCase', {
      table: props.casesTable,
      key: { caseId: stringAt('$.caseId'), sk: literal('CASE') },
      consistentRead: true,
      projectionExpression: [
        new tasks.DynamoProjectionExpression().withAttribute('openedAt'),
        new tasks.DynamoProjectionExpression().withAttribute('openedByExecution'),
      ],
      resultPath: '$.stored',
    });
    retryTransientDynamoDb(readCase);
    const memberCount = sfn.JsonPath.arrayLength(sfn.JsonPath.listAt('$.members'));
    const resume = sfn.Pass.jsonPath(this, 'ResumeClusterCase', {
      parameters: { 'openedAt.$': '$.stored.Item.openedAt.S', memberCount },
      resultPath: '$.case',
    });
    const stamp = sfn.Pass.jsonPath(this, 'StampClusterCase', {
      parameters: { 'openedAt.$': '$$.Execution.StartTime', memberCount },
      resultPath: '$.case',
    });
    resume.next(openCase);
    stamp.next(openCase);
    return readCase.next(
      sfn.Choice.jsonPath(this, 'HasClusterCase')
        .when(
          sfn.Condition.and(
            sfn.Condition.isPresent('$.stored.Item.openedAt.S'),
            openedHere('$.stored.Item.openedByExecution.S'),
          ),
          resume,
        )
        .when(sfn.Condition.isPresent('$.stored.Item.openedAt.S'), alreadyOpen)
        .otherwise(stamp),
    );
  }

  /**
   * IsClusterCaseSealed -> Hash(Sealed)ClusterCaseOpening -> ListCaseAccounts -> OpenClusterCase ->
   * RecordClusterCaseOpening: the case with every member in accountIds and its hash-chained opening
   * entry, each put only if absent (a retried execution finds them written and goes on).
   */
  private openCaseSteps(
    props: ClusterEnforcementWorkflowProps,
    publish: sfn.State,
    alreadyOpen: sfn.State,
  ): sfn.IChainable {
    const hash = openingHashSteps(this, {
      names: {
        choice: 'IsClusterCaseSealed',
        sealed: 'HashSealedClusterCaseOpening',
        unsealed: 'HashClusterCaseOpening',
      },
      reason: CLUSTER_OPENING_REASON,
      hashArgs: ['$.caseId', '$.case.openedAt'],
      hashKey: 'hash',
      resultPath: '$.opening',
    });

    // The case lists every member; DynamoDB wants the list as [{ "S": id }, ...].
    const listAccounts = sfn.Map.jsonPath(this, 'ListCaseAccounts', {
      itemsPath: '$.members',
      itemSelector: { 'S.$': '$$.Map.Item.Value.accountId' },
      resultPath: '$.case.accountIds',
    });
    listAccounts.itemProcessor(sfn.Pass.jsonPath(this, 'CaseAccount'));

    const openCase = tasks.DynamoPutItem.jsonPath(this, 'OpenClusterCase', {
      table: props.casesTable,
      item: {
        caseId: stringAt('$.caseId'),
        sk: literal('CASE'),
        kind: literal('cluster'),
        clusterId: stringAt('$.clusterId'),
        // A path token: listFromJsonPath renders a plain '$...' string as a literal "L" value.
        accountIds: tasks.DynamoAttributeValue.listFromJsonPath(sfn.JsonPath.stringAt('$.case.accountIds')),
        status: literal('OPEN'),
        action: literal(CLUSTER_CASE_ACTION),
        openedAt: stringAt('$.case.openedAt'),
        updatedAt: stringAt('$.case.openedAt'),
        riskScore: numberAt('$.riskScore'),
        policyVersion: stringAt('$.policyVersion'),
        triggeredAt: stringAt('$.triggeredAt'),
        evidence: tasks.DynamoAttributeValue.fromString(
          sfn.JsonPath.jsonToString(sfn.JsonPath.objectAt('$.evidence')),
        ),
        openedBy: literal(WORKFLOW_ACTOR),
        openedByExecution: tasks.DynamoAttributeValue.fromString(sfn.JsonPath.executionId),
        notes: tasks.DynamoAttributeValue.fromList([]),
        lastAuditSeq: tasks.DynamoAttributeValue.fromNumber(0),
        lastAuditHash: stringAt('$.opening.hash'),
      },
      // The claim: one execution per case gets past this put.
      conditionExpression: 'attribute_not_exists(caseId)',
      resultPath: sfn.JsonPath.DISCARD,
    });
    retryTransientDynamoDb(openCase);

    // Lost the put: a retry of this execution's own put goes on, any other execution ends.
    const getCase = tasks.DynamoGetItem.jsonPath(this, 'GetClusterCase', {
      table: props.casesTable,
      key: { caseId: stringAt('$.caseId'), sk: literal('CASE') },
      consistentRead: true,
      projectionExpression: [new tasks.DynamoProjectionExpression().withAttribute('openedByExecution')],
      resultPath: '$.existingCase',
    });
    retryTransientDynamoDb(getCase);

    const recordOpening = tasks.DynamoPutItem.jsonPath(this, 'RecordClusterCaseOpening', {
      table: props.casesTable,
      item: openingAuditItem({
        at: stringAt('$.case.openedAt'),
        reason: literal(CLUSTER_OPENING_REASON),
        opening: '$.opening',
        hashKey: 'hash',
      }),
      conditionExpression: 'attribute_not_exists(caseId)',
      resultPath: sfn.JsonPath.DISCARD,
    });
    retryTransientDynamoDb(recordOpening);

    // A retried step finds its case or opening entry written: skip ahead, never fail.
    openCase.addCatch(getCase, { errors: [CONDITIONAL_CHECK_FAILED], resultPath: '$.openCaseError' });
    getCase.next(
      sfn.Choice.jsonPath(this, 'IsClusterCaseOpenedHere')
        .when(openedHere('$.existingCase.Item.openedByExecution.S'), recordOpening)
        .otherwise(alreadyOpen),
    );
    recordOpening.addCatch(publish, {
      errors: [CONDITIONAL_CHECK_FAILED],
      resultPath: '$.openingError',
    });
    hash.sealed.next(listAccounts);
    hash.unsealed.next(listAccounts);
    listAccounts.next(openCase).next(recordOpening).next(publish);
    return hash.choice;
  }

  /** PublishClusterCaseOpened: one CaseOpened for the whole cluster. */
  private publishCaseOpenedStep(
    props: ClusterEnforcementWorkflowProps,
    suspendMembers: sfn.State,
  ): sfn.State {
    const publishCaseOpened = tasks.EventBridgePutEvents.jsonPath(this, 'PublishClusterCaseOpened', {
      entries: [
        {
          eventBus: props.enforcementBus,
          source: EVENT_SOURCE,
          detailType: 'CaseOpened',
          detail: sfn.TaskInput.fromObject({
            caseId: sfn.JsonPath.stringAt('$.caseId'),
            kind: 'cluster',
            clusterId: sfn.JsonPath.stringAt('$.clusterId'),
            accountIds: sfn.JsonPath.listAt('$.members[*].accountId'),
            riskScore: sfn.JsonPath.numberAt('$.riskScore'),
            policyVersion: sfn.JsonPath.stringAt('$.policyVersion'),
            triggeredAt: sfn.JsonPath.stringAt('$.triggeredAt'),
            openedAt: sfn.JsonPath.stringAt('$.case.openedAt'),
          }),
        },
      ],
      resultPath: sfn.JsonPath.DISCARD,
    });
    retryPutEvents(publishCaseOpened);
    publishCaseOpened.next(suspendMembers);
    return publishCaseOpened;
  }

  /** SuspendMembers: the inline Map over memberSteps. */
  private inlineMapStep(props: ClusterEnforcementWorkflowProps, enforced: sfn.State): sfn.State {
    const suspendMembers = sfn.Map.jsonPath(this, 'SuspendMembers', {
      itemsPath: '$.members',
      itemSelector: MEMBER_ITEM_SELECTOR,
      maxConcurrency: INLINE_MAP_MAX_CONCURRENCY,
      resultPath: sfn.JsonPath.DISCARD,
    });
    suspendMembers.itemProcessor(this.memberSteps('', props));
    suspendMembers.next(enforced);
    return suspendMembers;
  }

  /**
   * IsLargeCluster -> SuspendMembers (inline Map) | SuspendMembersDistributed (Distributed Map,
   * each member an EXPRESS child execution), both running memberSteps.
   */
  private suspendMembersSteps(props: ClusterEnforcementWorkflowProps, enforced: sfn.State): sfn.State {
    const suspendMembers = this.inlineMapStep(props, enforced);
    const suspendMembersDistributed = sfn.DistributedMap.jsonPath(this, 'SuspendMembersDistributed', {
      itemsPath: '$.members',
      itemSelector: MEMBER_ITEM_SELECTOR,
      maxConcurrency: props.distributedMaxConcurrency ?? 100,
      mapExecutionType: sfn.StateMachineType.EXPRESS,
      label: 'SuspendMembers',
      resultPath: sfn.JsonPath.DISCARD,
    });
    suspendMembersDistributed.itemProcessor(this.memberSteps('Distributed', props));
    suspendMembersDistributed.next(enforced);
    return sfn.Choice.jsonPath(this, 'IsLargeCluster')
      .when(
        sfn.Condition.numberGreaterThanEquals('$.case.memberCount', props.distributedMapThreshold ?? 100),
        suspendMembersDistributed,
      )
      .otherwise(suspendMembers);
  }

  /**
   * Acknowledges the cdk-nag findings on the Distributed Map's policy, which name the state
   * machine by its logical id: call it once that id is final (after pinLogicalId).
   */
  public acknowledgeDistributedMapFindings(): void {
    if (!this.stateMachine.node.tryFindChild('DistributedMapPolicy')) return;
    const logicalId = Stack.of(this).resolve((this.stateMachine.node.defaultChild as CfnResource).logicalId);
    const name = JSON.stringify({ 'Fn::Select': [6, { 'Fn::Split': [':', { Ref: logicalId }] }] });
    const executions = `arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${name}`;
    const policy = this.stateMachine.node.findChild('DistributedMapPolicy');
    Validations.of(policy).acknowledge(
      {
        id: `AwsSolutions-IAM5[Resource::${executions}:*]`,
        reason:
          'The Distributed Map describes and stops the child executions it starts, whose names are ' +
          'only known at run time: CDK grants those actions on this state machine’s executions.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::${executions}/SuspendMembers:*]`,
        reason:
          'The Distributed Map (label SuspendMembers) redrives its own map runs: CDK grants ' +
          'states:RedriveExecution on this state machine’s map-run executions.',
      },
    );
  }

  /** One member: MEMBER# item, conditional suspend, AccountSuspended. Names end in `suffix`. */
  private memberSteps(suffix: string, props: ClusterEnforcementWorkflowProps): sfn.IChainable {
    const recordMember = tasks.DynamoPutItem.jsonPath(this, `RecordCaseMember${suffix}`, {
      table: props.casesTable,
      // Idempotent: a retry writes the same item again. No status attribute, so the cases
      // byStatus index only sees cases, while byAccount finds the cluster case by member.
      item: {
        caseId: stringAt('$.caseId'),
        sk: tasks.DynamoAttributeValue.fromString(
          sfn.JsonPath.format('MEMBER#{}', sfn.JsonPath.stringAt('$.accountId')),
        ),
        accountId: stringAt('$.accountId'),
        openedAt: stringAt('$.openedAt'),
        kind: literal('cluster-member'),
      },
      resultPath: sfn.JsonPath.DISCARD,
    });
    retryTransientDynamoDb(recordMember);

    const suspendMember = tasks.DynamoUpdateItem.jsonPath(this, `SuspendMember${suffix}`, {
      table: props.accountsTable,
      key: { accountId: stringAt('$.accountId') },
      updateExpression:
        'SET #status = :suspended, suspendedAt = :at, suspendedCaseId = :caseId, suspendedScore = :score, ' +
        'suspendedPolicyVersion = :pv, suspendedTriggeredAt = :triggeredAt, suspendedClusterId = :clusterId',
      // Suspends an account no other case suspended (re-running for this case is a no-op), and
      // never one an investigator cleared from this very case.
      conditionExpression:
        '(attribute_not_exists(#status) OR #status <> :suspended OR suspendedCaseId = :caseId) AND ' +
        '(attribute_not_exists(reinstatedCaseId) OR reinstatedCaseId <> :caseId)',
      expressionAttributeNames: { '#status': 'status' },
      expressionAttributeValues: {
        ':suspended': literal('SUSPENDED'),
        ':at': stringAt('$.openedAt'),
        ':caseId': stringAt('$.caseId'),
        ':score': numberAt('$.riskScore'),
        ':pv': stringAt('$.policyVersion'),
        ':triggeredAt': stringAt('$.triggeredAt'),
        ':clusterId': stringAt('$.clusterId'),
      },
      resultPath: sfn.JsonPath.DISCARD,
    });
    retryTransientDynamoDb(suspendMember);

    const publish = tasks.EventBridgePutEvents.jsonPath(this, `PublishAccountSuspended${suffix}`, {
      entries: [
        {
          eventBus: props.enforcementBus,
          source: EVENT_SOURCE,
          detailType: 'AccountSuspended',
          detail: sfn.TaskInput.fromObject({
            accountId: sfn.JsonPath.stringAt('$.accountId'),
            caseId: sfn.JsonPath.stringAt('$.caseId'),
            clusterId: sfn.JsonPath.stringAt('$.clusterId'),
            riskScore: sfn.JsonPath.numberAt('$.riskScore'),
            policyVersion: sfn.JsonPath.stringAt('$.policyVersion'),
            suspendedAt: sfn.JsonPath.stringAt('$.openedAt'),
          }),
        },
      ],
      resultPath: sfn.JsonPath.DISCARD,
    });
    retryPutEvents(publish);

    // Iteration outputs are empty: a Distributed Map's results must stay under 256 KB.
    const suspended = sfn.Pass.jsonPath(this, `MemberSuspended${suffix}`, {
      result: sfn.Result.fromObject({}),
    });
    const notSuspended = sfn.Pass.jsonPath(this, `MemberNotSuspended${suffix}`, {
      comment: 'Suspended by another case already, or cleared from this one: nothing to do.',
      result: sfn.Result.fromObject({}),
    });
    suspendMember.addCatch(notSuspended, {
      errors: [CONDITIONAL_CHECK_FAILED],
      resultPath: sfn.JsonPath.DISCARD,
    });
    return recordMember.next(suspendMember).next(publish).next(suspended);
  }
}

/** What each Map iteration gets: its member, and the case fields every member step writes. */
const MEMBER_ITEM_SELECTOR = {
  'accountId.$': '$$.Map.Item.Value.accountId',
  'riskScore.$': '$$.Map.Item.Value.riskScore',
  'caseId.$': '$.caseId',
  'clusterId.$': '$.clusterId',
  'policyVersion.$': '$.policyVersion',
  'triggeredAt.$': '$.triggeredAt',
  'openedAt.$': '$.case.openedAt',
};

/**
 * The case whose owner is at `ownerPath` was opened by this execution, or by a version that did
 * not record its owner (cases opened before openedByExecution resume, as they did).
 */
function openedHere(ownerPath: string): sfn.Condition {
  return sfn.Condition.or(
    sfn.Condition.isNotPresent(ownerPath),
    sfn.Condition.stringEqualsJsonPath(ownerPath, '$$.Execution.Id'),
  );
}
