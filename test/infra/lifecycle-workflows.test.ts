import aslValidator from 'asl-validator';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import {
  CLUSTER_ENFORCEMENT_STATE_NAMES,
  EXPRESS_CLUSTER_ENFORCEMENT_STATE_NAMES,
  ClusterEnforcementWorkflow,
} from '../../lib/constructs/cluster-enforcement-workflow';
import {
  REINSTATEMENT_STATE_NAMES,
  ReinstatementWorkflow,
} from '../../lib/constructs/reinstatement-workflow';
import { auditHashTemplate } from '../../lib/constructs/workflow-support';
import { findUnsupportedFeatures } from '../../local/stepfunctions/asl-definition';
import {
  placeholderRef,
  resolveStateMachineDefinition,
  synthesizeCauterize,
  unacknowledgedNagFindings,
  type CfnTemplate,
} from '../support/synthesize';

type State = Record<string, unknown> & { Type: string };

/** Every state of a definition, Map processors included, by name. */
function allStates(definition: Record<string, unknown>): Record<string, State> {
  const states: Record<string, State> = {};
  const visit = (nested: Record<string, unknown>) => {
    for (const [name, state] of Object.entries((nested.States ?? {}) as Record<string, State>)) {
      states[name] = state;
      const processor = state.ItemProcessor as Record<string, unknown> | undefined;
      if (processor) visit(processor);
    }
  };
  visit(definition);
  return states;
}

describe('Lifecycle workflows in the pipeline stack', () => {
  let pipeline: CfnTemplate;
  let cluster: Record<string, unknown>;
  let reinstatement: Record<string, unknown>;
  let nagFindings: ReturnType<typeof unacknowledgedNagFindings>;

  beforeAll(() => {
    const cauterize = synthesizeCauterize();
    pipeline = Template.fromStack(cauterize.pipeline).toJSON();
    const stateful = Template.fromStack(cauterize.stateful).toJSON();
    const resolve = (id: string) => resolveStateMachineDefinition(pipeline, id, placeholderRef, [stateful]);
    cluster = resolve('ClusterEnforcementStateMachine');
    reinstatement = resolve('ReinstatementStateMachine');
    nagFindings = unacknowledgedNagFindings(cauterize.pipeline);
  });

  describe('Class: ClusterEnforcementWorkflow', () => {
    it('is valid ASL, JSONPath only, with nothing the local runtime would ignore', () => {
      // Act
      const { isValid, errorsText } = aslValidator(structuredClone(cluster));

      // Assess
      expect(errorsText()).toBe('');
      expect(isValid).toBe(true);
      expect(findUnsupportedFeatures(cluster)).toEqual([]);
      expect(Object.keys(allStates(cluster)).sort()).toEqual([...CLUSTER_ENFORCEMENT_STATE_NAMES].sort());
    });

    it('as EXPRESS (optimised profile): valid ASL, the same states without the Distributed Map', () => {
      // Prepare
      const optimised = synthesizeCauterize({ costProfile: 'optimised' });
      const template = Template.fromStack(optimised.pipeline).toJSON();
      const stateful = Template.fromStack(optimised.stateful).toJSON();

      // Act
      const express = resolveStateMachineDefinition(
        template,
        'ExpressClusterEnforcementStateMachine',
        placeholderRef,
        [stateful],
      );
      const { isValid, errorsText } = aslValidator(structuredClone(express));

      // Assess
      expect(errorsText()).toBe('');
      expect(isValid).toBe(true);
      expect(findUnsupportedFeatures(express)).toEqual([]);
      expect(Object.keys(allStates(express)).sort()).toEqual(
        [...EXPRESS_CLUSTER_ENFORCEMENT_STATE_NAMES].sort(),
      );
      expect(unacknowledgedNagFindings(optimised.pipeline)).toEqual([]);
    });

    it('runs large clusters in a Distributed Map of EXPRESS children and small ones inline', () => {
      // Act
      const states = allStates(cluster);

      // Assess
      expect(states.IsLargeCluster).toMatchObject({
        Choices: [
          {
            Variable: '$.case.memberCount',
            NumericGreaterThanEquals: 100,
            Next: 'SuspendMembersDistributed',
          },
        ],
        Default: 'SuspendMembers',
      });
      expect(states.SuspendMembersDistributed).toMatchObject({
        Type: 'Map',
        ItemsPath: '$.members',
        ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' } },
      });
      expect(states.SuspendMembersDistributed).not.toHaveProperty('ItemReader');
      expect(states.SuspendMembers).toMatchObject({ Type: 'Map', ItemsPath: '$.members' });
    });

    it('suspends a member only if no other case did and it was not cleared from this one', () => {
      // Act
      const parameters = allStates(cluster).SuspendMember?.Parameters as Record<string, unknown>;

      // Assess
      expect(parameters.ConditionExpression).toBe(
        '(attribute_not_exists(#status) OR #status <> :suspended OR suspendedCaseId = :caseId) AND ' +
          '(attribute_not_exists(reinstatedCaseId) OR reinstatedCaseId <> :caseId)',
      );
      expect(allStates(cluster).SuspendMember?.Catch).toEqual([
        expect.objectContaining({
          ErrorEquals: ['DynamoDB.ConditionalCheckFailedException'],
          Next: 'MemberNotSuspended',
        }),
      ]);
    });

    it('hashes the opening audit entry with States.Hash over the cases contract string', () => {
      // Act
      const hash = (allStates(cluster).HashClusterCaseOpening?.Parameters as Record<string, string>)[
        'hash.$'
      ];

      // Assess
      expect(hash).toBe(
        `States.Hash(States.Format('cauterize-audit-v1|{}|0|{}|cauterize-enforcement|OPENED|NONE|OPEN|` +
          `cluster risk score crossed the cluster suspend threshold|${'0'.repeat(64)}', $.caseId, $.case.openedAt), 'SHA-256')`,
      );
    });
  });

  describe('Class: ReinstatementWorkflow', () => {
    it('is valid ASL, JSONPath only, with nothing the local runtime would ignore', () => {
      // Act
      const { isValid, errorsText } = aslValidator(structuredClone(reinstatement));

      // Assess
      expect(errorsText()).toBe('');
      expect(isValid).toBe(true);
      expect(findUnsupportedFeatures(reinstatement)).toEqual([]);
      expect(Object.keys(allStates(reinstatement)).sort()).toEqual([...REINSTATEMENT_STATE_NAMES].sort());
    });

    it('reinstates one account at a time, only accounts this case suspended, throttled or sent to verification', () => {
      // Act
      const states = allStates(reinstatement);

      // Assess
      expect(states.ReinstateCaseAccounts).toMatchObject({
        MaxConcurrency: 1,
        ItemsPath: '$.case.Item.accountIds.L',
      });
      expect((states.ReinstateAccount?.Parameters as Record<string, unknown>).ConditionExpression).toBe(
        '(#status = :suspended AND suspendedCaseId = :caseId) OR ' +
          '((attribute_not_exists(#status) OR #status <> :suspended) AND enforcementCaseId = :caseId)',
      );
      expect((states.AdvanceCaseChain?.Parameters as Record<string, unknown>).ConditionExpression).toBe(
        'lastAuditSeq = :prev',
      );
      expect((states.NextAuditSeq?.Parameters as Record<string, string>)['seq.$']).toBe(
        'States.MathAdd(States.StringToJson($.chain.seq), 1)',
      );
    });

    it('is started by a rule on CaseUpdated to FALSE_POSITIVE, with a dead-letter queue', () => {
      // Act / Assess
      Template.fromJSON(pipeline as Record<string, unknown>).hasResourceProperties('AWS::Events::Rule', {
        EventPattern: {
          source: ['cauterize'],
          'detail-type': ['CaseUpdated'],
          detail: { toStatus: ['FALSE_POSITIVE'] },
        },
        Targets: [
          Match.objectLike({
            Arn: { Ref: 'ReinstatementStateMachine' },
            DeadLetterConfig: Match.anyValue(),
            RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 20 },
          }),
        ],
      });
    });
  });

  it('gives the scorer the cluster workflow to start, and nothing else new', () => {
    // Act / Assess
    const template = Template.fromJSON(pipeline as Record<string, unknown>);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ CLUSTER_STATE_MACHINE_ARN: { Ref: 'ClusterEnforcementStateMachine' } }),
      },
    });
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 3);
  });

  it('leaves no cdk-nag finding unacknowledged', () => {
    // Assess
    expect(nagFindings).toEqual([]);
  });
});

