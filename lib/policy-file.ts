import * as path from 'node:path';

/**
 * Where the policy file is found. Free of CDK imports, so that the CLI and the local runtime read
 * the same file the stacks are synthesized with.
 */

/** Root of the project (where cdk.json lives): relative policy paths start here. */
export const PROJECT_ROOT = path.join(__dirname, '..');

/** The policy security teams edit, relative to the project root (or to the CLI's working folder). */
export const DEFAULT_POLICY_FILE = 'config/policy.yaml';
