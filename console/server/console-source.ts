import type {
  AccountView,
  CaseDetailResponse,
  CaseListResponse,
  ConsoleRole,
  DecisionRequest,
  DecisionResponse,
  StatusCounts,
} from '../shared/api';

/** Where the console reads cases from and sends decisions to: a local store or the cases API. */
export interface ConsoleSource {
  readonly mode: 'local' | 'api';
  /** The folder or URL, as the user gave it. */
  readonly label: string;
  /** Local mode: the role decisions are checked against. API mode: null (IAM decides). */
  readonly role: ConsoleRole | null;
  /** Who decisions are recorded as (local mode); API mode: the caller's IAM identity. */
  readonly actor: string;
  /** Whether account states can be read (a local store with an accounts table). */
  readonly hasAccounts: boolean;

  /** GET /cases with the API's query parameters (filters, limit, nextToken). */
  list(query: Readonly<Record<string, string>>): Promise<CaseListResponse>;
  counts(): Promise<StatusCounts>;
  get(caseId: string): Promise<CaseDetailResponse>;
  decide(caseId: string, request: DecisionRequest): Promise<DecisionResponse>;
  accounts(accountIds: readonly string[]): Promise<AccountView[]>;
  /** The events published about a case (CaseOpened, AccountSuspended, CaseUpdated, AccountReinstated). */
  published(caseId: string): Promise<Array<Record<string, unknown>>>;
  close(): Promise<void>;
}

/** An error with the HTTP status the console answers with. */
export class ConsoleRequestError extends Error {
  public constructor(
    public readonly statusCode: number,
    message: string,
    public readonly problems?: readonly string[],
  ) {
    super(message);
    this.name = 'ConsoleRequestError';
  }
}
