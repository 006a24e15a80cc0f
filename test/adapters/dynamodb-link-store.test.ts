import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbLinkStore } from '../../lambdas/adapters/dynamodb-link-store';
import { LINK_KEY_SHARDS, linkShard } from '../../lambdas/core/linking/link-keys';
import { startLocalServices, type LocalServices } from '../../local/emulators/local-services';
import { MemoryLinkStore } from '../../local/replay/memory-adapters';
import { createStringKeyTable } from '../support/tables';
import type { LinkEdge } from '../../lambdas/core/linking/link-keys';

describe('Class: DynamoDbLinkStore', () => {
  let services: LocalServices;
  let store: DynamoDbLinkStore;
  const tableName = 'links-sharding-test';
  const edge = (linkKey: string, accountId: string): LinkEdge => ({
    linkKey,
    accountId,
    kind: 'pay',
    firstSeenAt: '2026-02-02T00:00:00.000Z',
  });
  /** A client of its own: a document client shares its middleware with the client it wraps. */
  const clientOfItsOwn = () =>
    DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint: services.dynamodbEndpoint,
        region: services.region,
        credentials: services.credentials,
      }),
    );
  const ring = Array.from({ length: 120 }, (_, i) => `ring-${String(i).padStart(3, '0')}`);

  beforeAll(async () => {
    services = await startLocalServices();
    // The links table's key schema, as the stateful stack declares it.
    await createStringKeyTable(services.dynamodb, tableName, 'linkKey', 'accountId');
    store = new DynamoDbLinkStore(DynamoDBDocumentClient.from(services.dynamodb), tableName);
    await store.put([...ring.map((id) => edge('pay#campaign-card', id)), edge('pay#solo', 'solo-1')]);
  });

  afterAll(async () => {
    await services.stop();
  });

  it('spreads the accounts of one key over its shard partitions, keeping the logical key on each item', async () => {
    // Act
    const { Items = [] } = await services.dynamodb.send(new ScanCommand({ TableName: tableName }));

    // Assess
    const partitions = new Map<string, number>();
    for (const item of Items.filter((i) => i.key?.S === 'pay#campaign-card')) {
      const partition = item.linkKey?.S ?? '';
      partitions.set(partition, (partitions.get(partition) ?? 0) + 1);
      expect(partition).toBe(`pay#campaign-card@${linkShard(item.accountId?.S ?? '', 'pay#campaign-card')}`);
    }
    expect(partitions.size).toBe(LINK_KEY_SHARDS);
    expect(Math.max(...partitions.values())).toBeLessThan(ring.length / 2);
  });

  it('reads every shard, and reports a key larger than the limit as truncated', async () => {
    // Act
    const all = await store.members(['pay#campaign-card', 'pay#solo', 'pay#nobody'], 200);
    const sample = await store.members(['pay#campaign-card'], 40);

    // Assess
    expect([...(all.get('pay#campaign-card')?.accountIds ?? [])].sort()).toEqual(ring);
    expect(all.get('pay#campaign-card')?.truncated).toBe(false);
    expect(all.get('pay#solo')).toEqual({ accountIds: ['solo-1'], truncated: false });
    expect(all.get('pay#nobody')).toEqual({ accountIds: [], truncated: false });
    expect(sample.get('pay#campaign-card')?.accountIds).toHaveLength(40);
    expect(sample.get('pay#campaign-card')?.truncated).toBe(true);
  });

  it('returns exactly what the in-memory store returns, so replays on either engine decide alike', async () => {
    // Prepare
    const memory = new MemoryLinkStore();
    await memory.put([...ring.map((id) => edge('pay#campaign-card', id)), edge('pay#solo', 'solo-1')]);

    // Act / Assess
    for (const limit of [200, 40, 7]) {
      expect(await store.members(['pay#campaign-card', 'pay#solo'], limit)).toEqual(
        await memory.members(['pay#campaign-card', 'pay#solo'], limit),
      );
    }
  });

  it('keeps a template band in one partition, read with one query, the first members by account id', async () => {
    // Prepare
    const band = 'tpl#0:beef';
    const senders = ring.slice(0, 60).map((id) => ({ ...edge(band, id), kind: 'tpl' as const, tag: 'math' }));
    await store.put(senders);
    const memory = new MemoryLinkStore();
    await memory.put(senders);
    const queries: string[] = [];
    const counted = clientOfItsOwn();
    counted.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { ExpressionAttributeValues?: Record<string, unknown> };
        if (input.ExpressionAttributeValues) queries.push(String(input.ExpressionAttributeValues[':k']));
        return next(args);
      },
      { step: 'initialize' },
    );
    const reader = new DynamoDbLinkStore(counted, tableName);

    // Act
    const { Items = [] } = await services.dynamodb.send(new ScanCommand({ TableName: tableName }));
    const sample = await reader.members([band], 40);

    // Assess
    const partitions = new Set(Items.filter((i) => i.key?.S === band).map((i) => i.linkKey?.S));
    expect(partitions).toEqual(new Set([`${band}@0`]));
    expect(queries).toEqual([`${band}@0`]);
    expect(sample.get(band)).toEqual({
      accountIds: ring.slice(0, 40),
      tags: Array.from({ length: 40 }, () => 'math'),
      truncated: true,
    });
    for (const limit of [200, 40, 7]) {
      expect(await store.members([band], limit)).toEqual(await memory.members([band], limit));
    }
    const before = memory.counters.queries;
    await memory.members([band, 'pay#campaign-card'], 200);
    expect(memory.counters.queries - before).toBe(1 + LINK_KEY_SHARDS);
  });

  describe('Method: members, eventually consistent', () => {
    /**
     * A store whose writes land in `shadowTable` instead: its queries of the real table then miss
     * them, as an eventually consistent query can miss a write made milliseconds before.
     */
    const storeWithUnseenWrites = (shadowTable: string, now: () => number) => {
      const client = clientOfItsOwn();
      client.middlewareStack.add(
        (next) => async (args) => {
          const input = args.input as { RequestItems?: Record<string, unknown> };
          if (input.RequestItems?.[tableName]) {
            input.RequestItems = { [shadowTable]: input.RequestItems[tableName] };
          }
          return next(args);
        },
        { step: 'initialize' },
      );
      return new DynamoDbLinkStore(client, tableName, now);
    };

    it('always sees the members it wrote itself, and others once the table shows them', async () => {
      // Prepare
      const shadowTable = 'links-not-yet-visible';
      await createStringKeyTable(services.dynamodb, shadowTable, 'linkKey', 'accountId');
      let now = 1_000_000;
      const writer = storeWithUnseenWrites(shadowTable, () => now);
      await writer.put([edge('pay#fresh', 'fresh-2'), edge('pay#solo', 'solo-0')]);

      // Act
      const own = await writer.members(['pay#fresh', 'pay#solo'], 200);
      const other = await store.members(['pay#fresh', 'pay#solo'], 200);
      now += 11_000;
      const later = await writer.members(['pay#fresh'], 200);

      // Assess: the writer reads its own writes in accountId order, as a consistent query would.
      expect(own.get('pay#fresh')).toEqual({ accountIds: ['fresh-2'], truncated: false });
      expect([...(own.get('pay#solo')?.accountIds ?? [])].sort()).toEqual(['solo-0', 'solo-1']);
      expect(other.get('pay#fresh')).toEqual({ accountIds: [], truncated: false });
      // Past OWN_WRITES_VISIBLE_MS the table is trusted again (here it never showed them).
      expect(later.get('pay#fresh')).toEqual({ accountIds: [], truncated: false });
    });
  });
});
