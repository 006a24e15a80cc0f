import { Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, type IConstruct } from 'constructs';
import { cauterizeFunction } from './cauterize-function';
import { handlerEntry } from '../package-files';
import { tableIndexWildcardFinding } from '../nag-findings';
import { checkInteger } from '../validate-props';

/** The handler that archives closed cases; the same module runs in the local tests. */
export const CASE_ARCHIVER_ENTRY = handlerEntry('case-archiver');

/** Seven years: a common retention for enforcement records. */
export const DEFAULT_ARCHIVE_RETENTION_DAYS = 2555;

export interface CaseArchiveBucketProps {
  /** Key encrypting the archived cases (the stateful stack's data key). */
  readonly encryptionKey: kms.IKey;
  /**
   * Default Object Lock retention (COMPLIANCE mode) of every object, in days. The archiver also
   * sets each object's retention explicitly, from the policy's compliance.archiveRetentionDays.
   * @default 2555
   */
  readonly defaultRetentionDays?: number;
  /**
   * Days the server access logs of the archive are kept.
   * @default 365
   */
  readonly accessLogRetentionDays?: number;
}

/**
 * The archive of closed cases: an S3 bucket with Object Lock (COMPLIANCE mode: no one, the root
 * user included, can delete or overwrite a locked version before its date), versioned as Object
 * Lock requires, KMS-encrypted, TLS-only, never public, retained on stack deletion. Server access
 * logs go to a bucket of their own.
 */
export class CaseArchiveBucket extends Construct {
  public readonly bucket: s3.Bucket;
  public readonly accessLogsBucket: s3.Bucket;

  public constructor(scope: Construct, id: string, props: CaseArchiveBucketProps) {
    super(scope, id);
    checkInteger('defaultRetentionDays', props.defaultRetentionDays, 1, 36_500);
    checkInteger('accessLogRetentionDays', props.accessLogRetentionDays, 1, 36_500);

    // Access-log delivery cannot write to a KMS-encrypted bucket: S3-managed keys here.
    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      lifecycleRules: [{ expiration: Duration.days(props.accessLogRetentionDays ?? 365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.accessLogsBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the server access log bucket of the case archive; logging it into itself would loop.',
    });

    this.bucket = new s3.Bucket(this, 'Bucket', {
      objectLockEnabled: true,
      objectLockDefaultRetention: s3.ObjectLockRetention.compliance(
        Duration.days(props.defaultRetentionDays ?? DEFAULT_ARCHIVE_RETENTION_DAYS),
      ),
      versioned: true,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.encryptionKey,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'case-archive/',
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}

export interface CaseArchiverProps {
  /** The cases table, with a stream (NEW_IMAGE): closing a case triggers its archive. */
  readonly casesTable: dynamodb.ITable;
  readonly archiveBucket: s3.IBucket;
  /** Object Lock retention of each archived case, in days (the policy's compliance.archiveRetentionDays). */
  readonly retentionDays: number;
  /** Key encrypting the failure queue. */
  readonly queueEncryptionKey: kms.IKey;
  /**
   * Retention of the archiver's log group.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Path of the handler module (exporting `handler`).
   * @default CASE_ARCHIVER_ENTRY
   */
  readonly entry?: string;
}

/**
 * Archives each case when it is CLOSED: a Lambda function on the cases table's stream, filtered
 * to CASE items whose new image is CLOSED, with partial batch failures, bisect, bounded retries
 * and an SQS on-failure destination (a case that cannot be archived is not lost: re-drive it).
 */
export class CaseArchiver extends Construct {
  public readonly function: nodejs.NodejsFunction;
  public readonly failureQueue: sqs.Queue;
  public readonly logGroup: logs.LogGroup;

  public constructor(scope: Construct, id: string, props: CaseArchiverProps) {
    super(scope, id);
    checkInteger('retentionDays', props.retentionDays, 1, 36_500);
    if (!props.casesTable.tableStreamArn) {
      throw new Error('casesTable has no stream: create it with stream: StreamViewType.NEW_IMAGE');
    }

    this.failureQueue = new sqs.Queue(this, 'FailureQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.queueEncryptionKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.failureQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is the on-failure destination of the archiver stream mapping (a dead-letter path itself).',
    });

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
    });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Cauterize case archiver',
    });
    this.logGroup.grantWrite(role);

