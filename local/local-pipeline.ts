import { Logger } from '@aws-lambda-powertools/logger';
import type { LogLevel } from '@aws-lambda-powertools/logger/types';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../lambdas/adapters/aws-clients';
import { DynamoDbAccountStore } from '../lambdas/adapters/dynamodb-account-store';
import { DynamoDbLinkStore } from '../lambdas/adapters/dynamodb-link-store';
import { createAccountScorerHandler } from '../lambdas/handlers/account-scorer';
import { smallClusterRouteFromEnv } from '../lambdas/handlers/env';
import { validatePolicy, type Policy } from '../lambdas/core/policy/policy';
import { systemClock, type EnforcementStarter } from '../lambdas/core/ports';
import { emptyBatchStats, type BatchOutcome, type BatchStats } from '../lambdas/core/batch/score-batch';
import { resolveStateMachineDefinition } from './stepfunctions/asl-definition';
import { resolveIntrinsics } from './cloudformation/cloudformation-intrinsics';
import { logicalIdsOfType, type CloudFormationTemplate } from './cloudformation/cloudformation-template';
import { connectEventRules, eventRulesFromTemplate } from './event-rules';
import { LocalEnforcementStarter } from './stepfunctions/local-enforcement-starter';
import { LocalEventBus } from './eventbridge/local-event-bus';
import { startLocalServices, type LocalServices } from './emulators/local-services';
import { LocalStateMachine } from './stepfunctions/local-state-machine';
import {
  KinesisPoller,
  type KinesisBatchHandler,
  type KinesisFailureDestinationRecord,
} from './kinesis/kinesis-poller';
import { collectTaskStates } from './stepfunctions/task-resource-handlers';
import { putAll, type KinesisWriteRecord, type PutAllResult } from './kinesis/kinesis-writer';
import { provisionFromTemplate, type IgnoredSetting } from './cloudformation/provision-from-template';
import { stateMachineTypeOf, synthesizeTemplates } from './cloudformation/synthesized-templates';
import type { CostProfileName } from '../lib/cost-profile';
import { fromItem } from '../lambdas/adapters/account-item-codec';
import { LocalDeadLetterSink } from './dead-letter-sink';
import { accountSummary, caseSummary, type AccountSummary, type CaseSummary } from './summaries';

export interface LocalPipelineOptions {
  /**
   * Policy file the stacks are synthesized with (and so the scorer runs under).
   * @default config/policy.yaml
   */
  readonly policyFile?: string;
  /**
   * Deployment profile the stacks are synthesized with: under `optimised` the account workflow
   * runs as EXPRESS (no execution-name dedupe).
   * @default 'default'
   */
  readonly costProfile?: CostProfileName;
  /**
   * Shards of the local usage stream (kinesalite has no on-demand mode).
   * @default 2
   */
  readonly shards?: number;
  /** Appends dead-lettered (rejected) records here as JSON Lines. */
  readonly deadLetterFile?: string;
  /** Appends every event published on the enforcement bus here as JSON Lines. */
  readonly busEventsFile?: string;
  /**
   * Overrides the event source mapping's batch size from the template.
   * @default the synthesized EventSourceMapping's BatchSize
   */
  readonly batchSize?: number;
  /**
   * Enforcement executions running at once.
   * @default 8
   */
  readonly maxConcurrentExecutions?: number;
  /**
   * Run dynalite and kinesalite in a child process (their own core).
   * @default true
   */
  readonly isolatedServices?: boolean;
  /**
   * Keep the emulators' data (tables, stream records) in LevelDB files under this directory instead
   * of in memory (see LocalServicesOptions.dataDir). Replay sets it so its memory stays flat.
   * @default undefined (in memory)
   */
  readonly dataDir?: string;
  /** Reliability tests and benchmarks: see LocalPipelineHooks. */
  readonly hooks?: LocalPipelineHooks;
  /**
   * Log level of the scorer's Powertools logger.
   * @default 'ERROR'
   */
  readonly logLevel?: LogLevel;
}

/** Seams for reliability tests and benchmarks; the pipeline is otherwise wired as deployed. */
export interface LocalPipelineHooks {
  /**
   * The DynamoDB client the scorer and the workflows use, e.g. one pointed at a fault-injecting
   * proxy in front of dynalite (provisioning and the result scans keep the direct client).
   * @default services.dynamodb
   */
  readonly dynamodbClient?: (services: LocalServices) => DynamoDBClient | Promise<DynamoDBClient>;
  /** Wraps the scorer as the poller invokes it (e.g. to deliver every batch twice). */
  readonly wrapScorer?: (scorer: KinesisBatchHandler) => KinesisBatchHandler;
  /** Milliseconds the workflows wait before every retry, instead of the definitions' intervals. */
  readonly workflowRetryMs?: number;
  /** Wraps how the scorer starts the workflows (e.g. to start each one twice, as a redelivered batch does). */
  readonly wrapEnforcement?: (starter: EnforcementStarter) => EnforcementStarter;
}

