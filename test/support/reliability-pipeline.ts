import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { KinesisStreamBatchResponse } from 'aws-lambda';
import { documentClient } from '../../lambdas/adapters/aws-clients';
import type { RejectedRecord } from '../../lambdas/core/ports';
import { FaultInjectionProxy, type FaultRule } from './fault-injection-proxy';
import type { KinesisWriteRecord } from '../../local/kinesis/kinesis-writer';
import { LocalPipeline } from '../../local/local-pipeline';
import type { LocalExecution } from '../../local/stepfunctions/local-state-machine';
import type { CostProfileName } from '../../lib/cost-profile';
import { unpackAccountItem } from '../../lambdas/adapters/account-item-codec';

/** Pause before the SDK's n-th retry of a DynamoDB call: n times this. */
const RETRY_PAUSE_MS = 10;

export interface ReliabilityPipelineOptions {
  /** Faults the proxy in front of dynalite injects. @default [] */
  readonly rules?: readonly FaultRule[];
  /** Attempts per DynamoDB call of the scorer and the workflows (SDK standard retries, short pauses). @default 3 */
  readonly dynamodbMaxAttempts?: number;
  /** @default 1000 */
  readonly batchSize?: number;
  /** Times each batch the poller takes is handed to the scorer (2: every batch twice). @default 1 */
  readonly deliveriesPerBatch?: number;
  /** The stacks' profile: `optimised` runs the account workflow as EXPRESS. @default 'default' */
  readonly costProfile?: CostProfileName;
  /**
   * Times the scorer's every account workflow start is sent (2: as a batch redelivered after its
   * start and before its save sends it again). @default 1
   */
  readonly startsPerEnforcement?: number;
}

/**
 * LocalPipeline (the synthesized stacks on dynalite, kinesalite and aws-local-stepfunctions, the
 * scorer behind the event source mapping's poller), with every DynamoDB call of the scorer and the
 * workflows going through a FaultInjectionProxy (real SDK, real HTTP), and optionally every batch
 * delivered to the scorer more than once.
 */
interface ScorerCalls {
  invocations: number;
  lastHandlerError: unknown;
}

/** Pipelines started and not yet stopped, for stopPipelinesLeftRunning. */
const running = new Set<ReliabilityPipeline>();

/**
 * Stops every ReliabilityPipeline a test of the enclosing `describe` started and left running, after
 * that test, and any left by the `describe` after its last test. Call it in the `describe` body.
 *
 * A test that times out is not cancelled: jest moves on while its body still drives the pipeline,
 * whose local services then answer from a module registry jest has torn down (the failure lands on
 * another test file) and keep jest from exiting. Stopping the pipeline ends that.
 */
export function stopPipelinesLeftRunning(): void {
  let before = new Set<ReliabilityPipeline>();
  beforeEach(() => {
    before = new Set(running);
  });
  afterEach(async () => {
    await Promise.all([...running].filter((p) => !before.has(p)).map((p) => p.stop()));
  });
  afterAll(async () => {
    await Promise.all([...running].map((p) => p.stop()));
  });
}

export class ReliabilityPipeline {
  private deadLettersRead = 0;
  private stopping: Promise<void> | undefined;

  private constructor(
    private readonly calls: ScorerCalls,
    public readonly pipeline: LocalPipeline,
    public readonly proxy: FaultInjectionProxy,
    private readonly proxiedClient: DynamoDBClient,
    private readonly workDir: string,
  ) {}

  public static async start(options: ReliabilityPipelineOptions = {}): Promise<ReliabilityPipeline> {
    const workDir = await mkdtemp(join(tmpdir(), 'cauterize-reliability-'));
    let proxy: FaultInjectionProxy | undefined;
    let client: DynamoDBClient | undefined;
    const calls: ScorerCalls = { invocations: 0, lastHandlerError: undefined };
    const deliveries = options.deliveriesPerBatch ?? 1;
    const pipeline = await LocalPipeline.start({
      costProfile: options.costProfile,
      isolatedServices: false,
      logLevel: 'SILENT',
      batchSize: options.batchSize ?? 1000,
      deadLetterFile: join(workDir, 'rejected.jsonl'),
      hooks: {
        dynamodbClient: async (services) => {
          proxy = await FaultInjectionProxy.start({
            target: services.dynamodbEndpoint,
            rules: options.rules,
          });
          client = new DynamoDBClient({
            endpoint: proxy.endpoint,
            region: services.region,
            credentials: services.credentials,
            // The SDK's standard retries with short pauses. Its default backoff (random, from 500 ms
            // for throttling, doubling up to 20 s) made these tests' duration a lottery: 26 s here,
            // over a minute on a slower machine. What is tested is that retries absorb the faults.
            retryStrategy: new ConfiguredRetryStrategy(
              options.dynamodbMaxAttempts ?? 3,
              (attempt) => RETRY_PAUSE_MS * attempt,
            ),
            requestHandler: new NodeHttpHandler({
              httpAgent: new Agent({ keepAlive: true, maxSockets: 32 }),
            }),
          });
          return client;
        },
        wrapScorer: (scorer) => async (event, context) => {
          try {
            let response: KinesisStreamBatchResponse | void = undefined;
            for (let i = 0; i < deliveries; i += 1) {
              calls.invocations += 1;
              response = await scorer(event, context);
            }
            return response;
          } catch (error) {
            calls.lastHandlerError = error;
            throw error;
          }
        },
        workflowRetryMs: 20,
        wrapEnforcement: (starter) => ({
          ...starter,
          start: async (request) => {
            let result = { started: false };
            for (let i = 0; i < (options.startsPerEnforcement ?? 1); i += 1) {
              const { started } = await starter.start(request);
              result = { started: result.started || started };
            }
            return result;
          },
          startCluster: starter.startCluster?.bind(starter),
        }),
      },
    });
    if (!proxy || !client) throw new Error('LocalPipeline did not ask for its DynamoDB client');
    const started = new ReliabilityPipeline(calls, pipeline, proxy, client, workDir);
    running.add(started);
    return started;
  }

