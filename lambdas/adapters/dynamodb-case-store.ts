import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import {
  AuditConflictError,
  type CaseChanges,
  type CaseStore,
  type CaseWithAudit,
  type NewCase,
} from '../core/cases/case-ports';
import type { ChainHead, ChainHeadSource } from '../core/cases/chain-anchor';
import {
  CaseValidationError,
  filterFingerprint,
  matchesFilter,
  type CaseFilter,
  type CasePage,
  type PageRequest,
} from '../core/cases/case-query';
import {
  AUDIT_SK_PREFIX,
  CASE_SK,
  CASE_STATUSES,
  MEMBER_SK_PREFIX,
  auditFromItem,
  auditSortKey,
  auditToItem,
  caseFromItem,
  caseToItem,
  type AuditEntry,
  type CaseRecord,
} from '../core/cases/case-record';
import { withUnprocessedRetries } from './batch-retry';

/** Index names of the cases table (lib/stateful-stack.ts). */
export const CASES_BY_ACCOUNT_INDEX = 'byAccount';
export const CASES_BY_STATUS_INDEX = 'byStatus';

const BATCH_GET_LIMIT = 100;
const BATCH_WRITE_LIMIT = 25;
/** Items a listing query reads per round trip, at least (filters may discard many). */
const MIN_QUERY_LIMIT = 100;

type Item = Record<string, unknown>;
type Key = Record<string, string>;

/** Which index a listing walks, over which partitions (several when no status is given). */
interface ListPlan {
  readonly index: string;
  readonly partitionAttribute: string;
  readonly partitions: readonly string[];
}

const tokenSchema = z.object({
  v: z.literal(1),
  f: z.string(),
  p: z.number().int().min(0),
  k: z.record(z.string(), z.string()).optional(),
});
type PageToken = z.infer<typeof tokenSchema>;

/**
 * Cases in the cases table (partition key caseId, sort key sk): the CASE item, MEMBER# items of
 * cluster cases and the AUDIT# trail. Listings walk the byAccount or byStatus index by openedAt
 * and return exact pages: a page token is the index key of the last case returned.
 */
export class DynamoDbCaseStore implements CaseStore, ChainHeadSource {
  public constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** The table's name (recorded in chain anchors). */
  public get table(): string {
    return this.tableName;
  }

