import { GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { App, CfnResource, type IResource } from 'aws-cdk-lib';
import { DynamoDbAccountStore } from '../../lambdas/adapters/dynamodb-account-store';
import { DynamoDbLinkStore } from '../../lambdas/adapters/dynamodb-link-store';
import { documentClient } from '../../lambdas/adapters/aws-clients';
import {
  auditFromItem,
  caseFromItem,
  type AuditEntry,
  type CaseRecord,
} from '../../lambdas/core/cases/case-record';
import type { Policy } from '../../lambdas/core/policy/policy';
import type { ScoreBatchDependencies } from '../../lambdas/core/batch/score-batch';
import { ClusterEnforcementWorkflow } from '../../lib/constructs/cluster-enforcement-workflow';
import { EnforcementWorkflow } from '../../lib/constructs/enforcement-workflow';
import { ReinstatementWorkflow } from '../../lib/constructs/reinstatement-workflow';
import { StatefulStack } from '../../lib/stateful-stack';
import { resolveStateMachineDefinition } from '../../local/stepfunctions/asl-definition';
import type { CloudFormationTemplate } from '../../local/cloudformation/cloudformation-template';
import { connectEventRules, eventRulesFromTemplate } from '../../local/event-rules';
import { stateMachineTypeOf } from '../../local/cloudformation/synthesized-templates';
import { LocalEnforcementStarter } from '../../local/stepfunctions/local-enforcement-starter';
import { LocalEventBus } from '../../local/eventbridge/local-event-bus';
import { startLocalServices, type LocalServices } from '../../local/emulators/local-services';
import { LocalStateMachine } from '../../local/stepfunctions/local-state-machine';
import { buildTaskHandlers, type LocalTaskHandler } from '../../local/stepfunctions/task-resource-handlers';
import { provisionFromTemplate } from '../../local/cloudformation/provision-from-template';
import { testPolicy } from './policy';
import { LocalDeadLetterSink } from '../../local/dead-letter-sink';

/** Logical ids the lifecycle test stack pins. */
const IDS = {
  accounts: 'AccountsTable',
  links: 'LinksTable',
  cases: 'CasesTable',
  bus: 'EnforcementBus',
  enforcement: 'EnforcementStateMachine',
  cluster: 'ClusterEnforcementStateMachine',
  reinstatement: 'ReinstatementStateMachine',
} as const;

/** How the lifecycle test stack builds its cluster workflow. */
export interface LifecycleStackOptions {
  readonly distributedMapThreshold?: number;
  readonly clusterWorkflowType?: 'STANDARD' | 'EXPRESS';
}

/**
 * The stateful stack (tables, bus) with the three lifecycle workflows added to it, synthesized in
 * one template: the account and cluster enforcement workflows and the reinstatement workflow with
 * its rule. The real constructs, with a cluster workflow type and Distributed Map threshold of the
 * test's choosing.
 */
export function synthesizeLifecycleStack(options: LifecycleStackOptions = {}): CloudFormationTemplate {
  const app = new App({ builtinCloudFormationValidation: false });
  const stack = new StatefulStack(app, 'LifecycleTest');
  const tables = {
    accountsTable: stack.accountsTable,
    casesTable: stack.casesTable,
    enforcementBus: stack.enforcementBus,
  };
  const pin = (construct: IResource, id: string) =>
    (construct.node.defaultChild as CfnResource).overrideLogicalId(id);
  pin(new EnforcementWorkflow(stack, 'Enforcement', tables).stateMachine, IDS.enforcement);
  const cluster = new ClusterEnforcementWorkflow(stack, 'Cluster', {
    ...tables,
    distributedMapThreshold: options.distributedMapThreshold,
    workflowType: options.clusterWorkflowType,
  });
  pin(cluster.stateMachine, IDS.cluster);
  pin(new ReinstatementWorkflow(stack, 'Reinstatement', tables).stateMachine, IDS.reinstatement);
  return app.synth().getStackByName(stack.stackName).template as CloudFormationTemplate;
}

/** The lifecycle on local services: dynalite tables, the three state machines, the bus and its rule. */
export interface LifecycleRuntime {
  readonly services: LocalServices;
  readonly names: Readonly<Record<'accounts' | 'links' | 'cases', string>>;
  readonly bus: LocalEventBus;
  readonly enforcement: LocalStateMachine;
  readonly cluster: LocalStateMachine;
  readonly reinstatement: LocalStateMachine;
  readonly starter: LocalEnforcementStarter;
  /** What scoreBatch needs to run against these services. */
  scorerDependencies(policy?: Policy): ScoreBatchDependencies;
  /** Waits until no execution runs and no bus delivery is pending. */
  drain(): Promise<void>;
  /** One item of a table (strongly consistent), unmarshalled. */
  item(
    table: 'accounts' | 'cases',
    key: Record<string, string>,
  ): Promise<Record<string, unknown> | undefined>;
  /** Every item of a case, unmarshalled, in sort key order. */
  caseItems(caseId: string): Promise<Array<Record<string, unknown>>>;
  /** The case record and its audit entries. */
  caseChain(caseId: string): Promise<{ record: CaseRecord; entries: AuditEntry[] }>;
  stop(): Promise<void>;
}

export interface LifecycleRuntimeOptions {
  /** Wraps the real local handler of a cluster workflow Task state (e.g. to fail it once after its write). */
  readonly wrapCluster?: Readonly<Record<string, (real: LocalTaskHandler) => LocalTaskHandler>>;
}

export async function startLifecycleRuntime(
  template: CloudFormationTemplate,
  options: LifecycleRuntimeOptions = {},
): Promise<LifecycleRuntime> {
  const services = await startLocalServices();
  try {
    const provisioned = await provisionFromTemplate(template, services);
    const bus = new LocalEventBus({ region: services.region });
    // Retries wait 5 ms locally instead of seconds.
    const machine = (logicalId: string, wrap: LifecycleRuntimeOptions['wrapCluster'] = {}) => {
      const definition = resolveStateMachineDefinition(template, logicalId, provisioned.resolveRef);
      const real = buildTaskHandlers(definition, { dynamodb: services.dynamodb, eventBus: bus });
      const stateHandlers = Object.fromEntries(
        Object.entries(wrap).map(([state, wrapHandler]) => {
          const handler = real.get(state);
          if (!handler) throw new Error(`${logicalId} has no Task state '${state}'`);
          return [state, wrapHandler(handler)];
        }),
      );
      return new LocalStateMachine({
        stateHandlers,
        definition,
        dynamodb: services.dynamodb,
        eventBus: bus,
        stateMachineArn: provisioned.resolveRef(logicalId),
        region: services.region,
        retryIntervalOverrides: Object.fromEntries(taskNames(definition).map((name) => [name, 5])),
        waitTimeOverrides: { WaitForChain: 5 },
        workflowType: stateMachineTypeOf(template, logicalId),
      });
    };
    const enforcement = machine(IDS.enforcement);
    const cluster = machine(IDS.cluster, options.wrapCluster);
    const reinstatement = machine(IDS.reinstatement);
    connectEventRules(bus, eventRulesFromTemplate(template, provisioned.resolveRef), [
      enforcement,
      cluster,
      reinstatement,
    ]);
    const names = {
      accounts: provisioned.names[IDS.accounts]!,
      links: provisioned.names[IDS.links]!,
      cases: provisioned.names[IDS.cases]!,
    };
    const starter = new LocalEnforcementStarter(enforcement, cluster);
    const documents = documentClient(services.dynamodb);
    const machines = [enforcement, cluster, reinstatement];
    const runtime: LifecycleRuntime = {
      services,
      names,
      bus,
      enforcement,
      cluster,
      reinstatement,
      starter,
      scorerDependencies: (policy = testPolicy()) => ({
        accounts: new DynamoDbAccountStore(documents, names.accounts),
        links: new DynamoDbLinkStore(documents, names.links),
        enforcement: starter,
        deadLetters: new LocalDeadLetterSink(),
        policy,
        clock: { now: () => new Date() },
      }),
      drain: async () => {
        do {
          await Promise.all(machines.map((m) => m.drain()));
          await bus.flush();
        } while (machines.some((m) => m.executions().some((e) => e.status === 'RUNNING')));
      },
      item: async (table, key) => {
        const out = await services.dynamodb.send(
          new GetItemCommand({
            TableName: names[table],
            Key: Object.fromEntries(Object.entries(key).map(([k, v]) => [k, { S: v }])),
            ConsistentRead: true,
          }),
        );
        return out.Item ? unmarshall(out.Item) : undefined;
      },
      caseItems: async (caseId) => {
        const out = await services.dynamodb.send(
          new QueryCommand({
            TableName: names.cases,
            KeyConditionExpression: 'caseId = :c',
            ExpressionAttributeValues: { ':c': { S: caseId } },
            ConsistentRead: true,
          }),
        );
        return (out.Items ?? []).map((item) => unmarshall(item));
      },
      caseChain: async (caseId) => {
        const items = await runtime.caseItems(caseId);
        // Read as the cases store reads them: evidence and seal field hashes are JSON strings.
        const caseItem = items.find((i) => i.sk === 'CASE');
        if (!caseItem) throw new Error(`case ${caseId} has no CASE item`);
        const record: CaseRecord = caseFromItem(caseItem);
        const entries: AuditEntry[] = items
          .filter((i) => String(i.sk).startsWith('AUDIT#'))
          .map((i) => auditFromItem(i));
        return { record, entries };
      },
      stop: async () => {
        await runtime.drain();
        await services.stop();
      },
    };
    return runtime;
  } catch (error) {
    await services.stop();
    throw error;
  }
}

function taskNames(definition: Record<string, unknown>): string[] {
  const names: string[] = [];
  const visit = (states: unknown) => {
    for (const [name, state] of Object.entries((states ?? {}) as Record<string, Record<string, unknown>>)) {
      if (state.Type === 'Task') names.push(name);
      const processor = (state.ItemProcessor ?? state.Iterator) as { States?: unknown } | undefined;
      if (processor) visit(processor.States);
    }
  };
  visit(definition.States);
  return names;
}
