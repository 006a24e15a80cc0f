import { once } from 'node:events';
import { fork } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Agent } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import dynalite from 'dynalite';
import { closeDynaliteIterators } from './dynalite-iterators';
import kinesalite from 'kinesalite';
import { DEFAULT_LOCAL_REGION, LOCAL_CREDENTIALS } from './local-aws-identity';
import { registerCleanup } from './process-cleanup';

/** Thrown when a local emulator cannot be started or stopped. */
export class LocalServicesError extends Error {
  public constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LocalServicesError';
  }
}

export interface LocalServicesOptions {
  /**
   * Region the clients sign for and kinesalite writes into its stream ARNs.
   * @default process.env.AWS_REGION, else 'us-east-1'
   */
  readonly region?: string;
  /**
   * Attempts per SDK call (first try included). The emulators only fail under overload, so a few
   * quick retries are enough.
   * @default 5
   */
  readonly maxAttempts?: number;
  /**
   * Maximum number of shards across all kinesalite streams (kinesalite's account shard limit).
   * @default 100
   */
  readonly shardLimit?: number;
  /**
   * Sockets each client may keep open to its emulator.
   * @default 32
   */
  readonly maxSockets?: number;
  /**
   * Run the emulators in a child process, so they get a core of their own instead of sharing
   * this process's event loop (replay is about twice as fast on two cores).
   * @default false
   */
  readonly isolated?: boolean;
  /**
   * Keep the stream's records in LevelDB files under a fresh folder in this directory (removed by
   * stop()) instead of in memory. kinesalite never trims a stream, so in memory a replay holds
   * every record it ever put: on disk, memory stays flat however large the replayed file.
   * dynalite stays in memory (its data grows with the accounts and their links, not with every
   * write once its iterators are closed: see dynalite-iterators.js; on disk it is several times
   * slower).
   * @default undefined (in memory)
   */
  readonly dataDir?: string;
}

export interface LocalServices {
  readonly dynamodbEndpoint: string;
  readonly kinesisEndpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** A DynamoDB client pointed at dynalite. */
  readonly dynamodb: DynamoDBClient;
  /** A Kinesis client pointed at kinesalite, over HTTP/1.1. */
  readonly kinesis: KinesisClient;
  /**
   * Environment variables that point any SDK client (Powertools' own included) at these services,
   * for code that builds its clients at module scope.
   */
  readonly environment: Readonly<Record<string, string>>;
  /** Destroys the clients and closes both emulators; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts dynalite and kinesalite in this process, in memory, on random loopback ports, and returns
 * real AWS SDK v3 clients pointed at them. Tables and streams become ACTIVE at once.
 */
export async function startLocalServices(options: LocalServicesOptions = {}): Promise<LocalServices> {
  const region = options.region ?? process.env.AWS_REGION ?? DEFAULT_LOCAL_REGION;
  const maxAttempts = options.maxAttempts ?? 5;
  const maxSockets = options.maxSockets ?? 32;
  const credentials = { ...LOCAL_CREDENTIALS };

  const dataDir = options.dataDir ? await mkdtemp(join(options.dataDir, 'cauterize-emulators-')) : undefined;
  // Interrupted from here on, the CLI removes the folder (the emulator processes, registered
  // as they are forked, are stopped first).
  const unregisterDataDir = registerCleanup(() => {
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });
  let emulators: RunningEmulators;
  try {
    emulators = options.isolated
      ? await startEmulatorProcess(options.shardLimit ?? 100, dataDir)
      : await startEmulatorsInProcess(options.shardLimit ?? 100, dataDir);
  } catch (error) {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    unregisterDataDir();
    throw error;
  }
  const { dynamoPort, kinesisPort } = emulators;

  const dynamodbEndpoint = `http://127.0.0.1:${dynamoPort}`;
  const kinesisEndpoint = `http://127.0.0.1:${kinesisPort}`;
  const dynamodb = new DynamoDBClient({
    endpoint: dynamodbEndpoint,
    region,
    credentials,
    maxAttempts,
    requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets }) }),
  });
  // The Kinesis client defaults to HTTP/2, which kinesalite does not speak.
  const kinesis = new KinesisClient({
    endpoint: kinesisEndpoint,
    region,
    credentials,
    maxAttempts,
    requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets }) }),
  });

  let stopping: Promise<void> | undefined;
  let unregister = () => {};
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      dynamodb.destroy();
      kinesis.destroy();
      try {
        await emulators.close();
      } finally {
        if (dataDir) await rm(dataDir, { recursive: true, force: true });
        unregister();
      }
    })();
    return stopping;
  };
  // An interrupted CLI stops the emulators and removes their folder too (cli/main.ts runCli).
  unregister = registerCleanup(stop);
  unregisterDataDir();

  return {
    dynamodbEndpoint,
    kinesisEndpoint,
    region,
    credentials,
    dynamodb,
    kinesis,
    environment: {
      AWS_REGION: region,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: dynamodbEndpoint,
      AWS_ENDPOINT_URL_KINESIS: kinesisEndpoint,
    },
    stop,
  };
}

