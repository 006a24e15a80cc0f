import { resolveIntrinsics, type PseudoParameters } from '../cloudformation/cloudformation-intrinsics';
import {
  logicalIdsOfType,
  type CloudFormationTemplate,
  type ResolveRef,
} from '../cloudformation/cloudformation-template';

/** Thrown when the template has no usable state machine definition. */
export class StateMachineDefinitionError extends Error {
  public constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StateMachineDefinitionError';
  }
}

/**
 * Thrown when a definition uses a feature aws-local-stepfunctions would silently ignore, so a local
 * run would not mean what the deployed one means.
 */
export class UnsupportedDefinitionError extends Error {
  /** Where each unsupported feature is used, e.g. `States.Suspend.Assign`. */
  public readonly findings: readonly string[];

  public constructor(findings: readonly string[]) {
    super(
      `the state machine uses features the local runner does not support: ${findings.join('; ')}. ` +
        'Write the definition in JSONPath without variables (Assign) or Distributed Map readers/writers.',
    );
    this.name = 'UnsupportedDefinitionError';
    this.findings = findings;
  }
}

const STATE_MACHINE_TYPE = 'AWS::StepFunctions::StateMachine';

/**
 * Fields aws-local-stepfunctions does not implement and does not reject. Reported, never ignored.
 * `Arguments`, `Output` and `Assign` belong to JSONata and variables.
 */
const UNSUPPORTED_FIELDS: Readonly<Record<string, string>> = {
  Assign: 'variables (Assign) are not supported',
  Arguments: 'Arguments is JSONata-only',
  Output: 'Output is JSONata-only',
  ItemReader: 'Distributed Map ItemReader is not supported',
  ResultWriter: 'Distributed Map ResultWriter is not supported',
  ItemBatcher: 'Distributed Map ItemBatcher is not supported',
};

/**
 * Returns the Amazon States Language definition of a synthesized state machine with every Ref,
 * Fn::GetAtt and pseudo parameter replaced by its local value, parsed.
 *
 * @param template the synthesized template (`app.synth().getStackByName(name).template`)
 * @param logicalId the state machine's logical id; may be omitted when the template has exactly one
 * @param resolveRef resolves references to other resources (see `provisionFromTemplate().resolveRef`)
 * @throws UnsupportedDefinitionError if the definition uses JSONata, variables or Distributed Map I/O
 */
export function resolveStateMachineDefinition(
  template: CloudFormationTemplate,
  logicalId: string | undefined,
  resolveRef: ResolveRef,
  pseudo: PseudoParameters = {},
): Record<string, unknown> {
  const id = logicalId ?? onlyStateMachine(template);
  const resource = template.Resources?.[id];
  if (!resource || resource.Type !== STATE_MACHINE_TYPE) {
    throw new StateMachineDefinitionError(`'${id}' is not an ${STATE_MACHINE_TYPE} in the template`);
  }
  const properties = resource.Properties ?? {};
  let text: string;
  try {
    if (properties.DefinitionString !== undefined) {
      text = String(resolveIntrinsics(properties.DefinitionString, resolveRef, pseudo));
    } else if (properties.Definition !== undefined) {
      text = JSON.stringify(resolveIntrinsics(properties.Definition, resolveRef, pseudo));
    } else {
      throw new StateMachineDefinitionError(
        `state machine '${id}' has no inline definition (DefinitionS3Location is not supported locally)`,
      );
    }
    const substitutions = resolveIntrinsics(properties.DefinitionSubstitutions ?? {}, resolveRef, pseudo);
    text = substitute(text, substitutions as Record<string, unknown>);
  } catch (error) {
    if (error instanceof StateMachineDefinitionError) throw error;
    throw new StateMachineDefinitionError(`could not resolve the definition of '${id}'`, { cause: error });
  }

  let definition: Record<string, unknown>;
  try {
    definition = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new StateMachineDefinitionError(`the resolved definition of '${id}' is not valid JSON`, {
      cause: error,
    });
  }
  assertSupportedLocally(definition);
  return definition;
}

/** Throws UnsupportedDefinitionError if any state (nested ones included) uses an unsupported feature. */
export function assertSupportedLocally(definition: Record<string, unknown>): void {
  const findings = findUnsupportedFeatures(definition);
  if (findings.length > 0) throw new UnsupportedDefinitionError(findings);
}

/** Lists the unsupported features of a definition, each with the path of the state that uses it. */
export function findUnsupportedFeatures(
  definition: Record<string, unknown>,
  path = 'StateMachine',
): string[] {
  const findings: string[] = [];
  if (definition.QueryLanguage === 'JSONata') {
    findings.push(`${path}.QueryLanguage: JSONata is silently ignored by aws-local-stepfunctions`);
  }
  const states = (definition.States ?? {}) as Record<string, Record<string, unknown>>;
  for (const [name, state] of Object.entries(states)) {
    const statePath = `${path === 'StateMachine' ? 'States' : `${path}.States`}.${name}`;
    if (state.QueryLanguage === 'JSONata') {
      findings.push(`${statePath}.QueryLanguage: JSONata is silently ignored by aws-local-stepfunctions`);
    }
    for (const [field, reason] of Object.entries(UNSUPPORTED_FIELDS)) {
      if (field in state) findings.push(`${statePath}.${field}: ${reason}`);
    }
    for (const [field, nested] of nestedDefinitions(state)) {
      findings.push(...findUnsupportedFeatures(nested, `${statePath}.${field}`));
    }
  }
  return findings;
}

/** The sub-state-machines of a Map (ItemProcessor / Iterator) or Parallel (Branches) state. */
export function nestedDefinitions(state: Record<string, unknown>): Array<[string, Record<string, unknown>]> {
  const nested: Array<[string, Record<string, unknown>]> = [];
  for (const field of ['ItemProcessor', 'Iterator'] as const) {
    const processor = state[field];
    if (processor && typeof processor === 'object')
      nested.push([field, processor as Record<string, unknown>]);
  }
  if (Array.isArray(state.Branches)) {
    state.Branches.forEach((branch, index) =>
      nested.push([`Branches[${index}]`, branch as Record<string, unknown>]),
    );
  }
  return nested;
}

function onlyStateMachine(template: CloudFormationTemplate): string {
  const ids = logicalIdsOfType(template, STATE_MACHINE_TYPE);
  if (ids.length !== 1) {
    throw new StateMachineDefinitionError(
      `the template has ${ids.length} state machines (${ids.join(', ') || 'none'}); pass the logical id of one`,
    );
  }
  return ids[0]!;
}

/** Applies DefinitionSubstitutions: `${name}` placeholders in the definition text. */
function substitute(text: string, substitutions: Record<string, unknown>): string {
  if (Object.keys(substitutions).length === 0) return text;
  return text.replace(/\$\{([A-Za-z0-9_]+)\}/g, (match, name: string) =>
    name in substitutions ? String(substitutions[name]) : match,
  );
}
