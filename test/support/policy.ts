import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validatePolicy, type Policy } from '../../lambdas/core/policy/policy';
import { loadPolicyFile } from '../../lib/policy-file';

export const POLICY_FILE = join(__dirname, '..', '..', 'config', 'policy.yaml');

/** The shipped policy, with overrides for the case at hand (validated, like any policy). */
export function testPolicy(overrides: Partial<Policy> = {}): Policy {
  return validatePolicy({ ...loadPolicyFile(POLICY_FILE), ...overrides }, 'test policy');
}

/** The shipped list of public prompts, which the shipped policy names (`publicPrompts.file`). */
export const PUBLIC_PROMPTS_FILE = join(__dirname, '..', '..', 'config', 'public-prompts.txt');

/**
 * The shipped policy's text, its public-prompt list named by absolute path: a copy written into
 * another folder still finds the list (the path is relative to the policy file otherwise).
 */
export function portablePolicyText(): string {
  const text = readFileSync(POLICY_FILE, 'utf8');
  const portable = text.replace('file: public-prompts.txt', `file: ${JSON.stringify(PUBLIC_PROMPTS_FILE)}`);
  if (portable === text)
    throw new Error('config/policy.yaml no longer names public-prompts.txt: update this helper');
  return portable;
}
