import { once } from 'node:events';
import {
  Agent,
  createServer,
  request,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/** Thrown for a rule that cannot work, or a proxy that cannot start. */
export class FaultInjectionError extends Error {
  public constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FaultInjectionError';
  }
}

/**
 * What a rule does to a matching request.
 * - `throttle`: answers 400 ThrottlingException without forwarding (the SDK retries it with backoff);
 * - `server-error`: answers 500 InternalServerError without forwarding;
 * - `server-error-after`: forwards the request (it takes effect) and then answers 500 anyway, as a
 *   lost response does: the caller cannot tell, so its retry must be harmless;
 * - `latency`: forwards after `latencyMs`.
 */
export type FaultKind = 'throttle' | 'server-error' | 'server-error-after' | 'latency';

export interface FaultRule {
  readonly fault: FaultKind;
  /**
   * DynamoDB operations (the X-Amz-Target action, e.g. 'UpdateItem', 'BatchWriteItem') it applies to.
   * @default every operation
   */
  readonly operations?: readonly string[];
  /**
   * Only requests naming this table (TableName, or a key of RequestItems).
   * @default any table
   */
  readonly tableName?: string;
  /**
   * Chance that a matching request is hit, from 0 to 1 (drawn from the proxy's seeded generator).
   * @default 1
   */
  readonly probability?: number;
  /**
   * Hit at most this many requests, then let everything through.
   * @default unlimited
   */
  readonly maxInjections?: number;
  /**
   * Let this many matching requests through before the first hit.
   * @default 0
   */
  readonly skipFirst?: number;
  /** Delay before forwarding, for `latency`. @default 50 */
  readonly latencyMs?: number;
}

export interface FaultInjectionProxyOptions {
  /** Where requests go, e.g. the dynalite endpoint `http://127.0.0.1:PORT`. */
  readonly target: string;
  /** @default [] (a plain counting proxy) */
  readonly rules?: readonly FaultRule[];
  /** Seed of the generator behind `probability`, so a run is repeatable. @default 1 */
  readonly seed?: number;
}

/** Counters per DynamoDB operation. */
export interface OperationCounts {
  /** Requests received. */
  requests: number;
  /** Requests passed on to the target. */
  forwarded: number;
  /**
   * Items the forwarded requests asked for: write requests of BatchWriteItem, keys of
   * BatchGetItem, 1 for single-item calls. What billing counts (capacity units aside).
   */
  items: number;
  /** Items of requests the target answered with 2xx. */
  itemsSucceeded: number;
  throttled: number;
  serverErrors: number;
  delayed: number;
}

export interface FaultInjectionStats {
  readonly byOperation: Readonly<Record<string, Readonly<OperationCounts>>>;
  /** Faults injected per rule, in the order of the rules. */
  readonly injectedPerRule: readonly number[];
}

/** DynamoDB operations that write. */
export const DYNAMODB_WRITE_OPERATIONS: ReadonlySet<string> = new Set([
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
  'TransactWriteItems',
]);
/** DynamoDB operations that read items. */
export const DYNAMODB_READ_OPERATIONS: ReadonlySet<string> = new Set([
  'GetItem',
  'BatchGetItem',
  'Query',
  'Scan',
  'TransactGetItems',
]);

const MAX_BODY_BYTES = 16 * 1024 * 1024;
const JSON_CONTENT_TYPE = 'application/x-amz-json-1.0';

interface RuleState {
  readonly rule: FaultRule;
  seen: number;
  injected: number;
}

/**
 * An HTTP proxy in front of a local DynamoDB (dynalite) that injects faults by rule: throttling,
 * 500s (before or after the request takes effect) and latency. The real SDK talks to it like to
 * DynamoDB: point a client's `endpoint` at `proxy.endpoint`. It also counts requests and items per
 * operation, which is how benchmarks measure reads and writes per event.
 */