  /**
   * Every case's chain head, from a strongly consistent Scan of the CASE items (the base table,
   * not an index: an index may lag behind the latest entry), page by page.
   */
  public async *heads(): AsyncGenerator<ChainHead & { readonly openedAt: string }> {
    let exclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new ScanCommand({
          TableName: this.tableName,
          ConsistentRead: true,
          FilterExpression: 'sk = :case',
          ProjectionExpression: 'caseId, sk, #status, openedAt, lastAuditSeq, lastAuditHash',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':case': CASE_SK },
          ExclusiveStartKey: exclusiveStartKey,
        }),
      );
      for (const item of page.Items ?? []) {
        yield {
          caseId: String(item.caseId),
          status: item.status as ChainHead['status'],
          openedAt: String(item.openedAt ?? ''),
          lastAuditSeq: typeof item.lastAuditSeq === 'number' ? item.lastAuditSeq : 0,
          lastAuditHash: typeof item.lastAuditHash === 'string' ? item.lastAuditHash : '',
        };
      }
      exclusiveStartKey = page.LastEvaluatedKey;
    } while (exclusiveStartKey !== undefined);
  }

  public async get(caseId: string): Promise<CaseRecord | undefined> {
    const out = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { caseId, sk: CASE_SK }, ConsistentRead: true }),
    );
    return out.Item ? caseFromItem(out.Item) : undefined;
  }

  public async getWithAudit(caseId: string): Promise<CaseWithAudit | undefined> {
    let record: CaseRecord | undefined;
    const audit: AuditEntry[] = [];
    let startKey: Item | undefined;
    do {
      const out = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'caseId = :caseId',
          ExpressionAttributeValues: { ':caseId': caseId },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of out.Items ?? []) {
        if (item.sk === CASE_SK) record = caseFromItem(item);
        else if (String(item.sk).startsWith(AUDIT_SK_PREFIX)) audit.push(auditFromItem(item));
      }
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return record ? { record, audit: audit.sort((a, b) => a.seq - b.seq) } : undefined;
  }

  public async list(filter: CaseFilter, page: PageRequest): Promise<CasePage> {
    const plan = planListing(filter);
    const fingerprint = filterFingerprint(filter);
    let cursor: PageToken = page.nextToken
      ? decodeToken(page.nextToken, fingerprint, plan)
      : { v: 1, f: fingerprint, p: 0 };
    const cases: CaseRecord[] = [];
    while (cases.length < page.limit && cursor.p < plan.partitions.length) {
      const remaining = page.limit - cases.length;
      const out = await this.client.send(
        new QueryCommand({
          ...listQuery(this.tableName, plan, plan.partitions[cursor.p]!, filter),
          ExclusiveStartKey: cursor.k,
          Limit: Math.min(1000, Math.max(remaining, MIN_QUERY_LIMIT)),
        }),
      );
      const matches = await this.matchingCases(out.Items ?? [], filter);
      const taken = matches.slice(0, remaining);
      cases.push(...taken.map((m) => m.record));
      const lastTaken = taken[taken.length - 1];
      if (matches.length > remaining && lastTaken) {
        // Stopped inside this response: resume right after the last case returned.
        cursor = { ...cursor, k: indexKey(lastTaken.item, plan) };
      } else if (out.LastEvaluatedKey) {
        cursor = { ...cursor, k: out.LastEvaluatedKey as Key };
      } else {
        cursor = { v: 1, f: fingerprint, p: cursor.p + 1 };
      }
    }
    return cursor.p < plan.partitions.length ? { cases, nextToken: encodeToken(cursor) } : { cases };
  }

  public async append(entry: AuditEntry, changes: CaseChanges): Promise<void> {
    await this.putAuditEntry(entry);
    const names: Record<string, string> = {};
    const values: Item = { ':seq': entry.seq, ':hash': entry.hash, ':at': entry.at, ':prev': entry.seq - 1 };
    const sets = ['lastAuditSeq = :seq', 'lastAuditHash = :hash', 'updatedAt = :at'];
    if (changes.status !== undefined) {
      names['#status'] = 'status';
      values[':status'] = changes.status;
      sets.push('#status = :status');
    }
    if (changes.assignee !== undefined) {
      values[':assignee'] = changes.assignee;
      sets.push('assignee = :assignee');
    }
    if (changes.note !== undefined) {
      values[':note'] = [changes.note];
      values[':none'] = [];
      sets.push('notes = list_append(if_not_exists(notes, :none), :note)');
    }
    if (changes.archive !== undefined) {
      names['#archive'] = 'archive';
      values[':archive'] = changes.archive;
      sets.push('#archive = :archive');
    }
    // Cases opened before lastAuditSeq existed hold only their opening entry.
    const condition =
      entry.seq === 1
        ? 'sk = :caseSk AND (lastAuditSeq = :prev OR attribute_not_exists(lastAuditSeq))'
        : 'sk = :caseSk AND lastAuditSeq = :prev';
    values[':caseSk'] = CASE_SK;
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { caseId: entry.caseId, sk: CASE_SK },
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: condition,
          ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new AuditConflictError(entry.caseId, entry.seq, { cause: error });
      }
      throw error;
    }
  }

  public async create(cases: readonly NewCase[]): Promise<void> {
    for (const newCase of cases) {
      try {
        await this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: caseToItem(newCase.record),
            ConditionExpression: 'attribute_not_exists(caseId)',
          }),
        );
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) continue;
        throw error;
      }
      await this.putAuditEntry(newCase.opening);
      await this.batchWrite(memberItems(newCase.record));
    }
  }

  /**
   * Writes cases with BatchWriteItem, `concurrency` batches at a time, overwriting what is there:
   * for imports into an empty table and for seeding tests, where conditional puts are too slow.
   */
  public async importCases(
    cases: ReadonlyArray<{ readonly record: CaseRecord; readonly opening?: AuditEntry }>,
    concurrency = 8,
  ): Promise<void> {
    const items = cases.flatMap((c) => [
      caseToItem(c.record),
      ...(c.opening ? [auditToItem(c.opening)] : []),
      ...memberItems(c.record),
    ]);
    const batches: Item[][] = [];
    for (let i = 0; i < items.length; i += BATCH_WRITE_LIMIT)
      batches.push(items.slice(i, i + BATCH_WRITE_LIMIT));
    let next = 0;
    const worker = async () => {
      while (next < batches.length) await this.batchWrite(batches[next++]!);
    };
    await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  }

  private async putAuditEntry(entry: AuditEntry): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: auditToItem(entry),
          ConditionExpression: 'attribute_not_exists(caseId)',
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // The same entry written before (a retry, or a writer that stopped before updating the
      // case) is fine; a different one means another writer took this seq.
      const out = await this.client.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { caseId: entry.caseId, sk: auditSortKey(entry.seq) },
          ConsistentRead: true,
        }),
      );
      if (out.Item?.hash !== entry.hash)
        throw new AuditConflictError(entry.caseId, entry.seq, { cause: error });
    }
  }

  private async batchWrite(items: readonly Item[]): Promise<void> {
    // BatchWriteItem takes 25 items; a cluster case of 400 members has 400 member items.
    if (items.length > BATCH_WRITE_LIMIT) {
      for (let i = 0; i < items.length; i += BATCH_WRITE_LIMIT) {
        await this.batchWrite(items.slice(i, i + BATCH_WRITE_LIMIT));
      }
      return;
    }
    if (items.length === 0) return;
    await withUnprocessedRetries(
      items.map((Item) => ({ PutRequest: { Item } })),
      async (batch) => {
        const out = await this.client.send(
          new BatchWriteCommand({ RequestItems: { [this.tableName]: batch } }),
        );
        return (out.UnprocessedItems?.[this.tableName] ?? []) as typeof batch;
      },
    );
  }

  /** Index items -> cases matching the filter, in index order (MEMBER items read their case). */
  private async matchingCases(
    items: readonly Item[],
    filter: CaseFilter,
  ): Promise<Array<{ item: Item; record: CaseRecord }>> {
    const memberCaseIds = [...new Set(items.filter((i) => i.sk !== CASE_SK).map((i) => String(i.caseId)))];
    const memberCases = await this.batchGetCases(memberCaseIds);
    const matches: Array<{ item: Item; record: CaseRecord }> = [];
    for (const item of items) {
      const sk = String(item.sk);
      const record =
        sk === CASE_SK
          ? caseFromItem(item)
          : sk.startsWith(MEMBER_SK_PREFIX)
            ? memberCases.get(String(item.caseId))
            : undefined;
      if (record && matchesFilter(record, filter)) matches.push({ item, record });
    }
    return matches;
  }

  private async batchGetCases(caseIds: readonly string[]): Promise<Map<string, CaseRecord>> {
    const found = new Map<string, CaseRecord>();
    for (let i = 0; i < caseIds.length; i += BATCH_GET_LIMIT) {
      const keys = caseIds.slice(i, i + BATCH_GET_LIMIT).map((caseId) => ({ caseId, sk: CASE_SK }));
      await withUnprocessedRetries(keys, async (batch) => {
        const out = await this.client.send(
          new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: batch } } }),
        );
        for (const item of out.Responses?.[this.tableName] ?? []) {
          const record = caseFromItem(item);
          found.set(record.caseId, record);
        }
        return (out.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as typeof batch;
      });
    }
    return found;
  }
}

