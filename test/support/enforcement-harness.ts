import { GetItemCommand, PutItemCommand, QueryCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { resolveStateMachineDefinition } from '../../local/stepfunctions/asl-definition';
import { LocalEventBus, type LocalBusEvent } from '../../local/eventbridge/local-event-bus';
import { startLocalServices, type LocalServices } from '../../local/emulators/local-services';
import { LocalStateMachine } from '../../local/stepfunctions/local-state-machine';
import { provisionFromTemplate } from '../../local/cloudformation/provision-from-template';
import {
  stateMachineTypeOf,
  type SynthesizedTemplates,
} from '../../local/cloudformation/synthesized-templates';
import { buildTaskHandlers, type LocalTaskHandler } from '../../local/stepfunctions/task-resource-handlers';
import type { EnforcementInput } from '../../lambdas/core/ports';
import { claimCutoffOf } from '../../lambdas/core/lifecycle/enforcement-action';

/** Logical ids PipelineStack and StatefulStack pin. */
const STATE_MACHINE = 'EnforcementStateMachine';

export interface EnforcementHarnessOptions {
  /** Wraps the real local handler of a Task state (e.g. to fail it once after its write). */
  readonly wrap?: Readonly<Record<string, (real: LocalTaskHandler) => LocalTaskHandler>>;
  /** @default 16 */
  readonly maxConcurrentExecutions?: number;
}

/**
 * The synthesized account enforcement workflow on the local services: its tables provisioned in
 * dynalite from the real templates, its ASL run by aws-local-stepfunctions with the DynamoDB and
 * EventBridge tasks going through the real AWS SDK (dynalite) and a local bus. Retries wait 0 ms.
 */
export class EnforcementHarness {
  private constructor(
    public readonly services: LocalServices,
    public readonly machine: LocalStateMachine,
    public readonly bus: LocalEventBus,
    public readonly accountsTable: string,
    public readonly casesTable: string,
  ) {}

  public static async start(
    templates: SynthesizedTemplates,
    options: EnforcementHarnessOptions = {},
  ): Promise<EnforcementHarness> {
    const services = await startLocalServices();
    try {
      const provisioned = await provisionFromTemplate(templates.merged, {
        dynamodb: services.dynamodb,
        kinesis: services.kinesis,
        region: services.region,
      });
      const definition = resolveStateMachineDefinition(
        templates.merged,
        STATE_MACHINE,
        provisioned.resolveRef,
      );
      const bus = new LocalEventBus({ region: services.region });
      const real = buildTaskHandlers(definition, { dynamodb: services.dynamodb, eventBus: bus });
      const stateHandlers = Object.fromEntries(
        Object.entries(options.wrap ?? {}).map(([state, wrap]) => {
          const handler = real.get(state);
          if (!handler) throw new Error(`the enforcement workflow has no Task state '${state}'`);
          return [state, wrap(handler)];
        }),
      );
      const taskStates = [...real.keys()];
      const machine = new LocalStateMachine({
        definition,
        dynamodb: services.dynamodb,
        eventBus: bus,
        stateMachineArn: provisioned.resolveRef(STATE_MACHINE),
        region: services.region,
        maxConcurrentExecutions: options.maxConcurrentExecutions ?? 16,
        workflowType: stateMachineTypeOf(templates.merged, STATE_MACHINE),
        stateHandlers,
        retryIntervalOverrides: Object.fromEntries(taskStates.map((state) => [state, 0])),
      });
      const name = (logicalId: string) => {
        const table = provisioned.names[logicalId];
        if (!table) throw new Error(`the templates define no ${logicalId}`);
        return table;
      };
      return new EnforcementHarness(services, machine, bus, name('AccountsTable'), name('CasesTable'));
    } catch (error) {
      await services.stop();
      throw error;
    }
  }

  public async stop(): Promise<void> {
    await this.machine.drain();
    await this.services.stop();
  }

  /** Puts an account item as the scorer (or an earlier enforcement) left it. */
  public async putAccount(accountId: string, attributes: Record<string, AttributeValue> = {}): Promise<void> {
    await this.services.dynamodb.send(
      new PutItemCommand({
        TableName: this.accountsTable,
        Item: { accountId: { S: accountId }, status: { S: 'ACTIVE' }, ...attributes },
      }),
    );
  }

  public async account(accountId: string): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.services.dynamodb.send(
      new GetItemCommand({
        TableName: this.accountsTable,
        Key: { accountId: { S: accountId } },
        ConsistentRead: true,
      }),
    );
    return Item && unmarshall(Item);
  }

  /** Every item of a case (CASE, AUDIT#...), sk order. */
  public async caseItems(caseId: string): Promise<Array<Record<string, unknown>>> {
    const { Items } = await this.services.dynamodb.send(
      new QueryCommand({
        TableName: this.casesTable,
        KeyConditionExpression: 'caseId = :id',
        ExpressionAttributeValues: { ':id': { S: caseId } },
        ConsistentRead: true,
      }),
    );
    return (Items ?? []).map((item) => unmarshall(item));
  }

  public events(detailType?: string): readonly LocalBusEvent[] {
    return this.bus.events(detailType === undefined ? {} : { detailType });
  }

  /** Starts an execution and waits for every execution to finish. */
  public async run(name: string, input: EnforcementInput): Promise<void> {
    await this.machine.startExecution({ name, input });
    await this.machine.drain();
  }
}

/** An enforcement input as the scorer sends it, for the action at hand. */
export function enforcementInput(
  accountId: string,
  overrides: Partial<EnforcementInput> = {},
): EnforcementInput {
  const triggeredAt = overrides.triggeredAt ?? '2026-02-05T18:00:00.000Z';
  return {
    accountId,
    caseId: `case-${accountId}-1`,
    riskScore: 82,
    policyVersion: 'test-policy',
    triggeredAt,
    evidence: { reasons: [{ signal: 'topicCoverage', value: 0.93, threshold: 0.5, points: 18.1 }] },
    action: 'suspend',
    proposedAction: 'suspend',
    mode: 'enforce',
    reason: 'risk score 82 is in the suspend band (70 and over)',
    directive: {},
    ...overrides,
    // As the scorer derives it: the same crossing always sends the same input.
    claimCutoff: overrides.claimCutoff ?? claimCutoffOf(triggeredAt),
  };
}
