import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An error an operation answers with, as the service would: its type, HTTP status and message. */
export class AwsJsonServiceError extends Error {
  public constructor(
    public readonly type: string,
    message: string,
    public readonly status = 400,
    /** awsQueryCompatible services (SQS) also name the Query error code: `Code;Sender` or `Code;Receiver`. */
    public readonly queryError?: string,
  ) {
    super(message);
    this.name = 'AwsJsonServiceError';
  }
}

/** One operation: takes the parsed JSON request body, returns the response body or throws. */
export type AwsJsonOperation = (input: Record<string, unknown>) => unknown;

/**
 * What a fault does to a matching request.
 * - `throttle`: 400 ThrottlingException, the operation not run (the SDK retries it with backoff);
 * - `server-error`: 500 InternalFailure, the operation not run;
 * - `server-error-after`: the operation runs (it takes effect), then 500 anyway, as a lost
 *   response: the caller cannot tell, and its SDK sends the request again.
 */
export interface InjectedFault {
  readonly kind: 'throttle' | 'server-error' | 'server-error-after';
  /** Requests it hits, then it is spent. @default 1 */
  readonly count?: number;
}

export interface AwsJsonEndpointOptions {
  /** The X-Amz-Target prefix, e.g. 'AWSStepFunctions' or 'AmazonSQS'. */
  readonly targetPrefix: string;
  /** The operations served, by name (the part of X-Amz-Target after the dot). */
  readonly operations: Readonly<Record<string, AwsJsonOperation>>;
}

/** A request the endpoint received, parsed. */
export interface ReceivedRequest {
  readonly operation: string;
  readonly input: Record<string, unknown>;
}

/**
 * A loopback HTTP endpoint speaking the AWS JSON 1.0 protocol (POST /, X-Amz-Target
 * `<prefix>.<Operation>`, application/x-amz-json-1.0), for services the local runtime has no
 * emulator of. Real SDK v3 clients pointed at it (`endpoint`) go through their own serialization,
 * signing, error mapping and retries. Errors are answered as the services answer them: `__type`
 * and `message` in the body, `x-amzn-query-error` when the error carries a Query code.
 */
export class AwsJsonEndpoint {
  /** Every request received, in order, faulted ones included. */
  public readonly requests: ReceivedRequest[] = [];
  private readonly faults: Array<{ kind: InjectedFault['kind']; left: number }> = [];
  private readonly server: Server;

  private constructor(private readonly options: AwsJsonEndpointOptions) {
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        sendError(response, new AwsJsonServiceError('InternalFailure', (error as Error).message, 500));
      });
    });
  }

  public static async start(options: AwsJsonEndpointOptions): Promise<AwsJsonEndpoint> {
    const endpoint = new AwsJsonEndpoint(options);
    await new Promise<void>((resolve, reject) => {
      endpoint.server.once('error', reject);
      endpoint.server.listen(0, '127.0.0.1', () => resolve());
    });
    return endpoint;
  }

  /** The endpoint URL to hand the SDK client. */
  public get endpoint(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** Hits the next requests (of any operation) with a fault; faults queue up in order. */
  public injectFault(fault: InjectedFault): void {
    this.faults.push({ kind: fault.kind, left: fault.count ?? 1 });
  }

  public async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) =>
      this.server.close((error) => (error ? reject(error) : resolve())),
    );
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    const target = String(request.headers['x-amz-target'] ?? '');
    const [prefix, operationName = ''] = target.split('.');
    const operation = this.options.operations[operationName];
    if (request.method !== 'POST' || prefix !== this.options.targetPrefix || !operation) {
      sendError(response, new AwsJsonServiceError('UnknownOperationException', `${target} is not emulated`));
      return;
    }
    if (!String(request.headers['content-type']).startsWith('application/x-amz-json-1.0')) {
      sendError(
        response,
        new AwsJsonServiceError('SerializationException', 'expected application/x-amz-json-1.0'),
      );
      return;
    }
    let input: Record<string, unknown>;
    try {
      input = JSON.parse(body) as Record<string, unknown>;
    } catch {
      sendError(response, new AwsJsonServiceError('SerializationException', 'the request body is not JSON'));
      return;
    }
    this.requests.push({ operation: operationName, input });

    const fault = this.takeFault();
    if (fault === 'throttle') {
      sendError(response, new AwsJsonServiceError('ThrottlingException', 'Rate exceeded'));
      return;
    }
    if (fault === 'server-error') {
      sendError(response, new AwsJsonServiceError('InternalFailure', 'injected server error', 500));
      return;
    }
    let output: unknown;
    try {
      output = await operation(input);
    } catch (error) {
      if (!(error instanceof AwsJsonServiceError)) throw error;
      sendError(response, error);
      return;
    }
    if (fault === 'server-error-after') {
      sendError(
        response,
        new AwsJsonServiceError('InternalFailure', 'injected error after the operation', 500),
      );
      return;
    }
    sendJson(response, output ?? {});
  }

  private takeFault(): InjectedFault['kind'] | undefined {
    const fault = this.faults[0];
    if (!fault) return undefined;
    fault.left -= 1;
    if (fault.left <= 0) this.faults.shift();
    return fault.kind;
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(response: ServerResponse, body: unknown): void {
  const text = JSON.stringify(body);
  response
    .writeHead(200, {
      'Content-Type': 'application/x-amz-json-1.0',
      'Content-Length': String(Buffer.byteLength(text)),
    })
    .end(text);
}

function sendError(response: ServerResponse, error: AwsJsonServiceError): void {
  if (response.headersSent) return;
  const text = JSON.stringify({ __type: error.type, message: error.message });
  response
    .writeHead(error.status, {
      'Content-Type': 'application/x-amz-json-1.0',
      'Content-Length': String(Buffer.byteLength(text)),
      ...(error.queryError ? { 'x-amzn-query-error': error.queryError } : {}),
    })
    .end(text);
}
