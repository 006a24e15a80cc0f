import * as path from 'node:path';
import type { App, Environment } from 'aws-cdk-lib';
import { policyToJson } from '../lambdas/core/policy/policy';
import {
  costProfileSettings,
  DEFAULT_EXPECTED_EVENTS_PER_SECOND,
  parseCostProfile,
  type CostProfileName,
  type CostProfileSettings,
} from './cost-profile';
import { DEFAULT_POLICY_FILE, loadPolicyFile, PROJECT_ROOT } from './policy-file';
import { PipelineStack } from './pipeline-stack';
import { StatefulStack } from './stateful-stack';
import { checkInteger } from './validate-props';

export const STATEFUL_STACK_NAME = 'CauterizeStateful';
export const PIPELINE_STACK_NAME = 'CauterizePipeline';

export interface CauterizeAppProps {
  /**
   * Deployment profile: `default` (on-demand stream and tables, 60 s batches, Standard workflows:
   * a suspension within about a minute of a crossing) or `optimised` (provisioned stream sized
   * from expectedEventsPerSecond, 300 s batches, accounts and links tables provisioned with auto
   * scaling, the account workflow on Express: within about 6 minutes, for a fraction of the price).
   * It only chooses defaults: every other prop here still wins. docs/performance.md, "Cost profiles".
   * @default - the `costProfile` context value, else 'default'
   */
  readonly costProfile?: CostProfileName;
  /**
   * Sustained usage events per second the optimised profile sizes the stream's shards and the
   * tables' auto scaling range for (the default profile sizes nothing).
   * @default - the `expectedEventsPerSecond` context value, else 1000
   */
  readonly expectedEventsPerSecond?: number;
  /**
   * Policy file (YAML or JSON); a relative path starts at the project root. It is validated
   * here, so a bad policy fails `cdk synth` with the key, the value and the rule.
   * @default - the `policyFile` context value, else config/policy.yaml
   */
  readonly policyFile?: string;
  /**
   * Account and region of both stacks.
   * @default - environment-agnostic: synthesizes with no credentials, deploys where the CLI points
   */
  readonly env?: Environment;
  /**
   * Usage stream retention, in hours.
   * @default 24
   */
  readonly streamRetentionHours?: number;
  /**
   * Provisioned shards for the usage stream.
   * @default - the profile's: on-demand (default), or enough for batches to span 300 s at
   * expectedEventsPerSecond (optimised: 6 per 1,000 events/s)
   */
  readonly streamShardCount?: number;
  /**
   * Name of the enforcement event bus.
   * @default 'cauterize-enforcement'
   */
  readonly enforcementBusName?: string;
  /**
   * Memory of the scorer, in MB.
   * @default 1024
   */
  readonly scorerMemorySizeMb?: number;
  /**
   * Longest the scorer's event source mapping waits to fill a batch, in seconds (0 to 300): the
   * cost of account-state writes against time to suspension, while batches do not fill first
   * (below about 33 events/s per shard at the defaults; see scorerParallelizationFactor).
   * docs/performance.md measures 12, 20, 60 and 300 s on the simulator's traffic.
   * @default - the `scorerBatchingWindowSeconds` context value, else the profile's (60 s, optimised 300 s)
   */
  readonly scorerBatchingWindowSeconds?: number;
  /**
   * Concurrent scorer batches per shard (1 to 10). A busy shard fills its batches before the window
   * passes, so this, not the window, decides how much event time a batch spans at scale: each of
   * the factor's batches fills at its share of the shard's rate. docs/performance.md ("Sizing").
   * @default - the `scorerParallelizationFactor` context value, else the profile's (10 in both)
   */
  readonly scorerParallelizationFactor?: number;
}

export interface CauterizeApp {
  readonly stateful: StatefulStack;
  readonly pipeline: PipelineStack;
  /** The profile's settings the stacks were built with (props given explicitly win over them). */
  readonly profile: CostProfileSettings;
}

