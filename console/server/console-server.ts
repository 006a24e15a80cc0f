import { randomBytes, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { AccessDeniedError } from '../../lambdas/core/cases/case-access';
import { AuditConflictError, CaseNotFoundError, StaleCaseError } from '../../lambdas/core/cases/case-ports';
import { CaseValidationError } from '../../lambdas/core/cases/case-query';
import { InvalidTransitionError } from '../../lambdas/core/cases/status-transitions';
import { EvaluationError } from '../../sim/evaluation';
import { EvaluationInputError } from '../../sim/evaluation-files';
import { CSRF_HEADER, type DecisionRequest, type EvaluationReport, type SessionInfo } from '../shared/api';
import { ConsoleRequestError, type ConsoleSource } from './console-source';
import type { EventFile } from './event-file';

/** Where the built browser bundle lives (console/build.ts writes it; npm ci builds it). */
export const CONSOLE_ASSETS_DIR = join(__dirname, '..', 'dist');

/**
 * The console's Content Security Policy: only the server's own script, style and API; no inline
 * script or style, no eval, no framing, no plug-ins. Data drawn from events is set as text.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const MAX_BODY_BYTES = 16 * 1024;

export interface ConsoleServerOptions {
  readonly source: ConsoleSource;
  /** The replayed event file, for sample events and members' requests. */
  readonly events?: EventFile;
  /** The evaluation of a replay against its truth file, computed on first request. */
  readonly evaluation?: () => Promise<EvaluationReport>;
  /** @default 0: any free port */
  readonly port?: number;
  /** @default CONSOLE_ASSETS_DIR */
  readonly assetsDir?: string;
  /** Request errors that are not the user's (5xx) go here. @default stderr */
  readonly log?: (message: string) => void;
}

interface Asset {
  readonly type: string;
  readonly body: Buffer;
}

/**
 * The console's local web server, on 127.0.0.1 only. It serves the bundled single-page app and a
 * small JSON API over the chosen source. Protections: a strict CSP on every answer; requests must
 * name this server as Host (no DNS rebinding); state-changing requests must carry the session's
 * CSRF token in a header (a cross-site form cannot set one, and no other origin can read the token)
 * and, when the browser sends one, an Origin of this server.
 */
export class ConsoleServer {
  public readonly csrfToken = randomBytes(32).toString('base64url');
  private readonly server: Server;
  private readonly assets: ReadonlyMap<string, Asset>;
  private evaluationReport: Promise<EvaluationReport> | undefined;
  private port = 0;

