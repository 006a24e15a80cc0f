import { z } from 'zod';
import { policySchema } from './policy';

/**
 * The policy schema as JSON Schema, generated from the zod schema so the two never drift apart.
 *
 * - `draft-04`: what AWS AppConfig's JSON_SCHEMA validator accepts (it supports Draft 4 only).
 * - `draft-07`: for editors (yaml-language-server) and other tools.
 *
 * JSON Schema cannot compare two fields, so the cross-field rules (`thresholds.suspend` greater
 * than `thresholds.review`, a signal's `high` greater than its `low`, ...) are enforced by zod
 * alone: at `cdk synth`, by `cauterize policy validate` and by the scorer on every new version.
 */
export type PolicyJsonSchemaTarget = 'draft-04' | 'draft-07';

export interface PolicyJsonSchemaOptions {
  /** @default 'draft-04' */
  readonly target?: PolicyJsonSchemaTarget;
  /**
   * Describe every key (the schema's `.describe()` texts). AppConfig caps a validator at 32 KB, so
   * its copy leaves them out.
   * @default true
   */
  readonly descriptions?: boolean;
}

/** The most a JSON Schema validator of an AppConfig configuration profile may hold, in bytes. */
export const APPCONFIG_VALIDATOR_MAX_BYTES = 32_768;

export type JsonSchema = Record<string, unknown>;

/**
 * Generates the JSON Schema of a policy file as a security team writes it: keys with a default
 * (allowlist, models, reasonFloor) may be left out, as zod allows.
 */
export function policyJsonSchema(options: PolicyJsonSchemaOptions = {}): JsonSchema {
  const generated = z.toJSONSchema(policySchema, {
    target: options.target ?? 'draft-04',
    io: 'input',
    // Refinements have no JSON Schema form: they are left to zod (see above), never an error here.
    unrepresentable: 'any',
  });
  const schema = JSON.parse(JSON.stringify(generated)) as JsonSchema;
  return options.descriptions === false ? (withoutDescriptions(schema) as JsonSchema) : schema;
}

/** The compact validator document AppConfig stores with the configuration profile. */
export function appConfigValidatorSchema(): string {
  return JSON.stringify(policyJsonSchema({ target: 'draft-04', descriptions: false }));
}

/** Walks object properties (`a.b`), list items (`a[]`) and unions, naming each key by its dotted path. */
export function forEachPolicyKey(
  node: JsonSchema,
  path: string,
  visit: (node: JsonSchema, path: string, required: boolean) => void,
  required = true,
): void {
  visit(node, path, required);
  const properties = node.properties as Record<string, JsonSchema> | undefined;
  const requiredKeys = new Set((node.required as string[] | undefined) ?? []);
  for (const [key, child] of Object.entries(properties ?? {})) {
    forEachPolicyKey(child, path === '' ? key : `${path}.${key}`, visit, requiredKeys.has(key));
  }
  const items = node.items as JsonSchema | undefined;
  if (items && !Array.isArray(items)) forEachPolicyKey(items, `${path}[]`, visit);
  for (const union of ['anyOf', 'oneOf', 'allOf'] as const) {
    for (const option of (node[union] as JsonSchema[] | undefined) ?? []) {
      for (const [key, child] of Object.entries((option.properties as Record<string, JsonSchema>) ?? {})) {
        forEachPolicyKey(child, path === '' ? key : `${path}.${key}`, visit);
      }
    }
  }
}

function withoutDescriptions(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutDescriptions);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      // `properties` maps key names to schemas: a key named "description" is kept there.
      .filter(([key, value]) => key !== 'description' || typeof value !== 'string')
      .map(([key, value]) => [key, withoutDescriptions(value)]),
  );
}
