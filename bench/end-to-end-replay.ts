import { tmpdir } from 'node:os';
import type { GroundTruth } from '../sim';
import { emptySourceStats, readJsonlRecords, type SourceRecord } from '../local/jsonl-source';
import { LocalPipeline } from '../local/local-pipeline';
import type { LocalExecution } from '../local/stepfunctions/local-state-machine';
import { CLUSTER_MEMBER_STATE_NAMES } from '../lib/constructs/cluster-enforcement-workflow';

/** Totals over one workflow's runs. */
export interface WorkflowRunFigures {
  readonly executions: number;
  /** States entered (Map iterations' included): what a Standard run is billed for. */
  readonly transitions: number;
  /** Task states entered: the service calls an Express run waits on. */
  readonly taskStates: number;
  /** History events that carry state data, and the bytes of that data (what ALL logging ingests). */
  readonly dataEvents: number;
  readonly dataBytes: number;
}

export interface EndToEndResult {
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  /** DynamoDB calls and items through the SDK client (scorer and workflows), counted by middleware. */
  readonly dynamodb: {
    readonly calls: Readonly<Record<string, number>>;
    readonly itemsWritten: number;
    readonly itemsRead: number;
    readonly writesPerEvent: number;
    readonly readsPerEvent: number;
  };
  readonly suspended: number;
  /** Standard workflow runs and the state transitions they were billed for (states entered). */
  readonly stepFunctions: {
    readonly executions: number;
    readonly stateTransitions: number;
    readonly transitionsPerExecution: number;
    /** What prices each workflow under either type (bench/cost-model.ts WorkflowMeasures). */
    readonly account: WorkflowRunFigures;
    /** The cluster workflow's states outside its member steps, and its member steps, with the members. */
    readonly cluster: WorkflowRunFigures;
    readonly clusterMembers: WorkflowRunFigures & { readonly members: number };
  };
  /** Per campaign, in processing (wall-clock) seconds of this replay. */
  readonly campaigns: ReadonlyArray<{
    readonly campaignId: string;
    readonly strategy: string;
    /** From the campaign's first event put on the stream to its first AccountSuspended. */
    readonly firstEventToSuspensionSeconds: number | null;
    /** From the put of the event that crossed the threshold to that suspension: the pipeline's own latency. */
    readonly crossingToSuspensionSeconds: number | null;
  }>;
}

const WRITE_COMMANDS = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'BatchWriteItemCommand',
]);
const READ_COMMANDS = new Set(['GetItemCommand', 'BatchGetItemCommand', 'QueryCommand']);

function itemsOf(command: string, input: Record<string, unknown>): number {
  const requestItems = input.RequestItems as Record<string, unknown> | undefined;
  if (command === 'BatchWriteItemCommand' && requestItems) {
    return Object.values(requestItems).reduce<number>((n, l) => n + (Array.isArray(l) ? l.length : 0), 0);
  }
  if (command === 'BatchGetItemCommand' && requestItems) {
    return Object.values(requestItems).reduce<number>(
      (n, e) => n + ((e as { Keys?: unknown[] }).Keys?.length ?? 0),
      0,
    );
  }
  return 1;
}

/**
 * Replays a file through the whole local pipeline (dynalite, kinesalite, the scorer behind the
 * poller, the workflow under aws-local-stepfunctions), as `cauterize replay` does, counting every
 * DynamoDB call at the SDK client and timing each campaign's first suspension.
 */
