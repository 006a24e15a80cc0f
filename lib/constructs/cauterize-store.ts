import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import {
  costProfileSettings,
  DEFAULT_EXPECTED_EVENTS_PER_SECOND,
  parseCostProfile,
  type CostProfileName,
  type TableCapacity,
} from '../cost-profile';
import { checkInteger } from '../validate-props';
import { CaseArchiveBucket } from './case-archive';
import { DEFAULT_ENFORCEMENT_BUS_NAME } from '../../lambdas/core/events';

/** Name of the enforcement bus Cauterize creates (lambdas/core/events.ts holds the contract's values). */
export { DEFAULT_ENFORCEMENT_BUS_NAME };

/**
 * What the pipeline half of Cauterize runs on: the resources a CauterizeStore creates or takes in,
 * or the same resources from elsewhere (our own app passes those of its stateful stack).
 */
export interface CauterizeStoreResources {
  /** Encrypts the tables, the queues and, when Cauterize creates them, the stream, the bus and the alarm topic. */
  readonly encryptionKey: kms.IKey;
  /** Usage events from the AI API gateway, partition key = accountId. */
  readonly usageStream: kinesis.IStream;
  /** One item per account (partition key `accountId`): risk, state, suspension. */
  readonly accountsTable: dynamodb.ITable;
  /** Link edges (partition key `linkKey`, sort key `accountId`). */
  readonly linksTable: dynamodb.ITable;
  /** Cases (`caseId`, `sk`) with the byAccount and byStatus indexes and a NEW_IMAGE stream. */
  readonly casesTable: dynamodb.ITable;
  /** Where AccountSuspended, CaseOpened and the other enforcement events are published. */
  readonly enforcementBus: events.IEventBus;
  /**
   * The Object Lock bucket closed cases and chain anchors are archived to.
   * @default - no case archiver and no chain anchor
   */
  readonly caseArchiveBucket?: s3.IBucket;
}

export interface CauterizeStoreProps {
  /**
   * A customer-managed key to encrypt with (its key policy must let EventBridge use it for a bus
   * Cauterize creates; see grantEventBridgeUseOfKey).
   * @default - a new key, rotated yearly, retained on stack deletion
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * The usage stream, when another team owns it (usually the gateway team). Records are usage
   * events (contract v1) with partition key = accountId. Import an encrypted stream with its key
   * (`Stream.fromStreamAttributes({ streamArn, encryptionKey })`) so the scorer may decrypt it.
   * @default - a new stream encrypted with the key, retained on stack deletion
   */
  readonly usageStream?: kinesis.IStream;
  /**
   * The bus enforcement events go to, when the platform already has one its auth service listens on.
   * @default - a new bus named enforcementBusName, encrypted with the key
   */
  readonly enforcementBus?: events.IEventBus;
  /**
   * Name of the bus Cauterize creates (not with enforcementBus). The auth service's rules subscribe
   * to it by name, so it is part of the contract with that service.
   * @default 'cauterize-enforcement'
   */
  readonly enforcementBusName?: string;
  /**
   * Deployment profile: it chooses the stream's shards and the accounts and links tables' capacity
   * unless those props are given (docs/performance.md, "Cost profiles").
   * @default 'default'
   */
  readonly costProfile?: CostProfileName;
  /**
   * Sustained usage events per second the optimised profile sizes the stream and tables for.
   * @default 1000
   */
  readonly expectedEventsPerSecond?: number;
  /**
   * How long a stream Cauterize creates keeps records, in hours (24 to 8760). Longer retention
   * lets the scorer be replayed from TRIM_HORIZON after an incident, at a per-shard-hour cost.
   * @default 24
   */
  readonly streamRetentionHours?: number;
  /**
   * Provisioned shards of a stream Cauterize creates (1 MB/s or 1,000 records/s of writes each).
   * @default - the profile's: on-demand (default), or enough for 300 s batches at
   * expectedEventsPerSecond (optimised: 6 per 1,000 events/s)
   */
  readonly streamShardCount?: number;
  /**
   * Provisioned capacity of the accounts table, auto scaled by target tracking between the bounds
   * (about 2x cheaper per unit than on-demand at steady load; 1-year reserved capacity, bought
   * outside CDK, applies to it).
   * @default - the profile's: on-demand (default), or sized from expectedEventsPerSecond (optimised)
   */
  readonly accountsTableCapacity?: TableCapacity;
  /**
   * Provisioned capacity of the links table, as accountsTableCapacity.
   * @default - the profile's: on-demand (default), or sized from expectedEventsPerSecond (optimised)
   */
  readonly linksTableCapacity?: TableCapacity;
  /**
   * Default Object Lock retention (COMPLIANCE) of archived cases, in days; the archiver also sets
   * each object's retention from the policy's compliance.archiveRetentionDays.
   * @default 2555
   */
  readonly caseArchiveRetentionDays?: number;
}