function memberItems(record: CaseRecord): Item[] {
  if (record.kind !== 'cluster') return [];
  return record.accountIds.map((accountId) => ({
    caseId: record.caseId,
    sk: `${MEMBER_SK_PREFIX}${accountId}`,
    accountId,
    openedAt: record.openedAt,
    kind: 'cluster-member',
  }));
}

/** By account when one is given (cluster cases through their MEMBER items), else by status. */
function planListing(filter: CaseFilter): ListPlan {
  if (filter.accountId !== undefined) {
    return { index: CASES_BY_ACCOUNT_INDEX, partitionAttribute: 'accountId', partitions: [filter.accountId] };
  }
  return {
    index: CASES_BY_STATUS_INDEX,
    partitionAttribute: 'status',
    partitions: filter.status !== undefined ? [filter.status] : CASE_STATUSES,
  };
}

function listQuery(
  tableName: string,
  plan: ListPlan,
  partition: string,
  filter: CaseFilter,
): QueryCommandInput {
  const names: Record<string, string> = { '#pk': plan.partitionAttribute };
  if (filter.from !== undefined || filter.to !== undefined) names['#opened'] = 'openedAt';
  const values: Item = { ':pk': partition };
  let keyCondition = '#pk = :pk';
  // `to` is exclusive; the key condition includes it and matchesFilter drops an exact match.
  if (filter.from !== undefined && filter.to !== undefined) {
    keyCondition += ' AND #opened BETWEEN :from AND :to';
    values[':from'] = filter.from;
    values[':to'] = filter.to;
  } else if (filter.from !== undefined) {
    keyCondition += ' AND #opened >= :from';
    values[':from'] = filter.from;
  } else if (filter.to !== undefined) {
    keyCondition += ' AND #opened <= :to';
    values[':to'] = filter.to;
  }
  // Narrow server-side what the index key does not; MEMBER items carry none of these, so the
  // account listing filters after reading their cases.
  const filters: string[] = [];
  if (plan.index === CASES_BY_STATUS_INDEX) {
    const narrow = {
      kind: filter.kind,
      clusterId: filter.clusterId,
      policyVersion: filter.policyVersion,
      action: filter.action,
    };
    for (const [attribute, value] of Object.entries(narrow)) {
      if (value === undefined) continue;
      names[`#${attribute}`] = attribute;
      values[`:${attribute}`] = value;
      filters.push(`#${attribute} = :${attribute}`);
    }
    if (filter.minScore !== undefined || filter.maxScore !== undefined) {
      names['#score'] = 'riskScore';
      values[':minScore'] = filter.minScore ?? 0;
      values[':maxScore'] = filter.maxScore ?? 100;
      filters.push('#score BETWEEN :minScore AND :maxScore');
    }
  }
  return {
    TableName: tableName,
    IndexName: plan.index,
    KeyConditionExpression: keyCondition,
    ...(filters.length > 0 ? { FilterExpression: filters.join(' AND ') } : {}),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/** The ExclusiveStartKey that resumes an index query right after `item`. */
function indexKey(item: Item, plan: ListPlan): Key {
  return {
    caseId: String(item.caseId),
    sk: String(item.sk),
    [plan.partitionAttribute]: String(item[plan.partitionAttribute]),
    openedAt: String(item.openedAt),
  };
}

function encodeToken(token: PageToken): string {
  return Buffer.from(JSON.stringify(token), 'utf8').toString('base64url');
}

function decodeToken(text: string, fingerprint: string, plan: ListPlan): PageToken {
  let parsed: ReturnType<typeof tokenSchema.safeParse> | undefined;
  try {
    parsed = tokenSchema.safeParse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
  } catch {
    parsed = undefined;
  }
  if (!parsed?.success || parsed.data.p >= plan.partitions.length) {
    throw new CaseValidationError([
      'nextToken: not a token from a previous page of this listing: pass it unchanged, or start without it',
    ]);
  }
  if (parsed.data.f !== fingerprint) {
    throw new CaseValidationError([
      'nextToken: belongs to a listing with other filters: repeat the same filters, or start without it',
    ]);
  }
  return parsed.data;
}
