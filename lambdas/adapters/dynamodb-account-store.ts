import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AccountState } from '../core/account-state';
import { ConcurrentUpdateError, type AccountStore } from '../core/ports';
import { accountItem, fromItem, UNPACKED_ATTRIBUTES } from './account-item-codec';
import { withUnprocessedRetries } from './batch-retry';

const BATCH_GET_LIMIT = 100;

/** The update's REMOVE clause and its names: items written before the memories were packed lose their separate attributes. */
const REMOVE_UNPACKED = `REMOVE ${UNPACKED_ATTRIBUTES.map((n) => `#${n}`).join(', ')}`;
const UNPACKED_NAMES = Object.fromEntries(UNPACKED_ATTRIBUTES.map((n) => [`#${n}`, n]));

/**
 * Account state in the accounts table, one item per account (partition key accountId, so load
 * spreads over accounts). The item is read and written whole: see accountItem for its layout.
 * `status` belongs to the enforcement workflow: the scorer only ever creates it.
 */
export class DynamoDbAccountStore implements AccountStore {
  public constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  public async load(accountIds: readonly string[]): Promise<Map<string, AccountState>> {
    const states = new Map<string, AccountState>();
    for (let i = 0; i < accountIds.length; i += BATCH_GET_LIMIT) {
      const keys = accountIds.slice(i, i + BATCH_GET_LIMIT).map((accountId) => ({ accountId }));
      await withUnprocessedRetries(keys, async (batch) => {
        const out = await this.client.send(
          // Eventually consistent (half the read units): a stale item carries an older version, so
          // its save fails the version condition and the records are delivered again.
          new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: batch, ConsistentRead: false } } }),
        );
        for (const item of out.Responses?.[this.tableName] ?? []) {
          const state = fromItem(item);
          states.set(state.accountId, state);
        }
        return (out.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as typeof batch;
      });
    }
    return states;
  }

  public async save(state: AccountState, expectedVersion: number | undefined): Promise<void> {
    const item = accountItem(state);
    const names = Object.keys(item);
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { accountId: state.accountId },
          UpdateExpression:
            `SET #status = if_not_exists(#status, :active), ${names.map((n) => `#${n} = :${n}`).join(', ')} ` +
            REMOVE_UNPACKED,
          ConditionExpression:
            // A new account may already have an item: the enforcement workflow can suspend it
            // before its first state write lands. Only the scorer sets `version`.
            !expectedVersion ? 'attribute_not_exists(version)' : 'version = :expected',
          ExpressionAttributeNames: {
            '#status': 'status',
            // Every name escaped: some (bucket, tier, ...) are or may become DynamoDB reserved words.
            ...Object.fromEntries(names.map((n) => [`#${n}`, n])),
            ...UNPACKED_NAMES,
          },
          ExpressionAttributeValues: {
            ':active': 'ACTIVE',
            ...Object.fromEntries(names.map((n) => [`:${n}`, item[n]])),
            ...(!expectedVersion ? {} : { ':expected': expectedVersion }),
          },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new ConcurrentUpdateError(state.accountId, { cause: error });
      }
      throw error;
    }
  }
}
