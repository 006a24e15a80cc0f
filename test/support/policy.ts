import { join } from 'node:path';
import { validatePolicy, type Policy } from '../../lambdas/core/policy/policy';
import { loadPolicyFile } from '../../lib/policy-file';

export const POLICY_FILE = join(__dirname, '..', '..', 'config', 'policy.yaml');

/** The shipped policy, with overrides for the case at hand (validated, like any policy). */
export function testPolicy(overrides: Partial<Policy> = {}): Policy {
  return validatePolicy({ ...loadPolicyFile(POLICY_FILE), ...overrides }, 'test policy');
}
