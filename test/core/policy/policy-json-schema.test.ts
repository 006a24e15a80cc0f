import { readFileSync } from 'node:fs';
import { Validator } from 'jsonschema';
import { parse as parseYaml } from 'yaml';
import { PolicyValidationError, validatePolicy } from '../../../lambdas/core/policy/policy';
import {
  APPCONFIG_VALIDATOR_MAX_BYTES,
  appConfigValidatorSchema,
  policyJsonSchema,
} from '../../../lambdas/core/policy/policy-json-schema';
import { loadPolicyFile } from '../../../lib/policy-file';
import { POLICY_FILE } from '../../support/policy';

/** A Draft 4 validator (jsonschema), the draft AppConfig validates with; ajv 8 no longer speaks Draft 4. */
type Mutable = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The shipped policy as written, its public-prompt list read in as loading the file does. */
const shippedPolicy = (): Mutable => ({
  ...(parseYaml(readFileSync(POLICY_FILE, 'utf8')) as Mutable),
  publicPrompts: loadPolicyFile(POLICY_FILE).publicPrompts,
});

describe('Function: policyJsonSchema', () => {
  const validator = new Validator();
  const schema = JSON.parse(appConfigValidatorSchema()) as Record<string, unknown>;
  const jsonSchemaErrors = (policy: unknown) =>
    validator.validate(policy, schema).errors.map((e) => `${e.path.join('.')}: ${e.message}`);
  const zodProblems = (policy: unknown): string[] => {
    try {
      validatePolicy(policy, 'test');
      return [];
    } catch (error) {
      if (error instanceof PolicyValidationError) return [...error.problems];
      throw error;
    }
  };

  it('is a Draft 4 schema that fits in an AppConfig validator', () => {
    // Act
    const text = appConfigValidatorSchema();

    // Assess
    expect(schema.$schema).toBe('http://json-schema.org/draft-04/schema#');
    expect(Buffer.byteLength(text, 'utf8')).toBeLessThanOrEqual(APPCONFIG_VALIDATOR_MAX_BYTES);
    expect(text).not.toContain('"description"');
  });

  it('accepts config/policy.yaml, as written and as the validated JSON handed to AppConfig', () => {
    // Prepare
    const written = shippedPolicy();

    // Act & Assess
    expect(jsonSchemaErrors(written)).toEqual([]);
    expect(jsonSchemaErrors(validatePolicy(written))).toEqual([]);
  });

  it.each([
    ['a score out of range', (p: Mutable) => (p.thresholds.review = 150), 'thresholds.review'],
    ['an unknown mode', (p: Mutable) => (p.mode = 'audit'), 'mode'],
    ['a misspelt key', (p: Mutable) => (p.signals.volume.wieght = 3), 'signals.volume'],
    ['a missing key', (p: Mutable) => delete p.windows.minRequests, 'windows'],
    [
      'a fraction where a whole number is due',
      (p: Mutable) => (p.windows.scoringHours = 2.5),
      'windows.scoringHours',
    ],
    [
      'zero where only positive numbers are allowed',
      (p: Mutable) => (p.tiers.pro.dailyRequestNorm = 0),
      'tiers.pro.dailyRequestNorm',
    ],
    [
      'a release time that is not ISO-8601',
      (p: Mutable) => (p.models.releases[0].releasedAt = 'yesterday'),
      'models.releases.0.releasedAt',
    ],
    ['a string where a number is due', (p: Mutable) => (p.links.weights.pay = 'high'), 'links.weights.pay'],
    [
      'an allowlist that is not a list',
      (p: Mutable) => (p.allowlist.accounts = 'acct_1'),
      'allowlist.accounts',
    ],
  ])('rejects %s, as zod does, at the same key', (_name, spoil, key) => {
    // Prepare
    const policy = shippedPolicy();
    spoil(policy);

    // Act
    const fromZod = zodProblems(policy);
    const fromJsonSchema = jsonSchemaErrors(policy);

    // Assess
    expect(fromZod.length).toBeGreaterThan(0);
    expect(fromZod.some((problem) => problem.startsWith(key))).toBe(true);
    expect(fromJsonSchema.length).toBeGreaterThan(0);
    expect(fromJsonSchema.some((error) => error.startsWith(`${key}:`))).toBe(true);
  });

  it('leaves the cross-field rules to zod, which rejects a signal whose high is not above its low', () => {
    // Prepare
    const policy = shippedPolicy();
    policy.signals.volume = { weight: 10, low: 5, high: 1.5 };

    // Act & Assess
    expect(jsonSchemaErrors(policy)).toEqual([]);
    expect(zodProblems(policy)).toEqual(['signals.volume.high: high must be greater than low (got 1.5)']);
  });

  it('keeps the description texts in the editor copy (Draft 7)', () => {
    // Act
    const editorSchema = policyJsonSchema({ target: 'draft-07' });

    // Assess
    expect(editorSchema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(Object.keys(editorSchema.properties as object)).toEqual(Object.keys(schema.properties as object));
  });
});
