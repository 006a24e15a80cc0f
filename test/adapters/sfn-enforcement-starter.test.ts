import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient, StateMachineDoesNotExist } from '@aws-sdk/client-sfn';
import {
  SfnEnforcementStarter,
  START_DATE_TOLERANCE_MS,
} from '../../lambdas/adapters/sfn-enforcement-starter';
import {
  ClusterEnforcementUnavailableError,
  type ClusterEnforcementInput,
  type Clock,
  type EnforcementInput,
} from '../../lambdas/core/ports';
import { LOCAL_CREDENTIALS, localArn } from '../../local/emulators/local-aws-identity';
import { LocalEventBus } from '../../local/eventbridge/local-event-bus';
import { LocalStateMachine } from '../../local/stepfunctions/local-state-machine';
import { enforcementInput } from '../support/enforcement-harness';
import { StepFunctionsEndpoint } from '../support/step-functions-endpoint';

const REGION = 'us-east-1';
const ACCOUNT_ARN = localArn('states', REGION, 'stateMachine:enforcement');
const CLUSTER_ARN = localArn('states', REGION, 'stateMachine:cluster-enforcement');
const EXPRESS_ARN = localArn('states', REGION, 'stateMachine:enforcement-express');

/** One Task state whose local handler waits for the test: executions stay RUNNING until released. */
const HOLD_DEFINITION = {
  StartAt: 'Hold',
  States: {
    Hold: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: 'hold', 'Payload.$': '$' },
      End: true,
    },
  },
};

function clusterInput(riskScore = 74): ClusterEnforcementInput {
  return {
    clusterId: 'clu-1',
    caseId: 'case-clu-1',
    riskScore,
    members: [
      { accountId: 'm1', riskScore: 40 },
      { accountId: 'm2', riskScore: 52 },
    ],
    policyVersion: 'test-policy',
    triggeredAt: '2026-02-05T18:00:00.000Z',
    evidence: { trigger: 'cluster' },
  };
}

/**
 * SfnEnforcementStarter through the real Step Functions client (JSON 1.0 serialization, error
 * mapping, retries) against a loopback StartExecution endpoint whose naming rules are the local
 * state machines' (test/support/step-functions-endpoint.ts).
 */
