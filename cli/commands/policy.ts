import type { Command } from 'commander';
import { loadPolicyFile } from '../../lambdas/core/policy/policy';

export const DEFAULT_POLICY_FILE = 'config/policy.yaml';

export function registerPolicyCommands(program: Command): void {
  const policy = program
    .command('policy')
    .description('Validate and inspect the policy file security teams edit');
  policy
    .command('validate')
    .description(
      'Check a policy file against the schema; exits 1 naming every bad key, its value and the rule',
    )
    .argument('[file]', 'policy file', DEFAULT_POLICY_FILE)
    .action((file: string) => {
      const parsed = loadPolicyFile(file);
      process.stdout.write(
        `${file}: valid (version ${parsed.version}, mode ${parsed.mode}, review >= ${parsed.thresholds.review}, ` +
          `suspend >= ${parsed.thresholds.suspend})\n`,
      );
    });
}
