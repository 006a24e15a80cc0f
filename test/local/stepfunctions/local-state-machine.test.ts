import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { resolveStateMachineDefinition } from '../../../local/stepfunctions/asl-definition';
import type { CloudFormationTemplate } from '../../../local/cloudformation/cloudformation-template';
import { LocalEventBus } from '../../../local/eventbridge/local-event-bus';
import { startLocalServices, type LocalServices } from '../../../local/emulators/local-services';
import {
  ExecutionAlreadyExistsError,
  LocalStateMachine,
} from '../../../local/stepfunctions/local-state-machine';
import { provisionFromTemplate } from '../../../local/cloudformation/provision-from-template';
import { UnsupportedTaskResourceError } from '../../../local/stepfunctions/step-functions-task-error';
import { synthesizeEnforcementTestStack, TEST_STACK_IDS } from '../../support/enforcement-test-stack';

const TABLE = TEST_STACK_IDS.table;

describe('Class: LocalStateMachine', () => {
  let template: CloudFormationTemplate;
  let services: LocalServices;
  let eventBus: LocalEventBus;
  let machine: LocalStateMachine;

  beforeAll(() => {
    template = synthesizeEnforcementTestStack();
  });

  beforeEach(async () => {
    services = await startLocalServices();
    const provisioned = await provisionFromTemplate(template, services);
    eventBus = new LocalEventBus();
    machine = new LocalStateMachine({
      definition: resolveStateMachineDefinition(
        template,
        TEST_STACK_IDS.stateMachine,
        provisioned.resolveRef,
      ),
      stateMachineArn: provisioned.resources[TEST_STACK_IDS.stateMachine]!.arn,
      dynamodb: services.dynamodb,
      eventBus,
    });
  });

  afterEach(async () => {
    await machine.drain();
    await services.stop();
  });

  const putAccount = (accountId: string, status: string) =>
    services.dynamodb.send(
      new PutItemCommand({
        TableName: TABLE,
        Item: { pk: { S: `ACCOUNT#${accountId}` }, sk: { S: 'STATE' }, status: { S: status } },
      }),
    );
  const getItem = async (pk: string, sk: string) =>
    (
      await services.dynamodb.send(
        new GetItemCommand({ TableName: TABLE, Key: { pk: { S: pk }, sk: { S: sk } } }),
      )
    ).Item;
  const enforcementInput = (accountId: string, members: string[] = []) => ({
    accountId,
    caseId: `case-${accountId}`,
    riskScore: 0.97,
    members,
  });

  describe('Method: startExecution', () => {
    it('runs the synthesized definition against dynalite: updates the account, writes members and the case, publishes', async () => {
      // Prepare
      await putAccount('a1', 'ACTIVE');

      // Act
      const { started, executionArn } = await machine.startExecution({
        name: 'enforce-a1',
        input: enforcementInput('a1', ['m1', 'm2', 'm3']),
      });
      await machine.drain();

      // Assess
      expect(started).toBe(true);
      const execution = machine.describeExecution('enforce-a1');
      expect(execution?.status).toBe('SUCCEEDED');
      expect(execution?.stopDate).toBeInstanceOf(Date);
      const account = await getItem('ACCOUNT#a1', 'STATE');
      expect(account?.status?.S).toBe('SUSPENDED');
      expect(account?.riskScore?.N).toBe('0.97');
      expect(account?.runs?.N).toBe('1');
      // The Map's inner DynamoPutItem ran once per member.
      for (const member of ['m1', 'm2', 'm3']) {
        expect((await getItem(`MEMBER#${member}`, 'case-a1'))?.status?.S).toBe('SUSPENDED');
      }
      // The context object: $$.Execution.Name, .Id and .StartTime.
      const openedCase = await getItem('CASE#case-a1', 'OPENED');
      expect(openedCase?.executionName?.S).toBe('enforce-a1');
      expect(openedCase?.executionId?.S).toBe(executionArn);
      expect(executionArn).toBe(
        'arn:aws:states:us-east-1:000000000000:execution:EnforcementStateMachine:enforce-a1',
      );
      expect(Date.parse(openedCase?.startedAt?.S ?? '')).not.toBeNaN();
      // The optimized EventBridge integration: the event, with execution and state machine ARNs.
      const events = eventBus.events({ detailType: 'AccountSuspended' });
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        source: 'cauterize',
        detail: { accountId: 'a1', caseId: 'case-a1' },
        eventBusName: 'cauterize-test',
        resources: [machine.stateMachineArn, executionArn],
      });
      expect(execution?.output).toMatchObject({
        published: { Entries: [{ EventId: events[0]?.id }], FailedEntryCount: 0 },
      });
    });

    it('takes the Catch path when the conditional update fails with DynamoDB.ConditionalCheckFailedException', async () => {
      // Prepare
      await putAccount('a2', 'SUSPENDED');

      // Act
      await machine.startExecution({ name: 'enforce-a2', input: enforcementInput('a2', ['m9']) });
      await machine.drain();

      // Assess
      const execution = machine.describeExecution('enforce-a2');
      expect(execution?.status).toBe('SUCCEEDED');
      expect(execution?.output).toMatchObject({
        error: {
          Error: 'DynamoDB.ConditionalCheckFailedException',
          Cause: expect.stringContaining('conditional'),
        },
      });
      const path = execution?.history
        .filter((event) => event.type === 'StateEntered')
        .map((event) => event.stateName);
      expect(path).toEqual(['GetAccount', 'AccountKnown', 'Suspend', 'AlreadySuspended']);
      expect(execution?.history).toContainEqual(
        expect.objectContaining({ type: 'StateCaught', stateName: 'Suspend' }),
      );
      expect((await getItem('ACCOUNT#a2', 'STATE'))?.runs).toBeUndefined();
      expect(await getItem('MEMBER#m9', 'case-a2')).toBeUndefined();
      expect(eventBus.events()).toHaveLength(0);
    });

    it('runs an execution name started 10 times at once exactly once', async () => {
      // Prepare
      await putAccount('a3', 'ACTIVE');
      const input = enforcementInput('a3', ['m1']);

      // Act
      const results = await Promise.all(
        Array.from({ length: 10 }, () => machine.startExecution({ name: 'enforce-a3', input })),
      );
      await machine.drain();

      // Assess
      expect(results.filter((result) => result.started)).toHaveLength(1);
      expect(new Set(results.map((result) => result.executionArn)).size).toBe(1);
      expect(machine.executions()).toHaveLength(1);
      expect(machine.executions()[0]?.status).toBe('SUCCEEDED');
      expect((await getItem('ACCOUNT#a3', 'STATE'))?.runs?.N).toBe('1');
      expect(eventBus.events()).toHaveLength(1);
    });

    it('throws ExecutionAlreadyExists for a different input, or for any input once the execution closed', async () => {
      // Prepare
      await putAccount('a4', 'ACTIVE');
      await machine.startExecution({ name: 'enforce-a4', input: enforcementInput('a4') });

      // Act
      const differentInput = machine.startExecution({
        name: 'enforce-a4',
        input: { ...enforcementInput('a4'), riskScore: 0.5 },
      });
      await expect(differentInput).rejects.toBeInstanceOf(ExecutionAlreadyExistsError);
      await machine.drain();
      const sameInputAfterClose = machine.startExecution({
        name: 'enforce-a4',
        input: enforcementInput('a4'),
      });

      // Assess
      await expect(differentInput).rejects.toMatchObject({
        name: 'ExecutionAlreadyExists',
        sameInput: false,
      });
      await expect(sameInputAfterClose).rejects.toMatchObject({
        name: 'ExecutionAlreadyExists',
        sameInput: true,
        existingStatus: 'SUCCEEDED',
      });
      expect(machine.executions()).toHaveLength(1);
      expect((await getItem('ACCOUNT#a4', 'STATE'))?.runs?.N).toBe('1');
    });

    it('records a failing execution as FAILED with its error and cause, without affecting the others', async () => {
      // Prepare
      await putAccount('a5', 'ACTIVE');

      // Act
      await machine.startExecution({ name: 'unknown', input: enforcementInput('nobody') });
      await machine.startExecution({ name: 'known', input: enforcementInput('a5') });
      await machine.drain();

      // Assess
      expect(machine.describeExecution('unknown')).toMatchObject({
        status: 'FAILED',
        error: 'UnknownAccount',
        cause: 'no such account',
      });
      expect(machine.describeExecution('known')?.status).toBe('SUCCEEDED');
    });

    it('rejects invalid execution names as Step Functions does', async () => {
      // Act
      const invalid = machine.startExecution({ name: 'has space', input: {} });

      // Assess
      await expect(invalid).rejects.toMatchObject({ name: 'InvalidName' });
    });
  });

  describe('Method: constructor', () => {
    it('fails fast, naming the state and the resource, for a Task it cannot emulate', () => {
      // Prepare
      const definition = {
        StartAt: 'Score',
        States: {
          Score: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Parameters: { FunctionName: 'f' },
            End: true,
          },
        },
      };

      // Act
      const create = () => new LocalStateMachine({ definition, dynamodb: services.dynamodb, eventBus });

      // Assess
      expect(create).toThrow(UnsupportedTaskResourceError);
      expect(create).toThrow(/Task state 'Score' .* uses Resource 'arn:aws:states:::lambda:invoke'/);
    });

    it('finds Tasks inside Parallel branches and Map iterators too', () => {
      // Prepare
      const definition = {
        StartAt: 'Both',
        States: {
          Both: {
            Type: 'Parallel',
            End: true,
            Branches: [
              { StartAt: 'Ok', States: { Ok: { Type: 'Pass', End: true } } },
              {
                StartAt: 'Each',
                States: {
                  Each: {
                    Type: 'Map',
                    End: true,
                    Iterator: {
                      StartAt: 'Notify',
                      States: {
                        Notify: { Type: 'Task', Resource: 'arn:aws:states:::sns:publish', End: true },
                      },
                    },
                  },
                },
              },
            ],
          },
        },
      };

      // Act
      const create = () => new LocalStateMachine({ definition, dynamodb: services.dynamodb, eventBus });

      // Assess
      expect(create).toThrow(
        "Task state 'Notify' (States.Both.Branches[1].States.Each.Iterator.States.Notify) uses Resource " +
          "'arn:aws:states:::sns:publish'",
      );
    });

    it('runs at most maxConcurrentExecutions at once and queues the rest as RUNNING', async () => {
      // Prepare
      let running = 0;
      let peak = 0;
      const local = new LocalStateMachine({
        definition: {
          StartAt: 'Work',
          States: { Work: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', End: true } },
        },
        dynamodb: services.dynamodb,
        eventBus,
        maxConcurrentExecutions: 3,
        stateHandlers: {
          Work: async () => {
            running += 1;
            peak = Math.max(peak, running);
            await new Promise((resolve) => setTimeout(resolve, 20));
            running -= 1;
            return {};
          },
        },
      });

      // Act
      for (let i = 0; i < 12; i += 1) await local.startExecution({ name: `run-${i}`, input: { i } });
      const statusesRightAfterStart = new Set(local.executions().map((execution) => execution.status));
      await local.drain();

      // Assess
      expect(statusesRightAfterStart).toEqual(new Set(['RUNNING']));
      expect(peak).toBe(3);
      expect(local.executions().filter((execution) => execution.status === 'SUCCEEDED')).toHaveLength(12);
    });

    it('runs a Task through a state handler given for it', async () => {
      // Prepare
      const definition = {
        StartAt: 'Score',
        States: {
          Score: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            ResultPath: '$.score',
            End: true,
          },
        },
      };
      const local = new LocalStateMachine({
        definition,
        dynamodb: services.dynamodb,
        eventBus,
        stateHandlers: { Score: async (input) => ({ doubled: (input as { value: number }).value * 2 }) },
      });

      // Act
      await local.startExecution({ name: 'score', input: { value: 21 } });
      await local.drain();

      // Assess
      expect(local.describeExecution('score')?.output).toEqual({ value: 21, score: { doubled: 42 } });
    });
  });
});
