import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { DEFAULT_POLICY_FILE, PROJECT_ROOT } from '../lib/policy-file';

/** Parses a positive integer option, naming the option and the fix when it is not one. */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError(`expected a positive whole number, got "${value}"`);
  return n;
}

/** Parses a whole number >= 0 (a duration in seconds, say), naming the value when it is not one. */
export function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new InvalidArgumentError(`expected a whole number >= 0, got "${value}"`);
  return n;
}

export function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`expected a number >= 0, got "${value}"`);
  return n;
}

/**
 * A policy file named on the command line, as an absolute path: relative to the working folder, as
 * a shell user means it (the library resolves relative paths from the project root, as cdk.json
 * context wants). The default config/policy.yaml, where the working folder has none, is this
 * clone's config/policy.yaml.
 */
export function policyPath(file: string): string {
  const here = resolve(file);
  if (file === DEFAULT_POLICY_FILE && !existsSync(here)) return join(PROJECT_ROOT, DEFAULT_POLICY_FILE);
  return here;
}

/** policyPath for an optional --policy: left out, the engines use this clone's config/policy.yaml. */
export function policyOption(file: string | undefined): string | undefined {
  return file === undefined ? undefined : policyPath(file);
}