/** The scorer's Lambda wiring, read from the synthesized template rather than restated here. */
interface ScorerWiring {
  readonly environment: Record<string, string>;
  readonly streamName: string;
  readonly batchSize: number;
  readonly bisectBatchOnError: boolean;
  readonly maximumRetryAttempts: number;
  readonly maximumRecordAgeSeconds: number;
  readonly reportBatchItemFailures: boolean;
  readonly functionTimeoutMs: number;
}

/** PipelineStack pins the Express cluster workflow, when the profile has one, under this id. */
const EXPRESS_CLUSTER_MACHINE_ID = 'ExpressClusterEnforcementStateMachine';

function addStats(total: BatchStats, add: BatchStats): void {
  for (const key of Object.keys(total) as Array<keyof BatchStats>) total[key] += add[key];
}

/**
 * The whole pipeline on local services: the synthesized stacks provisioned in dynalite and
 * kinesalite, the scorer handler Lambda runs fed by a poller with the event source mapping's
 * settings, and the synthesized enforcement state machine run by aws-local-stepfunctions.
 */
export class LocalPipeline {
  private constructor(
    /** Totals over every batch the scorer handled (redeliveries included). */
    public readonly scoring: BatchStats,
    /** Batch metadata the event source mapping would send to its on-failure queue. */
    public readonly failedBatches: KinesisFailureDestinationRecord[],
    public readonly services: LocalServices,
    public readonly names: Readonly<Record<string, string>>,
    public readonly policy: Policy,
    public readonly poller: KinesisPoller,
    public readonly stateMachine: LocalStateMachine,
    public readonly bus: LocalEventBus,
    public readonly deadLetters: LocalDeadLetterSink,
    public readonly ignoredSettings: readonly IgnoredSetting[],
    private readonly wiring: ScorerWiring,
    /** The cluster enforcement workflow the scorer starts once per cluster crossing. */
    public readonly clusterStateMachine: LocalStateMachine,
    /** The reinstatement workflow, started by the bus rule on CaseUpdated to FALSE_POSITIVE. */
    public readonly reinstatementStateMachine: LocalStateMachine,
    /** The Express cluster workflow for small clusters, when the profile has one. */
    public readonly expressClusterStateMachine?: LocalStateMachine,
  ) {}

