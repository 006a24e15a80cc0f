import { BatchWriteCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LinkMembers, LinkStore } from '../core/ports';
import type { LinkEdge } from '../core/scoring/account-scorer';
import { withUnprocessedRetries } from './batch-retry';

const BATCH_WRITE_LIMIT = 25;

/**
 * One item per (link key, account): all accounts sharing a card, device or IP sit under one
 * partition key, and the byAccount index gives an account's links. Puts are idempotent.
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
      const requests = unique
        .slice(i, i + BATCH_WRITE_LIMIT)
        .map((edge) => ({ PutRequest: { Item: { ...edge } } }));
      await withUnprocessedRetries(requests, async (batch) => {
        const out = await this.client.send(
          new BatchWriteCommand({ RequestItems: { [this.tableName]: batch } }),
        );
        return (out.UnprocessedItems?.[this.tableName] ?? []) as typeof batch;
      });
    }
  }

  public async members(linkKeys: readonly string[], limitPerKey: number): Promise<Map<string, LinkMembers>> {
    const result = new Map<string, LinkMembers>();
    await Promise.all(
      [...new Set(linkKeys)].map(async (linkKey) => {
        const out = await this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'linkKey = :k',
            ExpressionAttributeValues: { ':k': linkKey },
            ProjectionExpression: 'accountId',
            ConsistentRead: true,
            // One more than asked tells whether the key is larger than the limit.
            Limit: limitPerKey + 1,
          }),
        );
        const ids = (out.Items ?? []).map((item) => String(item.accountId));
        result.set(linkKey, { accountIds: ids.slice(0, limitPerKey), truncated: ids.length > limitPerKey });
      }),
    );
    return result;
  }
}
