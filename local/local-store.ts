import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { Agent, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  BatchWriteItemCommand,
  DynamoDBClient,
  ScanCommand,
  type AttributeValue,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { App } from 'aws-cdk-lib';
import dynalite from 'dynalite';
import { withUnprocessedRetries } from '../lambdas/adapters/batch-retry';
import { StatefulStack } from '../lib/stateful-stack';
import type {
  CloudFormationResource,
  CloudFormationTemplate,
} from './cloudformation/cloudformation-template';
import { DEFAULT_LOCAL_REGION, LOCAL_CREDENTIALS } from './emulators/local-aws-identity';
import { provisionFromTemplate } from './cloudformation/provision-from-template';

/**
 * A local cases store: the folder `cauterize cases --local DIR` (and `cauterize console --local
 * DIR`) open. dynalite keeps its tables in LevelDB files under DIR/dynamodb:
 * - CasesTable: every item of the cases table (CASE, MEMBER#<accountId>, AUDIT#<seq>);
 * - AccountsTable: the accounts the cases name, as the accounts table holds them (status, the
 *   workflows' suspension and claim attributes, the scorer's score, band and packed memory).
 * Both are created exactly as the synthesized StatefulStack defines them (keys and indexes), under
 * their logical ids. docs/cases.md describes the layout.
 */

/** Table names inside a local store (the stateful stack's logical ids). */
export const LOCAL_CASES_TABLE = 'CasesTable';
export const LOCAL_ACCOUNTS_TABLE = 'AccountsTable';
/** The folder of a local store that holds dynalite's LevelDB files. */
export const LOCAL_STORE_DYNAMODB_FOLDER = 'dynamodb';

/** A DynamoDB item as the low-level API reads and writes it. */
export type RawItem = Record<string, AttributeValue>;

/** Thrown when a local store cannot be opened or written. */
export class LocalStoreError extends Error {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'LocalStoreError';
  }
}

/** dynalite over a store's LevelDB files, on a random loopback port, and a client for it. */
export interface LocalDynamoDb {
  readonly client: DynamoDBClient;
  close(): Promise<void>;
}

/** Whether `dir` holds a local store (its LevelDB folder exists). */
export function localStoreExists(dir: string): boolean {
  return existsSync(join(dir, LOCAL_STORE_DYNAMODB_FOLDER));
}

/** Starts dynalite persisted in dir/dynamodb (created if absent) and returns a client for it. */
export async function openLocalDynamoDb(dir: string): Promise<LocalDynamoDb> {
  const server = dynalite({ path: join(dir, LOCAL_STORE_DYNAMODB_FOLDER), createTableMs: 0 }) as Server;
  server.listen(0, '127.0.0.1');
  await Promise.race([once(server, 'listening'), once(server, 'error').then(([e]) => Promise.reject(e))]);
  const { port } = server.address() as AddressInfo;
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: DEFAULT_LOCAL_REGION,
    credentials: { ...LOCAL_CREDENTIALS },
    requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: 16 }) }),
  });
  let closing: Promise<void> | undefined;
  return {
    client,
    close: () => {
      closing ??= (async () => {
        client.destroy();
        server.closeAllConnections();
        // dynalite closes its LevelDB with the server, which releases the folder's lock.
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })();
      return closing;
    },
  };
}

let statefulTables: Promise<Readonly<Record<string, CloudFormationResource>>> | undefined;

/** The stateful stack's table resources, synthesized once per process (about a second). */
export function statefulTableResources(): Promise<Readonly<Record<string, CloudFormationResource>>> {
  statefulTables ??= Promise.resolve().then(() => {
    const app = new App({
      builtinCloudFormationValidation: false,
      context: { 'aws:cdk:bundling-stacks': [] },
    });
    const stack = new StatefulStack(app, 'CauterizeStateful');
    const template = app.synth().getStackByName(stack.stackName).template as CloudFormationTemplate;
    return Object.fromEntries(
      Object.entries(template.Resources ?? {}).filter(([, r]) => r.Type === 'AWS::DynamoDB::Table'),
    );
  });
  return statefulTables;
}