/**
 * The stateful half of Cauterize: everything that holds data or is a contract with another team.
 * It creates the accounts, links and cases tables and the case archive, and creates or takes in
 * the data key, the usage stream and the enforcement bus. Tables, stream and key are retained on
 * stack deletion; the cases table also has deletion protection.
 *
 * A Cauterize construct creates one of its own unless given one (`store`): put a store in a stack
 * of its own to redeploy or destroy the pipeline without touching the data, as our own app does.
 */
export class CauterizeStore extends Construct implements CauterizeStoreResources {
  public readonly encryptionKey: kms.IKey;
  public readonly usageStream: kinesis.IStream;
  public readonly accountsTable: dynamodb.Table;
  public readonly linksTable: dynamodb.Table;
  public readonly casesTable: dynamodb.Table;
  public readonly enforcementBus: events.IEventBus;
  /** Closed cases, archived under S3 Object Lock (COMPLIANCE mode), and its access-log bucket. */
  public readonly caseArchive: CaseArchiveBucket;
  public readonly caseArchiveBucket: s3.IBucket;

  public constructor(scope: Construct, id: string, props: CauterizeStoreProps = {}) {
    super(scope, id);
    checkStoreProps(props);
    const profile = costProfileSettings(
      parseCostProfile(props.costProfile ?? 'default', 'costProfile'),
      props.expectedEventsPerSecond ?? DEFAULT_EXPECTED_EVENTS_PER_SECOND,
    );
    const accountsTableCapacity = props.accountsTableCapacity ?? profile.accountsTableCapacity;
    const linksTableCapacity = props.linksTableCapacity ?? profile.linksTableCapacity;

    this.encryptionKey =
      props.encryptionKey ??
      new kms.Key(this, 'DataKey', {
        description: 'Cauterize: encrypts usage events, account state, links, cases and enforcement events',
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });

    this.usageStream = props.usageStream ?? this.createUsageStream(props, profile.streamShardCount);

    const tableDefaults = {
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.encryptionKey,
      removalPolicy: RemovalPolicy.RETAIN,
    } satisfies Partial<dynamodb.TableProps>;

    this.accountsTable = new dynamodb.Table(this, 'AccountsTable', {
      ...tableDefaults,
      ...billing(accountsTableCapacity),
      partitionKey: { name: 'accountId', type: dynamodb.AttributeType.STRING },
    });
    autoScale(this.accountsTable, accountsTableCapacity);

    // linkKey is "<kind>#<value>" (e.g. "payment#<fingerprint hash>"): the table answers "which
    // accounts share this link". No index answers "which links does this account have": nothing
    // asks it (the account item keeps its linkKeys), and an index would bill every edge twice.
    this.linksTable = new dynamodb.Table(this, 'LinksTable', {
      ...tableDefaults,
      ...billing(linksTableCapacity),
      partitionKey: { name: 'linkKey', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'accountId', type: dynamodb.AttributeType.STRING },
    });
    autoScale(this.linksTable, linksTableCapacity);

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

    this.enforcementBus =
      props.enforcementBus ??
      this.createEnforcementBus(props.enforcementBusName ?? DEFAULT_ENFORCEMENT_BUS_NAME);

    this.caseArchive = new CaseArchiveBucket(this, 'CaseArchive', {
      encryptionKey: this.encryptionKey,
      defaultRetentionDays: props.caseArchiveRetentionDays,
    });
    this.caseArchiveBucket = this.caseArchive.bucket;
  }

