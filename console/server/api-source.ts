import { Sha256 } from '@aws-crypto/sha256-js';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { SignatureV4 } from '@smithy/signature-v4';
import { CASE_STATUSES, type CaseStatus } from '../../lambdas/core/cases/case-record';
import type {
  AccountView,
  CaseDetailResponse,
  CaseListResponse,
  DecisionRequest,
  DecisionResponse,
  StatusCounts,
} from '../shared/api';
import { ConsoleRequestError, type ConsoleSource } from './console-source';

/** Credentials as the signer takes them (an identity or a provider of one). */
type SignerCredentials = ConstructorParameters<typeof SignatureV4>[0]['credentials'];

/** Cases counted per status through the API before the count shows as "at least". */
const API_COUNT_CAP = 5000;

export interface ApiSourceOptions {
  /** The cases API's base URL, stage included: https://<id>.execute-api.<region>.amazonaws.com/v1 */
  readonly url: string;
  /** @default the region in the URL's host, else AWS_REGION */
  readonly region?: string;
  /** @default the SDK's default credential chain */
  readonly credentials?: SignerCredentials;
}

/** The region of an execute-api host name, if it is one. */
export function regionOfApiUrl(url: URL): string | undefined {
  return /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/.exec(url.hostname)?.[1];
}

/**
 * The deployed, IAM-authorized cases API, called by the console's server with the user's own AWS
 * credentials (the default chain), each request signed with SigV4 for execute-api. The browser
 * only talks to the local server: no credential ever reaches it. IAM and the API's handler decide
 * who may do what (a compliance caller gets the API's 403).
 */
export class ApiConsoleSource implements ConsoleSource {
  public readonly mode = 'api' as const;
  public readonly role = null;
  public readonly actor = 'your AWS identity (the API records the caller)';
  public readonly hasAccounts = false;
  public readonly label: string;
  private readonly base: URL;
  private readonly signer: SignatureV4;

  public constructor(options: ApiSourceOptions) {
    let base: URL;
    try {
      base = new URL(options.url.endsWith('/') ? options.url : `${options.url}/`);
    } catch {
      throw new Error(
        `--api ${options.url}: not a URL; pass the cases API URL with its stage, e.g. https://abc123.execute-api.us-east-1.amazonaws.com/v1`,
      );
    }
    if (base.protocol !== 'https:' && !['127.0.0.1', 'localhost', '[::1]'].includes(base.hostname)) {
      throw new Error(
        `--api ${options.url}: use https (credentials-signed requests never go over plain http)`,
      );
    }
    const region = options.region ?? regionOfApiUrl(base) ?? process.env.AWS_REGION;
    if (!region) {
      throw new Error(`--api ${options.url}: cannot tell the region from the host; pass --region`);
    }
    this.base = base;
    this.label = options.url;
    this.signer = new SignatureV4({
      service: 'execute-api',
      region,
      credentials: options.credentials ?? fromNodeProviderChain(),
      sha256: Sha256,
    });
  }

  public async list(query: Readonly<Record<string, string>>): Promise<CaseListResponse> {
    return this.call<CaseListResponse>('GET', 'cases', query);
  }

  public async counts(): Promise<StatusCounts> {
    const counts = {} as Record<CaseStatus, number>;
    const capped: CaseStatus[] = [];
    for (const status of CASE_STATUSES) {
      let n = 0;
      let nextToken: string | undefined;
      do {
        const page = await this.list({ status, limit: '1000', ...(nextToken ? { nextToken } : {}) });
        n += page.cases.length;
        nextToken = page.nextToken;
      } while (nextToken !== undefined && n < API_COUNT_CAP);
      counts[status] = n;
      if (nextToken !== undefined) capped.push(status);
    }
    return { counts, capped };
  }

  public async get(caseId: string): Promise<CaseDetailResponse> {
    return this.call<CaseDetailResponse>('GET', `cases/${encodeURIComponent(caseId)}`);
  }

  public async decide(caseId: string, request: DecisionRequest): Promise<DecisionResponse> {
    return this.call<DecisionResponse>(
      'POST',
      `cases/${encodeURIComponent(caseId)}/status`,
      {},
      {
        status: request.decision,
        reason: request.note,
      },
    );
  }

  public async accounts(): Promise<AccountView[]> {
    throw new ConsoleRequestError(404, 'the cases API serves cases only: account states need --local DIR');
  }

  public async published(): Promise<Array<Record<string, unknown>>> {
    throw new ConsoleRequestError(
      404,
      'the cases API does not serve the bus: the audit chain above lists every change; the events went to EventBridge',
    );
  }

  public async close(): Promise<void> {}

  private async call<T>(
    method: 'GET' | 'POST',
    path: string,
    query: Readonly<Record<string, string>> = {},
    body?: unknown,
  ): Promise<T> {
    const url = new URL(path, this.base);
    const text = body === undefined ? undefined : JSON.stringify(body);
    const signed = await this.signer.sign({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: url.pathname,
      query: { ...query },
      headers: {
        host: url.host,
        accept: 'application/json',
        ...(text !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(text !== undefined ? { body: text } : {}),
    });
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
    const headers = { ...signed.headers };
    // fetch sets Host itself, from the URL it was signed for.
    delete headers.host;
    const response = await fetch(url, { method, headers, ...(text !== undefined ? { body: text } : {}) });
    const answer = (await response.json().catch(() => ({}))) as { message?: string; problems?: string[] };
    if (!response.ok) {
      throw new ConsoleRequestError(
        response.status,
        answer.message ?? `the cases API answered ${response.status}`,
        answer.problems,
      );
    }
    return answer as T;
  }
}