export class FaultInjectionProxy {
  private readonly counts = new Map<string, OperationCounts>();
  private rules: RuleState[] = [];
  private random: () => number;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });

  private constructor(
    private readonly server: Server,
    private readonly target: URL,
    public readonly endpoint: string,
    seed: number,
  ) {
    this.random = mulberry32(seed);
  }

  /** Starts listening on a random loopback port. */
  public static async start(options: FaultInjectionProxyOptions): Promise<FaultInjectionProxy> {
    let target: URL;
    try {
      target = new URL(options.target);
    } catch (error) {
      throw new FaultInjectionError(
        `target must be an http URL such as http://127.0.0.1:4567, got '${options.target}'`,
        { cause: error },
      );
    }
    if (target.protocol !== 'http:') {
      throw new FaultInjectionError(`target must use http:, got '${target.protocol}' in '${options.target}'`);
    }
    // The server exists before the proxy that handles its requests (which needs its port).
    const holder: { proxy?: FaultInjectionProxy } = {};
    const server = createServer((req, res) => void holder.proxy?.handle(req, res));
    server.listen(0, '127.0.0.1');
    await Promise.race([
      once(server, 'listening'),
      once(server, 'error').then(([error]) =>
        Promise.reject(new FaultInjectionError('cannot listen', { cause: error })),
      ),
    ]);
    const { port } = server.address() as AddressInfo;
    const proxy = new FaultInjectionProxy(server, target, `http://127.0.0.1:${port}`, options.seed ?? 1);
    proxy.setRules(options.rules ?? []);
    holder.proxy = proxy;
    return proxy;
  }

  /** Replaces the rules (their counters start again); [] lets everything through. */
  public setRules(rules: readonly FaultRule[], seed?: number): void {
    rules.forEach(validateRule);
    this.rules = rules.map((rule) => ({ rule, seen: 0, injected: 0 }));
    if (seed !== undefined) this.random = mulberry32(seed);
  }

  public stats(): FaultInjectionStats {
    return {
      byOperation: Object.fromEntries([...this.counts].map(([op, c]) => [op, { ...c }])),
      injectedPerRule: this.rules.map((r) => r.injected),
    };
  }

  /** Sums of `items` and `itemsSucceeded` over write and read operations. */
  public totals(): { writes: number; writesSucceeded: number; reads: number; readsSucceeded: number } {
    const totals = { writes: 0, writesSucceeded: 0, reads: 0, readsSucceeded: 0 };
    for (const [op, c] of this.counts) {
      if (DYNAMODB_WRITE_OPERATIONS.has(op)) {
        totals.writes += c.items;
        totals.writesSucceeded += c.itemsSucceeded;
      } else if (DYNAMODB_READ_OPERATIONS.has(op)) {
        totals.reads += c.items;
        totals.readsSucceeded += c.itemsSucceeded;
      }
    }
    return totals;
  }

  public resetCounts(): void {
    this.counts.clear();
  }

  public async close(): Promise<void> {
    this.agent.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) => this.server.close((e) => (e ? reject(e) : resolve())));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch (error) {
      respond(res, 400, 'com.amazon.coral.validate#SerializationException', (error as Error).message);
      return;
    }
    const operation =
      String(req.headers['x-amz-target'] ?? '')
        .split('.')
        .pop() || 'unknown';
    const parsed = parseJson(body);
    const counts = this.countsOf(operation);
    counts.requests += 1;

    const hit = this.pickRule(operation, parsed);
    if (hit?.fault === 'throttle') {
      counts.throttled += 1;
      respond(
        res,
        400,
        'com.amazon.coral.availability#ThrottlingException',
        'Rate of requests exceeds the allowed throughput (injected)',
      );
      return;
    }
    if (hit?.fault === 'server-error') {
      counts.serverErrors += 1;
      respond(
        res,
        500,
        'com.amazonaws.dynamodb.v20120810#InternalServerError',
        'Internal server error (injected)',
      );
      return;
    }
    if (hit?.fault === 'latency') {
      counts.delayed += 1;
      await new Promise((resolve) => setTimeout(resolve, hit.latencyMs ?? 50));
    }

    const items = itemCount(operation, parsed);
    counts.forwarded += 1;
    counts.items += items;
    let upstream: { status: number; headers: IncomingMessage['headers']; body: Buffer };
    try {
      upstream = await this.forward(req, body);
    } catch (error) {
      respond(
        res,
        500,
        'com.amazonaws.dynamodb.v20120810#InternalServerError',
        `proxy: ${(error as Error).message}`,
      );
      return;
    }
    if (upstream.status >= 200 && upstream.status < 300) counts.itemsSucceeded += items;
    if (hit?.fault === 'server-error-after') {
      counts.serverErrors += 1;
      respond(
        res,
        500,
        'com.amazonaws.dynamodb.v20120810#InternalServerError',
        'Internal server error after the write (injected)',
      );
      return;
    }
    const headers = { ...upstream.headers };
    delete headers['transfer-encoding'];
    headers['content-length'] = String(upstream.body.length);
    res.writeHead(upstream.status, headers);
    res.end(upstream.body);
  }

  private pickRule(operation: string, body: Record<string, unknown> | undefined): FaultRule | undefined {
    for (const state of this.rules) {
      const { rule } = state;
      if (rule.operations && !rule.operations.includes(operation)) continue;
      if (rule.tableName && !tablesOf(body).includes(rule.tableName)) continue;
      state.seen += 1;
      if (state.seen <= (rule.skipFirst ?? 0)) continue;
      if (rule.maxInjections !== undefined && state.injected >= rule.maxInjections) continue;
      if (this.random() >= (rule.probability ?? 1)) continue;
      state.injected += 1;
      return rule;
    }
    return undefined;
  }

  private forward(
    req: IncomingMessage,
    body: Buffer,
  ): Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const headers = { ...req.headers, host: this.target.host, 'content-length': String(body.length) };
      const upstream = request(
        {
          protocol: this.target.protocol,
          hostname: this.target.hostname,
          port: this.target.port,
          method: req.method,
          path: req.url,
          headers,
          agent: this.agent,
        },
        (response) => {
          readBody(response)
            .then((data) =>
              resolve({ status: response.statusCode ?? 500, headers: response.headers, body: data }),
            )
            .catch(reject);
        },
      );
      upstream.on('error', reject);
      upstream.end(body);
    });
  }

  private countsOf(operation: string): OperationCounts {
    let counts = this.counts.get(operation);
    if (!counts) {
      counts = {
        requests: 0,
        forwarded: 0,
        items: 0,
        itemsSucceeded: 0,
        throttled: 0,
        serverErrors: 0,
        delayed: 0,
      };
      this.counts.set(operation, counts);
    }
    return counts;
  }
}