  public static async start(options: LocalPipelineOptions = {}): Promise<LocalPipeline> {
    const templates = synthesizeTemplates(options.policyFile, { costProfile: options.costProfile });
    const services = await startLocalServices({
      isolated: options.isolatedServices ?? true,
      dataDir: options.dataDir,
    });
    try {
      const provisioned = await provisionFromTemplate(templates.merged, {
        dynamodb: services.dynamodb,
        kinesis: services.kinesis,
        region: services.region,
        shardCount: options.shards ?? 2,
      });
      const wiring = scorerWiring(templates.merged, provisioned.resolveRef, provisioned.names);
      const env = wiring.environment;
      const policy = synthesizedPolicy(templates.merged);

      const bus = new LocalEventBus({ region: services.region, jsonlPath: options.busEventsFile });
      const dynamodb = (await options.hooks?.dynamodbClient?.(services)) ?? services.dynamodb;
      const retryMs = options.hooks?.workflowRetryMs;
      const localStateMachine = (logicalId: string) => {
        const definition = resolveStateMachineDefinition(
          templates.merged,
          logicalId,
          provisioned.resolveRef,
        ) as Record<string, unknown>;
        return new LocalStateMachine({
          definition,
          retryIntervalOverrides:
            retryMs === undefined
              ? undefined
              : Object.fromEntries(collectTaskStates(definition).map((task) => [task.stateName, retryMs])),
          dynamodb,
          eventBus: bus,
          stateMachineArn: provisioned.resolveRef(logicalId),
          region: services.region,
          maxConcurrentExecutions: options.maxConcurrentExecutions ?? 8,
          workflowType: stateMachineTypeOf(templates.merged, logicalId),
        });
      };
      // The logical ids PipelineStack pins; the scorer finds the enforcement ones by its environment.
      const stateMachine = localStateMachine('EnforcementStateMachine');
      const clusterStateMachine = localStateMachine('ClusterEnforcementStateMachine');
      const reinstatementStateMachine = localStateMachine('ReinstatementStateMachine');
      const expressClusterStateMachine = templates.merged.Resources?.[EXPRESS_CLUSTER_MACHINE_ID]
        ? localStateMachine(EXPRESS_CLUSTER_MACHINE_ID)
        : undefined;
      const route = smallClusterRouteFromEnv(env);
      const smallClusters = expressClusterStateMachine &&
        route && { target: expressClusterStateMachine, belowMembers: route.belowMembers };
      for (const [variable, machine] of [
        ['STATE_MACHINE_ARN', stateMachine],
        ['CLUSTER_STATE_MACHINE_ARN', clusterStateMachine],
        ...(expressClusterStateMachine
          ? [['SMALL_CLUSTER_STATE_MACHINE_ARN', expressClusterStateMachine] as const]
          : []),
      ] as const) {
        if (requireKey(env, variable) !== machine.stateMachineArn) {
          throw new Error(
            `the scorer's ${variable} is not ${machine.stateMachineArn}; did the stack change?`,
          );
        }
      }
      // EventBridge rules of the stacks (CaseUpdated -> reinstatement) deliver to the local machines.
      connectEventRules(bus, eventRulesFromTemplate(templates.merged, provisioned.resolveRef), [
        stateMachine,
        clusterStateMachine,
        reinstatementStateMachine,
        ...(expressClusterStateMachine ? [expressClusterStateMachine] : []),
      ]);
      const deadLetters = new LocalDeadLetterSink(options.deadLetterFile);
      const wrapEnforcement = options.hooks?.wrapEnforcement ?? ((starter: EnforcementStarter) => starter);
      const documents = documentClient(dynamodb);
      const scoring = emptyBatchStats();
      const failedBatches: KinesisFailureDestinationRecord[] = [];
      const handler = createAccountScorerHandler({
        logger: new Logger({ serviceName: 'cauterize-scorer', logLevel: options.logLevel ?? 'ERROR' }),
        accounts: new DynamoDbAccountStore(documents, requireKey(env, 'ACCOUNTS_TABLE')),
        links: new DynamoDbLinkStore(documents, requireKey(env, 'LINKS_TABLE')),
        enforcement: wrapEnforcement(
          new LocalEnforcementStarter(stateMachine, clusterStateMachine, smallClusters),
        ),
        deadLetters,
        policy,
        clock: systemClock,
        onOutcome: (outcome: BatchOutcome) => addStats(scoring, outcome.stats),
      });
      const poller = new KinesisPoller({
        kinesis: services.kinesis,
        streamName: wiring.streamName,
        handler: options.hooks?.wrapScorer?.(handler) ?? (async (event) => handler(event)),
        batchSize: options.batchSize ?? wiring.batchSize,
        bisectBatchOnError: wiring.bisectBatchOnError,
        maximumRetryAttempts: wiring.maximumRetryAttempts,
        maximumRecordAgeSeconds: wiring.maximumRecordAgeSeconds,
        reportBatchItemFailures: wiring.reportBatchItemFailures,
        functionTimeoutMs: wiring.functionTimeoutMs,
        functionName: 'account-scorer',
        region: services.region,
        idleDelayMs: 20,
        onFailure: (record) => {
          failedBatches.push(record);
        },
      });
      return new LocalPipeline(
        scoring,
        failedBatches,
        services,
        provisioned.names,
        policy,
        poller,
        stateMachine,
        bus,
        deadLetters,
        provisioned.ignored,
        wiring,
        clusterStateMachine,
        reinstatementStateMachine,
        expressClusterStateMachine,
      );
    } catch (error) {
      await services.stop();
      throw error;
    }
  }

  public get streamName(): string {
    return this.wiring.streamName;
  }

  public get batchSize(): number {
    return this.wiring.batchSize;
  }

  /** Puts records on the usage stream as the gateway does (partition key = accountId). */
  public async ingest(
    records: AsyncIterable<KinesisWriteRecord> | Iterable<KinesisWriteRecord>,
    onProgress?: (written: number) => void,
  ): Promise<PutAllResult> {
    return putAll(this.services.kinesis, this.wiring.streamName, records, { onProgress });
  }

  /** Starts scoring continuously in the background (for ingesting and scoring at the same time). */
  public async startScoring(): Promise<void> {
    await this.poller.start();
  }

  /**
   * Waits until every record on the stream is scored and every workflow has finished, those that
   * bus rules started meanwhile included.
   */
  public async drain(): Promise<void> {
    await this.poller.drain();
    await this.drainWorkflows();
  }

  /** The cluster workflows: the Standard one, and the Express one for small clusters if any. */
  public get clusterStateMachines(): readonly LocalStateMachine[] {
    return this.expressClusterStateMachine
      ? [this.clusterStateMachine, this.expressClusterStateMachine]
      : [this.clusterStateMachine];
  }

