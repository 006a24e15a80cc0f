import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { resolveStateMachineDefinition } from './stepfunctions/asl-definition';
import type { CloudFormationTemplate } from './cloudformation/cloudformation-template';
import { connectEventRules, eventRulesFromTemplate } from './event-rules';
import { DEFAULT_LOCAL_REGION } from './emulators/local-aws-identity';
import type { LocalEventBus } from './eventbridge/local-event-bus';
import { describeLocalResource, referenceResolver } from './cloudformation/local-resource-names';
import { LocalStateMachine } from './stepfunctions/local-state-machine';
import { synthesizeTemplates } from './cloudformation/synthesized-templates';

/** The logical id PipelineStack pins for the reinstatement workflow. */
export const REINSTATEMENT_STATE_MACHINE = 'ReinstatementStateMachine';

export interface LocalReinstatementOptions {
  /** The DynamoDB holding the store's tables (CasesTable, AccountsTable), named by logical id. */
  readonly dynamodb: DynamoDBClient;
  /** The bus CaseUpdated is put on; the stack's rule is added to it. */
  readonly bus: LocalEventBus;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default config/policy.yaml, as the stacks are synthesized by default */
  readonly policyFile?: string;
  /** The synthesized app, when the caller has it already. @default synthesized here */
  readonly template?: CloudFormationTemplate;
}

/**
 * Reinstatement on a local store, as on AWS: the synthesized reinstatement state machine, run by
 * the local state machine runner against the store's tables, started by the stacks' own
 * EventBridge rule when a CaseUpdated to FALSE_POSITIVE is put on the local bus. A local store
 * (`replay --out DIR`, `cases --local DIR`) has the tables of the stateful stack, named by logical
 * id, so every reference resolves to that name.
 */
export class LocalReinstatement {
  private constructor(
    public readonly stateMachine: LocalStateMachine,
    private readonly bus: LocalEventBus,
  ) {}

  public static create(options: LocalReinstatementOptions): LocalReinstatement {
    const region = options.region ?? DEFAULT_LOCAL_REGION;
    const template = options.template ?? synthesizeTemplates(options.policyFile).merged;
    const resources = Object.fromEntries(
      Object.entries(template.Resources ?? {}).map(([logicalId, resource]) => [
        logicalId,
        describeLocalResource(logicalId, resource, region),
      ]),
    );
    const resolveRef = referenceResolver(resources);
    const stateMachine = new LocalStateMachine({
      definition: resolveStateMachineDefinition(template, REINSTATEMENT_STATE_MACHINE, resolveRef),
      dynamodb: options.dynamodb,
      eventBus: options.bus,
      stateMachineArn: resolveRef(REINSTATEMENT_STATE_MACHINE),
      region,
    });
    // Only the rules that start this workflow: the enforcement workflows have no business here.
    const rules = eventRulesFromTemplate(template, resolveRef).filter((rule) =>
      rule.targetArns.includes(stateMachine.stateMachineArn),
    );
    if (rules.length === 0) {
      throw new Error(`no EventBridge rule of the synthesized app starts ${REINSTATEMENT_STATE_MACHINE}`);
    }
    connectEventRules(options.bus, rules, [stateMachine]);
    return new LocalReinstatement(stateMachine, options.bus);
  }

  /** Waits until the bus has delivered everything and no reinstatement is running. */
  public async drain(): Promise<void> {
    do {
      await this.bus.flush();
      await this.stateMachine.drain();
    } while (this.stateMachine.executions().some((e) => e.status === 'RUNNING'));
  }

  /** Executions that failed, with their error and cause. */
  public failures(): Array<{ name: string; error?: string; cause?: string }> {
    return this.stateMachine
      .executions()
      .filter((e) => e.status === 'FAILED')
      .map((e) => ({ name: e.name, error: e.error, cause: e.cause }));
  }
}