function validateRule(rule: FaultRule, index: number): void {
  const where = `rules[${index}]`;
  const kinds: readonly FaultKind[] = ['throttle', 'server-error', 'server-error-after', 'latency'];
  if (!kinds.includes(rule.fault)) {
    throw new FaultInjectionError(
      `${where}.fault must be one of ${kinds.join(', ')}, got '${String(rule.fault)}'`,
    );
  }
  const p = rule.probability ?? 1;
  if (!(p >= 0 && p <= 1))
    throw new FaultInjectionError(`${where}.probability must be from 0 to 1, got ${p}`);
  for (const key of ['maxInjections', 'skipFirst', 'latencyMs'] as const) {
    const value = rule[key];
    if (value !== undefined && !(Number.isInteger(value) && value >= 0)) {
      throw new FaultInjectionError(`${where}.${key} must be a whole number >= 0, got ${value}`);
    }
  }
}

function respond(res: ServerResponse, status: number, type: string, message: string): void {
  const body = JSON.stringify({ __type: type, message });
  res.writeHead(status, {
    'content-type': JSON_CONTENT_TYPE,
    'content-length': String(Buffer.byteLength(body)),
    'x-amzn-requestid': `injected-${Date.now().toString(36)}`,
  });
  res.end(body);
}

async function readBody(stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new Error(`request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

function parseJson(body: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function tablesOf(body: Record<string, unknown> | undefined): string[] {
  if (!body) return [];
  if (typeof body.TableName === 'string') return [body.TableName];
  const requestItems = body.RequestItems;
  if (requestItems && typeof requestItems === 'object') return Object.keys(requestItems);
  return [];
}

function itemCount(operation: string, body: Record<string, unknown> | undefined): number {
  const requestItems = body?.RequestItems as Record<string, unknown> | undefined;
  if (operation === 'BatchWriteItem' && requestItems) {
    return Object.values(requestItems).reduce<number>(
      (n, list) => n + (Array.isArray(list) ? list.length : 0),
      0,
    );
  }
  if (operation === 'BatchGetItem' && requestItems) {
    return Object.values(requestItems).reduce<number>(
      (n, entry) => n + ((entry as { Keys?: unknown[] } | undefined)?.Keys?.length ?? 0),
      0,
    );
  }
  const transactItems = body?.TransactItems;
  if (Array.isArray(transactItems)) return transactItems.length;
  return 1;
}

/** Small seeded generator (mulberry32): repeatable fault patterns without a dependency. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