    this.function = cauterizeFunction(this, 'Function', {
      entry: props.entry ?? CASE_ARCHIVER_ENTRY,
      memorySize: 512,
      timeout: Duration.seconds(60),
      role,
      logGroup: this.logGroup,
      description: 'Cauterize: archives closed cases to S3 under Object Lock',
      environment: {
        CASES_TABLE: props.casesTable.tableName,
        ARCHIVE_BUCKET: props.archiveBucket.bucketName,
        ARCHIVE_RETENTION_DAYS: String(props.retentionDays),
        POWERTOOLS_SERVICE_NAME: 'cauterize-case-archiver',
      },
    });

    props.casesTable.grantReadWriteData(this.function);
    // Narrower than grantPut/grantRead: the archiver writes and reads back case documents under
    // cases/ only; it never tags, legal-holds, lists or deletes.
    const archiveObjects = props.archiveBucket.arnForObjects('cases/*');
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject', 's3:PutObjectRetention', 's3:GetObject', 's3:GetObjectVersion'],
        resources: [archiveObjects],
      }),
    );
    props.archiveBucket.encryptionKey?.grantEncryptDecrypt(this.function);

    this.function.addEventSource(
      new DynamoEventSource(props.casesTable, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: 10,
        bisectBatchOnError: true,
        retryAttempts: 10,
        maxRecordAge: Duration.days(1),
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(this.failureQueue),
        filters: [
          lambda.FilterCriteria.filter({
            dynamodb: {
              NewImage: {
                sk: { S: lambda.FilterRule.isEqual('CASE') },
                status: { S: lambda.FilterRule.isEqual('CLOSED') },
              },
            },
          }),
        ],
      }),
    );

    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'Pinned to nodejs22.x, the runtime the handler is bundled for and tested on (as the scorer).',
    });
    Validations.of(role).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'X-Ray tracing and DynamoDB ListStreams: these actions take no resource ARN.',
      },
      {
        id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        reason:
          'CDK grants on the CMK-encrypted table, bucket and queue; covers GenerateDataKey(WithoutPlaintext) of that key.',
      },
      {
        id: 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
        reason: 'CDK grants on the CMK-encrypted table; covers ReEncryptFrom/ReEncryptTo of that key.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::${nagResourceName(this, props.archiveBucket.bucketArn, props.archiveBucket)}/cases/*]`,
        reason:
          'Case documents are keyed cases/<year>/<month>/<caseId>.json: the * is the case, nothing else.',
      },
      {
        id: tableIndexWildcardFinding(this, props.casesTable),
        reason: "Table grants cover the table's own indexes; the archiver only reads the case and its trail.",
      },
    );
  }
}

/**
 * How cdk-nag names `arn` (owned by `owner`) in a finding of `consumer`'s stack: the export name
 * across stacks, `<LogicalId.Attr>` within one (see lib/nag-findings.ts for the table case).
 */
export function nagResourceName(consumer: IConstruct, arn: string, owner: IConstruct): string {
  if (!Token.isUnresolved(arn)) return arn;
  const consumerStack = Stack.of(consumer);
  const producerStack = Stack.of(owner);
  const reference = producerStack === consumerStack ? arn : producerStack.exportValue(arn);
  return flattenForNag(consumerStack.resolve(reference));
}

/** Renders a resolved reference the way cdk-nag does in finding ids. */
export function flattenForNag(node: unknown): string {
  if (typeof node === 'string') return node;
  if (Array.isArray(node)) return node.map(flattenForNag).join('');
  if (node !== null && typeof node === 'object') {
    const fn = node as Record<string, unknown>;
    if ('Fn::ImportValue' in fn) return flattenForNag(fn['Fn::ImportValue']);
    if ('Ref' in fn) return `<${String(fn.Ref)}>`;
    if ('Fn::GetAtt' in fn) return `<${(fn['Fn::GetAtt'] as string[]).join('.')}>`;
    if ('Fn::Join' in fn) {
      const [delimiter, parts] = fn['Fn::Join'] as [string, unknown[]];
      return parts.map(flattenForNag).join(delimiter);
    }
  }
  return JSON.stringify(node);
}
