import { resolveIntrinsics } from './cloudformation/cloudformation-intrinsics';
import {
  logicalIdsOfType,
  type CloudFormationTemplate,
  type ResolveRef,
} from './cloudformation/cloudformation-template';
import type { EventPattern } from './eventbridge/event-pattern';
import type { LocalEventBus } from './eventbridge/local-event-bus';
import type { LocalStateMachine } from './stepfunctions/local-state-machine';

/** An EventBridge rule of the synthesized template, resolved to local names. */
export interface TemplateEventRule {
  readonly logicalId: string;
  /** The bus name or ARN (`default` when the template names none). */
  readonly eventBusName: string;
  readonly pattern: EventPattern;
  /** Target ARNs; each receives the whole event (no Input, InputPath or InputTransformer). */
  readonly targetArns: readonly string[];
}

/** Thrown when a rule of the template cannot run locally as it would in AWS. */
export class UnsupportedEventRuleError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'UnsupportedEventRuleError';
  }
}

/** Reads the template's AWS::Events::Rule resources that have an event pattern. */
export function eventRulesFromTemplate(
  template: CloudFormationTemplate,
  resolveRef: ResolveRef,
): TemplateEventRule[] {
  return logicalIdsOfType(template, 'AWS::Events::Rule').flatMap((logicalId) => {
    const properties = resolveIntrinsics(template.Resources?.[logicalId]?.Properties ?? {}, resolveRef) as {
      EventBusName?: string;
      EventPattern?: EventPattern;
      State?: string;
      Targets?: Array<Record<string, unknown>>;
    };
    if (!properties.EventPattern || properties.State === 'DISABLED') return [];
    const targetArns = (properties.Targets ?? []).map((target) => {
      for (const field of ['Input', 'InputPath', 'InputTransformer']) {
        if (target[field] !== undefined) {
          throw new UnsupportedEventRuleError(
            `rule ${logicalId} target ${String(target.Id)} sets ${field}, which the local bus does not apply: ` +
              'deliver the whole event and select fields in the target',
          );
        }
      }
      return String(target.Arn);
    });
    return [
      {
        logicalId,
        eventBusName: properties.EventBusName ?? 'default',
        pattern: properties.EventPattern,
        targetArns,
      },
    ];
  });
}

/**
 * Adds the template's rules to the local bus, each target being one of the local state machines
 * (by ARN): a matching event starts an execution with the event as input, as the Step Functions
 * target of an EventBridge rule does. Fails fast on a target with no local state machine.
 */
export function connectEventRules(
  bus: LocalEventBus,
  rules: readonly TemplateEventRule[],
  stateMachines: readonly LocalStateMachine[],
): void {
  const byArn = new Map(stateMachines.map((machine) => [machine.stateMachineArn, machine]));
  for (const rule of rules) {
    const machines = rule.targetArns.map((arn) => {
      const machine = byArn.get(arn);
      if (!machine) {
        throw new UnsupportedEventRuleError(
          `rule ${rule.logicalId} targets ${arn}, which is not a state machine of the local runtime`,
        );
      }
      return machine;
    });
    bus.addRule({
      name: rule.logicalId,
      eventBusName: rule.eventBusName,
      pattern: rule.pattern,
      target: async (event) => {
        for (const machine of machines) await machine.startExecution({ input: event });
      },
    });
  }
}
