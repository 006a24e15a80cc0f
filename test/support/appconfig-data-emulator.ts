import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The configuration one (application, environment, profile) serves, as AppConfig deployed it. */
export interface DeployedConfiguration {
  readonly content: string | Uint8Array;
  /** @default 'application/json' */
  readonly contentType?: string;
  /** @default - the deployment number */
  readonly versionLabel?: string;
}

export interface ConfigurationAddress {
  readonly application: string;
  readonly environment: string;
  readonly profile: string;
}

export interface AppConfigDataEmulatorOptions {
  /** Next-Poll-Interval-In-Seconds the emulator asks clients for. @default 60 */
  readonly pollIntervalSeconds?: number;
}

interface Deployment {
  readonly number: number;
  readonly content: Buffer;
  readonly contentType: string;
  readonly versionLabel: string;
}

interface Session {
  readonly key: string;
  /** Deployment number last returned through this session (0: none yet). */
  delivered: number;
}

/**
 * A tiny AWS AppConfigData endpoint on loopback: StartConfigurationSession and
 * GetLatestConfiguration with the service's REST-JSON wire format, so the real SDK client (and
 * Powertools' AppConfigProvider on top of it) can be pointed at it with an `endpoint` or
 * AWS_ENDPOINT_URL_APPCONFIGDATA. Tests deploy a configuration with `deploy()` and change it later.
 *
 * As the service does: a configuration token is good for one GetLatestConfiguration call, which
 * returns the next token; the body is empty when the session already has the latest deployment
 * (or nothing is deployed yet); unknown identifiers are a ResourceNotFoundException, a bad token a
 * BadRequestException.
 */
export class AppConfigDataEmulator {
  private readonly profiles = new Set<string>();
  private readonly deployments = new Map<string, Deployment>();
  private readonly tokens = new Map<string, Session>();
  private deploymentCount = 0;
  /** Calls served, by operation (tests check how often the client asked). */
  public readonly calls = { startConfigurationSession: 0, getLatestConfiguration: 0 };

  private readonly server: Server;

  private constructor(private readonly pollIntervalSeconds: number) {
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        sendError(response, 500, 'InternalServerException', (error as Error).message);
      });
    });
  }

  public static async start(options: AppConfigDataEmulatorOptions = {}): Promise<AppConfigDataEmulator> {
    const emulator = new AppConfigDataEmulator(options.pollIntervalSeconds ?? 60);
    await new Promise<void>((resolve, reject) => {
      emulator.server.once('error', reject);
      emulator.server.listen(0, '127.0.0.1', () => resolve());
    });
    return emulator;
  }

  /** The endpoint URL to hand the SDK client. */
  public get endpoint(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** Creates the application, environment and profile with nothing deployed yet (a new stack). */
  public createProfile(address: ConfigurationAddress): void {
    this.profiles.add(keyOf(address));
  }

  /** Deploys (or replaces) the configuration at an address; open sessions get it on their next poll. */
  public deploy(address: ConfigurationAddress, configuration: DeployedConfiguration): void {
    this.createProfile(address);
    this.deploymentCount += 1;
    this.deployments.set(keyOf(address), {
      number: this.deploymentCount,
      content: Buffer.from(configuration.content),
      contentType: configuration.contentType ?? 'application/json',
      versionLabel: configuration.versionLabel ?? String(this.deploymentCount),
    });
  }

  public async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) =>
      this.server.close((error) => (error ? reject(error) : resolve())),
    );
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const body = await readBody(request);
    if (request.method === 'POST' && url.pathname === '/configurationsessions') {
      this.startConfigurationSession(body, response);
    } else if (request.method === 'GET' && url.pathname === '/configuration') {
      this.getLatestConfiguration(url.searchParams.get('configuration_token'), response);
    } else {
      sendError(
        response,
        404,
        'UnknownOperationException',
        `${request.method} ${url.pathname} is not emulated`,
      );
    }
  }

  private startConfigurationSession(body: string, response: ServerResponse): void {
    this.calls.startConfigurationSession += 1;
    let input: Record<string, unknown>;
    try {
      input = JSON.parse(body) as Record<string, unknown>;
    } catch {
      sendError(response, 400, 'BadRequestException', 'the request body is not JSON');
      return;
    }
    const address = {
      application: String(input.ApplicationIdentifier ?? ''),
      environment: String(input.EnvironmentIdentifier ?? ''),
      profile: String(input.ConfigurationProfileIdentifier ?? ''),
    };
    const key = keyOf(address);
    if (!this.profiles.has(key)) {
      sendError(
        response,
        404,
        'ResourceNotFoundException',
        `no configuration profile for application ${address.application}, environment ${address.environment}, profile ${address.profile}`,
      );
      return;
    }
    const token = this.issueToken({ key, delivered: 0 });
    sendJson(response, 201, { InitialConfigurationToken: token });
  }

  private getLatestConfiguration(token: string | null, response: ServerResponse): void {
    this.calls.getLatestConfiguration += 1;
    const session = token === null ? undefined : this.tokens.get(token);
    if (!session || token === null) {
      sendError(response, 400, 'BadRequestException', 'the configuration token is missing, used or expired');
      return;
    }
    this.tokens.delete(token);
    const deployment = this.deployments.get(session.key);
    const next = this.issueToken(session);
    const headers: Record<string, string> = {
      'Next-Poll-Configuration-Token': next,
      'Next-Poll-Interval-In-Seconds': String(this.pollIntervalSeconds),
    };
    if (!deployment || deployment.number === session.delivered) {
      response.writeHead(200, { ...headers, 'Content-Length': '0' }).end();
      return;
    }
    session.delivered = deployment.number;
    response
      .writeHead(200, {
        ...headers,
        'Content-Type': deployment.contentType,
        'Version-Label': deployment.versionLabel,
        'Content-Length': String(deployment.content.length),
      })
      .end(deployment.content);
  }

  private issueToken(session: Session): string {
    const token = randomUUID();
    this.tokens.set(token, session);
    return token;
  }
}

function keyOf(address: ConfigurationAddress): string {
  return JSON.stringify([address.application, address.environment, address.profile]);
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response
    .writeHead(status, {
      'Content-Type': 'application/json',
      'Content-Length': String(Buffer.byteLength(text)),
    })
    .end(text);
}

/** A REST-JSON error, as the SDK deserializes it (type in x-amzn-errortype, message in the body). */
function sendError(response: ServerResponse, status: number, type: string, message: string): void {
  if (response.headersSent) return;
  const text = JSON.stringify({ Message: message });
  response
    .writeHead(status, {
      'Content-Type': 'application/json',
      'x-amzn-errortype': type,
      'Content-Length': String(Buffer.byteLength(text)),
    })
    .end(text);
}
