import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbLinkStore } from '../../lambdas/adapters/dynamodb-link-store';
import { LINK_KEY_SHARDS, linkShard } from '../../lambdas/core/linking/link-keys';
import { startLocalServices, type LocalServices } from '../../local/local-services';
import { MemoryLinkStore } from '../../local/memory-adapters';
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
      expect(partition).toBe(`pay#campaign-card@${linkShard(item.accountId?.S ?? '')}`);
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
});