  /** Times the scorer was invoked (each delivery of each batch). */
  public get invocations(): number {
    return this.calls.invocations;
  }

  /** The last error the scorer threw (a whole batch failed), for failure messages. */
  public get lastHandlerError(): unknown {
    return this.calls.lastHandlerError;
  }

  /** Puts the records on the usage stream, then scores until the stream and the workflows are done. */
  public async run(records: Iterable<KinesisWriteRecord>): Promise<void> {
    await this.pipeline.ingest(records);
    await this.pipeline.drain();
  }

  /** Records dead-lettered since the last call, as the rejected-events queue received them. */
  public async newDeadLetters(): Promise<RejectedRecord[]> {
    let text: string;
    try {
      text = await readFile(join(this.workDir, 'rejected.jsonl'), 'utf8');
    } catch {
      return [];
    }
    const lines = text.split('\n').filter(Boolean);
    const fresh = lines.slice(this.deadLettersRead).map((line) => JSON.parse(line) as RejectedRecord);
    this.deadLettersRead = lines.length;
    return fresh;
  }

  /** Every execution of the account and cluster enforcement workflows. */
  public executions(): LocalExecution[] {
    return [this.pipeline.stateMachine, ...this.pipeline.clusterStateMachines].flatMap((machine) =>
      machine.executions(),
    );
  }

  /** Every item of the accounts, links and cases tables (read past the proxy), normalized for comparison. */
  public async snapshot(since: Date): Promise<Record<string, unknown[]>> {
    const out: Record<string, unknown[]> = {};
    for (const table of ['AccountsTable', 'LinksTable', 'CasesTable']) {
      const name = this.pipeline.names[table];
      if (!name) throw new Error(`the synthesized stacks have no ${table}`);
      const items = await scanAll(this.pipeline, name);
      // Account items compare by what their packed memory holds, not by its compressed bytes.
      const readable = table === 'AccountsTable' ? items.map(unpackAccountItem) : items;
      out[table] = readable.map((item) => normalizeWallClock(item, since)).sort(byJson);
    }
    return out;
  }

  /** Stops the pipeline and the proxy and removes the work folder; later calls wait for the first. */
  public stop(): Promise<void> {
    this.stopping ??= (async () => {
      try {
        await this.pipeline.stop();
        this.proxiedClient.destroy();
        await this.proxy.close();
        await rm(this.workDir, { recursive: true, force: true });
      } finally {
        running.delete(this);
      }
    })();
    return this.stopping;
  }
}

/** Executions that did not succeed, as "name: error cause" (an empty list when all did). */
export function failedExecutions(executions: readonly LocalExecution[]): string[] {
  return executions
    .filter((e) => e.status !== 'SUCCEEDED')
    .map((e) => {
      const failedStates = e.history
        .filter((h) => h.error !== undefined)
        .map((h) => `${h.stateName}:${h.type}`);
      return `${e.name}: ${e.status} ${e.error ?? ''} ${e.cause ?? ''} [${failedStates.join(', ')}]`;
    });
}

async function scanAll(pipeline: LocalPipeline, tableName: string): Promise<Record<string, unknown>[]> {
  const documents = documentClient(pipeline.services.dynamodb);
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const HASH_FIELDS = new Set(['hash', 'prevHash', 'lastAuditHash']);
const EXPRESS_EXECUTION_ARN = /^(arn:[^:]+:states:[^:]*:[^:]*:express:[^:]+:[^:]+):[0-9a-f-]{36}$/;

/**
 * Replaces what depends on the wall clock (times stamped by the workflows during this run, and
 * audit hashes, which cover them), Kinesis sequence numbers and Express execution ids by placeholders, so two runs of the same traffic compare equal
 * exactly when they made the same decisions. Event-time fields (the simulated traffic's) are kept.
 */
export function normalizeWallClock(value: unknown, since: Date): unknown {
  const from = since.getTime() - 60_000;
  const to = Date.now() + 60_000;
  const walk = (v: unknown, key?: string): unknown => {
    // Kinesis sequence numbers hold the time they were assigned: keep which shards, not the numbers.
    if (key === 'watermarks' && v !== null && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((shard) => [shard, '<sequence-number>']),
      );
    }
    if (typeof v === 'string') {
      if (key && HASH_FIELDS.has(key) && /^[0-9a-f]{64}$/.test(v) && !/^0+$/.test(v)) return '<hash>';
      // An Express execution's ARN ends in an id of its own: keep the name, which the scorer chose.
      if (EXPRESS_EXECUTION_ARN.test(v)) return v.replace(EXPRESS_EXECUTION_ARN, '$1:<execution-id>');
      if (ISO_TIME.test(v)) {
        const t = Date.parse(v);
        if (t >= from && t <= to) return '<wall-clock>';
      }
      if (v.startsWith('{') || v.startsWith('[')) {
        try {
          return JSON.stringify(walk(JSON.parse(v)));
        } catch {
          return v;
        }
      }
      return v;
    }
    if (Array.isArray(v)) return v.map((item) => walk(item));
    if (v instanceof Set) return [...(v as Set<unknown>)].map((item) => walk(item)).sort();
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(
        Object.entries(v as Record<string, unknown>)
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([k, item]) => [k, walk(item, k)]),
      );
    }
    return v;
  };
  return walk(value);
}

function byJson(a: unknown, b: unknown): number {
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
