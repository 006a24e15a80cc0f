import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import {
  costProfileSettings,
  parseCostProfile,
  shardsForRate,
  shardsForSpan,
  tableCapacityFor,
} from '../../lib/cost-profile';
import { EnforcementWorkflow } from '../../lib/constructs/enforcement-workflow';
import { StatefulStack } from '../../lib/stateful-stack';
import { App, Stack } from 'aws-cdk-lib';
import { synthesizeCauterize, unacknowledgedNagFindings } from '../support/synthesize';

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

/** The default app's logical ids and types before the profiles existed (test/infra/fixtures, shared with logical-ids.test.ts). */
const BEFORE = JSON.parse(
  readFileSync(join(__dirname, 'fixtures', 'default-app-logical-ids.json'), 'utf8'),
) as Record<'CauterizeStateful' | 'CauterizePipeline', Record<string, string>>;

const resourcesOf = (stack: Stack) => Template.fromStack(stack).toJSON().Resources as Resources;

describe('Module: cost-profile', () => {
  describe('Method: shardsForSpan', () => {
    it.each([
      [1000, 6],
      [10_000, 60],
      [100_000, 600],
    ])('gives %i events/s the shards whose 10 batches each fill in 300 s: %i', (rate, shards) => {
      // Act & Assess
      expect(shardsForSpan(rate, 300, 5000, 10)).toBe(shards);
    });

    it('never gives fewer shards than the rate needs', () => {
      // Act & Assess
      expect(shardsForRate(1000)).toBe(2);
      expect(shardsForSpan(1000, 60, 5000, 10)).toBe(2);
    });
  });

  describe('Method: tableCapacityFor', () => {
    it('scales from a quarter to four times the steady use at a 70% target', () => {
      // Act
      const capacity = tableCapacityFor(1000, { write: 0.7, read: 0.07 });

      // Assess: steady 1,000 writes/s at 70% is 1,000 units.
      expect(capacity).toEqual({
        minWriteUnits: 250,
        maxWriteUnits: 4000,
        minReadUnits: 25,
        maxReadUnits: 400,
        targetUtilizationPercent: 70,
      });
    });
  });

  describe('Method: parseCostProfile', () => {
    it('names the choices and the fix', () => {
      // Act & Assess
      expect(() => parseCostProfile('cheap', 'context costProfile')).toThrow(
        'context costProfile must be one of default, optimised, got "cheap": pass -c costProfile=optimised',
      );
    });
  });
});