/** Creates these tables of the stateful stack in a local DynamoDB, under their logical ids. */
export async function createStatefulTables(
  client: DynamoDBClient,
  logicalIds: readonly string[],
): Promise<void> {
  const tables = await statefulTableResources();
  const resources: Record<string, CloudFormationResource> = {};
  for (const id of logicalIds) {
    const resource = tables[id];
    if (!resource) throw new LocalStoreError(`the stateful stack has no ${id}`);
    resources[id] = resource;
  }
  await provisionFromTemplate(
    { Resources: resources },
    // No streams among these: the Kinesis client is never called.
    { dynamodb: client, kinesis: new KinesisClient({ region: DEFAULT_LOCAL_REGION }) },
  );
}

/** Every item of a table, page by page, as the low-level API returns them. */
export async function* scanItems(client: DynamoDBClient, tableName: string): AsyncGenerator<RawItem> {
  let startKey: RawItem | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey }));
    for (const item of page.Items ?? []) yield item;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}

export interface LocalStoreCounts {
  /** CASE items written. */
  readonly cases: number;
  /** Items written to CasesTable (CASE, MEMBER# and AUDIT# items). */
  readonly caseItems: number;
  /** Items written to AccountsTable. */
  readonly accounts: number;
  /** Accounts a case names that `accountItems` did not hold. */
  readonly missingAccounts: readonly string[];
}

const BATCH_WRITE_LIMIT = 25;

/**
 * Writes a new local store in `dir` (see the top of this file): `caseItems`, every item of the
 * cases table as the workflows wrote it, into CasesTable; then, of `accountItems`, those of the
 * accounts the CASE items name (accountIds), into AccountsTable. Items are written unchanged.
 * Refuses a folder that already holds a store.
 */
export async function writeLocalStore(
  dir: string,
  caseItems: AsyncIterable<RawItem> | Iterable<RawItem>,
  accountItems: AsyncIterable<RawItem> | Iterable<RawItem>,
): Promise<LocalStoreCounts> {
  if (localStoreExists(dir)) {
    throw new LocalStoreError(
      `${join(dir, LOCAL_STORE_DYNAMODB_FOLDER)} exists: writeLocalStore writes a new store only`,
    );
  }
  const db = await openLocalDynamoDb(dir);
  try {
    await createStatefulTables(db.client, [LOCAL_CASES_TABLE, LOCAL_ACCOUNTS_TABLE]);
    const named = new Set<string>();
    let cases = 0;
    const caseCount = await writeAll(db.client, LOCAL_CASES_TABLE, caseItems, (item) => {
      if (item.sk?.S !== 'CASE') return true;
      cases += 1;
      for (const id of item.accountIds?.L ?? []) if (id.S) named.add(id.S);
      if (item.accountId?.S) named.add(item.accountId.S);
      return true;
    });
    const written = new Set<string>();
    const accountCount = await writeAll(db.client, LOCAL_ACCOUNTS_TABLE, accountItems, (item) => {
      const id = item.accountId?.S;
      if (id === undefined || !named.has(id) || written.has(id)) return false;
      written.add(id);
      return true;
    });
    return {
      cases,
      caseItems: caseCount,
      accounts: accountCount,
      missingAccounts: [...named].filter((id) => !written.has(id)).sort(),
    };
  } finally {
    await db.close();
  }
}

/** BatchWriteItem of every item `keep` accepts, 25 at a time; returns how many were written. */
async function writeAll(
  client: DynamoDBClient,
  tableName: string,
  items: AsyncIterable<RawItem> | Iterable<RawItem>,
  keep: (item: RawItem) => boolean,
): Promise<number> {
  let batch: WriteRequest[] = [];
  let count = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    await withUnprocessedRetries(batch, async (requests) => {
      const out = await client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: requests } }));
      return out.UnprocessedItems?.[tableName] ?? [];
    });
    batch = [];
  };
  for await (const item of items) {
    if (!keep(item)) continue;
    batch.push({ PutRequest: { Item: item } });
    count += 1;
    if (batch.length === BATCH_WRITE_LIMIT) await flush();
  }
  await flush();
  return count;
}
