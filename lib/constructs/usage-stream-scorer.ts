import { Duration, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { KinesisEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { BUNDLED_POLICY_IDENTIFIER } from '../../lambdas/handlers/bundled-policy';
import { cauterizeFunction } from './cauterize-function';
import { handlerEntry } from '../package-files';
import { tableIndexWildcardFinding } from '../nag-findings';
import {
  DEFAULT_BATCHING_WINDOW_SECONDS,
  DEFAULT_PARALLELIZATION_FACTOR,
  DEFAULT_SCORER_BATCH_SIZE,
  DEFAULT_SCORER_RETRY_ATTEMPTS,
} from '../scorer-batching';
import { checkInteger } from '../validate-props';

/** The handler the scorer runs; the same module runs in the local runtime. */
export const ACCOUNT_SCORER_ENTRY = handlerEntry('account-scorer');

/**
 * The largest policy accepted: what the AppConfig hosted configuration store takes ("Configurations
 * must be 1 MB or smaller", AWS::AppConfig::HostedConfigurationVersion). The policy is not in the
 * Lambda environment (4 KB for every variable together): the first-deploy copy is bundled into the
 * code (see lambdas/handlers/bundled-policy.ts), and AppConfig serves it at run time.
 */
export const POLICY_JSON_MAX_BYTES = 1_048_576;

export interface UsageStreamScorerProps {
  /** The usage event stream (partition key = accountId). */
  readonly usageStream: kinesis.IStream;
  readonly accountsTable: dynamodb.ITable;
  readonly linksTable: dynamodb.ITable;
  readonly casesTable: dynamodb.ITable;
  /** The enforcement workflow the scorer starts once per threshold crossing. */
  readonly enforcementStateMachine: sfn.IStateMachine;
  /** The cluster enforcement workflow the scorer starts once per cluster crossing. */
  readonly clusterEnforcementStateMachine: sfn.IStateMachine;
  /**
   * A second cluster workflow for the clusters with fewer than `belowMembers` members (the
   * optimised profile's Express one); the other clusters go to clusterEnforcementStateMachine.
   * @default - every cluster goes to clusterEnforcementStateMachine
   */
  readonly smallClusters?: { readonly stateMachine: sfn.IStateMachine; readonly belowMembers: number };
  /**
   * Validated policy, compact JSON (see policyToJson): bundled into the handler's code as the
   * first-deploy policy (AppConfig serves the current one at run time).
   */
  readonly policyJson: string;
  /** Key encrypting the failure and rejected-events queues. */
  readonly queueEncryptionKey: kms.IKey;
  /**
   * Memory of the scorer, in MB (also buys CPU: 1,769 MB is one full vCPU).
   * @default 1024
   */
  readonly memorySizeMb?: number;
  /**
   * Timeout of one invocation, in seconds.
   * @default 120
   */
  readonly timeoutSeconds?: number;
  /**
   * Most records per invocation (1 to 10,000). Large batches are what keeps DynamoDB writes far
   * below one per event (one write per account per batch); 5,000 usage events stay well under
   * Lambda's 6 MB invocation payload.
   * @default 5000
   */
  readonly batchSize?: number;
  /**
   * How long the event source mapping gathers records before invoking, in seconds (0 to 300):
   * detection latency traded for fewer account-state writes. A batch hands over when full or when
   * this passes, so with parallelizationFactor it sets how much event time a batch spans: 60 s at
   * the defaults from 1,000 to 100,000 events/s (docs/performance.md, "Sizing").
   * @default 60
   */
  readonly maxBatchingWindowSeconds?: number;
  /**
   * Retries of a failing batch (after bisecting) before its metadata goes to the failure queue
   * (0 to 10,000).
   * @default 5
   */
  readonly retryAttempts?: number;
  /**
   * Records older than this, in seconds, are not retried but sent to the failure queue
   * (60 to 604,800).
   * @default 3600
   */
  readonly maxRecordAgeSeconds?: number;
  /**
   * Concurrent batches per shard (1 to 10). Records of one account stay ordered because they
   * share a partition key. Each batch fills at its share of the shard's rate, so a higher factor
   * lets a busy shard's batches span the whole window: an account's requests in that span share one
   * state write.
   * @default 10
   */
  readonly parallelizationFactor?: number;
  /**
   * Retention of the scorer's log group.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Path of the handler module (exporting `handler`).
   * @default ACCOUNT_SCORER_ENTRY (lambdas/handlers/account-scorer.ts)
   */
  readonly entry?: string;
}

/**
 * Scores the usage stream: a Lambda function behind a Kinesis event source mapping with the
 * KinesisStreamsToLambda baseline (partial batch failures, bisect on error, bounded retries and
 * record age, an SQS on-failure destination), plus a queue for contract-invalid records.
 */
export class UsageStreamScorer extends Construct {
  public readonly function: nodejs.NodejsFunction;
  public readonly logGroup: logs.LogGroup;
  /** Batch metadata (shard, sequence range) of records that exhausted their retries or age. */
  public readonly failureQueue: sqs.Queue;
  /** Contract-invalid records with their reason, sent by the handler, kept 14 days for re-drive. */
  public readonly rejectedQueue: sqs.Queue;

  public constructor(scope: Construct, id: string, props: UsageStreamScorerProps) {
    super(scope, id);
    checkInteger('memorySizeMb', props.memorySizeMb, 128, 10_240);
    checkInteger('timeoutSeconds', props.timeoutSeconds, 1, 900);
    checkInteger('batchSize', props.batchSize, 1, 10_000);
    checkInteger('maxBatchingWindowSeconds', props.maxBatchingWindowSeconds, 0, 300);
    checkInteger('retryAttempts', props.retryAttempts, 0, 10_000);
    checkInteger('maxRecordAgeSeconds', props.maxRecordAgeSeconds, 60, 604_800);
    checkInteger('parallelizationFactor', props.parallelizationFactor, 1, 10);
    checkPolicyJson(props.policyJson);

    const queueProps = {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.queueEncryptionKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    } satisfies sqs.QueueProps;
    this.failureQueue = new sqs.Queue(this, 'FailureQueue', queueProps);
    this.rejectedQueue = new sqs.Queue(this, 'RejectedQueue', queueProps);
    for (const queue of [this.failureQueue, this.rejectedQueue]) {
      Validations.of(queue).acknowledge({
        id: 'AwsSolutions-SQS3',
        reason:
          'This queue is itself a dead-letter path (the on-failure destination of the stream ' +
          'mapping, or where the handler sends rejected records), kept 14 days for inspection and re-drive.',
      });
    }

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
    });
    // An explicit role instead of the default one with the AWSLambdaBasicExecutionRole managed
    // policy: logging is granted on this function's log group only.
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Cauterize usage-stream scorer',
    });
    this.logGroup.grantWrite(role);

    this.function = cauterizeFunction(this, 'Function', {
      entry: props.entry ?? ACCOUNT_SCORER_ENTRY,
      memorySize: props.memorySizeMb ?? 1024,
      timeout: Duration.seconds(props.timeoutSeconds ?? 120),
      role,
      logGroup: this.logGroup,
      description: 'Cauterize: scores usage events per account and starts enforcement',
      environment: {
        ACCOUNTS_TABLE: props.accountsTable.tableName,
        LINKS_TABLE: props.linksTable.tableName,
        CASES_TABLE: props.casesTable.tableName,
        STATE_MACHINE_ARN: props.enforcementStateMachine.stateMachineArn,
        CLUSTER_STATE_MACHINE_ARN: props.clusterEnforcementStateMachine.stateMachineArn,
        ...(props.smallClusters && {
          SMALL_CLUSTER_STATE_MACHINE_ARN: props.smallClusters.stateMachine.stateMachineArn,
          SMALL_CLUSTER_BELOW_MEMBERS: String(props.smallClusters.belowMembers),
        }),
        REJECTED_QUEUE_URL: this.rejectedQueue.queueUrl,
        POWERTOOLS_SERVICE_NAME: 'cauterize-scorer',
        POWERTOOLS_METRICS_NAMESPACE: 'Cauterize',
      },
      // The first-deploy policy goes into the code, not the environment: JSON text as a string literal.
      define: { [BUNDLED_POLICY_IDENTIFIER]: JSON.stringify(props.policyJson) },
    });

    props.accountsTable.grantReadWriteData(this.function);
    props.linksTable.grantReadWriteData(this.function);
    props.casesTable.grantReadData(this.function);
    props.enforcementStateMachine.grantStartExecution(this.function);
    props.clusterEnforcementStateMachine.grantStartExecution(this.function);
    props.smallClusters?.stateMachine.grantStartExecution(this.function);
    this.rejectedQueue.grantSendMessages(this.function);

    // Grants stream read (and key decrypt) to the function, and send on the failure queue.
    this.function.addEventSource(
      new KinesisEventSource(props.usageStream, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: props.batchSize ?? DEFAULT_SCORER_BATCH_SIZE,
        maxBatchingWindow: Duration.seconds(
          props.maxBatchingWindowSeconds ?? DEFAULT_BATCHING_WINDOW_SECONDS,
        ),
        reportBatchItemFailures: true,
        bisectBatchOnError: true,
        retryAttempts: props.retryAttempts ?? DEFAULT_SCORER_RETRY_ATTEMPTS,
        maxRecordAge: Duration.seconds(props.maxRecordAgeSeconds ?? 3600),
        parallelizationFactor: props.parallelizationFactor ?? DEFAULT_PARALLELIZATION_FACTOR,
        onFailure: new SqsDlq(this.failureQueue),
      }),
    );

    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Pinned to nodejs22.x, the runtime the handler is bundled for (esbuild target node22) and ' +
        'tested on; moving to a newer runtime is a deliberate change, not a side effect of a CDK upgrade.',
    });
    Validations.of(role).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'X-Ray tracing (Tracing.ACTIVE): xray:PutTraceSegments and xray:PutTelemetryRecords take no resource ARN.',
      },
      {
        id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        reason:
          'CDK grants on the CMK-encrypted stream, tables and rejected queue; the wildcard covers ' +
          'GenerateDataKey and GenerateDataKeyWithoutPlaintext of that one key.',
      },
      {
        id: 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
        reason:
          'CDK grants on the CMK-encrypted tables and rejected queue; the wildcard covers ' +
          'ReEncryptFrom/ReEncryptTo of that one key.',
      },
      {
        id: tableIndexWildcardFinding(this, props.casesTable),
        reason:
          "Table grants cover the table's own global secondary indexes (index/*): the scorer " +
          'reads cases by account (byAccount). The accounts and links tables have no index.',
      },
    );
  }
}

function checkPolicyJson(policyJson: string): void {
  try {
    JSON.parse(policyJson);
  } catch (error) {
    throw new Error(
      `policyJson must be JSON, got '${policyJson.slice(0, 40)}...': pass policyToJson(loadPolicyFile(...))`,
      { cause: error },
    );
  }
  const bytes = Buffer.byteLength(policyJson, 'utf8');
  if (bytes > POLICY_JSON_MAX_BYTES) {
    throw new Error(
      `policyJson is ${bytes} bytes, over the ${POLICY_JSON_MAX_BYTES} bytes the AppConfig hosted ` +
        'configuration store takes: shorten the allowlists',
    );
  }
}
