import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import {
  DescribeTableCommand,
  ResourceNotFoundException,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { documentClient } from '../../lambdas/adapters/aws-clients';
import { fromItem } from '../../lambdas/adapters/dynamodb-account-store';
import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EventBridgeCaseEvents } from '../../lambdas/adapters/eventbridge-case-events';
import { displayStatus } from '../../lambdas/core/account-state';
import { AccessDeniedError, isAllowed } from '../../lambdas/core/cases/case-access';
import { CASE_STATUSES, type CaseStatus } from '../../lambdas/core/cases/case-record';
import { CaseService } from '../../lambdas/core/cases/case-service';
import { systemClock } from '../../lambdas/core/ports';
import { LocalEventBus } from '../../local/local-event-bus';
import { LocalReinstatement } from '../../local/local-reinstatement';
import { openLocalCases, type CaseConnection } from '../../cli/commands/cases';
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

/** The accounts table of a local store, named by its logical id as the stateful stack pins it. */
export const LOCAL_ACCOUNTS_TABLE = 'AccountsTable';
const BUS_NAME = 'cauterize-enforcement';
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
    private readonly service: CaseService,
    private readonly accountStore: DynamoDBDocumentClient | undefined,
    private readonly createReinstatement: (() => LocalReinstatement) | undefined,
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
    const connection = await openLocalCases(options.dir);
    try {
      const bus = new LocalEventBus({ jsonlPath: join(options.dir, 'bus-events.jsonl') });
      const hasAccounts = await tableExists(connection.dynamodb, LOCAL_ACCOUNTS_TABLE);
      // Without the accounts table there is nobody to reinstate: the decision is recorded and
      // published. With it, the workflow is synthesized on the first false positive (seconds of
      // CPU the console's start need not wait for).
      const reinstatement = hasAccounts
        ? () =>
            LocalReinstatement.create({ dynamodb: connection.dynamodb, bus, policyFile: options.policyFile })
        : undefined;
      const service = new CaseService({
        store: connection.store,
        clock: systemClock,
        events: new EventBridgeCaseEvents(bus, BUS_NAME),
      });
      const accountStore = hasAccounts ? documentClient(connection.dynamodb) : undefined;
      return new LocalConsoleSource(options, connection, service, accountStore, reinstatement);
    } catch (error) {
      await connection.close();
      throw error;
    }
  }

  private reinstatement: LocalReinstatement | undefined;

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
    // The stack's rule must be on the bus before CaseUpdated is put on it.
    if (request.decision === 'FALSE_POSITIVE' && this.createReinstatement) {
      this.reinstatement ??= this.createReinstatement();
    }
    const executionsBefore = this.reinstatement?.stateMachine.executions().length ?? 0;
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
    if (request.decision !== 'FALSE_POSITIVE' || !this.reinstatement) return response;
    await this.reinstatement.drain();
    const executions = this.reinstatement.stateMachine.executions().slice(executionsBefore);
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
    await this.reinstatement?.drain();
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
    await this.reinstatement?.drain();
    await this.connection.close();
  }
}

async function tableExists(client: DynamoDBClient, tableName: string): Promise<boolean> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return true;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return false;
    throw error;
  }
}