describe('Class: SfnEnforcementStarter', () => {
  /** Epoch ms of the caller's clock; the service's is `serviceSkewMs` off it. */
  let now: number;
  let serviceSkewMs: number;
  let release: () => void;
  let dynamodb: DynamoDBClient;
  let machines: Record<'account' | 'cluster' | 'express', LocalStateMachine>;
  let sfn: StepFunctionsEndpoint;
  let client: SFNClient;
  let starter: SfnEnforcementStarter;
  const callerClock: Clock = { now: () => new Date(now) };

  beforeEach(async () => {
    now = Date.parse('2026-02-05T18:00:05.000Z');
    serviceSkewMs = 0;
    const held = new Promise<void>((resolve) => (release = resolve));
    // The definition has no DynamoDB or EventBridge Task: the client and bus are never called.
    dynamodb = new DynamoDBClient({ region: REGION, credentials: LOCAL_CREDENTIALS });
    const machine = (stateMachineArn: string, workflowType: 'STANDARD' | 'EXPRESS') =>
      new LocalStateMachine({
        definition: HOLD_DEFINITION,
        dynamodb,
        eventBus: new LocalEventBus(),
        stateMachineArn,
        workflowType,
        clock: () => new Date(now + serviceSkewMs),
        stateHandlers: { Hold: async () => held.then(() => ({})) },
      });
    machines = {
      account: machine(ACCOUNT_ARN, 'STANDARD'),
      cluster: machine(CLUSTER_ARN, 'STANDARD'),
      express: machine(EXPRESS_ARN, 'EXPRESS'),
    };
    sfn = await StepFunctionsEndpoint.start(Object.values(machines));
    client = new SFNClient({
      endpoint: sfn.endpoint,
      region: REGION,
      credentials: LOCAL_CREDENTIALS,
      maxAttempts: 3,
    });
    starter = new SfnEnforcementStarter(client, ACCOUNT_ARN, CLUSTER_ARN, callerClock);
  });

  afterEach(async () => {
    release();
    await Promise.all(Object.values(machines).map((m) => m.drain()));
    client.destroy();
    dynamodb.destroy();
    await sfn.stop();
  });

  /** Both methods share the naming semantics; `variant` changes the input, not the name. */
  const methods = {
    start: {
      machine: () => machines.account,
      arn: ACCOUNT_ARN,
      input: (variant = 0): EnforcementInput => enforcementInput('acct-1', { riskScore: 82 + variant }),
      call: (name: string, variant = 0) =>
        starter.start({ executionName: name, input: methods.start.input(variant) }),
    },
    startCluster: {
      machine: () => machines.cluster,
      arn: CLUSTER_ARN,
      input: (variant = 0): ClusterEnforcementInput => clusterInput(74 + variant),
      call: (name: string, variant = 0) =>
        starter.startCluster({ executionName: name, input: methods.startCluster.input(variant) }),
    },
  };

  describe.each(['start', 'startCluster'] as const)('Method: %s', (method) => {
    const { machine, arn, input, call } = methods[method];

    it("starts an execution under the crossing's name on its state machine, with the input as JSON", async () => {
      // Act
      const result = await call('crossing-1');

      // Assess
      expect(result).toEqual({ started: true });
      expect(sfn.requests).toEqual([
        {
          operation: 'StartExecution',
          input: { stateMachineArn: arn, name: 'crossing-1', input: JSON.stringify(input()) },
        },
      ]);
      expect(machine().describeExecution('crossing-1')).toMatchObject({ status: 'RUNNING', input: input() });
      const others = Object.values(machines).filter((m) => m !== machine());
      expect(others.flatMap((m) => m.executions())).toEqual([]);
    });

    it('reports a repeat with the same input as not started while the first still runs', async () => {
      // Prepare: Step Functions Standard answers the repeat with the running execution, no error
      await call('crossing-1');
      now += 60_000;

      // Act
      const repeat = await call('crossing-1');

      // Assess
      expect(repeat).toEqual({ started: false });
      expect(sfn.requests).toHaveLength(2);
      expect(machine().executions()).toHaveLength(1);
    });

    it('reports a repeat as not started once the first has ended (ExecutionAlreadyExists)', async () => {
      // Prepare
      await call('crossing-1');
      release();
      await machine().drain();
      now += 60_000;

      // Act
      const repeat = await call('crossing-1');

      // Assess
      expect(repeat).toEqual({ started: false });
      expect(
        machine()
          .executions()
          .map((e) => e.status),
      ).toEqual(['SUCCEEDED']);
    });

    it('reports the same name with another input as not started (ExecutionAlreadyExists)', async () => {
      // Prepare: a redelivered batch saw more events and decided the same crossing with a new score
      await call('crossing-1');

      // Act
      const other = await call('crossing-1', 3);

      // Assess
      expect(other).toEqual({ started: false });
      expect(machine().executions()).toHaveLength(1);
      expect(machine().describeExecution('crossing-1')?.input).toEqual(input());
    });
  });

  describe('Method: start', () => {
    it('counts its own retried request as a start: a response lost after the execution started', async () => {
      // Prepare: the first attempt starts the execution and its response is lost; the SDK retries
      sfn.injectFault({ kind: 'server-error-after' });

      // Act
      const result = await methods.start.call('crossing-1');

      // Assess
      expect(result).toEqual({ started: true });
      expect(sfn.requests).toHaveLength(2);
      expect(machines.account.executions()).toHaveLength(1);
    });

    it("counts a start whose startDate is a little behind this host's clock (clock skew)", async () => {
      // Prepare
      serviceSkewMs = -(START_DATE_TOLERANCE_MS - 10);

      // Act
      const result = await methods.start.call('crossing-1');

      // Assess
      expect(result).toEqual({ started: true });
    });

    it('reports a repeat as started under Express, which starts a new execution for any name', async () => {
      // Prepare
      const express = new SfnEnforcementStarter(client, EXPRESS_ARN, undefined, callerClock);
      const request = { executionName: 'crossing-1', input: methods.start.input() };
      await express.start(request);
      now += 60_000;

      // Act
      const repeat = await express.start(request);

      // Assess: exactly once comes from the workflow's conditional writes there
      expect(repeat).toEqual({ started: true });
      expect(machines.express.executions().map((e) => e.name)).toEqual(['crossing-1', 'crossing-1']);
    });

    it('rethrows an error it cannot read as "already started": a state machine that does not exist', async () => {
      // Prepare
      const misconfigured = new SfnEnforcementStarter(
        client,
        localArn('states', REGION, 'stateMachine:deleted'),
        undefined,
        callerClock,
      );

      // Act
      const starting = misconfigured.start({ executionName: 'crossing-1', input: methods.start.input() });

      // Assess
      await expect(starting).rejects.toBeInstanceOf(StateMachineDoesNotExist);
      expect(Object.values(machines).flatMap((m) => m.executions())).toEqual([]);
    });

    it('rethrows throttling once the SDK has spent its attempts', async () => {
      // Prepare
      sfn.injectFault({ kind: 'throttle', count: 3 });

      // Act
      const starting = methods.start.call('crossing-1');

      // Assess
      await expect(starting).rejects.toMatchObject({ name: 'ThrottlingException' });
      expect(sfn.requests).toHaveLength(3);
      expect(machines.account.executions()).toEqual([]);
    });
  });

  describe('Method: startCluster', () => {
    it('starts clusters below the small-cluster size on the Express machine, the others on the main one', async () => {
      // Prepare: clusterInput has 2 members
      const routed = (belowMembers: number) =>
        new SfnEnforcementStarter(client, ACCOUNT_ARN, CLUSTER_ARN, callerClock, {
          target: EXPRESS_ARN,
          belowMembers,
        });

      // Act
      const small = await routed(3).startCluster({ executionName: 'clu-small', input: clusterInput() });
      const large = await routed(2).startCluster({ executionName: 'clu-large', input: clusterInput() });

      // Assess
      expect([small, large]).toEqual([{ started: true }, { started: true }]);
      expect(sfn.requests.map((r) => [r.input.name, r.input.stateMachineArn])).toEqual([
        ['clu-small', EXPRESS_ARN],
        ['clu-large', CLUSTER_ARN],
      ]);
      expect(machines.express.executions().map((e) => e.name)).toEqual(['clu-small']);
      expect(machines.cluster.executions().map((e) => e.name)).toEqual(['clu-large']);
    });

    it('throws ClusterEnforcementUnavailableError without a cluster state machine, sending nothing', async () => {
      // Prepare
      const accountOnly = new SfnEnforcementStarter(client, ACCOUNT_ARN, undefined, callerClock);

      // Act
      const starting = accountOnly.startCluster({ executionName: 'clu-crossing-1', input: clusterInput() });

      // Assess
      await expect(starting).rejects.toThrow(ClusterEnforcementUnavailableError);
      await expect(starting).rejects.toMatchObject({ executionName: 'clu-crossing-1' });
      expect(sfn.requests).toEqual([]);
    });
  });
});
