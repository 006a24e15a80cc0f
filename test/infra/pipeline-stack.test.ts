import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { policyToJson } from '../../lambdas/core/policy/policy';
import { DEFAULT_POLICY_FILE, PROJECT_ROOT } from '../../lib/policy-file';
import { PipelineStack, type PipelineStackProps } from '../../lib/pipeline-stack';
import { StatefulStack } from '../../lib/stateful-stack';
import { synthesizeCauterize, unacknowledgedNagFindings } from '../support/synthesize';
import { loadPolicyFile } from '../../lib/policy-file';

/** How the pipeline template refers to a stateful resource: an import of its export. */
const imported = (exportPrefix: string) => ({
  'Fn::ImportValue': Match.stringLikeRegexp(`^CauterizeStateful:ExportsOutput${exportPrefix}`),
});

interface PolicyStatement {
  readonly Action: string | string[];
  readonly Resource: unknown;
}

describe('Class: PipelineStack', () => {
  let stack: PipelineStack;
  let template: Template;
  let scorerStatements: PolicyStatement[];
  const policyJson = policyToJson(loadPolicyFile(path.join(PROJECT_ROOT, DEFAULT_POLICY_FILE)));

  beforeAll(() => {
    ({ pipeline: stack } = synthesizeCauterize());
    template = Template.fromStack(stack);
    const scorerRoleId = stack.resolve((stack.scorer.function.role?.node.defaultChild as CfnRole).ref);
    scorerStatements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((policy) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([scorerRoleId]))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as PolicyStatement[]);
  });

  /** Whether some statement of the scorer's role allows `action` on a resource matching `resource`. */
  const scorerMayDo = (action: string, resource: RegExp) =>
    scorerStatements.some(
      (statement) =>
        [statement.Action].flat().includes(action) &&
        [statement.Resource].flat().some((arn) => resource.test(JSON.stringify(arn))),
    );

  const makeProps = (app: App, overrides: Partial<PipelineStackProps>): PipelineStackProps => {
    const stateful = new StatefulStack(app, 'Stateful');
    return {
      usageStream: stateful.usageStream,
      dataKey: stateful.dataKey,
      accountsTable: stateful.accountsTable,
      linksTable: stateful.linksTable,
      casesTable: stateful.casesTable,
      enforcementBus: stateful.enforcementBus,
      policyJson,
      ...overrides,
    };
  };

  describe('Logical ids', () => {
    it('pins the queues and the state machine', () => {
      // Act
      const resources = template.toJSON().Resources as Record<string, { Type: string }>;

      // Assess
      expect(resources.ScorerFailureQueue?.Type).toBe('AWS::SQS::Queue');
      expect(resources.RejectedEventsQueue?.Type).toBe('AWS::SQS::Queue');
      expect(resources.EnforcementStateMachine?.Type).toBe('AWS::StepFunctions::StateMachine');
    });
  });

  describe('Scorer function', () => {
    it('runs nodejs22.x on arm64 with 1024 MB, 60 s and active tracing', () => {
      // Act & Assess
      template.hasResourceProperties('AWS::Lambda::Function', {
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: 1024,
        Timeout: 120,
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogGroup: Match.anyValue() },
      });
    });

    it('gets its tables, state machine and queue through the environment, not the policy', () => {
      // Act & Assess
      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: {
            ACCOUNTS_TABLE: imported('RefAccountsTable'),
            LINKS_TABLE: imported('RefLinksTable'),
            CASES_TABLE: imported('RefCasesTable'),
            STATE_MACHINE_ARN: { Ref: 'EnforcementStateMachine' },
            REJECTED_QUEUE_URL: { Ref: 'RejectedEventsQueue' },
            POWERTOOLS_SERVICE_NAME: 'cauterize-scorer',
            POWERTOOLS_METRICS_NAMESPACE: 'Cauterize',
            NODE_OPTIONS: '--enable-source-maps',
          },
        },
      });
    });

    it('logs to its own log group, not through the basic execution managed policy', () => {
      // Act
      const roles = template.findResources('AWS::IAM::Role', {
        Properties: {
          AssumeRolePolicyDocument: Match.objectLike({
            Statement: Match.arrayWith([
              Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } }),
            ]),
          }),
        },
      });

      // Assess
      for (const role of Object.values(roles)) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      expect(scorerMayDo('logs:PutLogEvents', /ScorerLogGroup/)).toBe(true);
    });
  });

  describe('Event source mapping', () => {
    it('reads the usage stream from TRIM_HORIZON with the stream-consumer baseline', () => {
      // Act & Assess
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: imported('FnGetAttUsageStreamArn'),
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: 5000,
        MaximumBatchingWindowInSeconds: 60,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: 5,
        MaximumRecordAgeInSeconds: 3600,
        ParallelizationFactor: 10,
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['ScorerFailureQueue', 'Arn'] } } },
      });
    });
  });

  describe('Queues', () => {
    it.each(['ScorerFailureQueue', 'RejectedEventsQueue'])(
      '%s is encrypted with the data key and keeps messages 14 days',
      (logicalId) => {
        // Act
        const queue = template.toJSON().Resources[logicalId];

        // Assess
        expect(queue.Properties).toMatchObject({
          KmsMasterKeyId: { 'Fn::ImportValue': expect.stringMatching(/DataKeyArn/) },
          MessageRetentionPeriod: 1_209_600,
        });
      },
    );

    it.each(['ScorerFailureQueue', 'RejectedEventsQueue'])('%s denies requests without TLS', (logicalId) => {
      // Act & Assess
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: logicalId }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 'sqs:*',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    });
  });

  describe('Grants', () => {
    it.each([
      ['dynamodb:UpdateItem', /AccountsTableArn/],
      ['dynamodb:PutItem', /AccountsTableArn/],
      ['dynamodb:PutItem', /LinksTableArn/],
      ['dynamodb:BatchWriteItem', /LinksTableArn/],
      ['dynamodb:Query', /LinksTableArn/],
      ['dynamodb:Query', /CasesTableArn/],
      ['states:StartExecution', /EnforcementStateMachine/],
      ['sqs:SendMessage', /RejectedEventsQueue/],
      ['sqs:SendMessage', /ScorerFailureQueue/],
      ['kinesis:GetRecords', /UsageStreamArn/],
      ['kms:Decrypt', /DataKeyArn/],
      ['kms:GenerateDataKey*', /DataKeyArn/],
    ])('lets the scorer %s on %s', (action, resource) => {
      // Act & Assess
      expect(scorerMayDo(action, resource)).toBe(true);
    });

    it('only reads the cases table', () => {
      // Act & Assess
      expect(scorerMayDo('dynamodb:PutItem', /CasesTableArn/)).toBe(false);
      expect(scorerMayDo('dynamodb:UpdateItem', /CasesTableArn/)).toBe(false);
    });

    it('has no statement allowing every action of a service', () => {
      // Act
      const actions = scorerStatements.flatMap((statement) => [statement.Action].flat());

      // Assess
      expect(actions.filter((action) => action.endsWith(':*'))).toEqual([]);
    });
  });

  describe('Enforcement state machine', () => {
    it('is a STANDARD state machine with X-Ray tracing and full logging', () => {
      // Act & Assess
      template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
        StateMachineType: 'STANDARD',
        TracingConfiguration: { Enabled: true },
        LoggingConfiguration: {
          Level: 'ALL',
          IncludeExecutionData: true,
          Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: Match.anyValue() } }],
        },
      });
    });

    it('may write the accounts and cases tables, use the data key and put events on the bus', () => {
      // Act
      const statements = Object.values(template.findResources('AWS::IAM::Policy'))
        .filter((policy) => JSON.stringify(policy.Properties.Roles).includes('EnforcementStateMachineRole'))
        .flatMap((policy) => policy.Properties.PolicyDocument.Statement as PolicyStatement[]);
      const allows = (action: string, resource: RegExp) =>
        statements.some(
          (statement) =>
            [statement.Action].flat().includes(action) && resource.test(JSON.stringify(statement.Resource)),
        );

      // Assess
      expect(allows('dynamodb:GetItem', /RefAccountsTable/)).toBe(true);
      expect(allows('dynamodb:UpdateItem', /RefAccountsTable/)).toBe(true);
      expect(allows('dynamodb:PutItem', /RefCasesTable/)).toBe(true);
      expect(allows('events:PutEvents', /EnforcementBusArn/)).toBe(true);
      expect(allows('kms:Encrypt', /DataKeyArn/)).toBe(true);
    });
  });

  describe('Monitoring', () => {
    it('alarms on iterator age over three batching windows: 180 s at the default 60 s', () => {
      // Act & Assess
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Kinesis',
        MetricName: 'GetRecords.IteratorAgeMilliseconds',
        Statistic: 'Maximum',
        Threshold: 180_000,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    });

    it('alarms on iterator age over 60 s at least, however short the window', () => {
      // Prepare
      const app = new App({
        builtinCloudFormationValidation: false,
        context: { 'aws:cdk:bundling-stacks': [] },
      });
      const short = new PipelineStack(app, 'Pipeline', makeProps(app, { scorerMaxBatchingWindowSeconds: 5 }));

      // Act & Assess
      Template.fromStack(short).hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'GetRecords.IteratorAgeMilliseconds',
        Threshold: 60_000,
      });
    });

    it.each([
      ['AWS/Lambda', 'Errors'],
      ['AWS/States', 'ExecutionsFailed'],
    ])('alarms on %s %s above 0', (namespace, metricName) => {
      // Act & Assess
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: namespace,
        MetricName: metricName,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    });

    it.each(['ScorerFailureQueue', 'RejectedEventsQueue'])(
      'alarms on messages visible in %s',
      (logicalId) => {
        // Act & Assess
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          Namespace: 'AWS/SQS',
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId, 'QueueName'] } }],
          Threshold: 0,
        });
      },
    );

    it.each([
      ['ClusterEnforcement', 'ClusterEnforcementStateMachine'],
      ['Reinstatement', 'ReinstatementStateMachine'],
    ])('alarms on any failed %s execution', (name, machineIdPrefix) => {
      // Assess
      const alarms = template.findResources('AWS::CloudWatch::Alarm', {
        Properties: { MetricName: 'ExecutionsFailed', Threshold: 0 },
      });
      const watched = Object.values(alarms).filter((alarm) =>
        JSON.stringify(alarm.Properties.Dimensions).includes(machineIdPrefix),
      );
      expect(watched).toHaveLength(1);
      expect(watched[0]?.Properties.AlarmDescription).toContain(name);
    });

    it('has eight alarms (seven of PipelineMonitoring, the rejected-policy one of PolicyConfig) and a dashboard', () => {
      // Act & Assess
      template.resourceCountIs('AWS::CloudWatch::Alarm', 8);
      template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    });
  });

  describe('Props validation', () => {
    it.each([
      ['64 MB', { scorerMemorySizeMb: 64 }, 'memorySizeMb must be a whole number from 128 to 10240, got 64'],
      [
        'a batch of 20,000',
        { scorerBatchSize: 20_000 },
        'batchSize must be a whole number from 1 to 10000, got 20000',
      ],
      [
        'a parallelization factor of 11',
        { scorerParallelizationFactor: 11 },
        'parallelizationFactor must be a whole number from 1 to 10, got 11',
      ],
      [
        'a batching window of 301 s',
        { scorerMaxBatchingWindowSeconds: 301 },
        'maxBatchingWindowSeconds must be a whole number from 0 to 300, got 301',
      ],
      [
        'a policy that is not JSON',
        { policyJson: 'version: 1' },
        "policyJson must be JSON, got 'version: 1...'",
      ],
      [
        'a policy too large for AppConfig',
        { policyJson: JSON.stringify({ pad: 'x'.repeat(1_048_576) }) },
        'policyJson is 1048586 bytes, over the 1048576 bytes the AppConfig hosted configuration store takes',
      ],
    ])('rejects %s, naming the prop and the value', (_case, overrides, message) => {
      // Prepare
      const app = new App({
        builtinCloudFormationValidation: false,
        context: { 'aws:cdk:bundling-stacks': [] },
      });
      const props = makeProps(app, overrides);

      // Act & Assess
      expect(() => new PipelineStack(app, 'Pipeline', props)).toThrow(message);
    });
  });

  describe('Environment size', () => {
    /** Lambda's limit on all of a function's environment variables together. */
    const LAMBDA_ENVIRONMENT_MAX_BYTES = 4096;
    /**
     * What one unresolved reference may become when deployed: CloudFormation-generated table
     * names go up to 255 characters; ARNs and queue URLs of 80-character names stay below that.
     */
    const DEPLOYED_REFERENCE_MAX_BYTES = 256;

    /** Bytes of the Variables map as Lambda stores it, each reference counted at its longest. */
    const worstCaseBytes = (variables: Record<string, unknown>): number =>
      Buffer.byteLength(
        JSON.stringify(variables, (_key, value: unknown) =>
          value !== null && typeof value === 'object' && !Array.isArray(value) && isIntrinsic(value)
            ? 'x'.repeat(DEPLOYED_REFERENCE_MAX_BYTES)
            : value,
        ),
        'utf8',
      );
    const isIntrinsic = (value: object) => {
      const keys = Object.keys(value);
      return keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::'));
    };
    const environmentsOf = (t: Template) =>
      Object.entries(t.findResources('AWS::Lambda::Function')).map(([logicalId, fn]) => ({
        logicalId,
        variables: (fn.Properties.Environment?.Variables ?? {}) as Record<string, unknown>,
      }));

    it('keeps every function 1 KB below the 4 KB Lambda allows, references at their longest', () => {
      // Act
      const sizes = environmentsOf(template).map(({ logicalId, variables }) => ({
        logicalId,
        bytes: worstCaseBytes(variables),
      }));

      // Assess: 1 KB of headroom for more variables (the scorer is near 2 KB at worst); the policy
      // is in the code, not here.
      expect(sizes.length).toBeGreaterThanOrEqual(3);
      expect(sizes.filter((size) => size.bytes > LAMBDA_ENVIRONMENT_MAX_BYTES - 1024)).toEqual([]);
    });

    it('does not grow with the policy: a 100 KB allowlist leaves the scorer environment as it was', () => {
      // Prepare
      const policy = JSON.parse(policyJson) as { allowlist?: Record<string, unknown> };
      const large = JSON.stringify({
        ...policy,
        allowlist: {
          ...policy.allowlist,
          accounts: Array.from({ length: 6000 }, (_, i) => `acct_${i}_padded`),
        },
      });
      expect(Buffer.byteLength(large)).toBeGreaterThan(100_000);
      const app = new App({
        builtinCloudFormationValidation: false,
        context: { 'aws:cdk:bundling-stacks': [] },
      });

      // Act
      const big = new PipelineStack(app, 'Pipeline', makeProps(app, { policyJson: large }));
      const scorerId = big.resolve(
        (big.scorer.function.node.defaultChild as CfnFunction).logicalId,
      ) as string;
      const variables = environmentsOf(Template.fromStack(big)).find(
        (e) => e.logicalId === scorerId,
      )?.variables;
      const ours = environmentsOf(template).find(
        (e) =>
          e.logicalId === stack.resolve((stack.scorer.function.node.defaultChild as CfnFunction).logicalId),
      )?.variables;

      // Assess
      expect(variables).toBeDefined();
      expect(Object.keys(variables ?? {})).toEqual(Object.keys(ours ?? {}));
      expect(JSON.stringify(variables)).not.toContain('acct_4999_padded');
    });
  });

  describe('cdk-nag', () => {
    it('has no unacknowledged AwsSolutions errors or warnings', () => {
      // Act
      const findings = unacknowledgedNagFindings(stack);

      // Assess
      expect(findings).toEqual([]);
    });
  });
});
