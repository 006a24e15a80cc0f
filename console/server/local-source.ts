import { createReadStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DescribeTableCommand, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LOCAL_ACCOUNTS_TABLE, openLocalCases, type CaseConnection } from '../../cli/commands/cases';
import { documentClient } from '../../lambdas/adapters/aws-clients';
import { displayStatus } from '../../lambdas/core/account-state';
import { AccessDeniedError, isAllowed } from '../../lambdas/core/cases/case-access';
import { CASE_STATUSES, type CaseStatus } from '../../lambdas/core/cases/case-record';
import type { CaseService } from '../../lambdas/core/cases/case-service';
import type {
  AccountView,
  CaseDetailResponse,
  CaseListResponse,
  ConsoleRole,
  DecisionRequest,
  DecisionResponse,
  StatusCounts,
} from '../shared/api';
import { ConsoleRequestError, type ConsoleSource } from './console-source';
import { fromItem } from '../../lambdas/adapters/account-item-codec';

/** Cases counted per status before the count shows as "at least". */
export const COUNT_CAP = 20_000;

export interface LocalSourceOptions {
  /** The store folder (`replay --out DIR`, `cases --local DIR`). */
  readonly dir: string;
  readonly role: ConsoleRole;
  readonly actor: string;
  /** @default config/policy.yaml (the policy the reinstatement workflow is synthesized with) */
  readonly policyFile?: string;
}

/**
 * A local cases store: the CasesTable (and, when a replay left it, the AccountsTable) in
 * DIR/dynamodb, read and changed through the same CaseService and role checks as the cases API.
 * A false positive starts the synthesized reinstatement workflow against the store's tables, as the
 * EventBridge rule does on AWS, and the decision answers once it has run.
 */
export class LocalConsoleSource implements ConsoleSource {
  public readonly mode = 'local' as const;
  public readonly label: string;

  private constructor(
    private readonly options: LocalSourceOptions,
    private readonly connection: CaseConnection,
    private readonly accountStore: DynamoDBDocumentClient | undefined,
  ) {
    this.label = options.dir;
  }

  public static async open(options: LocalSourceOptions): Promise<LocalConsoleSource> {
    if (!existsSync(join(options.dir, 'dynamodb'))) {
      throw new Error(
        `${options.dir} holds no cases store (no ${join(options.dir, 'dynamodb')}): pass the folder ` +
          'a replay (--out DIR) or `cases --local DIR` wrote',
      );
    }
    // The connection's service publishes CaseUpdated on a local bus that carries the stack's
    // reinstatement rule, and waits for the workflow, whenever the store has an accounts table.
    const connection = await openLocalCases(options.dir, { create: false, policyFile: options.policyFile });
    try {
      const hasAccounts = await tableExists(connection, LOCAL_ACCOUNTS_TABLE);
      return new LocalConsoleSource(
        options,
        connection,
        hasAccounts ? documentClient(connection.dynamodb) : undefined,
      );
    } catch (error) {
      await connection.close();
      throw error;
    }
  }

  private get service(): CaseService {
    return this.connection.service;
  }

  public get role(): ConsoleRole {
    return this.options.role;
  }

  public get actor(): string {
    return this.options.actor;
  }

  public get hasAccounts(): boolean {
    return this.accountStore !== undefined;
  }

  public async list(query: Readonly<Record<string, string>>): Promise<CaseListResponse> {
    const { limit, nextToken, ...filter } = query;
    return this.service.list(filter, {
      ...(limit !== undefined ? { limit } : {}),
      ...(nextToken !== undefined ? { nextToken } : {}),
    });
  }

  public async counts(): Promise<StatusCounts> {
    const counts = {} as Record<CaseStatus, number>;
    const capped: CaseStatus[] = [];
    for (const status of CASE_STATUSES) {
      let n = 0;
      let nextToken: string | undefined;
      do {
        const page = await this.service.list(
          { status },
          { limit: 1000, ...(nextToken ? { nextToken } : {}) },
        );
        n += page.cases.length;
        nextToken = page.nextToken;
      } while (nextToken !== undefined && n < COUNT_CAP);
      counts[status] = n;
      if (nextToken !== undefined) capped.push(status);
    }
    return { counts, capped };
  }