describe('Function: buildCauterize with a cost profile', () => {
  describe('Profile: default', () => {
    it('keeps every logical id and type the default app had before the profiles', () => {
      // Act
      const { stateful, pipeline } = synthesizeCauterize();
      const now = { CauterizeStateful: resourcesOf(stateful), CauterizePipeline: resourcesOf(pipeline) };

      // Assess: nothing replaced (an API deployment's id is a hash of the API: it changes with it).
      for (const stack of ['CauterizeStateful', 'CauterizePipeline'] as const) {
        for (const [logicalId, type] of Object.entries(BEFORE[stack])) {
          if (type === 'AWS::ApiGateway::Deployment') continue;
          expect([logicalId, now[stack][logicalId]?.Type]).toEqual([logicalId, type]);
        }
      }
    });

    it('is what no context and `-c costProfile=default` give', () => {
      // Act
      const unset = synthesizeCauterize();
      const named = synthesizeCauterize({}, { costProfile: 'default' });

      // Assess
      expect(named.profile).toEqual(unset.profile);
      expect(Template.fromStack(named.stateful).toJSON()).toEqual(
        Template.fromStack(unset.stateful).toJSON(),
      );
      expect(unset.profile).toMatchObject({
        streamShardCount: undefined,
        scorerBatchingWindowSeconds: 60,
        accountsTableCapacity: undefined,
        enforcementWorkflowType: 'STANDARD',
      });
    });
  });

  describe('Profile: optimised', () => {
    const optimised = synthesizeCauterize({}, { costProfile: 'optimised' });
    const stateful = resourcesOf(optimised.stateful);
    const pipeline = resourcesOf(optimised.pipeline);
    const ofType = (resources: Resources, type: string) =>
      Object.entries(resources).filter(([, r]) => r.Type === type);

    it('provisions the stream with the shards for 300 s batches at the expected 1,000 events/s', () => {
      // Act & Assess
      expect(stateful.UsageStream?.Properties).toMatchObject({
        ShardCount: 6,
        StreamModeDetails: { StreamMode: 'PROVISIONED' },
      });
    });

    it('sizes the shards from -c expectedEventsPerSecond', () => {
      // Act
      const { stateful: stack } = synthesizeCauterize(
        {},
        { costProfile: 'optimised', expectedEventsPerSecond: '10000' },
      );

      // Assess
      expect(resourcesOf(stack).UsageStream?.Properties?.ShardCount).toBe(60);
    });

    it('provisions the accounts and links tables with target tracking on reads and writes; cases stay on-demand', () => {
      // Act
      const targets = ofType(stateful, 'AWS::ApplicationAutoScaling::ScalableTarget').map(([, r]) =>
        JSON.stringify(r.Properties?.ResourceId),
      );
      const policies = ofType(stateful, 'AWS::ApplicationAutoScaling::ScalingPolicy');

      // Assess
      for (const table of ['AccountsTable', 'LinksTable']) {
        expect(stateful[table]?.Properties?.BillingMode).toBeUndefined();
        expect(stateful[table]?.Properties?.ProvisionedThroughput).toEqual({
          ReadCapacityUnits: expect.any(Number),
          WriteCapacityUnits: expect.any(Number),
        });
        expect(targets.filter((id) => id.includes(`"Ref":"${table}"`))).toHaveLength(2);
      }
      expect(policies).toHaveLength(4);
      for (const [, policy] of policies) {
        expect(policy.Properties).toMatchObject({
          PolicyType: 'TargetTrackingScaling',
          TargetTrackingScalingPolicyConfiguration: { TargetValue: 70 },
        });
      }
      expect(stateful.CasesTable?.Properties?.BillingMode).toBe('PAY_PER_REQUEST');
    });

    it('batches for 300 s with 10 batches per shard of 5,000 records', () => {
      // Act
      const [mapping] = ofType(pipeline, 'AWS::Lambda::EventSourceMapping').filter(
        ([, r]) => r.Properties?.ParallelizationFactor !== undefined,
      );

      // Assess
      expect(mapping?.[1].Properties).toMatchObject({
        MaximumBatchingWindowInSeconds: 300,
        ParallelizationFactor: 10,
        BatchSize: 5000,
      });
    });

    it('runs the account workflow and small clusters on Express, large clusters (Distributed Map) on Standard', () => {
      // Act & Assess
      expect(pipeline.EnforcementStateMachine?.Properties?.StateMachineType).toBe('EXPRESS');
      expect(pipeline.ExpressClusterEnforcementStateMachine?.Properties?.StateMachineType).toBe('EXPRESS');
      expect(pipeline.ClusterEnforcementStateMachine?.Properties?.StateMachineType).toBe('STANDARD');
    });

    it('routes clusters below 500 members to the Express machine, which has no Distributed Map', () => {
      // Act
      const definition = (id: string) => JSON.stringify(pipeline[id]?.Properties?.DefinitionString);
      const variablesOf = (resource: { Properties?: Record<string, unknown> }) =>
        (resource.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables;
      const [scorer] = ofType(pipeline, 'AWS::Lambda::Function').filter(
        ([, r]) => variablesOf(r)?.CLUSTER_STATE_MACHINE_ARN !== undefined,
      );
      const variables = scorer && variablesOf(scorer[1]);

      // Assess: the scorer starts small clusters on the Express machine, the others on the Standard
      // one, whose IsLargeCluster sends everything it gets (500 members or more) to the Distributed Map
      expect(variables).toMatchObject({
        CLUSTER_STATE_MACHINE_ARN: { Ref: 'ClusterEnforcementStateMachine' },
        SMALL_CLUSTER_STATE_MACHINE_ARN: { Ref: 'ExpressClusterEnforcementStateMachine' },
        SMALL_CLUSTER_BELOW_MEMBERS: '500',
      });
      expect(definition('ClusterEnforcementStateMachine')).toMatch(
        /\\"Variable\\":\\"\$\.case\.memberCount\\",\\"NumericGreaterThanEquals\\":500\b/,
      );
      expect(definition('ExpressClusterEnforcementStateMachine')).not.toContain('DISTRIBUTED');
      expect(definition('ExpressClusterEnforcementStateMachine')).toContain('SuspendMembers');
    });

    it('logs the enforcement workflows at level ALL without state data; reinstatement keeps it', () => {
      // Act
      const logging = (id: string) =>
        pipeline[id]?.Properties?.LoggingConfiguration as Record<string, unknown>;

      // Assess
      expect(logging('EnforcementStateMachine')).toMatchObject({ Level: 'ALL', IncludeExecutionData: false });
      for (const id of ['ClusterEnforcementStateMachine', 'ExpressClusterEnforcementStateMachine']) {
        expect(logging(id)).toMatchObject({ Level: 'ALL', IncludeExecutionData: false });
      }
      expect(logging('ReinstatementStateMachine')).toMatchObject({
        Level: 'ALL',
        IncludeExecutionData: true,
      });
    });

    it('keeps the logical ids of the default profile: switching profiles replaces no stateful resource', () => {
      // Act
      const defaults = resourcesOf(synthesizeCauterize().stateful);

      // Assess
      for (const [logicalId, resource] of Object.entries(defaults)) {
        expect([logicalId, stateful[logicalId]?.Type]).toEqual([logicalId, resource.Type]);
      }
    });

    it('lets explicit props win over the profile', () => {
      // Act
      const { pipeline: stack } = synthesizeCauterize({
        costProfile: 'optimised',
        scorerBatchingWindowSeconds: 120,
      });
      const windows = ofType(resourcesOf(stack), 'AWS::Lambda::EventSourceMapping').map(
        ([, r]) => r.Properties?.MaximumBatchingWindowInSeconds,
      );

      // Assess
      expect(windows).toContain(120);
    });

    it.each(['stateful', 'pipeline'] as const)(
      'has no unacknowledged cdk-nag finding in the %s stack',
      (which) => {
        // Act & Assess
        expect(unacknowledgedNagFindings(optimised[which])).toEqual([]);
      },
    );
  });

  describe('Props validation', () => {
    it('fails synth on an unknown profile, naming the context key', () => {
      // Act & Assess
      expect(() => synthesizeCauterize({}, { costProfile: 'cheap' })).toThrow(
        'context costProfile must be one of',
      );
    });

    it('refuses an Express workflow that may run longer than 5 minutes', () => {
      // Prepare
      const app = new App();
      const stateful = new StatefulStack(app, 'Stateful');
      const stack = new Stack(app, 'Workflows');

      // Act & Assess
      expect(
        () =>
          new EnforcementWorkflow(stack, 'Enforcement', {
            accountsTable: stateful.accountsTable,
            casesTable: stateful.casesTable,
            enforcementBus: stateful.enforcementBus,
            workflowType: 'EXPRESS',
            timeoutMinutes: 6,
          }),
      ).toThrow('an EXPRESS workflow runs at most 5 minutes, got timeoutMinutes 6: lower it or use STANDARD');
    });

    it('refuses a table capacity range whose maximum is under its minimum', () => {
      // Prepare
      const capacity = costProfileSettings('optimised').accountsTableCapacity!;

      // Act & Assess
      expect(
        () =>
          new StatefulStack(new App(), 'Stateful', {
            accountsTableCapacity: { ...capacity, maxWriteUnits: capacity.minWriteUnits - 1 },
          }),
      ).toThrow(`accountsTableCapacity.maxWriteUnits must be a whole number from ${capacity.minWriteUnits}`);
    });
  });
});
