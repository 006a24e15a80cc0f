import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateTableCommand,
  DescribeTableCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import { resolveIntrinsics } from './cloudformation-intrinsics';
import type { CloudFormationResource, CloudFormationTemplate, ResolveRef } from './cloudformation-template';
import { DEFAULT_LOCAL_REGION } from '../emulators/local-aws-identity';
import {
  describeLocalResource,
  localPhysicalName,
  referenceResolver,
  type LocalResource,
} from './local-resource-names';

/** Thrown when a table or stream of the template cannot be created locally. */
export class ProvisioningError extends Error {
  public readonly logicalId: string;

  public constructor(logicalId: string, message: string, options?: { cause?: unknown }) {
    super(`${logicalId}: ${message}`, options);
    this.name = 'ProvisioningError';
    this.logicalId = logicalId;
  }
}

export interface ProvisionOptions {
  readonly dynamodb: DynamoDBClient;
  readonly kinesis: KinesisClient;
  /**
   * Region used in the ARNs handed out for references.
   * @default 'us-east-1'
   */
  readonly region?: string;
  /**
   * Shards of every stream. kinesalite has no on-demand mode, so on-demand streams need a number.
   * @default the template's literal ShardCount, else 2
   */
  readonly shardCount?: number;
  /**
   * How long to wait for a created table or stream to become ACTIVE.
   * @default 5000
   */
  readonly activeTimeoutMs?: number;
}

/** A template setting the local services cannot honour; callers print these. */
export interface IgnoredSetting {
  readonly logicalId: string;
  readonly type: string;
  readonly property: string;
  readonly reason: string;
}

export interface ProvisionedTemplate {
  /** Every resource of the template, keyed by logical id, with its local name, ARN and attributes. */
  readonly resources: Readonly<Record<string, LocalResource>>;
  /** logicalId -> local physical name (table name, stream name, bus name, ...). */
  readonly names: Readonly<Record<string, string>>;
  /** logicalIds of what was created in dynalite and kinesalite. */
  readonly tables: readonly string[];
  readonly streams: readonly string[];
  readonly ignored: readonly IgnoredSetting[];
  /** Resolves `Ref` and `Fn::GetAtt` as CloudFormation would, against the local resources. */
  readonly resolveRef: ResolveRef;
}

const TABLE_TYPES = new Set(['AWS::DynamoDB::Table', 'AWS::DynamoDB::GlobalTable']);
const STREAM_TYPE = 'AWS::Kinesis::Stream';
const TABLE_PROPERTIES_USED = new Set([
  'TableName',
  'KeySchema',
  'AttributeDefinitions',
  'GlobalSecondaryIndexes',
  'LocalSecondaryIndexes',
  'BillingMode',
]);
const INDEX_PROPERTIES_USED = new Set(['IndexName', 'KeySchema', 'Projection']);
const STREAM_PROPERTIES_USED = new Set(['Name', 'ShardCount', 'StreamModeDetails']);

/**
 * Creates every DynamoDB table and Kinesis stream of a synthesized template in the local services,
 * through the SDK, and describes every other resource so that Refs resolve to local names and ARNs.
 * Settings the emulators lack (SSE, PITR, TTL, encryption, on-demand streams) are skipped and
 * returned in `ignored`.
 */
export async function provisionFromTemplate(
  template: CloudFormationTemplate,
  options: ProvisionOptions,
): Promise<ProvisionedTemplate> {
  const region = options.region ?? DEFAULT_LOCAL_REGION;
  const entries = Object.entries(template.Resources ?? {});
  const described: Record<string, LocalResource> = {};
  const ignored: IgnoredSetting[] = [];
  for (const [logicalId, resource] of entries) {
    described[logicalId] = describeLocalResource(logicalId, resource, region);
    const { ignoredNameProperty } = localPhysicalName(logicalId, resource);
    if (ignoredNameProperty && (TABLE_TYPES.has(resource.Type) || resource.Type === STREAM_TYPE)) {
      ignored.push({
        logicalId,
        type: resource.Type,
        property: ignoredNameProperty,
        reason: 'not a literal; the logical id is used as the local name',
      });
    }
  }
  const resolveDescribed = referenceResolver(described);

  const tables = entries.filter(([, resource]) => TABLE_TYPES.has(resource.Type));
  const streams = entries.filter(([, resource]) => resource.Type === STREAM_TYPE);
  const timeoutMs = options.activeTimeoutMs ?? 5000;

  await Promise.all([
    ...tables.map(async ([logicalId, resource]) => {
      const input = createTableInput(
        logicalId,
        resource,
        described[logicalId]!.name,
        resolveDescribed,
        ignored,
      );
      await createTable(options.dynamodb, logicalId, input, timeoutMs);
    }),
    ...streams.map(async ([logicalId, resource]) => {
      const shardCount = streamShardCount(logicalId, resource, options.shardCount, ignored);
      const arn = await createStream(
        options.kinesis,
        logicalId,
        described[logicalId]!.name,
        shardCount,
        timeoutMs,
      );
      // kinesalite mints the stream ARN itself; references must match what GetRecords reports.
      described[logicalId] = describeLocalResource(logicalId, resource, region, arn);
    }),
  ]);

  for (const [logicalId, resource] of streams) {
    collectIgnored(logicalId, resource, STREAM_PROPERTIES_USED, ignored);
  }

  return {
    resources: described,
    names: Object.fromEntries(
      Object.values(described).map((resource) => [resource.logicalId, resource.name]),
    ),
    tables: tables.map(([logicalId]) => logicalId),
    streams: streams.map(([logicalId]) => logicalId),
    ignored,
    resolveRef: referenceResolver(described),
  };
}