  public async get(caseId: string): Promise<CaseDetailResponse> {
    const detail = await this.service.get(caseId);
    return { case: detail.record, audit: detail.audit, verification: detail.verification };
  }

  public async decide(caseId: string, request: DecisionRequest): Promise<DecisionResponse> {
    if (!isAllowed(this.options.role, 'changeStatus')) {
      throw new AccessDeniedError(`${this.options.actor} (${this.options.role})`, 'changeStatus');
    }
    const executionsBefore = this.connection.reinstatement?.()?.stateMachine.executions().length ?? 0;
    const outcome = await this.service.changeStatus(
      caseId,
      { status: request.decision, reason: request.note },
      this.options.actor,
    );
    const response: DecisionResponse = {
      case: outcome.record,
      entry: outcome.entry,
      changed: outcome.changed,
    };
    const reinstatement = this.connection.reinstatement?.();
    if (request.decision !== 'FALSE_POSITIVE' || !reinstatement) return response;
    // The service has waited for the workflow; report the runs this decision started.
    const executions = reinstatement.stateMachine.executions().slice(executionsBefore);
    return {
      ...response,
      reinstatement: {
        executions: executions.length,
        failed: executions
          .filter((e) => e.status === 'FAILED')
          .map((e) => ({ name: e.name, error: e.error, cause: e.cause })),
      },
    };
  }

  public async accounts(accountIds: readonly string[]): Promise<AccountView[]> {
    if (!this.accountStore) {
      throw new ConsoleRequestError(
        404,
        `${this.options.dir} has no ${LOCAL_ACCOUNTS_TABLE}: no account states`,
      );
    }
    const items = new Map<string, Record<string, unknown>>();
    const ids = [...new Set(accountIds)];
    for (let i = 0; i < ids.length; i += 100) {
      let keys: Array<Record<string, string>> = ids.slice(i, i + 100).map((accountId) => ({ accountId }));
      while (keys.length > 0) {
        const out = await this.accountStore.send(
          new BatchGetCommand({
            RequestItems: { [LOCAL_ACCOUNTS_TABLE]: { Keys: keys, ConsistentRead: true } },
          }),
        );
        for (const item of out.Responses?.[LOCAL_ACCOUNTS_TABLE] ?? [])
          items.set(String(item.accountId), item);
        keys = (out.UnprocessedKeys?.[LOCAL_ACCOUNTS_TABLE]?.Keys ?? []) as Array<Record<string, string>>;
      }
    }
    return accountIds.flatMap((id) => {
      const item = items.get(id);
      if (!item) return [];
      const s = fromItem(item);
      return [
        {
          accountId: s.accountId,
          status: displayStatus(s),
          riskScore: s.riskScore,
          peakRiskScore: s.peakRiskScore,
          totalRequests: s.totalRequests,
          tier: s.tier,
          orgId: s.orgId,
          reasons: s.reasons,
          // Set by the enforcement workflows on the item, outside the scorer's state.
          suspendedCaseId: typeof item.suspendedCaseId === 'string' ? item.suspendedCaseId : null,
          reinstatement: s.reinstatement
            ? { caseId: s.reinstatement.caseId, reinstatedAt: s.reinstatement.reinstatedAt }
            : null,
        },
      ];
    });
  }

  public async published(caseId: string): Promise<Array<Record<string, unknown>>> {
    await this.connection.reinstatement?.()?.drain();
    const file = join(this.options.dir, 'bus-events.jsonl');
    if (!existsSync(file)) return [];
    const found: Array<Record<string, unknown>> = [];
    const lines = createInterface({
      input: createReadStream(file, { encoding: 'utf8' }),
      crlfDelay: Infinity,
    });
    for await (const line of lines) {
      if (!line.includes(caseId)) continue;
      try {
        const event = JSON.parse(line) as { detail?: { caseId?: unknown } };
        if (event.detail?.caseId === caseId && found.length < 2000)
          found.push(event as Record<string, unknown>);
      } catch {
        // A torn last line of a run that stopped is not an event.
      }
    }
    return found;
  }

  public async close(): Promise<void> {
    await this.connection.close();
  }
}

async function tableExists(connection: CaseConnection, tableName: string): Promise<boolean> {
  try {
    await connection.dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
    return true;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return false;
    throw error;
  }
}
