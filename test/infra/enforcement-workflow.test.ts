import aslValidator from 'asl-validator';
import { Template } from 'aws-cdk-lib/assertions';
import { ENFORCEMENT_STATE_NAMES } from '../../lib/constructs/enforcement-workflow';
import { placeholderRef, resolveStateMachineDefinition, synthesizeCauterize } from '../support/synthesize';

type State = Record<string, unknown> & { Type: string };

const TRANSIENT_DYNAMODB_ERRORS = [
  'DynamoDB.ProvisionedThroughputExceededException',
  'DynamoDB.ThrottlingException',
  'DynamoDB.InternalServerErrorException',
];
const CONDITIONAL_CHECK_FAILED = 'DynamoDB.ConditionalCheckFailedException';

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

    it('retries every DynamoDB task on throttling and service errors, never on a failed condition', () => {
      // Act
      const dynamoTasks = Object.entries(states).filter(([, s]) => String(s.Resource).includes(':dynamodb:'));

      // Assess
      expect(dynamoTasks.map(([name]) => name).sort()).toEqual(
        [
          'ClaimAccount',
          'GetAccount',
          'GetCase',
          'OpenCase',
          'RecordAudit',
          'RequireVerification',
          'SuspendAccount',
          'ThrottleAccount',
        ].sort(),
      );
      for (const [, state] of dynamoTasks) {
        expect(state.Retry).toEqual([
          expect.objectContaining({
            ErrorEquals: TRANSIENT_DYNAMODB_ERRORS,
            JitterStrategy: 'FULL',
            MaxAttempts: 5,
          }),
        ]);
      }
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
        Next: 'IsAlreadyEnforced',
        Parameters: { Key: { accountId: { 'S.$': '$.accountId' } }, ConsistentRead: true },
      });
    });

    it('IsAlreadyEnforced ends a suspended account, or one already under the action or a stronger one', () => {
      // Act
      const state = states.IsAlreadyEnforced as State & { Choices: Array<Record<string, unknown>> };

      // Assess
      expect(state.Type).toBe('Choice');
      expect(state.Default).toBe('RankClaim');
      expect(state.Choices.map((c) => c.Next)).toEqual(['AlreadyEnforced', 'AlreadyEnforced']);
      expect(state.Choices[0]).toEqual({
        And: [
          { Variable: '$.account.Item.status.S', IsPresent: true },
          { Variable: '$.account.Item.status.S', StringEquals: 'SUSPENDED' },
        ],
        Next: 'AlreadyEnforced',
      });
      const rule = JSON.stringify(state.Choices[1]);
      expect(rule).toContain('"StringEquals":"VERIFICATION_REQUIRED"');
      expect(rule).toContain('"StringEquals":"THROTTLED"');
      expect(states.AlreadyEnforced?.Type).toBe('Succeed');
    });

    it('RankClaim ranks the claim by action (review 1 < throttle 2 < verify 3 < suspend 4), shadow as review', () => {
      // Act
      const state = states.RankClaim as State & { Choices: Array<Record<string, unknown>> };
      const ranks = Object.fromEntries(
        ['ClaimAsReview', 'ClaimAsThrottle', 'ClaimAsVerify', 'ClaimAsSuspend'].map((name) => [
          name,
          states[name],
        ]),
      );

      // Assess
      expect(state.Type).toBe('Choice');
      expect(state.Default).toBe('ClaimAsReview');
      expect(state.Choices.map((c) => c.Next)).toEqual([
        'ClaimAsReview',
        'ClaimAsSuspend',
        'ClaimAsVerify',
        'ClaimAsThrottle',
      ]);
      expect(JSON.stringify(state.Choices[0])).toContain('"StringEquals":"shadow"');
      expect(ranks).toEqual({
        ClaimAsReview: { Type: 'Pass', Result: { rank: '1' }, ResultPath: '$.claim', Next: 'ClaimAccount' },
        ClaimAsThrottle: { Type: 'Pass', Result: { rank: '2' }, ResultPath: '$.claim', Next: 'ClaimAccount' },
        ClaimAsVerify: { Type: 'Pass', Result: { rank: '3' }, ResultPath: '$.claim', Next: 'ClaimAccount' },
        ClaimAsSuspend: { Type: 'Pass', Result: { rank: '4' }, ResultPath: '$.claim', Next: 'ClaimAccount' },
      });
    });

    it('ClaimAccount claims the account before the case: a stronger rank, the same case or an expired claim; a lost claim ends in AlreadyEnforced', () => {
      // Act
      const state = states.ClaimAccount;

      // Assess
      expect(state).toMatchObject({
        Type: 'Task',
        Resource: 'arn:aws:states:::dynamodb:updateItem',
        ResultPath: null,
        Next: 'IsCaseSealed',
        Parameters: {
          TableName: 'local-AccountsTable',
          Key: { accountId: { 'S.$': '$.accountId' } },
          UpdateExpression: 'SET claimCaseId = :caseId, claimRank = :rank, claimTriggeredAt = :triggeredAt',
          ConditionExpression:
            'attribute_not_exists(claimRank) OR claimRank < :rank OR claimCaseId = :caseId ' +
            'OR claimTriggeredAt < :claimCutoff',
          ExpressionAttributeValues: {
            ':caseId': { 'S.$': '$.caseId' },
            ':rank': { 'N.$': '$.claim.rank' },
            ':triggeredAt': { 'S.$': '$.triggeredAt' },
            ':claimCutoff': { 'S.$': '$.claimCutoff' },
          },
        },
        Catch: [{ ErrorEquals: [CONDITIONAL_CHECK_FAILED], Next: 'AlreadyEnforced' }],
      });
    });

    it('IsCaseSealed sends a sealed input to PrepareSealedCase, any other to PrepareCase', () => {
      // Act & Assess
      expect(states.IsCaseSealed).toEqual({
        Type: 'Choice',
        Choices: [{ Variable: '$.seal.digest', IsPresent: true, Next: 'PrepareSealedCase' }],
        Default: 'PrepareCase',
      });
    });

    it('PrepareSealedCase hashes the opening as chain v2, the seal digest last, and types the seal for AUDIT#0000', () => {
      // Act
      const state = states.PrepareSealedCase;

      // Assess
      expect(state).toEqual({
        Type: 'Pass',
        ResultPath: '$.opening',
        Parameters: {
          'at.$': '$$.Execution.StartTime',
          'executionId.$': '$$.Execution.Id',
          'auditHash.$':
            "States.Hash(States.Format('cauterize-audit-v2|{}|0|{}|cauterize-enforcement|OPENED|NONE|OPEN|{}|" +
            `${'0'.repeat(64)}|{}', $.caseId, $$.Execution.StartTime, $.reason, $.seal.digest), 'SHA-256')`,
          seal: {
            digest: { 'S.$': '$.seal.digest' },
            fields: { 'S.$': 'States.JsonToString($.seal.fields)' },
          },
        },
        Next: 'OpenCase',
      });
    });

    it('PrepareCase (an input without a seal) computes the v1 opening hash per the cases contract', () => {
      // Act
      const state = states.PrepareCase;

      // Assess
      expect(state).toEqual({
        Type: 'Pass',
        ResultPath: '$.opening',
        Parameters: {
          'at.$': '$$.Execution.StartTime',
          'executionId.$': '$$.Execution.Id',
          'auditHash.$':
            "States.Hash(States.Format('cauterize-audit-v1|{}|0|{}|cauterize-enforcement|OPENED|NONE|OPEN|{}|" +
            `${'0'.repeat(64)}', $.caseId, $$.Execution.StartTime, $.reason), 'SHA-256')`,
          seal: {},
        },
        Next: 'OpenCase',
      });
    });

    it('OpenCase claims the case with a conditional put of every contract field; a lost claim goes to GetCase', () => {
      // Act
      const state = states.OpenCase;

      // Assess
      expect(state).toMatchObject({
        Resource: 'arn:aws:states:::dynamodb:putItem',
        ResultPath: null,
        Next: 'ChooseAction',
        Parameters: {
          ConditionExpression: 'attribute_not_exists(caseId)',
          Item: {
            caseId: { 'S.$': '$.caseId' },
            sk: { S: 'CASE' },
            kind: { S: 'account' },
            accountId: { 'S.$': '$.accountId' },
            accountIds: { L: [{ 'S.$': '$.accountId' }] },
            status: { S: 'OPEN' },
            action: { 'S.$': '$.action' },
            proposedAction: { 'S.$': '$.proposedAction' },
            mode: { 'S.$': '$.mode' },
            actionReason: { 'S.$': '$.reason' },
            directive: { 'S.$': 'States.JsonToString($.directive)' },
            openedAt: { 'S.$': '$.opening.at' },
            updatedAt: { 'S.$': '$.opening.at' },
            riskScore: { 'N.$': "States.Format('{}', $.riskScore)" },
            policyVersion: { 'S.$': '$.policyVersion' },
            triggeredAt: { 'S.$': '$.triggeredAt' },
            evidence: { 'S.$': 'States.JsonToString($.evidence)' },
            openedBy: { S: 'cauterize-enforcement' },
            openedByExecution: { 'S.$': '$.opening.executionId' },
            notes: { L: [] },
            lastAuditSeq: { N: '0' },
            lastAuditHash: { 'S.$': '$.opening.auditHash' },
          },
        },
        Catch: [expect.objectContaining({ ErrorEquals: [CONDITIONAL_CHECK_FAILED], Next: 'GetCase' })],
      });
    });

    it('IsCaseOpenedHere goes on only for the execution that opened the case', () => {
      // Act
      const state = states.IsCaseOpenedHere;

      // Assess
      expect(state).toEqual({
        Type: 'Choice',
        Choices: [
          {
            And: [
              { Variable: '$.existingCase.Item.openedByExecution.S', IsPresent: true },
              {
                Variable: '$.existingCase.Item.openedByExecution.S',
                StringEqualsPath: '$.opening.executionId',
              },
            ],
            Next: 'ChooseAction',
          },
        ],
        Default: 'CaseAlreadyOpen',
      });
    });

    it('ChooseAction routes each action to its write, shadow mode and review to none', () => {
      // Act
      const state = states.ChooseAction as State & { Choices: Array<Record<string, unknown>> };

      // Assess
      expect(state.Choices.map((c) => c.Next)).toEqual([
        'RecordAudit',
        'SuspendAccount',
        'ThrottleAccount',
        'RequireVerification',
      ]);
      expect(JSON.stringify(state.Choices[0])).toContain('"StringEquals":"shadow"');
      expect(state.Default).toBe('RecordAudit');
    });

    it('SuspendAccount suspends once: conditional on not suspended, or suspended by this case (a retry)', () => {
      // Act
      const state = states.SuspendAccount;

      // Assess
      expect(state).toMatchObject({
        Resource: 'arn:aws:states:::dynamodb:updateItem',
        Next: 'RecordAudit',
        Parameters: {
          ConditionExpression:
            '(attribute_not_exists(#status) OR #status <> :suspended) OR suspendedCaseId = :caseId',
          ExpressionAttributeValues: expect.objectContaining({ ':now': { 'S.$': '$.opening.at' } }),
        },
        Catch: [
          expect.objectContaining({
            ErrorEquals: [CONDITIONAL_CHECK_FAILED],
            ResultPath: '$.actionSkipped',
            Next: 'RecordAudit',
          }),
        ],
      });
    });

    it.each([
      [
        'ThrottleAccount',
        'THROTTLED',
        '2',
        'rateLimitPerHour',
        { 'N.$': "States.Format('{}', $.directive.requestsPerHour)" },
      ],
      [
        'RequireVerification',
        'VERIFICATION_REQUIRED',
        '3',
        'verificationChecks',
        { 'SS.$': '$.directive.checks' },
      ],
    ])(
      '%s sets %s (rank %s) with its directive and never downgrades',
      (name, enforcementState, rank, attribute, value) => {
        // Act
        const state = states[name];

        // Assess
        expect(state).toMatchObject({
          Resource: 'arn:aws:states:::dynamodb:updateItem',
          Next: 'RecordAudit',
          Parameters: {
            UpdateExpression:
              'SET enforcementState = :state, enforcementRank = :rank, enforcementCaseId = :caseId, ' +
              `enforcementAt = :now, enforcementPolicyVersion = :pv, ${attribute} = :directive`,
            ConditionExpression:
              '(attribute_not_exists(#status) OR #status <> :suspended) AND ' +
              '(attribute_not_exists(enforcementRank) OR enforcementRank < :rank OR enforcementCaseId = :caseId)',
            ExpressionAttributeValues: expect.objectContaining({
              ':state': { S: enforcementState },
              ':rank': { N: rank },
              ':directive': value,
            }),
          },
          Catch: [
            expect.objectContaining({
              ErrorEquals: [CONDITIONAL_CHECK_FAILED],
              ResultPath: '$.actionSkipped',
            }),
          ],
        });
      },
    );

    it('RecordAudit writes AUDIT#0000 with its chained hash once and goes on when it exists', () => {
      // Act
      const state = states.RecordAudit;

      // Assess
      expect(state).toMatchObject({
        Resource: 'arn:aws:states:::dynamodb:putItem',
        Next: 'RouteEvents',
        Parameters: {
          ConditionExpression: 'attribute_not_exists(caseId)',
          Item: {
            caseId: { 'S.$': '$.caseId' },
            sk: { S: 'AUDIT#0000' },
            seq: { N: '0' },
            at: { 'S.$': '$.opening.at' },
            actor: { S: 'cauterize-enforcement' },
            action: { S: 'OPENED' },
            reason: { 'S.$': '$.reason' },
            fromStatus: { S: 'NONE' },
            toStatus: { S: 'OPEN' },
            prevHash: { S: '0'.repeat(64) },
            hash: { 'S.$': '$.opening.auditHash' },
          },
        },
        Catch: [expect.objectContaining({ ErrorEquals: [CONDITIONAL_CHECK_FAILED], Next: 'RouteEvents' })],
      });
    });

    it('RouteEvents publishes the action event only when the action was applied', () => {
      // Act
      const state = states.RouteEvents as State & { Choices: Array<Record<string, unknown>> };

      // Assess
      expect(state.Choices[0]).toEqual({
        Variable: '$.actionSkipped',
        IsPresent: true,
        Next: 'PublishCaseOpened',
      });
      expect(state.Choices.map((c) => c.Next)).toEqual([
        'PublishCaseOpened',
        'PublishCaseOpened',
        'PublishAccountSuspended',
        'PublishAccountThrottled',
        'PublishVerificationRequired',
      ]);
      expect(state.Default).toBe('PublishCaseOpened');
    });

    it.each([
      ['PublishAccountSuspended', ['AccountSuspended', 'CaseOpened']],
      ['PublishAccountThrottled', ['AccountThrottled', 'CaseOpened']],
      ['PublishVerificationRequired', ['VerificationRequired', 'CaseOpened']],
      ['PublishCaseOpened', ['CaseOpened']],
    ])('%s puts %j on the enforcement bus, then Enforced', (name, detailTypes) => {
      // Act
      const state = states[name] as State & { Parameters: { Entries: Array<Record<string, unknown>> } };

      // Assess
      expect(state).toMatchObject({
        Resource: 'arn:aws:states:::events:putEvents',
        Next: 'Enforced',
        Retry: [
          expect.objectContaining({ ErrorEquals: expect.arrayContaining(['EventBridge.FailedEntry']) }),
        ],
      });
      expect(state.Parameters.Entries.map((e) => e.DetailType)).toEqual(detailTypes);
      for (const entry of state.Parameters.Entries) {
        expect(entry).toMatchObject({
          Source: 'cauterize',
          EventBusName: 'arn:aws:local:::EnforcementBus/Arn',
        });
      }
      expect(states.Enforced?.Type).toBe('Succeed');
    });
  });
});
