import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AccountState } from '../core/account-state';
import { reinstatementFromItem } from '../core/lifecycle/protection';
import { ENFORCEMENT_ACTIONS, type EnforcementAction } from '../core/policy/policy';
import { ConcurrentUpdateError, type AccountStore } from '../core/ports';
import type { TemplateBandCount } from '../core/scoring/signals/template-reuse';
import type { TopicSeen } from '../core/scoring/signals/topic-coverage';
import { BUCKET_COUNTERS, emptyBucket, type HourBucket } from '../core/scoring/window';
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
            'buckets = :buckets, recentTopics = :topics, templateBands = :bands, recurringTemplateBands = :recurring, ' +
            'riskScore = :score, peakRiskScore = :peak, band = :band, reasons = :reasons, policyVersion = :pv, ' +
            'crossings = :crossings, requestedCrossing = :requested, requestedAction = :requestedAction, ' +
            'shadowedAction = :shadowedAction, requestedClearance = :requestedClearance, watermarks = :watermarks, ' +
            'recentEventIds = :recent, linkKeys = :links, asns = :asns, version = :version',
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
            ':buckets': encodeBuckets(state.buckets),
            ':topics': encodeTopics(state.recentTopics),
            ':bands': encodeTemplateBands(state.templateBands),
            ':recurring': state.recurringTemplateBands.join(','),
            ':score': state.riskScore,
            ':peak': state.peakRiskScore,
            ':band': state.band,
            ':reasons': state.reasons,
            ':pv': state.policyVersion,
            ':crossings': state.crossings,
            ':requested': state.requestedCrossing,
            // null (not absent) when no action is pending, so an episode's end is written too.
            ':requestedAction': state.requestedAction ?? null,
            ':shadowedAction': state.shadowedAction ?? null,
            ':requestedClearance': state.requestedClearance ?? null,
            ':watermarks': state.watermarks,
            ':recent': state.recentEventIds.join(','),
            ':links': state.linkKeys,
            ':asns': state.asns.join(','),
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
    buckets: decodeBuckets(str('buckets', '[]')),
    recentTopics: decodeTopics(str('recentTopics')),
    templateBands: decodeTemplateBands(str('templateBands')),
    recurringTemplateBands: splitList(str('recurringTemplateBands')),
    riskScore: num('riskScore'),
    peakRiskScore: Math.max(num('peakRiskScore'), num('riskScore')),
    band: (str('band', 'NORMAL') as AccountState['band']) || 'NORMAL',
    reasons: (Array.isArray(item.reasons) ? item.reasons : []) as AccountState['reasons'],
    policyVersion: str('policyVersion'),
    crossings: num('crossings'),
    requestedCrossing: num('requestedCrossing'),
    ...enforcementActions(item),
    watermarks: (item.watermarks ?? {}) as Record<string, string>,
    recentEventIds: recent ? recent.split(',') : [],
    linkKeys: (Array.isArray(item.linkKeys) ? item.linkKeys : []) as string[],
    asns: splitList(str('asns')).map(Number),
    version: num('version'),
    ...withReinstatement(item),
  };
}

/** The actions requested in the account's current enforcement episode (absent or null: none). */
function enforcementActions(
  item: Record<string, unknown>,
): Pick<AccountState, 'requestedAction' | 'shadowedAction' | 'requestedClearance'> {
  const action = (key: string) =>
    typeof item[key] === 'string' && ENFORCEMENT_ACTIONS.includes(item[key] as EnforcementAction)
      ? { [key]: item[key] as EnforcementAction }
      : {};
  const clearance =
    typeof item.requestedClearance === 'string' ? { requestedClearance: item.requestedClearance } : {};
  return { ...action('requestedAction'), ...action('shadowedAction'), ...clearance };
}

/** The clearance the reinstatement workflow recorded on the item, if any. */
function withReinstatement(item: Record<string, unknown>): Pick<AccountState, 'reinstatement'> {
  const reinstatement = reinstatementFromItem(item);
  return reinstatement ? { reinstatement } : {};
}

/*
 * Compact encodings: the account item is read and written whole once per batch, so its size is
 * the write cost. Hours and counts are base 36; every decoder accepts what older items hold.
 */

/** Buckets as rows `[h, n, cap, ...]` in BUCKET_COUNTERS order, trailing zeros dropped. */
export function encodeBuckets(buckets: readonly HourBucket[]): string {
  return JSON.stringify(
    buckets.map((b) => {
      const row = [b.h, ...BUCKET_COUNTERS.map((key) => b[key])];
      while (row.length > 2 && row[row.length - 1] === 0) row.pop();
      return row;
    }),
  );
}

/** Reads rows, and the `{ h, n, ... }` objects of items written before rows; missing counters are 0. */
export function decodeBuckets(text: string): HourBucket[] {
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed)) return [];
  return parsed.map((raw: unknown) => {
    const row = Array.isArray(raw) ? raw : null;
    const named = !row && raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
    const h = Number(row ? row[0] : named.h);
    const bucket = emptyBucket(Number.isFinite(h) ? h : 0);
    BUCKET_COUNTERS.forEach((key, i) => {
      const value = row ? row[i + 1] : named[key];
      bucket[key] = typeof value === 'number' ? value : 0;
    });
    return bucket;
  });
}

const splitList = (text: string): string[] => (text ? text.split(',') : []);
const base36 = (text: string | undefined): number => (text ? parseInt(text, 36) : Number.NaN);

/**
 * "<latest hour, base 36>;<entry>,<entry>,...", each entry "<key>/.../<hours before the latest>":
 * hours within the window take one or two characters instead of four.
 */
function encodeHourList(
  entries: ReadonlyArray<{ readonly fields: readonly string[]; readonly hour: number }>,
): string {
  if (entries.length === 0) return '';
  const latest = Math.max(...entries.map((e) => e.hour));
  const body = entries.map((e) => [...e.fields, (latest - e.hour).toString(36)].join('/')).join(',');
  return `${latest.toString(36)};${body}`;
}

function decodeHourList(text: string, fields: number): Array<{ fields: string[]; hour: number }> {
  const split = text.indexOf(';');
  const latest = base36(text.slice(0, split));
  if (split < 0 || !Number.isFinite(latest)) return [];
  return splitList(text.slice(split + 1)).flatMap((entry) => {
    const parts = entry.split('/');
    const age = base36(parts[fields]);
    return parts.length === fields + 1 && parts.every(Boolean) && Number.isFinite(age)
      ? [{ fields: parts.slice(0, fields), hour: latest - age }]
      : [];
  });
}

export function encodeTopics(topics: readonly TopicSeen[]): string {
  return encodeHourList(topics.map(([key, hour]) => ({ fields: [key], hour })));
}

export function decodeTopics(text: string): TopicSeen[] {
  return decodeHourList(text, 1).map(({ fields: [key = ''], hour }) => [key, hour] as const);
}

/** Entries "<band key>/<count, base 36>/<age>". */
export function encodeTemplateBands(bands: readonly TemplateBandCount[]): string {
  return encodeHourList(bands.map(([key, count, hour]) => ({ fields: [key, count.toString(36)], hour })));
}

export function decodeTemplateBands(text: string): TemplateBandCount[] {
  return decodeHourList(text, 2).flatMap(({ fields: [key = '', count], hour }) => {
    const c = base36(count);
    return Number.isFinite(c) ? [[key, c, hour] as const] : [];
  });
}
