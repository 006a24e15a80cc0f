import aslValidator from 'asl-validator';
import { Template } from 'aws-cdk-lib/assertions';
import { ENFORCEMENT_STATE_NAMES } from '../../lib/constructs/enforcement-workflow';
import { placeholderRef, resolveStateMachineDefinition, synthesizeCauterize } from './support';

type State = Record<string, unknown> & { Type: string };

const TRANSIENT_DYNAMODB_ERRORS = [
  'DynamoDB.ProvisionedThroughputExceededException',
  'DynamoDB.ThrottlingException',
  'DynamoDB.InternalServerErrorException',
];

describe('Class: EnforcementWorkflow', () => {
  let definition: Record<string, unknown>;
  let states: Record<string, State>;

  beforeAll(() => {
    const { stateful, pipeline } = synthesizeCauterize();
    definition = resolveStateMachineDefinition(
      Template.fromStack(pipeline).toJSON(),
      'EnforcementStateMachine',
      placeholderRef,
      [Template.fromStack(stateful).toJSON()],
    );
    states = definition.States as Record<string, State>;
  });

  describe('Definition', () => {
    it('resolves to plain JSON, with every reference replaced', () => {
      // Act
      const text = JSON.stringify(definition);

      // Assess
      expect(text).not.toMatch(/Fn::|"Ref"|\$\{Token/);
      expect(states.GetAccount?.Parameters).toMatchObject({ TableName: 'local-AccountsTable' });
      expect(states.OpenCase?.Parameters).toMatchObject({ TableName: 'local-CasesTable' });
    });

    it('is valid Amazon States Language according to asl-validator', () => {
      // Prepare: the validator writes a default QueryLanguage into the states it is given.
      const copy = structuredClone(definition);

      // Act
      const { isValid, errorsText } = aslValidator(copy);

      // Assess
      expect(errorsText()).toBe('');
      expect(isValid).toBe(true);
    });

    it('uses JSONPath, never JSONata, which the local runner would silently ignore', () => {
      // Act
      const queryLanguages = [definition, ...Object.values(states)].map((node) => node.QueryLanguage);

      // Assess
      expect(queryLanguages.filter((language) => language !== undefined && language !== 'JSONPath')).toEqual(
        [],
      );
      expect(JSON.stringify(definition)).not.toMatch(/"(Arguments|Output|Assign)"|\{%/);
    });

    it('has exactly the contract state names, starting at GetAccount', () => {
      // Act
      const names = Object.keys(states).sort();

      // Assess
      expect(definition.StartAt).toBe('GetAccount');
      expect(names).toEqual([...ENFORCEMENT_STATE_NAMES].sort());
    });
  });

  describe('States', () => {
    it('GetAccount reads the account consistently into $.account', () => {
      // Act
      const state = states.GetAccount;

      // Assess
      expect(state).toMatchObject({
        Type: 'Task',
        Resource: 'arn:aws:states:::dynamodb:getItem',
        ResultPath: '$.account',
        Next: 'IsAlreadySuspended',
        Parameters: { Key: { accountId: { 'S.$': '$.accountId' } }, ConsistentRead: true },
      });
    });

    it('IsAlreadySuspended ends in AlreadySuspended only for a SUSPENDED account', () => {
      // Act
      const state = states.IsAlreadySuspended;

      // Assess
      expect(state).toEqual({
        Type: 'Choice',
        Choices: [
          {
            And: [
              { Variable: '$.account.Item.status.S', IsPresent: true },
              { Variable: '$.account.Item.status.S', StringEquals: 'SUSPENDED' },
            ],
            Next: 'AlreadySuspended',
          },
        ],
        Default: 'SuspendAccount',
      });
      expect(states.AlreadySuspended?.Type).toBe('Succeed');
    });

    it('SuspendAccount suspends once: conditional update, retried on throttling, lost race caught', () => {
      // Act
      const state = states.SuspendAccount;

      // Assess
      expect(state).toMatchObject({
        Type: 'Task',
        Resource: 'arn:aws:states:::dynamodb:updateItem',
        ResultPath: null,
        Next: 'OpenCase',
        Parameters: {
          Key: { accountId: { 'S.$': '$.accountId' } },
          UpdateExpression:
            'SET #status = :suspended, suspendedAt = :now, suspendedCaseId = :caseId, ' +
            'suspendedScore = :score, suspendedPolicyVersion = :pv, suspendedTriggeredAt = :triggeredAt',
          ConditionExpression: 'attribute_not_exists(#status) OR #status <> :suspended',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':suspended': { S: 'SUSPENDED' },
            ':now': { 'S.$': '$$.Execution.StartTime' },
            ':caseId': { 'S.$': '$.caseId' },
            ':score': { 'N.$': "States.Format('{}', $.riskScore)" },
            ':pv': { 'S.$': '$.policyVersion' },
            ':triggeredAt': { 'S.$': '$.triggeredAt' },
          },
        },
        Catch: [
          expect.objectContaining({
            ErrorEquals: ['DynamoDB.ConditionalCheckFailedException'],
            Next: 'AlreadySuspended',
          }),
        ],
      });
      expect(state?.Retry).toEqual([
        expect.objectContaining({
          ErrorEquals: TRANSIENT_DYNAMODB_ERRORS,
          JitterStrategy: 'FULL',
          MaxAttempts: 5,
        }),
      ]);
    });

    it('OpenCase writes the case item once and skips ahead when it exists', () => {
      // Act
      const state = states.OpenCase;

      // Assess
      expect(state).toMatchObject({
        Resource: 'arn:aws:states:::dynamodb:putItem',
        ResultPath: null,
        Next: 'RecordAudit',
        Parameters: {
          ConditionExpression: 'attribute_not_exists(caseId)',
          Item: {
            caseId: { 'S.$': '$.caseId' },
            sk: { S: 'CASE' },
            kind: { S: 'account' },
            accountId: { 'S.$': '$.accountId' },
            status: { S: 'OPEN' },
            openedAt: { 'S.$': '$$.Execution.StartTime' },
            riskScore: { 'N.$': "States.Format('{}', $.riskScore)" },
            policyVersion: { 'S.$': '$.policyVersion' },
            triggeredAt: { 'S.$': '$.triggeredAt' },
            evidence: { 'S.$': 'States.JsonToString($.evidence)' },
            openedBy: { S: 'cauterize-enforcement' },
          },
        },
        Catch: [
          expect.objectContaining({
            ErrorEquals: ['DynamoDB.ConditionalCheckFailedException'],
            Next: 'RecordAudit',
          }),
        ],
        Retry: [expect.objectContaining({ ErrorEquals: TRANSIENT_DYNAMODB_ERRORS })],
      });
    });

    it('RecordAudit writes the first audit entry once and skips ahead when it exists', () => {
      // Act
      const state = states.RecordAudit;

      // Assess
      expect(state).toMatchObject({
        Resource: 'arn:aws:states:::dynamodb:putItem',
        Next: 'PublishEvents',
        Parameters: {
          ConditionExpression: 'attribute_not_exists(caseId)',
          Item: {
            caseId: { 'S.$': '$.caseId' },
            sk: { S: 'AUDIT#0000' },
            at: { 'S.$': '$$.Execution.StartTime' },
            actor: { S: 'cauterize-enforcement' },
            action: { S: 'OPENED' },
            fromStatus: { S: 'NONE' },
            toStatus: { S: 'OPEN' },
            reason: { S: 'risk score crossed the suspend threshold' },
          },
        },
        Catch: [
          expect.objectContaining({
            ErrorEquals: ['DynamoDB.ConditionalCheckFailedException'],
            Next: 'PublishEvents',
          }),
        ],
      });
    });

    it('PublishEvents puts AccountSuspended and CaseOpened on the enforcement bus, then Enforced', () => {
      // Prepare
      const detail = {
        'accountId.$': '$.accountId',
        'caseId.$': '$.caseId',
        'riskScore.$': '$.riskScore',
        'policyVersion.$': '$.policyVersion',
      };

      // Act
      const state = states.PublishEvents;

      // Assess
      expect(state).toMatchObject({
        Resource: 'arn:aws:states:::events:putEvents',
        Next: 'Enforced',
        Parameters: {
          Entries: [
            {
              Source: 'cauterize',
              DetailType: 'AccountSuspended',
              EventBusName: 'arn:aws:local:::EnforcementBus/Arn',
              Detail: { ...detail, 'suspendedAt.$': '$$.Execution.StartTime' },
            },
            {
              Source: 'cauterize',
              DetailType: 'CaseOpened',
              EventBusName: 'arn:aws:local:::EnforcementBus/Arn',
              Detail: { ...detail, 'openedAt.$': '$$.Execution.StartTime' },
            },
          ],
        },
        Retry: [
          expect.objectContaining({ ErrorEquals: expect.arrayContaining(['EventBridge.FailedEntry']) }),
        ],
      });
      expect(states.Enforced?.Type).toBe('Succeed');
    });
  });
});