  /** Lets the gateway put usage events on the stream (and encrypt them with its key). */
  public grantPutUsageEvents(grantee: iam.IGrantable): iam.Grant {
    return this.usageStream.grantWrite(grantee);
  }

  private createUsageStream(
    props: CauterizeStoreProps,
    profileShardCount: number | undefined,
  ): kinesis.Stream {
    const shardCount = props.streamShardCount ?? profileShardCount;
    const stream = new kinesis.Stream(this, 'UsageStream', {
      encryption: kinesis.StreamEncryption.KMS,
      encryptionKey: this.encryptionKey,
      retentionPeriod: Duration.hours(props.streamRetentionHours ?? 24),
      ...(shardCount === undefined
        ? { streamMode: kinesis.StreamMode.ON_DEMAND }
        : { streamMode: kinesis.StreamMode.PROVISIONED, shardCount }),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(stream).acknowledge({
      id: 'AwsSolutions-KDS3',
      reason:
        'Deliberately the customer-managed data key rather than aws/kinesis: one key policy and ' +
        'one rotation for all Cauterize data, and access to usage events revocable by key policy.',
    });
    return stream;
  }

  /**
   * The bus belongs with the data, not the pipeline: its name and ARN are what the auth service's
   * rules subscribe to, so they must outlive any pipeline redeployment.
   * Encrypted with the data key through the L1 property, not the L2 `kmsKey` prop: that prop
   * also adds a key-policy statement granting kms:DescribeKey under an encryption-context
   * condition, and DescribeKey carries no encryption context, so it never applies.
   */
  private createEnforcementBus(eventBusName: string): events.EventBus {
    const bus = new events.EventBus(this, 'EnforcementBus', {
      eventBusName,
      description:
        'Cauterize enforcement events: AccountSuspended, AccountReinstated, CaseOpened, CaseUpdated',
    });
    (bus.node.defaultChild as events.CfnEventBus).kmsKeyIdentifier = this.encryptionKey.keyArn;
    grantEventBridgeUseOfKey(
      this.encryptionKey,
      Stack.of(this).formatArn({ service: 'events', resource: 'event-bus', resourceName: eventBusName }),
    );
    return bus;
  }
}

/** Props that only apply to a resource Cauterize creates are refused beside the one brought in. */
function checkStoreProps(props: CauterizeStoreProps): void {
  checkInteger('streamRetentionHours', props.streamRetentionHours, 24, 8760);
  checkInteger('streamShardCount', props.streamShardCount, 1, 10_000);
  checkInteger('expectedEventsPerSecond', props.expectedEventsPerSecond, 1, 10_000_000);
  checkInteger('caseArchiveRetentionDays', props.caseArchiveRetentionDays, 1, 36_500);
  checkTableCapacity('accountsTableCapacity', props.accountsTableCapacity);
  checkTableCapacity('linksTableCapacity', props.linksTableCapacity);
  if (props.usageStream) {
    for (const name of ['streamRetentionHours', 'streamShardCount'] as const) {
      if (props[name] !== undefined) {
        throw new Error(
          `${name} is ${props[name]} but usageStream is given: size the stream where it is created, or drop usageStream`,
        );
      }
    }
  }
  if (props.enforcementBusName !== undefined) {
    if (props.enforcementBus) {
      throw new Error(
        `enforcementBusName is '${props.enforcementBusName}' but enforcementBus is given: drop one (the given bus keeps its name)`,
      );
    }
    if (!/^[A-Za-z0-9._-]{1,256}$/.test(props.enforcementBusName)) {
      throw new Error(
        `enforcementBusName must be 1-256 letters, digits, '.', '_' or '-', got '${props.enforcementBusName}': rename it`,
      );
    }
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
 * aws/aws-cdk#35411 describes in the L2 construct's statement). A key imported from elsewhere has
 * no key policy here: add the same statements where it is defined.
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
