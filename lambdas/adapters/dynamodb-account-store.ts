import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AccountState } from '../core/account-state';
import { ConcurrentUpdateError, type AccountStore } from '../core/ports';
import type { HourBucket } from '../core/scoring/window';
import { withUnprocessedRetries } from './batch-retry';

const BATCH_GET_LIMIT = 100;

/**
 * Account state in the accounts table, one item per account (partition key accountId, so load
 * spreads over accounts). Hour buckets are stored as compact JSON: they are read and written whole.
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
          new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: batch, ConsistentRead: true } } }),
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
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { accountId: state.accountId },
          UpdateExpression:
            'SET #status = if_not_exists(#status, :active), tier = :tier, orgId = :orgId, ' +
            'emailDomain = :emailDomain, clusterId = :clusterId, ' +
            'accountCreatedAt = :created, firstEventAt = :first, lastEventAt = :last, totalRequests = :total, ' +
            'buckets = :buckets, riskScore = :score, band = :band, reasons = :reasons, policyVersion = :pv, ' +
            'crossings = :crossings, requestedCrossing = :requested, watermarks = :watermarks, ' +
            'recentEventIds = :recent, linkKeys = :links, version = :version',
          ConditionExpression:
            // A new account may already have an item: the enforcement workflow can suspend it
            // before its first state write lands. Only the scorer sets `version`.
            !expectedVersion ? 'attribute_not_exists(version)' : 'version = :expected',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':active': 'ACTIVE',
            ':tier': state.tier,
            ':orgId': state.orgId,
            ':emailDomain': state.emailDomain,
            ':clusterId': state.clusterId,
            ':created': state.accountCreatedAt,
            ':first': state.firstEventAt,
            ':last': state.lastEventAt,
            ':total': state.totalRequests,
            ':buckets': JSON.stringify(state.buckets),
            ':score': state.riskScore,
            ':band': state.band,
            ':reasons': state.reasons,
            ':pv': state.policyVersion,
            ':crossings': state.crossings,
            ':requested': state.requestedCrossing,
            ':watermarks': state.watermarks,
            ':recent': state.recentEventIds.join(','),
            ':links': state.linkKeys,
            ':version': state.version,
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

/** Reads an accounts-table item back into state (also used by exports of the table). */
export function fromItem(item: Record<string, unknown>): AccountState {
  const str = (key: string, fallback = ''): string =>
    typeof item[key] === 'string' ? (item[key] as string) : fallback;
  const num = (key: string): number => (typeof item[key] === 'number' ? (item[key] as number) : 0);
  const recent = str('recentEventIds');
  return {
    accountId: str('accountId'),
    tier: str('tier', 'free') as AccountState['tier'],
    orgId: typeof item.orgId === 'string' ? item.orgId : null,
    emailDomain: typeof item.emailDomain === 'string' ? item.emailDomain : null,
    clusterId: typeof item.clusterId === 'string' ? item.clusterId : null,
    accountCreatedAt: str('accountCreatedAt'),
    status: item.status === 'SUSPENDED' ? 'SUSPENDED' : 'ACTIVE',
    firstEventAt: str('firstEventAt'),
    lastEventAt: str('lastEventAt'),
    totalRequests: num('totalRequests'),
    buckets: JSON.parse(str('buckets', '[]')) as HourBucket[],
    riskScore: num('riskScore'),
    band: (str('band', 'NORMAL') as AccountState['band']) || 'NORMAL',
    reasons: (Array.isArray(item.reasons) ? item.reasons : []) as AccountState['reasons'],
    policyVersion: str('policyVersion'),
    crossings: num('crossings'),
    requestedCrossing: num('requestedCrossing'),
    watermarks: (item.watermarks ?? {}) as Record<string, string>,
    recentEventIds: recent ? recent.split(',') : [],
    linkKeys: (Array.isArray(item.linkKeys) ? item.linkKeys : []) as string[],
    version: num('version'),
  };
}