interface IndexProperties {
  readonly IndexName: string;
  readonly KeySchema: unknown;
  readonly Projection: unknown;
  readonly [other: string]: unknown;
}

function createTableInput(
  logicalId: string,
  resource: CloudFormationResource,
  tableName: string,
  resolveRef: ResolveRef,
  ignored: IgnoredSetting[],
): CreateTableCommandInput {
  // Only the properties used are evaluated: the others may hold conditions (Fn::If) we cannot evaluate.
  const used = Object.entries(resource.Properties ?? {}).filter(([name]) => TABLE_PROPERTIES_USED.has(name));
  const properties = resolveIntrinsics(Object.fromEntries(used), resolveRef) as Record<string, unknown>;
  collectIgnored(logicalId, resource, TABLE_PROPERTIES_USED, ignored);
  if (properties.BillingMode !== undefined && properties.BillingMode !== 'PAY_PER_REQUEST') {
    ignored.push({
      logicalId,
      type: resource.Type,
      property: 'BillingMode',
      reason: `${String(properties.BillingMode)} is created as PAY_PER_REQUEST locally`,
    });
  }
  const indexes = (key: 'GlobalSecondaryIndexes' | 'LocalSecondaryIndexes') => {
    const list = properties[key] as IndexProperties[] | undefined;
    if (!list?.length) return undefined;
    return list.map((index) => {
      for (const property of Object.keys(index).filter((name) => !INDEX_PROPERTIES_USED.has(name))) {
        ignored.push({
          logicalId,
          type: resource.Type,
          property: `${key}[${index.IndexName}].${property}`,
          reason: 'not emulated by dynalite',
        });
      }
      return { IndexName: index.IndexName, KeySchema: index.KeySchema, Projection: index.Projection };
    });
  };
  return {
    TableName: tableName,
    KeySchema: properties.KeySchema,
    AttributeDefinitions: properties.AttributeDefinitions,
    BillingMode: 'PAY_PER_REQUEST',
    GlobalSecondaryIndexes: indexes('GlobalSecondaryIndexes'),
    LocalSecondaryIndexes: indexes('LocalSecondaryIndexes'),
  } as CreateTableCommandInput;
}

function streamShardCount(
  logicalId: string,
  resource: CloudFormationResource,
  configured: number | undefined,
  ignored: IgnoredSetting[],
): number {
  const literal = resource.Properties?.ShardCount;
  const shardCount = configured ?? (typeof literal === 'number' ? literal : 2);
  const mode = (resource.Properties?.StreamModeDetails as { StreamMode?: unknown } | undefined)?.StreamMode;
  if (mode === 'ON_DEMAND') {
    ignored.push({
      logicalId,
      type: resource.Type,
      property: 'StreamModeDetails',
      reason: `kinesalite has no on-demand mode; created with ${shardCount} shards`,
    });
  }
  return shardCount;
}

function collectIgnored(
  logicalId: string,
  resource: CloudFormationResource,
  used: ReadonlySet<string>,
  ignored: IgnoredSetting[],
): void {
  for (const property of Object.keys(resource.Properties ?? {})) {
    if (!used.has(property)) {
      ignored.push({
        logicalId,
        type: resource.Type,
        property,
        reason: 'not emulated by the local services',
      });
    }
  }
}

async function createTable(
  dynamodb: DynamoDBClient,
  logicalId: string,
  input: CreateTableCommandInput,
  timeoutMs: number,
): Promise<void> {
  try {
    await dynamodb.send(new CreateTableCommand(input));
    await waitUntil(timeoutMs, async () => {
      const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: input.TableName }));
      const indexesActive = (Table?.GlobalSecondaryIndexes ?? []).every(
        (index) => index.IndexStatus === 'ACTIVE',
      );
      return Table?.TableStatus === 'ACTIVE' && indexesActive;
    });
  } catch (error) {
    throw new ProvisioningError(logicalId, `could not create table '${input.TableName}'`, { cause: error });
  }
}

async function createStream(
  kinesis: KinesisClient,
  logicalId: string,
  streamName: string,
  shardCount: number,
  timeoutMs: number,
): Promise<string> {
  try {
    await kinesis.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: shardCount }));
    let arn = '';
    await waitUntil(timeoutMs, async () => {
      const { StreamDescriptionSummary: summary } = await kinesis.send(
        new DescribeStreamSummaryCommand({ StreamName: streamName }),
      );
      arn = summary?.StreamARN ?? '';
      return summary?.StreamStatus === 'ACTIVE';
    });
    return arn;
  } catch (error) {
    throw new ProvisioningError(logicalId, `could not create stream '${streamName}'`, { cause: error });
  }
}

async function waitUntil(timeoutMs: number, condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`not ACTIVE after ${timeoutMs} ms`);
    await sleep(5);
  }
}
