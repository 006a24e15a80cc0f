import { readFileSync, statSync } from 'node:fs';
import {
  MAX_POLICY_BYTES,
  parsePolicy,
  PolicyValidationError,
  policyTooLarge,
  type Policy,
} from '../lambdas/core/policy/policy';
import { PACKAGE_ROOT } from './package-files';

/**
 * The policy file: where it is found, and reading it (the core only parses and validates text).
 * Free of CDK imports, so that the CLI and the local runtime read the file as the stacks do.
 */

/** Relative policy paths start at the folder holding Cauterize's package.json (the clone, or the installed package). */
export const PROJECT_ROOT = PACKAGE_ROOT;

/** The policy security teams edit, relative to the project root (or to the CLI's working folder). */
export const DEFAULT_POLICY_FILE = 'config/policy.yaml';

/** Reads and validates a policy file (YAML or JSON); a file over MAX_POLICY_BYTES is refused unread. */
export function loadPolicyFile(path: string): Policy {
  let text: string;
  try {
    // The size first: a file far too large is refused without being read.
    const { size } = statSync(path);
    if (size > MAX_POLICY_BYTES) throw new PolicyValidationError(path, [policyTooLarge('file', size)]);
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof PolicyValidationError) throw error;
    throw new PolicyValidationError(path, [`cannot read the file: ${(error as Error).message}`], {
      cause: error,
    });
  }
  return parsePolicy(text, path);
}
