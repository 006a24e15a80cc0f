import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import { policyToJson } from '../../lambdas/core/policy/policy';
import { appConfigValidatorSchema } from '../../lambdas/core/policy/policy-json-schema';
import { DEFAULT_POLICY_FILE, PROJECT_ROOT } from '../../lib/policy-file';
import { PolicyConfig, type PolicyConfigProps } from '../../lib/constructs/policy-config';
import type { PipelineStack } from '../../lib/pipeline-stack';
import { synthesizeCauterize, unacknowledgedNagFindings } from '../support/synthesize';
import { loadPolicyFile } from '../../lib/policy-file';

interface PolicyStatement {
  readonly Action: string | string[];
  readonly Resource: unknown;
}

describe('Class: PolicyConfig', () => {
  const policy = loadPolicyFile(path.join(PROJECT_ROOT, DEFAULT_POLICY_FILE));
  const policyJson = policyToJson(policy);
  let pipeline: PipelineStack;
  let template: Template;
  let resolve: (value: unknown) => unknown;

  beforeAll(() => {
    ({ pipeline } = synthesizeCauterize());
    template = Template.fromStack(pipeline);
    resolve = (value) => pipeline.resolve(value);
  });

  const refOf = (construct: { node: { defaultChild?: unknown } }) =>
    resolve((construct.node.defaultChild as { ref: string }).ref);

  describe('Hosted configuration', () => {
    it('holds the synthesized policy as JSON, labelled with its version', () => {
      // Act & Assess
      template.hasResourceProperties('AWS::AppConfig::HostedConfigurationVersion', {
        Content: policyJson,
        ContentType: 'application/json',
        VersionLabel: policy.version,
      });
      template.hasResourceProperties('AWS::AppConfig::ConfigurationProfile', {
        LocationUri: 'hosted',
        Validators: [{ Type: 'JSON_SCHEMA', Content: appConfigValidatorSchema() }],
      });
    });

    it('deploys it with a linear strategy: 20% steps over 10 minutes, then a 10-minute bake', () => {
      // Act & Assess
      template.hasResourceProperties('AWS::AppConfig::DeploymentStrategy', {
        GrowthType: 'LINEAR',
        GrowthFactor: 20,
        DeploymentDurationInMinutes: 10,
        FinalBakeTimeInMinutes: 10,
        ReplicateTo: 'NONE',
      });
      template.hasResourceProperties('AWS::AppConfig::Deployment', {
        ApplicationId: refOf(pipeline.policyConfig.application),
        EnvironmentId: refOf(pipeline.policyConfig.environment),
        DeploymentStrategyId: refOf(pipeline.policyConfig.deploymentStrategy),
        ConfigurationProfileId: Match.anyValue(),
        ConfigurationVersion: Match.anyValue(),
      });
    });
  });

  describe('Rollback', () => {
    it('monitors the scorer-errors alarm and the rejected-policy alarm, through a role limited to them', () => {
      // Prepare
      const alarms = [pipeline.monitoring.scorerErrorsAlarm, pipeline.policyConfig.rejectedPolicyAlarm];
      const alarmArns = alarms.map((alarm) => resolve(alarm.alarmArn));
      const roleArn = resolve(
        (pipeline.policyConfig.node.findChild('MonitorRole').node.defaultChild as CfnRole).attrArn,
      );

      // Act & Assess
      template.hasResourceProperties('AWS::AppConfig::Environment', {
        Monitors: alarmArns.map((arn) => ({ AlarmArn: arn, AlarmRoleArn: roleArn })),
      });
      template.hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: Match.objectLike({
          Statement: [Match.objectLike({ Principal: { Service: 'appconfig.amazonaws.com' } })],
        }),
        Policies: [
          {
            PolicyName: 'DescribeRollbackAlarms',
            PolicyDocument: Match.objectLike({
              Statement: [Match.objectLike({ Action: 'cloudwatch:DescribeAlarms', Resource: alarmArns })],
            }),
          },
        ],
      });
    });

    it("alarms on the scorer's rejected policy versions", () => {
      // Act & Assess
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'Cauterize',
        MetricName: 'PolicyVersionsRejected',
        Dimensions: [{ Name: 'service', Value: 'cauterize-scorer' }],
        Statistic: 'Sum',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    });
  });

  describe('Scorer access', () => {
    it('gives the scorer the application, environment and profile names (no reference: no cycle)', () => {
      // Act
      const scorer = template.toJSON().Resources[
        resolve((pipeline.scorer.function.node.defaultChild as unknown as { ref: string }).ref) as never
      ] as { Properties: { Environment: { Variables: Record<string, unknown> } } } | undefined;
      const functions = Object.values(template.findResources('AWS::Lambda::Function'));
      const variables = (scorer ?? functions[0])?.Properties.Environment.Variables ?? {};

      // Assess
      const { application, environment, configuration } = pipeline.policyConfig;
      expect(variables).toMatchObject({
        POLICY_APPCONFIG_APPLICATION: application.name,
        POLICY_APPCONFIG_ENVIRONMENT: environment.name,
        POLICY_APPCONFIG_PROFILE: configuration.name,
      });
      for (const name of [application.name, environment.name, configuration.name]) {
        expect(name).toMatch(/^[\w-]{1,64}$/);
      }
      template.hasResourceProperties('AWS::AppConfig::Application', { Name: application.name });
      template.hasResourceProperties('AWS::AppConfig::Environment', { Name: environment.name });
      template.hasResourceProperties('AWS::AppConfig::ConfigurationProfile', { Name: configuration.name });
      // The bridge over a new stack's first rollout is bundled into the code, not the 4 KB environment.
      expect(variables.POLICY_JSON).toBeUndefined();
    });

    it('grants the two AppConfigData calls on that one profile in that one environment', () => {
      // Prepare
      const roleRef = resolve((pipeline.scorer.function.role?.node.defaultChild as CfnRole).ref);
      const statements = Object.values(template.findResources('AWS::IAM::Policy'))
        .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([roleRef]))
        .flatMap((p) => p.Properties.PolicyDocument.Statement as PolicyStatement[]);
      const appconfigStatements = statements.filter((s) =>
        [s.Action].flat().some((action) => action.startsWith('appconfig:')),
      );

      // Act
      const resource = JSON.stringify(appconfigStatements[0]?.Resource);

      // Assess
      expect(appconfigStatements).toHaveLength(1);
      expect([appconfigStatements[0]?.Action].flat().sort()).toEqual([
        'appconfig:GetLatestConfiguration',
        'appconfig:StartConfigurationSession',
      ]);
      for (const part of [
        refOf(pipeline.policyConfig.application),
        refOf(pipeline.policyConfig.environment),
        resolve(pipeline.policyConfig.configuration.configurationProfileId),
      ]) {
        expect(resource).toContain(JSON.stringify(part));
      }
      expect(resource).toContain('/configuration/');
      expect(resource).not.toContain('*');
    });

    it('lets the event source mapping start only once the scorer may read the policy', () => {
      // Act
      // The usage stream's mapping, not the case archiver's (which reads no policy).
      const scorerId = resolve(
        (pipeline.scorer.function.node.defaultChild as unknown as { ref: string }).ref,
      ) as { Ref: string };
      const mappings = Object.values(
        template.toJSON().Resources as Record<
          string,
          { Type: string; DependsOn?: string[]; Properties?: { FunctionName?: unknown } }
        >,
      ).filter(
        (r) =>
          r.Type === 'AWS::Lambda::EventSourceMapping' &&
          JSON.stringify(r.Properties?.FunctionName) === JSON.stringify(scorerId),
      );
      const readPolicyId = resolve(
        (pipeline.policyConfig.node.findChild('ReadPolicy').node.defaultChild as unknown as { ref: string })
          .ref,
      ) as { Ref: string };

      // Assess
      expect(mappings.length).toBeGreaterThan(0);
      for (const mapping of mappings) expect(mapping.DependsOn).toContain(readPolicyId.Ref);
    });
  });

  describe('cdk-nag', () => {
    it('has no unacknowledged AwsSolutions finding', () => {
      // Act
      const findings = unacknowledgedNagFindings(pipeline).filter((finding) =>
        finding.paths.some((p) => p.includes('/PolicyConfig/')),
      );

      // Assess
      expect(findings).toEqual([]);
    });
  });

  describe('Props', () => {
    const build = (overrides: Partial<PolicyConfigProps>) => {
      const stack = new Stack(new App({ builtinCloudFormationValidation: false }), 'Test');
      const alarm = new cloudwatch.Alarm(stack, 'Alarm', {
        metric: new cloudwatch.Metric({ namespace: 'Test', metricName: 'Errors' }),
        threshold: 0,
        evaluationPeriods: 1,
      });
      return new PolicyConfig(stack, 'PolicyConfig', { policyJson, rollbackAlarms: [alarm], ...overrides });
    };

    it('takes rollout settings', () => {
      // Act
      const config = build({
        growthFactorPercent: 50,
        deploymentDurationMinutes: 4,
        finalBakeTimeMinutes: 0,
      });

      // Assess
      Template.fromStack(Stack.of(config)).hasResourceProperties('AWS::AppConfig::DeploymentStrategy', {
        GrowthFactor: 50,
        DeploymentDurationInMinutes: 4,
        FinalBakeTimeInMinutes: 0,
      });
    });

    it.each([
      [
        'growthFactorPercent 0',
        { growthFactorPercent: 0 },
        'growthFactorPercent must be a whole number from 1 to 100, got 0',
      ],
      [
        'finalBakeTimeMinutes 1.5',
        { finalBakeTimeMinutes: 1.5 },
        'finalBakeTimeMinutes must be a whole number from 0 to 1440, got 1.5',
      ],
      [
        'no rollback alarm',
        { rollbackAlarms: [] },
        'rollbackAlarms is empty: pass at least the scorer-errors alarm',
      ],
      [
        'a policy that is not JSON',
        { policyJson: 'mode: shadow' },
        "policyJson must be JSON, got 'mode: shadow...'",
      ],
      [
        'an invalid policy',
        { policyJson: JSON.stringify({ ...policy, mode: 'audit' }) },
        'invalid policy policyJson:\n  - mode: ',
      ],
    ] as Array<[string, Partial<PolicyConfigProps>, string]>)(
      'refuses %s, naming the prop and the fix',
      (_name, overrides, message) => {
        // Act & Assess
        expect(() => build(overrides)).toThrow(message);
      },
    );
  });
});
