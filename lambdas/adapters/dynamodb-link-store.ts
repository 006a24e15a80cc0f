import { BatchWriteCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LinkMembers, LinkStore } from '../core/ports';
import { linkKeyShards, linkShard, perShardLimit, shardedLinkKey } from '../core/linking/link-keys';
import { withUnprocessedRetries } from './batch-retry';
import type { LinkEdge } from '../core/linking/link-keys';

const BATCH_WRITE_LIMIT = 25;

/**

 * How long this store adds its own writes to what its queries read. Eventually consistent reads
 * reflect a write within about a second; the scorer queries the edges it has just written in the
 * same batch, milliseconds later.
 */
const OWN_WRITES_VISIBLE_MS = 10_000;

/** What a members query reads of an edge. */
interface MemberItem {
  readonly accountId: unknown;
  readonly entity?: unknown;
  readonly tag?: unknown;
}

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
 * One item per (link key, account). The accounts of a key are spread over linkKeyShards(key)
 * partitions ("<key>@<shard>", see link-keys.ts), so no key is one hot partition however many
 * accounts share it; the item keeps the logical key in `key`. No index: an account's own links are
 * in its account item (linkKeys). Puts are idempotent.
 *
 * Queries are eventually consistent (half the read units). A member written by another scorer
 * within the last second may be missed until that scorer's next batch, or this one's; members this
 * store wrote itself are always seen (it remembers them for OWN_WRITES_VISIBLE_MS).
 */
export class DynamoDbLinkStore implements LinkStore {
  /** Sharded link key -> edges this store wrote under it, by account, with when, oldest first. */
  private readonly ownWrites = new Map<string, Map<string, { at: number; item: MemberItem }>>();

  public constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => number = Date.now,
  ) {}

  public async put(edges: readonly LinkEdge[]): Promise<void> {
    // BatchWriteItem rejects two writes of the same key in one call.
    const unique = [...new Map(edges.map((e) => [`${e.linkKey}\u0000${e.accountId}`, e])).values()];
    for (let i = 0; i < unique.length; i += BATCH_WRITE_LIMIT) {
      const requests = unique.slice(i, i + BATCH_WRITE_LIMIT).map((edge) => ({
        PutRequest: {
          Item: {
            ...edge,
            linkKey: shardedLinkKey(edge.linkKey, linkShard(edge.accountId, edge.linkKey)),
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
    this.remember(unique);
  }

  private remember(edges: readonly LinkEdge[]): void {
    const now = this.now();
    for (const [key, accounts] of this.ownWrites) {
      for (const [accountId, { at }] of accounts) {
        if (now - at <= OWN_WRITES_VISIBLE_MS) break;
        accounts.delete(accountId);
      }
      if (accounts.size === 0) this.ownWrites.delete(key);
    }
    for (const edge of edges) {
      const key = shardedLinkKey(edge.linkKey, linkShard(edge.accountId, edge.linkKey));
      const accounts = this.ownWrites.get(key) ?? new Map<string, { at: number; item: MemberItem }>();
      accounts.delete(edge.accountId);
      const item = {
        accountId: edge.accountId,
        ...(edge.entity === undefined ? {} : { entity: edge.entity }),
        ...(edge.tag === undefined ? {} : { tag: edge.tag }),
      };
      accounts.set(edge.accountId, { at: now, item });
      this.ownWrites.set(key, accounts);
    }
  }

  /** A query's items, plus the edges this store wrote under the key that it may not show yet. */
  private withOwnWrites(shardedKey: string, queried: MemberItem[]): MemberItem[] {
    const own = this.ownWrites.get(shardedKey);
    if (!own) return queried;
    const now = this.now();
    const seen = new Set(queried.map((item) => String(item.accountId)));
    const added: MemberItem[] = [];
    for (const [accountId, { at, item }] of own) {
      if (now - at <= OWN_WRITES_VISIBLE_MS && !seen.has(accountId)) added.push(item);
    }
    if (added.length === 0) return queried;
    // Items come back in accountId order: keep it, so a limited read is the same set it would be.
    const id = (item: MemberItem) => String(item.accountId);
    return [...queried, ...added].sort((a, b) => (id(a) < id(b) ? -1 : id(a) > id(b) ? 1 : 0));
  }

  public async members(linkKeys: readonly string[], limitPerKey: number): Promise<Map<string, LinkMembers>> {
    const result = new Map<string, LinkMembers>();
    await Promise.all(
      [...new Set(linkKeys)].map(async (linkKey) => {
        const perShard = perShardLimit(limitPerKey, linkKey);
        const shards = await Promise.all(
          Array.from({ length: linkKeyShards(linkKey) }, async (_, shard) => {
            const shardedKey = shardedLinkKey(linkKey, shard);
            const out = await this.client.send(
              new QueryCommand({
                TableName: this.tableName,
                KeyConditionExpression: 'linkKey = :k',
                ExpressionAttributeValues: { ':k': shardedKey },
                ProjectionExpression: 'accountId, entity, tag',
                ConsistentRead: false,
                // One more than asked tells whether the shard holds more than its share.
                Limit: perShard + 1,
              }),
            );
            return this.withOwnWrites(shardedKey, (out.Items ?? []) as MemberItem[]).slice(0, perShard + 1);
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
