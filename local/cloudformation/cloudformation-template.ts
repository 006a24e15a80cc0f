/**
 * The parts of a synthesized CloudFormation template the local runtime reads, as produced by
 * `app.synth().getStackByName(name).template`.
 */
export interface CloudFormationResource {
  readonly Type: string;
  readonly Properties?: Readonly<Record<string, unknown>>;
}

export interface CloudFormationTemplate {
  readonly Resources?: Readonly<Record<string, CloudFormationResource>>;
}

/** Resolves `{ Ref: logicalId }` (attribute undefined) and `{ "Fn::GetAtt": [logicalId, attribute] }`. */
export type ResolveRef = (logicalId: string, attribute?: string) => string;

/** Lists the logical ids of the template's resources of one type, in template order. */
export function logicalIdsOfType(template: CloudFormationTemplate, type: string): string[] {
  return Object.entries(template.Resources ?? {})
    .filter(([, resource]) => resource.Type === type)
    .map(([logicalId]) => logicalId);
}
