import { Duration, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ANCHOR_PREFIX } from '../../lambdas/core/cases/chain-anchor';
import { tableIndexWildcardFinding } from '../nag-findings';
import { checkInteger } from '../validate-props';
import { nagResourceName } from './case-archive';
import { cauterizeFunction } from './cauterize-function';
import { handlerEntry } from '../package-files';

/** The handler that writes chain anchors; the same module runs in the local tests and the CLI. */
export const CHAIN_ANCHOR_ENTRY = handlerEntry('chain-anchor');

export interface ChainAnchorProps {
  /** The cases table whose CASE items (chain heads) are anchored. */
  readonly casesTable: dynamodb.ITable;
  /** The Object Lock archive bucket; anchors go under `anchors/`. */
  readonly archiveBucket: s3.IBucket;
  /** Object Lock retention (COMPLIANCE) of each anchor, in days. */
  readonly retentionDays: number;
  /**
   * Hours between two anchors (1 to 24): the longest a change can go unanchored, and so the window
   * in which a rollback of that change can only be seen by the chain itself.
   * @default 1
   */
  readonly rateHours?: number;
  /**
   * Retention of the function's log group.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Path of the handler module (exporting `handler`).
   * @default CHAIN_ANCHOR_ENTRY
   */
  readonly entry?: string;
}

/**
 * Anchors every case's audit chain head outside the cases table: a Lambda function, run on an
 * EventBridge schedule, that reads the CASE items (a strongly consistent Scan) and writes one
 * document of (caseId, lastAuditSeq, lastAuditHash, status) to the archive bucket under Object
 * Lock COMPLIANCE, never overwriting. `cauterize cases verify --anchor-bucket` checks the table
 * against the newest one, so a truncated, rolled-back or rewritten chain shows. A failed run is a
 * missed anchor, which the next run makes up for; EventBridge retries it twice first.
 */
export class ChainAnchor extends Construct {
  public readonly function: nodejs.NodejsFunction;
  public readonly logGroup: logs.LogGroup;
  public readonly schedule: events.Rule;

  public constructor(scope: Construct, id: string, props: ChainAnchorProps) {
    super(scope, id);
    checkInteger('retentionDays', props.retentionDays, 1, 36_500);
    checkInteger('rateHours', props.rateHours, 1, 24);

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
    });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Cauterize chain anchor',
    });
    this.logGroup.grantWrite(role);

    this.function = cauterizeFunction(this, 'Function', {
      entry: props.entry ?? CHAIN_ANCHOR_ENTRY,
      memorySize: 512,
      timeout: Duration.minutes(5),
      role,
      logGroup: this.logGroup,
      description: "Cauterize: anchors every case's audit chain head to S3 under Object Lock",
      environment: {
        CASES_TABLE: props.casesTable.tableName,
        ARCHIVE_BUCKET: props.archiveBucket.bucketName,
        ANCHOR_RETENTION_DAYS: String(props.retentionDays),
        POWERTOOLS_SERVICE_NAME: 'cauterize-chain-anchor',
      },
    });

    props.casesTable.grantReadData(this.function);
    // Narrower than the bucket's grant methods: write and read back anchors under anchors/ only,
    // and list only that prefix (to find the newest); never delete, tag or legal-hold.
    const anchorObjects = props.archiveBucket.arnForObjects(`${ANCHOR_PREFIX}*`);
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject', 's3:PutObjectRetention', 's3:GetObject', 's3:GetObjectVersion'],
        resources: [anchorObjects],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [props.archiveBucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': `${ANCHOR_PREFIX}*` } },
      }),
    );
    props.archiveBucket.encryptionKey?.grantEncryptDecrypt(this.function);

    this.schedule = new events.Rule(this, 'Schedule', {
      description: "Cauterize: anchor every case's audit chain head",
      schedule: events.Schedule.rate(Duration.hours(props.rateHours ?? 1)),
      targets: [
        new targets.LambdaFunction(this.function, {
          retryAttempts: 2,
          maxEventAge: Duration.hours(1),
        }),
      ],
    });

    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'Pinned to nodejs22.x, the runtime the handler is bundled for and tested on (as the scorer).',
    });
    Validations.of(role).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords take no resource ARN.',
      },
      {
        id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        reason:
          'CDK grants on the CMK-encrypted bucket; covers GenerateDataKey(WithoutPlaintext) of that one key.',
      },
      {
        id: 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
        reason: 'CDK grants on the CMK-encrypted bucket; covers ReEncryptFrom/ReEncryptTo of that one key.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::${nagResourceName(this, props.archiveBucket.bucketArn, props.archiveBucket)}/${ANCHOR_PREFIX}*]`,
        reason:
          'Anchors are keyed anchors/<inverted time>-<ISO time>.json, one per run: the * is the run, nothing else.',
      },
      {
        id: tableIndexWildcardFinding(this, props.casesTable),
        reason: "Table grants cover the table's own indexes; the anchor only scans the base table.",
      },
    );
  }
}