describe('Construct props', () => {
  const tables = () => {
    const stack = new Stack(new App(), 'Props');
    const table = new dynamodb.Table(stack, 'T', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    });
    return {
      stack,
      accountsTable: table,
      casesTable: table,
      enforcementBus: new events.EventBus(stack, 'Bus'),
    };
  };

  it('rejects a Distributed Map threshold outside 2..100000, naming the prop and the fix', () => {
    // Prepare
    const { stack, ...props } = tables();

    // Act / Assess
    expect(
      () => new ClusterEnforcementWorkflow(stack, 'C', { ...props, distributedMapThreshold: 1 }),
    ).toThrow(
      'distributedMapThreshold must be a whole number from 2 to 100000, got 1: set it within that range',
    );
  });

  it('rejects a Distributed Map threshold on an EXPRESS cluster workflow, which has no Distributed Map', () => {
    // Prepare
    const { stack, ...props } = tables();

    // Act / Assess
    expect(
      () =>
        new ClusterEnforcementWorkflow(stack, 'C', {
          ...props,
          workflowType: 'EXPRESS',
          distributedMapThreshold: 100,
        }),
    ).toThrow(
      /distributedMapThreshold applies to a STANDARD cluster workflow only.*use workflowType STANDARD/,
    );
  });

  it('rejects an EXPRESS cluster workflow that may run longer than 5 minutes', () => {
    // Prepare
    const { stack, ...props } = tables();

    // Act / Assess
    expect(
      () =>
        new ClusterEnforcementWorkflow(stack, 'C', { ...props, workflowType: 'EXPRESS', timeoutMinutes: 30 }),
    ).toThrow(/an EXPRESS workflow runs at most 5 minutes, got timeoutMinutes 30/);
  });

  it('rejects maxChainAttempts outside 1..100', () => {
    // Prepare
    const { stack, ...props } = tables();

    // Act / Assess
    expect(() => new ReinstatementWorkflow(stack, 'R', { ...props, maxChainAttempts: 0 })).toThrow(
      /maxChainAttempts must be a whole number from 1 to 100, got 0/,
    );
  });

  it('refuses an audit template literal with a brace, which States.Format would read as a placeholder', () => {
    // Act / Assess
    expect(() => auditHashTemplate({ reason: 'a {b}' })).toThrow(/reason 'a \{b\}' contains a brace/);
  });
});
