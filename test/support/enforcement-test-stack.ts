import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { CloudFormationTemplate } from '../../local/cloudformation/cloudformation-template';

/** Logical ids fixed by the test stack, so tests can address its resources. */
export const TEST_STACK_IDS = {
  table: 'AccountsTable',
  stream: 'UsageStream',
  bus: 'EnforcementBus',
  stateMachine: 'EnforcementStateMachine',
} as const;

/**
 * A small stand-in for the real stacks (which are written elsewhere): one table with a GSI, an
 * on-demand stream, a bus and a STANDARD JSONPath state machine that reads, conditionally
 * updates, fans out over members with a Map, writes a case and publishes an event.
 *
 * Items: `pk=ACCOUNT#<id>, sk=STATE` (status, runs), `pk=MEMBER#<id>, sk=<caseId>`,
 * `pk=CASE#<caseId>, sk=OPENED` (executionName, executionId, startedAt).
 */
export function synthesizeEnforcementTestStack(): CloudFormationTemplate {
  // The built-in CloudFormation validation (a WASM engine) costs ~9 s per synth and is not under test here.
  const app = new App({ builtinCloudFormationValidation: false });
  const stack = new Stack(app, 'LocalRuntimeTest');

  const table = new dynamodb.Table(stack, TEST_STACK_IDS.table, {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    timeToLiveAttribute: 'expiresAt',
    removalPolicy: RemovalPolicy.DESTROY,
  });
  table.addGlobalSecondaryIndex({
    indexName: 'byStatus',
    partitionKey: { name: 'status', type: dynamodb.AttributeType.STRING },
    sortKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
  });
  overrideLogicalId(table, TEST_STACK_IDS.table);

  const stream = new kinesis.Stream(stack, TEST_STACK_IDS.stream, {
    streamMode: kinesis.StreamMode.ON_DEMAND,
  });
  overrideLogicalId(stream, TEST_STACK_IDS.stream);

  const bus = new events.EventBus(stack, TEST_STACK_IDS.bus, { eventBusName: 'cauterize-test' });
  overrideLogicalId(bus, TEST_STACK_IDS.bus);

  const accountKey = {
    pk: tasks.DynamoAttributeValue.fromString(
      sfn.JsonPath.format('ACCOUNT#{}', sfn.JsonPath.stringAt('$.accountId')),
    ),
    sk: tasks.DynamoAttributeValue.fromString('STATE'),
  };
  const getAccount = new tasks.DynamoGetItem(stack, 'GetAccount', {
    table,
    key: accountKey,
    resultPath: '$.account',
  });
  const suspend = new tasks.DynamoUpdateItem(stack, 'Suspend', {
    table,
    key: accountKey,
    conditionExpression: 'attribute_exists(pk) AND #status <> :suspended',
    updateExpression: 'SET #status = :suspended, riskScore = :risk ADD runs :one',
    expressionAttributeNames: { '#status': 'status' },
    expressionAttributeValues: {
      ':suspended': tasks.DynamoAttributeValue.fromString('SUSPENDED'),
      ':risk': tasks.DynamoAttributeValue.numberFromString(
        sfn.JsonPath.format('{}', sfn.JsonPath.stringAt('$.riskScore')),
      ),
      ':one': tasks.DynamoAttributeValue.fromNumber(1),
    },
    resultPath: sfn.JsonPath.DISCARD,
  });
  const alreadySuspended = new sfn.Pass(stack, 'AlreadySuspended');
  suspend.addCatch(alreadySuspended, {
    errors: ['DynamoDB.ConditionalCheckFailedException'],
    resultPath: '$.error',
  });

  const members = new sfn.Map(stack, 'SuspendMembers', {
    itemsPath: '$.members',
    itemSelector: { 'memberId.$': '$$.Map.Item.Value', 'caseId.$': '$.caseId' },
    resultPath: sfn.JsonPath.DISCARD,
  });
  members.itemProcessor(
    new tasks.DynamoPutItem(stack, 'PutMember', {
      table,
      item: {
        pk: tasks.DynamoAttributeValue.fromString(
          sfn.JsonPath.format('MEMBER#{}', sfn.JsonPath.stringAt('$.memberId')),
        ),
        sk: tasks.DynamoAttributeValue.fromString(sfn.JsonPath.stringAt('$.caseId')),
        status: tasks.DynamoAttributeValue.fromString('SUSPENDED'),
      },
    }),
  );

  const openCase = new tasks.DynamoPutItem(stack, 'OpenCase', {
    table,
    item: {
      pk: tasks.DynamoAttributeValue.fromString(
        sfn.JsonPath.format('CASE#{}', sfn.JsonPath.stringAt('$.caseId')),
      ),
      sk: tasks.DynamoAttributeValue.fromString('OPENED'),
      accountId: tasks.DynamoAttributeValue.fromString(sfn.JsonPath.stringAt('$.accountId')),
      executionName: tasks.DynamoAttributeValue.fromString(sfn.JsonPath.stringAt('$$.Execution.Name')),
      executionId: tasks.DynamoAttributeValue.fromString(sfn.JsonPath.stringAt('$$.Execution.Id')),
      startedAt: tasks.DynamoAttributeValue.fromString(sfn.JsonPath.stringAt('$$.Execution.StartTime')),
    },
    resultPath: sfn.JsonPath.DISCARD,
  });

  const publish = new tasks.EventBridgePutEvents(stack, 'PublishSuspended', {
    entries: [
      {
        eventBus: bus,
        source: 'cauterize',
        detailType: 'AccountSuspended',
        detail: sfn.TaskInput.fromObject({
          accountId: sfn.JsonPath.stringAt('$.accountId'),
          caseId: sfn.JsonPath.stringAt('$.caseId'),
        }),
      },
    ],
    resultPath: '$.published',
  });

  const definition = getAccount.next(
    new sfn.Choice(stack, 'AccountKnown')
      .when(sfn.Condition.isPresent('$.account.Item'), suspend.next(members).next(openCase).next(publish))
      .otherwise(
        new sfn.Fail(stack, 'UnknownAccount', { error: 'UnknownAccount', cause: 'no such account' }),
      ),
  );
  const stateMachine = new sfn.StateMachine(stack, TEST_STACK_IDS.stateMachine, {
    definitionBody: sfn.DefinitionBody.fromChainable(definition),
    stateMachineType: sfn.StateMachineType.STANDARD,
  });
  overrideLogicalId(stateMachine, TEST_STACK_IDS.stateMachine);

  return app.synth().getStackByName(stack.stackName).template as CloudFormationTemplate;
}

function overrideLogicalId(construct: { node: { defaultChild?: unknown } }, logicalId: string): void {
  (construct.node.defaultChild as { overrideLogicalId(id: string): void }).overrideLogicalId(logicalId);
}