export async function measureEndToEnd(file: string, truth: GroundTruth): Promise<EndToEndResult> {
  const campaignOf = new Map(
    truth.accounts.filter((a) => a.campaignId).map((a) => [a.accountId, a.campaignId!]),
  );
  const pipeline = await LocalPipeline.start({ dataDir: tmpdir() });
  const calls: Record<string, number> = {};
  let itemsWritten = 0;
  let itemsRead = 0;
  let counting = true;
  pipeline.services.dynamodb.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName ?? 'unknown');
      if (counting) {
        calls[command] = (calls[command] ?? 0) + 1;
        const items = itemsOf(command, args.input as Record<string, unknown>);
        if (WRITE_COMMANDS.has(command)) itemsWritten += items;
        if (READ_COMMANDS.has(command)) itemsRead += items;
      }
      return next(args);
    },
    { step: 'initialize', name: 'benchCountDynamoDbCalls' },
  );

  // Wall-clock put time of every attacker event, keyed by account and event time.
  const putAt = new Map<string, number>();
  const firstPut = new Map<string, number>();
  const source = emptySourceStats();
  async function* timed(): AsyncGenerator<SourceRecord> {
    for await (const record of readJsonlRecords(file, source)) {
      const campaignId = campaignOf.get(record.partitionKey);
      if (campaignId) {
        const now = performance.now();
        if (!firstPut.has(campaignId)) firstPut.set(campaignId, now);
        const ts = (JSON.parse(Buffer.from(record.data).toString('utf8')) as { ts?: string }).ts;
        putAt.set(`${record.partitionKey}|${ts}`, now);
      }
      yield record;
    }
  }

  const firstSuspension = new Map<string, { at: number; accountId: string }>();
  const suspendedSeen = new Set<string>();
  const watch = setInterval(() => {
    for (const event of pipeline.bus.events({ detailType: 'AccountSuspended' })) {
      const accountId = String(event.detail.accountId);
      if (suspendedSeen.has(accountId)) continue;
      suspendedSeen.add(accountId);
      const campaignId = campaignOf.get(accountId);
      if (campaignId && !firstSuspension.has(campaignId)) {
        firstSuspension.set(campaignId, { at: performance.now(), accountId });
      }
    }
  }, 25);

  try {
    const started = performance.now();
    await pipeline.startScoring();
    await pipeline.ingest(timed());
    await pipeline.drain();
    const seconds = (performance.now() - started) / 1000;
    counting = false;
    clearInterval(watch);

    const triggered = new Map<string, string>();
    for await (const account of pipeline.accounts()) {
      if (account.status === 'SUSPENDED' && account.suspendedAt)
        triggered.set(account.accountId, account.suspendedAt);
    }
    const campaigns = truth.campaigns.map((c) => {
      const first = firstPut.get(c.campaignId);
      const suspension = firstSuspension.get(c.campaignId);
      const crossingTs = suspension ? triggered.get(suspension.accountId) : undefined;
      const crossingPut = crossingTs ? putAt.get(`${suspension!.accountId}|${crossingTs}`) : undefined;
      return {
        campaignId: c.campaignId,
        strategy: c.strategy,
        firstEventToSuspensionSeconds:
          first !== undefined && suspension ? (suspension.at - first) / 1000 : null,
        crossingToSuspensionSeconds:
          crossingPut !== undefined && suspension ? (suspension.at - crossingPut) / 1000 : null,
      };
    });
    // Step Functions bills a Standard workflow per state entered (Map iterations included).
    const executions = [
      pipeline.stateMachine,
      ...pipeline.clusterStateMachines,
      pipeline.reinstatementStateMachine,
    ].flatMap((machine) => machine.executions());
    const stateTransitions = executions.reduce(
      (n, e) => n + e.history.filter((h) => h.type === 'StateEntered').length,
      0,
    );
    const events = source.lines;
    // Both cluster workflows (Standard, and the optimised profile's Express one) run the same steps.
    const clusterRuns = pipeline.clusterStateMachines.flatMap((machine) => machine.executions());
    const clusterTasks = new Set(
      pipeline.clusterStateMachines.flatMap((machine) => [...machine.taskStateNames]),
    );
    return {
      stepFunctions: {
        executions: executions.length,
        stateTransitions,
        transitionsPerExecution: executions.length > 0 ? stateTransitions / executions.length : 0,
        account: runFigures(pipeline.stateMachine.executions(), pipeline.stateMachine.taskStateNames),
        cluster: runFigures(clusterRuns, clusterTasks, (name) => !MEMBER_STATES.has(name)),
        clusterMembers: {
          ...runFigures(clusterRuns, clusterTasks, (name) => MEMBER_STATES.has(name)),
          members: clusterRuns.reduce(
            (n, e) => n + ((e.input as { members?: unknown[] }).members?.length ?? 0),
            0,
          ),
        },
      },
      events,
      seconds,
      eventsPerSecond: events / seconds,
      dynamodb: {
        calls,
        itemsWritten,
        itemsRead,
        writesPerEvent: itemsWritten / events,
        readsPerEvent: itemsRead / events,
      },
      suspended: triggered.size,
      campaigns,
    };
  } finally {
    clearInterval(watch);
    await pipeline.stop();
  }
}

/** The cluster workflow's per-member states, in either Map. */
const MEMBER_STATES = new Set<string>([
  ...CLUSTER_MEMBER_STATE_NAMES,
  ...CLUSTER_MEMBER_STATE_NAMES.map((name) => `${name}Distributed`),
]);

/** Totals over the runs' states that `counts` accepts. */
function runFigures(
  executions: readonly LocalExecution[],
  taskStates: ReadonlySet<string>,
  counts: (stateName: string) => boolean = () => true,
): WorkflowRunFigures {
  let transitions = 0;
  let tasks = 0;
  let dataEvents = 0;
  let dataBytes = 0;
  for (const execution of executions) {
    for (const event of execution.history) {
      if (event.stateName === undefined || !counts(event.stateName)) continue;
      if (event.type === 'StateEntered') {
        transitions += 1;
        if (taskStates.has(event.stateName)) tasks += 1;
      }
      if (event.dataBytes !== undefined) {
        dataEvents += 1;
        dataBytes += event.dataBytes;
      }
    }
  }
  return { executions: executions.length, transitions, taskStates: tasks, dataEvents, dataBytes };
}
