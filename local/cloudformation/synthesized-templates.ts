import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { buildCauterize, type CauterizeAppProps } from '../../lib/cauterize';
import type { CloudFormationResource, CloudFormationTemplate } from './cloudformation-template';

export interface SynthesizedTemplates {
  readonly stateful: CloudFormationTemplate;
  readonly pipeline: CloudFormationTemplate;
  /** Both stacks as one template, cross-stack imports replaced by what they import. */
  readonly merged: CloudFormationTemplate;
}

/**
 * Synthesizes the real CDK app in-process (asset bundling skipped: the local runtime runs the
 * handler source directly), so what runs locally is exactly what `cdk deploy` would create.
 */
export function synthesizeTemplates(
  policyFile?: string,
  props: Omit<CauterizeAppProps, 'policyFile'> = {},
): SynthesizedTemplates {
  const outdir = mkdtempSync(join(tmpdir(), 'cauterize-synth-'));
  try {
    // Template validation (a WebAssembly engine, ~9 s) belongs to `cdk synth` and the infra tests.
    const app = new App({
      outdir,
      builtinCloudFormationValidation: false,
      context: { 'aws:cdk:bundling-stacks': [] },
    });
    const { stateful, pipeline } = buildCauterize(app, { ...props, policyFile });
    const assembly = app.synth();
    const statefulTemplate = assembly.getStackByName(stateful.stackName).template as CloudFormationTemplate;
    const pipelineTemplate = assembly.getStackByName(pipeline.stackName).template as CloudFormationTemplate;
    return {
      stateful: statefulTemplate,
      pipeline: pipelineTemplate,
      merged: mergeStacks(statefulTemplate, pipelineTemplate),
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** Replaces every Fn::ImportValue in `consumer` with the producer output it names, then merges resources. */
export function mergeStacks(
  producer: CloudFormationTemplate,
  consumer: CloudFormationTemplate,
): CloudFormationTemplate {
  const exports = new Map<string, unknown>();
  const outputs = (producer as { Outputs?: Record<string, { Value: unknown; Export?: { Name?: unknown } }> })
    .Outputs;
  for (const output of Object.values(outputs ?? {})) {
    if (typeof output.Export?.Name === 'string') exports.set(output.Export.Name, output.Value);
  }
  const replaceImports = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(replaceImports);
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value);
    const [first] = entries;
    if (entries.length === 1 && first?.[0] === 'Fn::ImportValue') {
      const name = first[1];
      if (typeof name !== 'string' || !exports.has(name)) {
        throw new Error(`Fn::ImportValue ${JSON.stringify(name)} is not exported by the producer stack`);
      }
      return exports.get(name);
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, replaceImports(v)]));
  };
  const consumerResources = replaceImports(consumer.Resources ?? {}) as Record<
    string,
    CloudFormationResource
  >;
  for (const logicalId of Object.keys(consumerResources)) {
    if (producer.Resources?.[logicalId]) {
      throw new Error(`logical id ${logicalId} exists in both stacks; the local runtime needs them distinct`);
    }
  }
  return { ...consumer, Resources: { ...(producer.Resources ?? {}), ...consumerResources } };
}

/** The StateMachineType of a state machine in a template (CloudFormation's default is STANDARD). */
export function stateMachineTypeOf(
  template: CloudFormationTemplate,
  logicalId: string,
): 'STANDARD' | 'EXPRESS' {
  const resource = template.Resources?.[logicalId];
  if (resource?.Type !== 'AWS::StepFunctions::StateMachine') {
    throw new Error(`the template has no state machine ${logicalId}`);
  }
  return resource.Properties?.StateMachineType === 'EXPRESS' ? 'EXPRESS' : 'STANDARD';
}
