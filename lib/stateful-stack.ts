import { Stack, type StackProps } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import type { CaseArchiveBucket } from './constructs/case-archive';
import { CauterizeStore, type CauterizeStoreProps } from './constructs/cauterize-store';
import { pinLogicalId } from './logical-id';

export { grantEventBridgeUseOfKey } from './constructs/cauterize-store';

/** Our app creates every stateful resource: the store's props without the brought-in ones. */
export interface StatefulStackProps
  extends StackProps, Omit<CauterizeStoreProps, 'encryptionKey' | 'usageStream' | 'enforcementBus'> {}

/**
 * Our app's stateful stack: a CauterizeStore that creates everything (the data key, the usage
 * stream, the tables, the enforcement bus and the case archive), deployed apart from the pipeline
 * so that redeploying (or destroying) the pipeline never touches it.
 *
 * The store is the stack's `Default` child, which CDK leaves out of logical ids, and the stateful
 * resources' ids are pinned (see pinLogicalId): the templates are those of the stack before the
 * store existed, and no refactoring replaces a table, a stream or a key.
 */
export class StatefulStack extends Stack {
  public readonly store: CauterizeStore;
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
    this.store = new CauterizeStore(this, 'Default', props);
    // The store created these (nothing was brought in), so they are the concrete classes.
    this.dataKey = this.store.encryptionKey as kms.Key;
    this.usageStream = this.store.usageStream as kinesis.Stream;
    this.enforcementBus = this.store.enforcementBus as events.EventBus;
    this.accountsTable = this.store.accountsTable;
    this.linksTable = this.store.linksTable;
    this.casesTable = this.store.casesTable;
    this.caseArchive = this.store.caseArchive;

    pinLogicalId(this.dataKey, 'DataKey');
    pinLogicalId(this.usageStream, 'UsageStream');
    pinLogicalId(this.accountsTable, 'AccountsTable');
    pinLogicalId(this.linksTable, 'LinksTable');
    pinLogicalId(this.casesTable, 'CasesTable');
    pinLogicalId(this.enforcementBus, 'EnforcementBus');
    pinLogicalId(this.caseArchive.bucket, 'CaseArchiveBucket');
    pinLogicalId(this.caseArchive.accessLogsBucket, 'CaseArchiveAccessLogsBucket');
  }
}
