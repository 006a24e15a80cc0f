import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { PolicyValidationError } from '../../lambdas/core/policy/policy';
import { Cauterize, type CauterizeProps } from '../../lib/constructs/cauterize';
import { CauterizeStore } from '../../lib/constructs/cauterize-store';
import { SHIPPED_POLICY_FILE } from '../../lib/package-files';
import { loadPolicyFile } from '../../lib/policy-file';
import { unacknowledgedNagFindings } from '../support/synthesize';

/** An app that skips bundling (a few seconds per synth instead of tens) and template validation. */
const newApp = () =>
  new App({ builtinCloudFormationValidation: false, context: { 'aws:cdk:bundling-stacks': [] } });

const STREAM_ARN = 'arn:aws:kinesis:us-east-1:111122223333:stream/gateway-usage';
const STREAM_KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

/** A consumer's stack: Cauterize beside a stream it imports and a bus and roles of its own. */
function consumerStack(props: Partial<CauterizeProps> = {}) {
  const app = newApp();
  const stack = new Stack(app, 'Platform');
  const usageStream = kinesis.Stream.fromStreamAttributes(stack, 'GatewayUsage', {
    streamArn: STREAM_ARN,
    encryptionKey: kms.Key.fromKeyArn(stack, 'GatewayKey', STREAM_KEY_ARN),
  });
  const bus = new events.EventBus(stack, 'PlatformBus', { eventBusName: 'platform-events' });
  const cauterize = new Cauterize(stack, 'Cauterize', { usageStream, enforcementBus: bus, ...props });
  const gatewayRole = new iam.Role(stack, 'GatewayRole', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
  });
  const auditorRole = new iam.Role(stack, 'AuditorRole', { assumedBy: new iam.AccountRootPrincipal() });
  cauterize.grantPutUsageEvents(gatewayRole);
  cauterize.grantReadCases(auditorRole);
  app.synth();
  return { stack, cauterize, bus, gatewayRole, auditorRole, template: Template.fromStack(stack) };
}

