import { CfnOutput, Duration, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Cauterize } from 'cauterize/constructs';
import { EVENT_SOURCE } from 'cauterize/events';
import type { Construct } from 'constructs';

export interface PlatformStackProps extends StackProps {
  /** The gateway team's usage stream, which this app does not own. */
  readonly usageStreamArn: string;
  /** The key the gateway team encrypts that stream with. */
  readonly usageStreamKeyArn: string;
}

/**
 * The platform team's stack: its own event bus, Cauterize on the gateway team's usage stream,
 * and the auth service's inbox for the accounts Cauterize suspends.
 */
export class PlatformStack extends Stack {
  public readonly cauterize: Cauterize;

  public constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id, props);

    // Brought in: the stream (owned by the gateway team, in another app) and the bus (ours).
    const usageStream = kinesis.Stream.fromStreamAttributes(this, 'GatewayUsage', {
      streamArn: props.usageStreamArn,
      encryptionKey: kms.Key.fromKeyArn(this, 'GatewayUsageKey', props.usageStreamKeyArn),
    });
    const platformBus = new events.EventBus(this, 'PlatformEvents', { eventBusName: 'platform-events' });

    // Created: the key, the tables, the case archive, the alarm topic and the pipeline.
    this.cauterize = new Cauterize(this, 'Cauterize', {
      usageStream,
      enforcementBus: platformBus,
      costProfile: 'optimised',
      expectedEventsPerSecond: 5000,
    });

    // The gateway writes usage events from its own role; auditors read cases.
    const gatewayRole = new iam.Role(this, 'GatewayWriter', {
      assumedBy: new iam.AccountPrincipal(Stack.of(this).account),
      description: 'The AI API gateway puts usage events on the stream',
    });
    this.cauterize.grantPutUsageEvents(gatewayRole);
    const auditorRole = new iam.Role(this, 'Auditor', {
      assumedBy: new iam.AccountPrincipal(Stack.of(this).account),
      description: 'Compliance auditors read Cauterize cases',
    });
    this.cauterize.grantReadCases(auditorRole);

    // The auth service revokes the keys of every suspended account from this queue.
    const deadLetters = new sqs.Queue(this, 'AuthInboxDeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(deadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the dead-letter queue of the auth inbox.',
    });
    const authInbox = new sqs.Queue(this, 'AuthInbox', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: deadLetters, maxReceiveCount: 5 },
    });
    new events.Rule(this, 'SuspendedAccounts', {
      eventBus: platformBus,
      eventPattern: { source: [EVENT_SOURCE], detailType: ['AccountSuspended'] },
      targets: [new targets.SqsQueue(authInbox)],
    });

    new CfnOutput(this, 'CasesApiUrl', { value: this.cauterize.casesApi.api.url });
  }
}
