import { BatchWriteCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LinkMembers, LinkStore } from '../core/ports';
import { LINK_KEY_SHARDS, linkShard, perShardLimit, shardedLinkKey } from '../core/linking/link-keys';
import { withUnprocessedRetries } from './batch-retry';
import type { LinkEdge } from '../core/linking/link-keys';

const BATCH_WRITE_LIMIT = 25;

/**
 * The senders and topic tags of a key's edges, in member order; left out when no edge has them
 * (edges written before they were recorded, and links that carry neither).
 */
export function edgeTraits(
  traits: ReadonlyArray<readonly [entity: unknown, tag: unknown]>,
): Pick<LinkMembers, 'entities' | 'tags'> {
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  const entities = traits.map(([entity]) => text(entity));
  const tags = traits.map(([, tag]) => text(tag));
  return {
    ...(entities.some((e) => e !== undefined) ? { entities } : {}),
    ...(tags.some((t) => t !== undefined) ? { tags } : {}),
  };
}

/**
 * One item per (link key, account). The accounts of a key are spread over LINK_KEY_SHARDS
 * partitions ("<key>@<shard>", see link-keys.ts), so no key is one hot partition however many
 * accounts share it; the item keeps the logical key in `key`, and the byAccount index gives an
 * account's links. Puts are idempotent.
 */
export class DynamoDbLinkStore implements LinkStore {
  public constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  public async put(edges: readonly LinkEdge[]): Promise<void> {
    // BatchWriteItem rejects two writes of the same key in one call.
    const unique = [...new Map(edges.map((e) => [`${e.linkKey}\u0000${e.accountId}`, e])).values()];
    for (let i = 0; i < unique.length; i += BATCH_WRITE_LIMIT) {
      const requests = unique.slice(i, i + BATCH_WRITE_LIMIT).map((edge) => ({
        PutRequest: {
          Item: {
            ...edge,
            linkKey: shardedLinkKey(edge.linkKey, linkShard(edge.accountId)),
            key: edge.linkKey,
          },
        },
      }));
      await withUnprocessedRetries(requests, async (batch) => {
        const out = await this.client.send(
          new BatchWriteCommand({ RequestItems: { [this.tableName]: batch } }),
        );
        return (out.UnprocessedItems?.[this.tableName] ?? []) as typeof batch;
      });
    }
  }

  public async members(linkKeys: readonly string[], limitPerKey: number): Promise<Map<string, LinkMembers>> {
    const perShard = perShardLimit(limitPerKey);
    const result = new Map<string, LinkMembers>();
    await Promise.all(
      [...new Set(linkKeys)].map(async (linkKey) => {
        const shards = await Promise.all(
          Array.from({ length: LINK_KEY_SHARDS }, async (_, shard) => {
            const out = await this.client.send(
              new QueryCommand({
                TableName: this.tableName,
                KeyConditionExpression: 'linkKey = :k',
                ExpressionAttributeValues: { ':k': shardedLinkKey(linkKey, shard) },
                ProjectionExpression: 'accountId, entity, tag',
                ConsistentRead: true,
                // One more than asked tells whether the shard holds more than its share.
                Limit: perShard + 1,
              }),
            );
            return out.Items ?? [];
          }),
        );
        const items = shards.flatMap((shardItems) => shardItems.slice(0, perShard));
        result.set(linkKey, {
          accountIds: items.map((item) => String(item.accountId)),
          ...edgeTraits(items.map((item) => [item.entity, item.tag])),
          truncated: shards.some((shardItems) => shardItems.length > perShard),
        });
      }),
    );
    return result;
  }
}