  /** Waits until no workflow runs and no bus delivery is pending. */
  public async drainWorkflows(): Promise<void> {
    const machines = [this.stateMachine, ...this.clusterStateMachines, this.reinstatementStateMachine];
    const running = () =>
      machines.reduce((n, m) => n + m.executions().filter((e) => e.status === 'RUNNING').length, 0);
    do {
      await Promise.all(machines.map((machine) => machine.drain()));
      await this.bus.flush();
    } while (running() > 0);
  }

  /** Every account the scorer has seen, straight from the accounts table. */
  public async *accounts(): AsyncGenerator<AccountSummary> {
    for await (const item of this.scan(requireKey(this.names, 'AccountsTable'))) {
      yield accountSummary(fromItem(item), item);
    }
  }

  /** Every case opened, with its frozen evidence. */
  public async *cases(): AsyncGenerator<CaseSummary> {
    for await (const item of this.scan(requireKey(this.names, 'CasesTable'))) {
      if (item.sk === 'CASE') yield caseSummary(item);
    }
  }

  /**
   * Stops polling, lets running workflows finish, then stops the emulators. The emulators stop
   * (and their temporary folder goes) whatever happens before: a workflow or bus failure is
   * thrown only after, so a failed run never leaves them running.
   */
  public async stop(): Promise<void> {
    try {
      await this.poller.stop();
      await this.drainWorkflows();
    } finally {
      await this.services.stop();
    }
  }

  private async *scan(tableName: string): AsyncGenerator<Record<string, unknown>> {
    const documents = documentClient(this.services.dynamodb);
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await documents.send(
        new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey }),
      );
      for (const item of page.Items ?? []) yield item;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }
}

function requireKey(record: Readonly<Record<string, string>>, key: string): string {
  const value = record[key];
  if (value === undefined) throw new Error(`the synthesized stacks define no ${key}; did the stack change?`);
  return value;
}

/** Finds the scorer function and its Kinesis event source mapping, and resolves their settings locally. */
function scorerWiring(
  template: CloudFormationTemplate,
  resolveRef: (logicalId: string, attribute?: string) => string,
  names: Readonly<Record<string, string>>,
): ScorerWiring {
  const resources = template.Resources ?? {};
  const mappings = logicalIdsOfType(template, 'AWS::Lambda::EventSourceMapping');
  const mappingId = mappings.find((id) => {
    const props = resources[id]?.Properties ?? {};
    return JSON.stringify(props.EventSourceArn ?? '').includes('UsageStream');
  });
  if (!mappingId) throw new Error('the synthesized stacks have no event source mapping on the usage stream');
  const mapping = resources[mappingId]?.Properties ?? {};
  const functionRef = JSON.stringify(mapping.FunctionName ?? '');
  const functionId = logicalIdsOfType(template, 'AWS::Lambda::Function').find((id) =>
    functionRef.includes(`"${id}"`),
  );
  if (!functionId) throw new Error(`event source mapping ${mappingId} names no function of the stacks`);
  const fn = resources[functionId]?.Properties ?? {};
  const variables = (fn.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
  const environment = resolveIntrinsics(variables, resolveRef) as Record<string, string>;
  const num = (value: unknown, fallback: number) => (typeof value === 'number' ? value : fallback);
  return {
    environment,
    streamName: requireKey(names, 'UsageStream'),
    batchSize: num(mapping.BatchSize, 100),
    bisectBatchOnError: mapping.BisectBatchOnFunctionError === true,
    maximumRetryAttempts: num(mapping.MaximumRetryAttempts, -1),
    maximumRecordAgeSeconds: num(mapping.MaximumRecordAgeInSeconds, -1),
    reportBatchItemFailures:
      Array.isArray(mapping.FunctionResponseTypes) &&
      mapping.FunctionResponseTypes.includes('ReportBatchItemFailures'),
    functionTimeoutMs: num(fn.Timeout, 3) * 1000,
  };
}

/**
 * The policy the stack deploys: the content of its AppConfig hosted configuration version, which
 * the scorer reads at run time (its code carries the same policy for a first rollout).
 */
export function synthesizedPolicy(template: CloudFormationTemplate): Policy {
  const versions = Object.entries(template.Resources ?? {}).filter(
    ([, resource]) => resource.Type === 'AWS::AppConfig::HostedConfigurationVersion',
  );
  const [first, ...others] = versions;
  if (!first || others.length > 0) {
    throw new Error(
      `expected one AWS::AppConfig::HostedConfigurationVersion in the pipeline template, found ${versions.length}: did the stack change?`,
    );
  }
  const [logicalId, resource] = first;
  const content = (resource.Properties as { Content?: unknown } | undefined)?.Content;
  if (typeof content !== 'string')
    throw new Error(`${logicalId} has no literal Content: did the stack change?`);
  return validatePolicy(JSON.parse(content), `${logicalId} Content`);
}