/**
 * Adds Cauterize's two stacks to an app: `CauterizeStateful` (key, stream, tables, bus) and
 * `CauterizePipeline` (scorer, enforcement workflow, queues, alarms), which depends on it.
 * Used by lib/app.ts, the infrastructure tests and the local runtime (which reads the templates).
 */
export function buildCauterize(app: App, props: CauterizeAppProps = {}): CauterizeApp {
  const policyFile = props.policyFile ?? contextString(app, 'policyFile') ?? DEFAULT_POLICY_FILE;
  const policyJson = policyToJson(loadPolicyFile(path.resolve(PROJECT_ROOT, policyFile)));
  const expectedEventsPerSecond =
    props.expectedEventsPerSecond ??
    contextWholeNumber(app, 'expectedEventsPerSecond', 'number', DEFAULT_EXPECTED_EVENTS_PER_SECOND) ??
    DEFAULT_EXPECTED_EVENTS_PER_SECOND;
  checkInteger('expectedEventsPerSecond', expectedEventsPerSecond, 1, 10_000_000);
  const profile = costProfileSettings(
    props.costProfile ??
      parseCostProfile(app.node.tryGetContext('costProfile') ?? 'default', 'context costProfile'),
    expectedEventsPerSecond,
  );

  const stateful = new StatefulStack(app, STATEFUL_STACK_NAME, {
    env: props.env,
    description: 'Cauterize: data key, usage stream, accounts/links/cases tables, enforcement bus',
    streamRetentionHours: props.streamRetentionHours,
    streamShardCount: props.streamShardCount ?? profile.streamShardCount,
    accountsTableCapacity: profile.accountsTableCapacity,
    linksTableCapacity: profile.linksTableCapacity,
    enforcementBusName: props.enforcementBusName,
  });
  const pipeline = new PipelineStack(app, PIPELINE_STACK_NAME, {
    env: props.env,
    description: 'Cauterize: usage-stream scorer, enforcement workflow, dead-letter queues, alarms',
    usageStream: stateful.usageStream,
    dataKey: stateful.dataKey,
    accountsTable: stateful.accountsTable,
    linksTable: stateful.linksTable,
    casesTable: stateful.casesTable,
    enforcementBus: stateful.enforcementBus,
    caseArchiveBucket: stateful.caseArchive.bucket,
    policyJson,
    scorerMemorySizeMb: props.scorerMemorySizeMb,
    scorerBatchSize: profile.scorerBatchSize,
    scorerMaxBatchingWindowSeconds:
      props.scorerBatchingWindowSeconds ??
      contextWholeNumber(app, 'scorerBatchingWindowSeconds', 'seconds', 60) ??
      profile.scorerBatchingWindowSeconds,
    scorerParallelizationFactor:
      props.scorerParallelizationFactor ??
      contextWholeNumber(app, 'scorerParallelizationFactor', 'number', 10) ??
      profile.scorerParallelizationFactor,
    enforcementWorkflowType: profile.enforcementWorkflowType,
    clusterWorkflowType: profile.clusterWorkflowType,
    clusterDistributedMapThreshold: profile.clusterDistributedMapThreshold,
    workflowLogExecutionData: profile.workflowLogExecutionData,
  });
  return { stateful, pipeline, profile };
}

/**
 * A whole number from the context (`-c key=60` passes it as text); the range is checked where it
 * is used.
 */
function contextWholeNumber(
  app: App,
  key: string,
  unit: 'seconds' | 'number',
  example: number,
): number | undefined {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined) return undefined;
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n)) {
    const what = unit === 'seconds' ? 'whole seconds' : 'a whole number';
    throw new Error(
      `context ${key} must be ${what}, got ${JSON.stringify(value)}: pass -c ${key}=${example}`,
    );
  }
  return n;
}

function contextString(app: App, key: string): string | undefined {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') {
    throw new Error(
      `context ${key} must be a file path, got ${JSON.stringify(value)}: pass -c ${key}=path/to/file`,
    );
  }
  return value;
}