interface RunningEmulators {
  readonly dynamoPort: number;
  readonly kinesisPort: number;
  close(): Promise<void>;
}

async function startEmulatorsInProcess(shardLimit: number, dataDir?: string): Promise<RunningEmulators> {
  closeDynaliteIterators();
  const dynamoServer = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  const kinesisServer = kinesalite({
    createStreamMs: 0,
    deleteStreamMs: 0,
    updateStreamMs: 0,
    shardLimit,
    ...(dataDir ? { path: join(dataDir, 'kinesis') } : {}),
  });
  const started: Server[] = [];
  try {
    const dynamoPort = await listenOnLoopback(dynamoServer);
    started.push(dynamoServer);
    const kinesisPort = await listenOnLoopback(kinesisServer);
    started.push(kinesisServer);
    return {
      dynamoPort,
      kinesisPort,
      close: async () => {
        const results = await Promise.allSettled([closeServer(dynamoServer), closeServer(kinesisServer)]);
        const failure = results.find(
          (result): result is PromiseRejectedResult => result.status === 'rejected',
        );
        if (failure) {
          throw new LocalServicesError('could not stop the local emulators cleanly', {
            cause: failure.reason,
          });
        }
      },
    };
  } catch (error) {
    await Promise.allSettled(started.map(closeServer));
    throw new LocalServicesError('could not start the local DynamoDB and Kinesis emulators', {
      cause: error,
    });
  }
}

/**
 * dynalite and kinesalite in one child process each: a replay keeps both busy, and on two cores
 * they then run beside each other and the pipeline instead of taking turns on one.
 */
async function startEmulatorProcess(shardLimit: number, dataDir?: string): Promise<RunningEmulators> {
  const started = await Promise.allSettled([
    forkEmulator(shardLimit, 'dynamodb'),
    forkEmulator(shardLimit, 'kinesis', dataDir),
  ]);
  const children = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failure = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure) {
    await Promise.all(children.map((c) => c.close()));
    throw new LocalServicesError('could not start the local DynamoDB and Kinesis emulator processes', {
      cause: failure.reason,
    });
  }
  const [dynamo, kinesis] = children as [ForkedEmulator, ForkedEmulator];
  return {
    dynamoPort: dynamo.port,
    kinesisPort: kinesis.port,
    close: async () => {
      await Promise.all([dynamo.close(), kinesis.close()]);
    },
  };
}

interface ForkedEmulator {
  readonly port: number;
  close(): Promise<void>;
}

async function forkEmulator(
  shardLimit: number,
  which: 'dynamodb' | 'kinesis',
  dataDir?: string,
): Promise<ForkedEmulator> {
  const child = fork(
    join(__dirname, 'emulator-process.js'),
    [String(shardLimit), which, ...(dataDir ? [dataDir] : [])],
    {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      // The child runs plain JavaScript: none of the parent's loaders (tsx, jest) are needed there.
      execArgv: [],
    },
  );
  const exited = once(child, 'exit');
  let unregister = () => {};
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill();
      await exited;
    }
    unregister();
  };
  unregister = registerCleanup(close);
  try {
    const [message] = (await Promise.race([
      once(child, 'message'),
      exited.then(([code]) =>
        Promise.reject(new Error(`${which} emulator process exited with code ${String(code)}`)),
      ),
    ])) as [{ dynamoPort?: number; kinesisPort?: number; error?: string }];
    const port = which === 'dynamodb' ? message.dynamoPort : message.kinesisPort;
    if (message.error || !port) throw new Error(message.error ?? `no ${which} port`);
    return { port, close };
  } catch (error) {
    await close();
    throw error;
  }
}

async function listenOnLoopback(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await Promise.race([
    once(server, 'listening'),
    once(server, 'error').then(([error]) => Promise.reject(error)),
  ]);
  return (server.address() as AddressInfo).port;
}

async function closeServer(server: Server): Promise<void> {
  // Keep-alive sockets would otherwise hold close() (and jest) open.
  server.closeAllConnections();
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
}
