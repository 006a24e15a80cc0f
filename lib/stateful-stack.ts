import { Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { DEFAULT_ENFORCEMENT_BUS_NAME } from '../lambdas/core/events';
import { CaseArchiveBucket } from './constructs/case-archive';
import type { TableCapacity } from './cost-profile';
import { pinLogicalId } from './logical-id';
import { checkInteger } from './validate-props';

export interface StatefulStackProps extends StackProps {
  /**
   * How long the usage stream keeps records, in hours (24 to 8760). Longer retention lets the
   * scorer be replayed from TRIM_HORIZON after an incident, at a per-shard-hour cost.
   * @default 24
   */
  readonly streamRetentionHours?: number;
  /**
   * Provisioned shards for the usage stream (1 MB/s or 1,000 records/s of writes each).
   * Leave unset for on-demand capacity, which follows the traffic.
   * @default - on-demand capacity mode
   */
  readonly streamShardCount?: number;
  /**
   * Provisioned capacity of the accounts table, auto scaled by target tracking between the bounds
   * (about 2x cheaper per unit than on-demand at steady load; 1-year reserved capacity, bought
   * outside CDK, applies to it). Leave unset for on-demand, which follows any burst at once.
   * @default - on-demand capacity mode
   */
  readonly accountsTableCapacity?: TableCapacity;
  /**
   * Provisioned capacity of the links table, as accountsTableCapacity.
   * @default - on-demand capacity mode
   */
  readonly linksTableCapacity?: TableCapacity;
  /**
   * Name of the EventBridge bus that carries AccountSuspended / CaseOpened events to the
   * platform's auth service. It is part of the contract with that service.
   * @default 'cauterize-enforcement'
   */
  readonly enforcementBusName?: string;
  /**
   * Default Object Lock retention (COMPLIANCE) of archived cases, in days; the archiver also sets
   * each object's retention from the policy's compliance.archiveRetentionDays.
   * @default 2555
   */
  readonly caseArchiveRetentionDays?: number;
}

/**
 * Everything that holds data or is a contract with another team, deployed apart from the
 * pipeline so that redeploying (or destroying) the pipeline never touches it: the data key, the
 * usage stream, the tables and the enforcement event bus.
 *
 * Logical ids are pinned (see pinLogicalId), tables are retained on stack deletion.
 */
export class StatefulStack extends Stack {
  /** Customer-managed key (rotated yearly) encrypting the stream, the tables, the bus and the queues. */
  public readonly dataKey: kms.Key;
  /** Usage events from the AI API gateway, partition key = accountId. */
  public readonly usageStream: kinesis.Stream;
  /** One item per account: risk, state, suspension. */
  public readonly accountsTable: dynamodb.Table;
  /** Link edges between accounts (shared payment instrument, device, network, ...). */
  public readonly linksTable: dynamodb.Table;
  /** Cases (sk "CASE") and their audit trail (sk "AUDIT#..."): the compliance record. */
  public readonly casesTable: dynamodb.Table;
  /** Bus for AccountSuspended, AccountReinstated, CaseOpened and CaseUpdated events. */
  public readonly enforcementBus: events.EventBus;
  /** Closed cases, archived under S3 Object Lock (COMPLIANCE mode). */
  public readonly caseArchive: CaseArchiveBucket;

  public constructor(scope: Construct, id: string, props: StatefulStackProps = {}) {
    super(scope, id, props);
    checkInteger('streamRetentionHours', props.streamRetentionHours, 24, 8760);
    checkInteger('streamShardCount', props.streamShardCount, 1, 10_000);
    checkTableCapacity('accountsTableCapacity', props.accountsTableCapacity);
    checkTableCapacity('linksTableCapacity', props.linksTableCapacity);
    const enforcementBusName = props.enforcementBusName ?? DEFAULT_ENFORCEMENT_BUS_NAME;
    if (!/^[A-Za-z0-9._-]{1,256}$/.test(enforcementBusName)) {
      throw new Error(
        `enforcementBusName must be 1-256 letters, digits, '.', '_' or '-', got '${enforcementBusName}': rename it`,
      );
    }

    this.dataKey = new kms.Key(this, 'DataKey', {
      description: 'Cauterize: encrypts usage events, account state, links, cases and enforcement events',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    pinLogicalId(this.dataKey, 'DataKey');

    this.usageStream = new kinesis.Stream(this, 'UsageStream', {
      encryption: kinesis.StreamEncryption.KMS,
      encryptionKey: this.dataKey,
      retentionPeriod: Duration.hours(props.streamRetentionHours ?? 24),
      ...(props.streamShardCount === undefined
        ? { streamMode: kinesis.StreamMode.ON_DEMAND }
        : { streamMode: kinesis.StreamMode.PROVISIONED, shardCount: props.streamShardCount }),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    pinLogicalId(this.usageStream, 'UsageStream');
    Validations.of(this.usageStream).acknowledge({
      id: 'AwsSolutions-KDS3',
      reason:
        'Deliberately the customer-managed data key rather than aws/kinesis: one key policy and ' +
        'one rotation for all Cauterize data, and access to usage events revocable by key policy.',
    });

    const tableDefaults = {
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.dataKey,
      removalPolicy: RemovalPolicy.RETAIN,
    } satisfies Partial<dynamodb.TableProps>;

    this.accountsTable = new dynamodb.Table(this, 'AccountsTable', {
      ...tableDefaults,
      ...billing(props.accountsTableCapacity),
      partitionKey: { name: 'accountId', type: dynamodb.AttributeType.STRING },
    });
    autoScale(this.accountsTable, props.accountsTableCapacity);
    pinLogicalId(this.accountsTable, 'AccountsTable');

    // linkKey is "<kind>#<value>" (e.g. "payment#<fingerprint hash>"): the table answers "which
    // accounts share this link". No index answers "which links does this account have": nothing
    // asks it (the account item keeps its linkKeys), and an index would bill every edge twice.
    this.linksTable = new dynamodb.Table(this, 'LinksTable', {
      ...tableDefaults,
      ...billing(props.linksTableCapacity),
      partitionKey: { name: 'linkKey', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'accountId', type: dynamodb.AttributeType.STRING },
    });
    autoScale(this.linksTable, props.linksTableCapacity);
    pinLogicalId(this.linksTable, 'LinksTable');

    // Audit entries carry neither accountId nor status, so both indexes only hold case items.
    // On-demand in every profile: cases come in bursts (a cluster case writes a member item each).
    this.casesTable = new dynamodb.Table(this, 'CasesTable', {
      ...tableDefaults,
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      partitionKey: { name: 'caseId', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      deletionProtection: true,
      // Closing a case reaches the case archiver through this stream.
      stream: dynamodb.StreamViewType.NEW_IMAGE,
    });
    this.casesTable.addGlobalSecondaryIndex({
      indexName: 'byAccount',
      partitionKey: { name: 'accountId', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'openedAt', type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });
    this.casesTable.addGlobalSecondaryIndex({
      indexName: 'byStatus',
      partitionKey: { name: 'status', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'openedAt', type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });
    pinLogicalId(this.casesTable, 'CasesTable');

    // The bus lives here, not in the pipeline stack: its name and ARN are what the auth
    // service's rules subscribe to, so they must outlive any pipeline redeployment.
    // Encrypted with the data key through the L1 property, not the L2 `kmsKey` prop: that prop
    // also adds a key-policy statement granting kms:DescribeKey under an encryption-context
    // condition, and DescribeKey carries no encryption context, so it never applies.
    this.enforcementBus = new events.EventBus(this, 'EnforcementBus', {
      eventBusName: enforcementBusName,
      description:
        'Cauterize enforcement events: AccountSuspended, AccountReinstated, CaseOpened, CaseUpdated',
    });
    (this.enforcementBus.node.defaultChild as events.CfnEventBus).kmsKeyIdentifier = this.dataKey.keyArn;
    grantEventBridgeUseOfKey(
      this.dataKey,
      this.formatArn({
        service: 'events',
        resource: 'event-bus',
        resourceName: enforcementBusName,
      }),
    );
    pinLogicalId(this.enforcementBus, 'EnforcementBus');

    this.caseArchive = new CaseArchiveBucket(this, 'CaseArchive', {
      encryptionKey: this.dataKey,
      defaultRetentionDays: props.caseArchiveRetentionDays,
    });
    pinLogicalId(this.caseArchive.bucket, 'CaseArchiveBucket');
    pinLogicalId(this.caseArchive.accessLogsBucket, 'CaseArchiveAccessLogsBucket');
  }
}

/** On-demand without a capacity, else provisioned at the range's minimum (auto scaling moves it). */
function billing(capacity: TableCapacity | undefined): Partial<dynamodb.TableProps> {
  if (capacity === undefined) return { billingMode: dynamodb.BillingMode.PAY_PER_REQUEST };
  return {
    billingMode: dynamodb.BillingMode.PROVISIONED,
    readCapacity: capacity.minReadUnits,
    writeCapacity: capacity.minWriteUnits,
  };
}

/** Target tracking on reads and writes, within the range. */
function autoScale(table: dynamodb.Table, capacity: TableCapacity | undefined): void {
  if (capacity === undefined) return;
  const targetUtilizationPercent = capacity.targetUtilizationPercent;
  table
    .autoScaleReadCapacity({ minCapacity: capacity.minReadUnits, maxCapacity: capacity.maxReadUnits })
    .scaleOnUtilization({ targetUtilizationPercent });
  table
    .autoScaleWriteCapacity({ minCapacity: capacity.minWriteUnits, maxCapacity: capacity.maxWriteUnits })
    .scaleOnUtilization({ targetUtilizationPercent });
}

/** Units above the default quota of 40,000 per table need a quota increase first. */
const MAX_TABLE_UNITS = 1_000_000;

function checkTableCapacity(name: string, capacity: TableCapacity | undefined): void {
  if (capacity === undefined) return;
  checkInteger(`${name}.minReadUnits`, capacity.minReadUnits, 1, MAX_TABLE_UNITS);
  checkInteger(`${name}.maxReadUnits`, capacity.maxReadUnits, capacity.minReadUnits, MAX_TABLE_UNITS);
  checkInteger(`${name}.minWriteUnits`, capacity.minWriteUnits, 1, MAX_TABLE_UNITS);
  checkInteger(`${name}.maxWriteUnits`, capacity.maxWriteUnits, capacity.minWriteUnits, MAX_TABLE_UNITS);
  checkInteger(`${name}.targetUtilizationPercent`, capacity.targetUtilizationPercent, 20, 90);
}

/**
 * What EventBridge needs to encrypt a bus with a customer managed key, and no more, per
 * "Authorizing EventBridge to use a customer managed key"
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-encryption-key-policy.html):
 * kms:DescribeKey (to resolve the key ARN and check the key is symmetric), kms:GenerateDataKey and
 * kms:Decrypt, scoped with aws:SourceAccount, aws:SourceArn and, where the request has one, the
 * bus's encryption context. Two statements, because DescribeKey carries no encryption context:
 * a condition on kms:EncryptionContext:aws:events:event-bus:arn would never match it (the gap
 * aws/aws-cdk#35411 describes in the L2 construct's statement).
 */
export function grantEventBridgeUseOfKey(key: kms.IKey, eventBusArn: string): void {
  const principals = [new iam.ServicePrincipal('events.amazonaws.com')];
  const source = { 'aws:SourceAccount': Stack.of(key).account, 'aws:SourceArn': eventBusArn };
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'EventBridgeEncryptsEnforcementBus',
      principals,
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: ['*'],
      conditions: {
        StringEquals: { ...source, 'kms:EncryptionContext:aws:events:event-bus:arn': eventBusArn },
      },
    }),
  );
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'EventBridgeDescribesKeyForEnforcementBus',
      principals,
      actions: ['kms:DescribeKey'],
      resources: ['*'],
      conditions: { StringEquals: source },
    }),
  );
}