  private constructor(private readonly options: ConsoleServerOptions) {
    this.assets = loadAssets(options.assetsDir ?? CONSOLE_ASSETS_DIR);
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => this.fail(response, error));
    });
  }

  public static async start(options: ConsoleServerOptions): Promise<ConsoleServer> {
    const console = new ConsoleServer(options);
    console.server.listen(options.port ?? 0, '127.0.0.1');
    await Promise.race([
      once(console.server, 'listening'),
      once(console.server, 'error').then(([error]) => Promise.reject(error as Error)),
    ]);
    console.port = (console.server.address() as AddressInfo).port;
    return console;
  }

  public get url(): string {
    return `http://127.0.0.1:${this.port}/`;
  }

  public async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.options.source.close();
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const allowedHosts = [`127.0.0.1:${this.port}`, `localhost:${this.port}`];
    if (!allowedHosts.includes(request.headers.host ?? '')) {
      return this.json(response, 421, { message: `this console answers to ${allowedHosts[0]} only` });
    }
    const url = new URL(request.url ?? '/', `http://${request.headers.host}`);
    const method = request.method ?? 'GET';
    if (method === 'GET' && !url.pathname.startsWith('/api/')) return this.asset(response, url.pathname);
    if (method === 'POST') {
      this.checkStateChange(request);
      const decision = /^\/api\/cases\/([^/]+)\/decision$/.exec(url.pathname);
      if (decision) {
        const body = (await readJson(request)) as Partial<DecisionRequest>;
        if (body.decision !== 'CONFIRMED' && body.decision !== 'FALSE_POSITIVE') {
          throw new CaseValidationError([
            `decision: expected CONFIRMED or FALSE_POSITIVE (got ${JSON.stringify(body.decision)})`,
          ]);
        }
        if (typeof body.note !== 'string') throw new CaseValidationError(['note: expected the note text']);
        const caseId = decodeURIComponent(decision[1]!);
        return this.json(
          response,
          200,
          await this.options.source.decide(caseId, { decision: body.decision, note: body.note }),
        );
      }
      return this.json(response, 404, { message: `no route POST ${url.pathname}` });
    }
    if (method !== 'GET') return this.json(response, 405, { message: `${method} is not served` });
    const { source } = this.options;
    const caseMatch = /^\/api\/cases\/([^/]+)$/.exec(url.pathname);
    const publishedMatch = /^\/api\/cases\/([^/]+)\/published$/.exec(url.pathname);
    switch (true) {
      case url.pathname === '/api/session':
        return this.json(response, 200, this.session());
      case url.pathname === '/api/cases': {
        const page = await source.list(Object.fromEntries(url.searchParams));
        // The queue shows no evidence, and a 400-member cluster's is 60 KB: listings leave it out.
        const cases = page.cases.map((c) => ({ ...c, evidence: {} }));
        return this.json(response, 200, { ...page, cases });
      }
      case url.pathname === '/api/counts':
        return this.json(response, 200, await source.counts());
      case caseMatch !== null:
        return this.json(response, 200, await source.get(decodeURIComponent(caseMatch[1]!)));
      case publishedMatch !== null:
        return this.json(response, 200, {
          events: await source.published(decodeURIComponent(publishedMatch[1]!)),
        });
      case url.pathname === '/api/accounts': {
        const ids = (url.searchParams.get('ids') ?? '').split(',').filter(Boolean).slice(0, 1000);
        return this.json(response, 200, { accounts: await source.accounts(ids) });
      }
      case url.pathname === '/api/events':
        return this.json(response, 200, { events: await this.events(url.searchParams) });
      case url.pathname === '/api/evaluation': {
        if (!this.options.evaluation) {
          throw new ConsoleRequestError(
            404,
            'no evaluation: start the console with --truth FILE (and --results DIR)',
          );
        }
        // Computed once; a failed attempt (a file being written, say) is tried again next time.
        this.evaluationReport ??= this.options.evaluation().catch((error: unknown) => {
          this.evaluationReport = undefined;
          throw error;
        });
        return this.json(response, 200, await this.evaluationReport);
      }
      default:
        return this.json(response, 404, { message: `no route GET ${url.pathname}` });
    }
  }

  private session(): SessionInfo {
    const { source } = this.options;
    return {
      mode: source.mode,
      source: source.label,
      role: source.role,
      actor: source.actor,
      csrfToken: this.csrfToken,
      evaluation: this.options.evaluation !== undefined,
      accounts: source.hasAccounts,
    };
  }

  private async events(params: URLSearchParams) {
    const file = this.options.events;
    if (!file)
      throw new ConsoleRequestError(404, 'no event file: pass --events FILE (a replay folder names its own)');
    const limit = Math.min(50, Math.max(1, Number(params.get('limit') ?? '10') || 10));
    const account = params.get('account');
    if (account) return file.ofAccount(account, limit);
    const ids = (params.get('ids') ?? '').split(',').filter(Boolean).slice(0, 50);
    return ids.length > 0 ? file.byIds(ids) : [];
  }

  private checkStateChange(request: IncomingMessage): void {
    const sent = request.headers[CSRF_HEADER];
    const expected = Buffer.from(this.csrfToken);
    if (
      typeof sent !== 'string' ||
      sent.length !== this.csrfToken.length ||
      !timingSafeEqual(Buffer.from(sent), expected)
    ) {
      throw new ConsoleRequestError(403, `missing or wrong ${CSRF_HEADER} token: reload the console`);
    }
    const origin = request.headers.origin;
    if (
      origin !== undefined &&
      origin !== `http://127.0.0.1:${this.port}` &&
      origin !== `http://localhost:${this.port}`
    ) {
      throw new ConsoleRequestError(403, `requests from ${origin} may not change cases`);
    }
    if (!(request.headers['content-type'] ?? '').startsWith('application/json')) {
      throw new ConsoleRequestError(415, 'send the decision as application/json');
    }
  }

  private asset(response: ServerResponse, pathname: string): void {
    const asset = this.assets.get(pathname === '/' ? '/index.html' : pathname);
    if (!asset) return this.json(response, 404, { message: `no such page ${pathname}` });
    response.writeHead(200, {
      ...securityHeaders(),
      'content-type': asset.type,
      'cache-control': 'no-cache',
    });
    response.end(asset.body);
  }

  private json(response: ServerResponse, status: number, body: unknown): void {
    response.writeHead(status, {
      ...securityHeaders(),
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
    });
    response.end(JSON.stringify(body));
  }

  private fail(response: ServerResponse, error: unknown): void {
    const [status, message, problems] = errorAnswer(error);
    if (status >= 500)
      (this.options.log ?? ((m) => process.stderr.write(`${m}\n`)))(
        `console: ${(error as Error).stack ?? String(error)}`,
      );
    if (response.headersSent) {
      response.destroy();
      return;
    }
    this.json(response, status, { message, ...(problems ? { problems } : {}) });
  }
}

function errorAnswer(error: unknown): [number, string, readonly string[] | undefined] {
  if (error instanceof ConsoleRequestError) return [error.statusCode, error.message, error.problems];
  if (error instanceof CaseValidationError) return [400, error.message, error.problems];
  if (error instanceof AccessDeniedError) return [403, error.message, undefined];
  if (error instanceof CaseNotFoundError) return [404, error.message, undefined];
  if (error instanceof EvaluationInputError || error instanceof EvaluationError) {
    return [422, error.message, undefined];
  }
  if (
    error instanceof InvalidTransitionError ||
    error instanceof StaleCaseError ||
    error instanceof AuditConflictError
  ) {
    return [409, error.message, undefined];
  }
  return [500, 'the console server failed; see its terminal', undefined];
}

function securityHeaders(): Record<string, string> {
  return {
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
  };
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES)
      throw new ConsoleRequestError(413, `request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new CaseValidationError(['(body): not valid JSON']);
  }
}

const ASSET_TYPES: Readonly<Record<string, string>> = {
  '/index.html': 'text/html; charset=utf-8',
  '/assets/app.js': 'text/javascript; charset=utf-8',
  '/assets/app.css': 'text/css; charset=utf-8',
};

function loadAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const [path, type] of Object.entries(ASSET_TYPES)) {
    try {
      assets.set(path, { type, body: readFileSync(join(dir, path)) });
    } catch {
      throw new Error(
        `the console's assets are not built (${join(dir, path)} is missing): run \`npm run build:console\` ` +
          '(npm ci runs it)',
      );
    }
  }
  return assets;
}
