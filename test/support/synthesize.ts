import { App, type Stack } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildCauterize, type CauterizeApp, type CauterizeAppProps } from '../../lib/cauterize';

/**
 * Synthesizes Cauterize the way the local runtime does: in-process, without bundling the Lambda
 * code (context aws:cdk:bundling-stacks = []), which keeps a test file to a few seconds.
 * `cdk synth` and the cauterize tests cover real bundling.
 */
export function synthesizeCauterize(
  props: CauterizeAppProps = {},
  context: Record<string, unknown> = {},
): CauterizeApp {
  const app = new App({
    builtinCloudFormationValidation: false,
    context: { 'aws:cdk:bundling-stacks': [], ...context },
  });
  const cauterize = buildCauterize(app, props);
  // Synthesize before cdk-nag looks: cross-stack references are only resolved (to
  // Fn::ImportValue) during synthesis, and the acknowledgements name the resolved ARNs.
  app.synth();
  return cauterize;
}

export interface NagFinding {
  readonly rule: string;
  readonly severity: string;
  readonly paths: readonly string[];
  readonly description: string;
}

/**
 * AwsSolutions findings on `stack` that are neither compliant nor acknowledged, errors and
 * warnings alike (an unacknowledged warning fails `cdk synth` too). Call after synthesis.
 */
export function unacknowledgedNagFindings(stack: Stack): NagFinding[] {
  const report = new AwsSolutionsChecks().validateScope(stack);
  return report.violations
    .filter((violation) => violation.severity === 'error' || violation.severity === 'warning')
    .map((violation) => ({
      rule: violation.ruleName,
      severity: violation.severity ?? 'unknown',
      paths: violation.violatingResources.map((resource) => resource.constructPath ?? '(unknown path)'),
      description: violation.description,
    }));
}

/** A template as `Template.toJSON()` or `app.synth().getStackByName(name).template` returns it. */
export interface CfnTemplate {
  readonly Resources?: Readonly<
    Record<string, { readonly Type: string; readonly Properties?: Record<string, unknown> }>
  >;
  readonly Outputs?: Readonly<
    Record<string, { readonly Value: unknown; readonly Export?: { readonly Name: unknown } }>
  >;
}

/**
 * Resolves `{ Ref: logicalId }` (attribute undefined), `{ "Fn::GetAtt": [logicalId, attribute] }`
 * and pseudo parameters (`AWS::Region`, ...) to the values the caller wants in their place.
 */
export type ResolveRef = (logicalId: string, attribute?: string) => string;

/**
 * Returns the state machine's Amazon States Language definition, parsed, with every intrinsic
 * function replaced: CDK renders it as an Fn::Join of text, Refs, Fn::GetAtts and, because the
 * tables and the bus live in the stateful stack, Fn::ImportValues. An import is looked up among
 * the Outputs of `exportingTemplates` and its value resolved with the same `resolveRef`.
 *
 * @param logicalId the state machine's logical id; undefined for the first one in the template
 */
export function resolveStateMachineDefinition(
  template: CfnTemplate,
  logicalId: string | undefined,
  resolveRef: ResolveRef,
  exportingTemplates: readonly CfnTemplate[] = [],
): Record<string, unknown> {
  const resources = template.Resources ?? {};
  const id =
    logicalId ??
    Object.keys(resources).find((key) => resources[key]?.Type === 'AWS::StepFunctions::StateMachine');
  const properties = id === undefined ? undefined : resources[id]?.Properties;
  if (id === undefined || properties === undefined) {
    throw new Error(`no state machine ${logicalId ?? ''} in the template`);
  }
  const exportsByName = new Map<string, unknown>();
  for (const exporting of exportingTemplates) {
    for (const output of Object.values(exporting.Outputs ?? {})) {
      if (typeof output.Export?.Name === 'string') exportsByName.set(output.Export.Name, output.Value);
    }
  }
  const resolve = (value: unknown): unknown => resolveIntrinsics(value, resolveRef, exportsByName);
  const text =
    properties.DefinitionString !== undefined
      ? String(resolve(properties.DefinitionString))
      : JSON.stringify(resolve(properties.Definition));
  const substitutions = (resolve(properties.DefinitionSubstitutions ?? {}) ?? {}) as Record<string, unknown>;
  const substituted = text.replace(/\$\{([A-Za-z0-9_]+)\}/g, (match, name: string) =>
    name in substitutions ? String(substitutions[name]) : match,
  );
  return JSON.parse(substituted) as Record<string, unknown>;
}

function resolveIntrinsics(
  value: unknown,
  resolveRef: ResolveRef,
  exportsByName: Map<string, unknown>,
): unknown {
  const resolve = (item: unknown): unknown => resolveIntrinsics(item, resolveRef, exportsByName);
  if (Array.isArray(value)) return value.map(resolve);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  const [fn, argument] = entries[0] ?? [];
  if (entries.length !== 1 || fn === undefined || (fn !== 'Ref' && !fn.startsWith('Fn::'))) {
    return Object.fromEntries(entries.map(([key, item]) => [key, resolve(item)]));
  }
  switch (fn) {
    case 'Ref':
      return resolveRef(String(argument));
    case 'Fn::GetAtt': {
      const [logicalId, attribute] =
        typeof argument === 'string' ? argument.split(/\.(.*)/s) : (resolve(argument) as unknown[]);
      return resolveRef(String(logicalId), String(attribute));
    }
    case 'Fn::Join': {
      const [separator, parts] = argument as [string, unknown[]];
      return (resolve(parts) as unknown[]).map(String).join(separator);
    }
    case 'Fn::ImportValue': {
      const name = String(resolve(argument));
      if (!exportsByName.has(name)) throw new Error(`Fn::ImportValue ${name}: no exporting template has it`);
      return resolve(exportsByName.get(name));
    }
    case 'Fn::Select': {
      const [index, items] = resolve(argument) as [number, unknown[]];
      return items[Number(index)];
    }
    case 'Fn::Split': {
      const [separator, source] = resolve(argument) as [string, string];
      return source.split(separator);
    }
    default:
      throw new Error(`${fn} is not supported by resolveStateMachineDefinition`);
  }
}

/** Placeholder values in the local runtime's style, recognizable in assertions. */
export const placeholderRef: ResolveRef = (logicalId, attribute) => {
  switch (logicalId) {
    case 'AWS::Partition':
      return 'aws';
    case 'AWS::Region':
      return 'us-east-1';
    case 'AWS::AccountId':
      return '000000000000';
    case 'AWS::URLSuffix':
      return 'amazonaws.com';
    default:
      return attribute === undefined ? `local-${logicalId}` : `arn:aws:local:::${logicalId}/${attribute}`;
  }
};