describe('Construct: Cauterize', () => {
  describe('With everything created', () => {
    const app = newApp();
    const stack = new Stack(app, 'Everything');
    const cauterize = new Cauterize(stack, 'Cauterize');
    app.synth();
    const template = Template.fromStack(stack);

    it('creates the store: key, stream, three tables, bus and archive', () => {
      // Assess
      expect(cauterize.store).toBeInstanceOf(CauterizeStore);
      template.resourceCountIs('AWS::KMS::Key', 1);
      template.resourceCountIs('AWS::Kinesis::Stream', 1);
      template.resourceCountIs('AWS::DynamoDB::Table', 3);
      template.hasResourceProperties('AWS::Events::EventBus', { Name: 'cauterize-enforcement' });
      template.hasResourceProperties('AWS::S3::Bucket', { ObjectLockEnabled: true });
    });

    it('creates an encrypted alarm topic that every alarm notifies, and lets CloudWatch use the key', () => {
      // Assess
      const topicId = stack.resolve((cauterize.alarmTopic as sns.Topic).topicArn) as { Ref: string };
      template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
      expect(cauterize.alarms.length).toBe(8);
      for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) {
        expect(alarm.Properties.AlarmActions).toEqual([topicId]);
      }
      template.hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Sid: 'CloudWatchPublishesCauterizeAlarms',
              Principal: { Service: 'cloudwatch.amazonaws.com' },
            }),
          ]),
        },
      });
    });

    it('runs under the policy shipped with the package', () => {
      // Assess
      expect(JSON.parse(cauterize.policyJson)).toEqual(loadPolicyFile(SHIPPED_POLICY_FILE));
      expect(path.relative(path.join(__dirname, '..', '..'), SHIPPED_POLICY_FILE)).toBe(
        path.join('config', 'policy.yaml'),
      );
    });

    it('has no unacknowledged cdk-nag finding', () => {
      // Act & Assess
      expect(unacknowledgedNagFindings(stack)).toEqual([]);
    });
  });

  describe('With the consumer’s stream and bus', () => {
    const { stack, cauterize, bus, template } = consumerStack();

    it('creates no stream and no bus of its own', () => {
      // Assess
      template.resourceCountIs('AWS::Kinesis::Stream', 0);
      expect(Object.keys(template.findResources('AWS::Events::EventBus'))).toEqual([
        stack.getLogicalId(bus.node.defaultChild as events.CfnEventBus),
      ]);
      expect(cauterize.usageStream.streamArn).toBe(STREAM_ARN);
      expect(cauterize.enforcementBus).toBe(bus);
    });

    it('scores the consumer’s stream and decrypts it with the stream’s key', () => {
      // Assess
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: STREAM_ARN,
        BisectBatchOnFunctionError: true,
      });
      template.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({ Action: 'kms:Decrypt', Resource: STREAM_KEY_ARN })]),
        },
      });
    });

    it('publishes enforcement events on the consumer’s bus', () => {
      // Assess: the workflows' PutEvents name the bus, and their roles may put events on it.
      const busArn = stack.resolve(bus.eventBusArn) as unknown;
      const definitions = JSON.stringify(
        Object.values(template.findResources('AWS::StepFunctions::StateMachine')).map(
          (machine) => machine.Properties.DefinitionString,
        ),
      );
      expect(definitions.includes(JSON.stringify(busArn))).toBe(true);
      template.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({ Action: 'events:PutEvents', Resource: busArn })]),
        },
      });
    });

    it('grants the gateway role kinesis writes, and the auditor the cases table and the reading methods', () => {
      // Assess
      const policies = JSON.stringify(template.findResources('AWS::IAM::Policy'));
      expect(policies).toContain('kinesis:PutRecords');
      expect(policies).toContain('execute-api:Invoke');
      expect(policies).toContain('dynamodb:Query');
    });

    it('has no unacknowledged cdk-nag finding, the grants included', () => {
      // Act & Assess
      expect(unacknowledgedNagFindings(stack)).toEqual([]);
    });
  });

  describe('With a key and an alarm topic brought in', () => {
    it('creates neither', () => {
      // Prepare
      const app = newApp();
      const stack = new Stack(app, 'Brought');
      const encryptionKey = new kms.Key(stack, 'PlatformKey', { enableKeyRotation: true });
      const alarmTopic = new sns.Topic(stack, 'OnCall', { masterKey: encryptionKey, enforceSSL: true });

      // Act
      const cauterize = new Cauterize(stack, 'Cauterize', { encryptionKey, alarmTopic });
      const template = Template.fromStack(stack);

      // Assess
      template.resourceCountIs('AWS::KMS::Key', 1);
      template.resourceCountIs('AWS::SNS::Topic', 1);
      expect(cauterize.encryptionKey).toBe(encryptionKey);
      expect(cauterize.alarmTopic).toBe(alarmTopic);
    });
  });

  describe('With the store in another stack', () => {
    it('depends on that stack and creates no store of its own', () => {
      // Prepare
      const app = newApp();
      const data = new Stack(app, 'Data');
      const store = new CauterizeStore(data, 'Store');
      const pipeline = new Stack(app, 'Pipeline');

      // Act
      const cauterize = new Cauterize(pipeline, 'Cauterize', { store, createAlarmTopic: false });
      app.synth();
      const template = Template.fromStack(pipeline);

      // Assess
      expect(cauterize.store).toBeUndefined();
      expect(pipeline.dependencies).toEqual([data]);
      template.resourceCountIs('AWS::DynamoDB::Table', 0);
      template.resourceCountIs('AWS::SNS::Topic', 0);
      expect(unacknowledgedNagFindings(pipeline)).toEqual([]);
      expect(unacknowledgedNagFindings(data)).toEqual([]);
    });
  });

  describe('Props', () => {
    const otherStore = () => new CauterizeStore(new Stack(newApp(), 'Data'), 'Store');

    it.each<[string, () => Partial<CauterizeProps>, string | RegExp]>([
      [
        'a stream beside a store',
        () => ({ store: otherStore(), streamShardCount: 4 }),
        "streamShardCount is given with store: the store's own is used; set it where the store is created, or drop store",
      ],
      [
        'a policy file and policy JSON',
        () => ({ policyFile: 'policy.yaml', policyJson: '{}' }),
        "policyFile is 'policy.yaml' and policyJson is given too: pass one of them",
      ],
      [
        'a topic and createAlarmTopic',
        () => ({
          alarmTopic: sns.Topic.fromTopicArn(new Stack(), 'T', 'arn:aws:sns:us-east-1:1:t'),
          createAlarmTopic: true,
        }),
        'createAlarmTopic is true but alarmTopic is given: drop createAlarmTopic to notify that topic',
      ],
      [
        'a bus name beside a bus',
        () => ({
          enforcementBus: events.EventBus.fromEventBusName(new Stack(), 'B', 'platform'),
          enforcementBusName: 'mine',
        }),
        "enforcementBusName is 'mine' but enforcementBus is given: drop one (the given bus keeps its name)",
      ],
      [
        'shards beside a stream',
        () => ({
          usageStream: kinesis.Stream.fromStreamArn(new Stack(), 'S', STREAM_ARN),
          streamShardCount: 2,
        }),
        'streamShardCount is 2 but usageStream is given: size the stream where it is created, or drop usageStream',
      ],
      [
        'an unknown cost profile',
        () => ({ costProfile: 'cheap' as never }),
        'costProfile must be one of default, optimised, got "cheap": pass -c costProfile=optimised',
      ],
      ['a missing policy file', () => ({ policyFile: 'no-such-policy.yaml' }), /cannot read the file/],
      [
        'an archive retention of no days',
        () => ({ caseArchiveRetentionDays: 0 }),
        'caseArchiveRetentionDays must be a whole number from 1 to 36500, got 0: set it within that range',
      ],
    ])('rejects %s, naming the value and the fix', (_case, props, message) => {
      // Prepare
      const stack = new Stack(newApp(), 'Invalid');

      // Act & Assess
      expect(() => new Cauterize(stack, 'Cauterize', props())).toThrow(message);
    });

    it('reads a relative policy file from the working folder, and fails synth on a bad one', () => {
      // Prepare
      const relative = path.relative(process.cwd(), SHIPPED_POLICY_FILE);
      const stack = new Stack(newApp(), 'Relative');

      // Act
      const cauterize = new Cauterize(stack, 'Cauterize', { policyFile: relative });

      // Assess
      expect(JSON.parse(cauterize.policyJson)).toEqual(loadPolicyFile(SHIPPED_POLICY_FILE));
      expect(
        () => new Cauterize(new Stack(newApp(), 'Bad'), 'Cauterize', { policyJson: '{"mode":"audit"}' }),
      ).toThrow(PolicyValidationError);
    });
  });
});
