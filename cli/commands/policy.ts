import { readFile } from 'node:fs/promises';
import { accessSync, constants } from 'node:fs';
import { Option, type Command } from 'commander';
import { MAX_POLICY_BYTES, PolicyValidationError } from '../../lambdas/core/policy/policy';
import { diffPolicies, formatPolicyChange } from '../../lambdas/core/policy/policy-diff';
import { withPolicyKeyTable } from '../../lambdas/core/policy/policy-docs';
import { policyJsonSchema, type PolicyJsonSchemaTarget } from '../../lambdas/core/policy/policy-json-schema';
import { DEFAULT_POLICY_FILE } from '../../lib/policy-file';
import { checkOutputPath, writeTextAtomic } from '../../local/atomic-file';
import { backtestPolicy, type BacktestReport, type DecisionChange } from '../../local/replay/policy-backtest';
import { VerdictError } from '../exit-codes';
import { table } from '../format';
import { policyPath, positiveInt } from '../options';
import { Progress } from '../progress';
import { loadPolicyFile } from '../../lib/policy-file';
import { publicPromptList } from '../../sim/public-prompts';

export const POLICY_DOCS_FILE = 'docs/policy.md';
/** The shipped list of public prompts, named by config/policy.yaml's `publicPrompts.file`. */
export const PUBLIC_PROMPTS_FILE = 'config/public-prompts.txt';

const write = (text: string) => process.stdout.write(`${text}\n`);

interface BacktestCommandOptions {
  events: string;
  policy: string;
  baseline: string;
  truth?: string;
  json?: string;
  shards: number;
  limit: number;
}

export function registerPolicyCommands(program: Command): void {
  const policy = program
    .command('policy')
    .description('Validate, compare, backtest and document the policy file security teams edit');
  policy
    .command('validate')
    .description(
      'Check a policy file against the schema; exits 1 naming every bad key, its value and the rule ' +
        `(2 if the file cannot be read; files over ${MAX_POLICY_BYTES / 1024 / 1024} MiB are refused)`,
    )
    .argument(
      '[file]',
      "policy file (config/policy.yaml: this clone's when the working folder has none)",
      DEFAULT_POLICY_FILE,
    )
    .action((file: string) => {
      // A file that cannot be read is an error (2); one that is not a valid policy is the answer (1).
      const path = policyPath(file);
      readableFile(path);
      let parsed;
      try {
        parsed = loadPolicyFile(path);
      } catch (error) {
        if (error instanceof PolicyValidationError) throw new VerdictError(error.message, { cause: error });
        throw error;
      }
      const listed = parsed.publicPrompts?.fingerprints.length;
      write(
        `${file}: valid (version ${parsed.version}, mode ${parsed.mode}, review >= ${parsed.thresholds.review}, ` +
          `suspend >= ${parsed.thresholds.suspend}` +
          (listed ? `, ${listed.toLocaleString('en-US')} public prompts listed` : '') +
          ')',
      );
    });

  policy
    .command('diff')
    .description(
      'List every key that differs between two policy files (both validated, defaults filled in): ' +
        '~ changed old -> new, + added, - removed; "no changes" when they are the same',
    )
    .argument('<old>', 'the policy in force')
    .argument('<new>', 'the proposed policy')
    .option(
      '--exit-code',
      'exit 1 when the policies differ, 0 when they do not, 2 on an error (as git diff --exit-code)',
    )
    .action((oldFile: string, newFile: string, options: { exitCode?: boolean }) => {
      const before = loadPolicyFile(oldFile);
      const after = loadPolicyFile(newFile);
      const changes = diffPolicies(before, after);
      if (changes.length === 0) {
        write(`no changes (${oldFile} and ${newFile} are the same policy)`);
        return;
      }
      write(`${changes.length} key${changes.length === 1 ? '' : 's'} changed from ${oldFile} to ${newFile}:`);
      for (const change of changes) write(`  ${formatPolicyChange(change)}`);
      if (!changes.some((change) => change.key === 'version')) {
        write(
          `warning: version is still ${JSON.stringify(after.version)}: bump it, every decision records the version it was made under`,
        );
      }
      if (options.exitCode) throw new VerdictError('the policies differ', { quiet: true });
    });

  policy
    .command('backtest')
    .description(
      'Run recorded events under a baseline and a new policy (in-memory engine: the same decisions as ' +
        'the full pipeline) and list the accounts whose decision changes; per-cohort counts with --truth',
    )
    .requiredOption(
      '--events <file>',
      'usage events, JSON Lines in timestamp order (e.g. from `cauterize simulate`)',
    )
    .requiredOption('--policy <file>', 'the proposed policy')
    .option(
      '--baseline <file>',
      "the policy it is compared with (config/policy.yaml: this clone's when the working folder has none)",
      DEFAULT_POLICY_FILE,
    )
    .option('--truth <file>', 'ground truth from `cauterize simulate` (*.truth.json): adds per-cohort counts')
    .option('--json <file>', 'also write the full report (every changed account) as JSON here')
    .option('--shards <n>', 'shards, as for replay', positiveInt, 2)
    .addOption(
      new Option('--limit <n>', 'changed accounts listed on screen (all are in --json)')
        .argParser(positiveInt)
        .default(50),
    )
    .action(async (options: BacktestCommandOptions) => {
      // Validate both policies (and where the report goes) before minutes of replay, so a typo
      // fails at once.
      if (options.json) checkOutputPath(options.json, '--json');
      const baselineFile = policyPath(options.baseline);
      const policyFile = policyPath(options.policy);
      loadPolicyFile(baselineFile);
      loadPolicyFile(policyFile);
      const progress = {
        baseline: new Progress('baseline policy', 100, ' MB'),
        candidate: new Progress('new policy', 100, ' MB'),
      };
      const report = await backtestPolicy({
        eventsFile: options.events,
        policyFile,
        baselineFile,
        truthFile: options.truth,
        shards: options.shards,
        onProgress: (run, read, total) => progress[run].update(read / 1e6, total / 1e6),
      });
      progress.baseline.done();
      progress.candidate.done();
      printBacktest(report, options.limit);
      if (options.json) {
        await writeTextAtomic(options.json, `${JSON.stringify(report, null, 2)}\n`);
        write(`report written to ${options.json}`);
      }
    });

  policy
    .command('schema')
    .description('Print the JSON Schema generated from the policy schema (what AppConfig validates with)')
    .addOption(
      new Option('--target <draft>', 'draft-04: as AppConfig takes it; draft-07: for editors')
        .choices(['draft-04', 'draft-07'])
        .default('draft-07'),
    )
    .action((options: { target: PolicyJsonSchemaTarget }) => {
      write(JSON.stringify(policyJsonSchema({ target: options.target }), null, 2));
    });

  policy
    .command('docs')
    .description(
      `Print the reference of every policy key (or, with --write, update it in ${POLICY_DOCS_FILE})`,
    )
    .option('--write [file]', 'replace the generated table in this page', false)
    .action(async (options: { write: string | boolean }) => {
      const file = typeof options.write === 'string' ? options.write : POLICY_DOCS_FILE;
      const page = await readFile(file, 'utf8');
      const updated = await formatMarkdown(withPolicyKeyTable(page), file);
      if (options.write === false) {
        write(updated);
        return;
      }
      await writeTextAtomic(file, updated);
      write(updated === page ? `${file}: up to date` : `${file}: key reference updated`);
    });

  policy
    .command('public-prompts')
    .description(
      "Write the list of public prompts (`publicPrompts.file`): the fingerprints of the simulator's " +
        'public benchmark items, one per line. On a real platform, hash the public datasets with the ' +
        "gateway's promptHash instead",
    )
    .requiredOption('--out <file>', `where to write the list (the shipped one is ${PUBLIC_PROMPTS_FILE})`)
    .action(async (options: { out: string }) => {
      checkOutputPath(options.out, '--out');
      const { text, count } = publicPromptList();
      await writeTextAtomic(options.out, text);
      write(`${options.out}: ${count.toLocaleString('en-US')} public prompts`);
    });
}

function printBacktest(report: BacktestReport, limit: number): void {
  const run = (label: string, r: BacktestReport['baseline']) =>
    [label, r.policyFile, r.policyVersion, r.accounts, r.review, r.suspended] as const;
  write(
    table(
      ['run', 'policy', 'version', 'accounts', 'review', 'suspended'],
      [run('baseline', report.baseline), run('new', report.candidate)],
    ),
  );
  write('');
  if (report.changes.length === 0) {
    write('no account changes decision');
  } else {
    const flips = Object.entries(report.transitions)
      .filter(([transition]) => !/^(\w+) -> \1$/.test(transition))
      .map(([transition, n]) => `${transition}: ${n}`);
    write(`${report.changes.length} accounts change decision (${flips.join(', ')}):`);
    const shown = report.changes.slice(0, limit);
    const decision = (d: DecisionChange['baseline']) => `${d.status} (${d.riskScore})`;
    write(
      table(
        ['account', 'cohort', 'baseline', 'new'],
        shown.map((c) => [c.accountId, c.cohort ?? '-', decision(c.baseline), decision(c.candidate)]),
      ),
    );
    if (report.changes.length > shown.length) {
      write(`... and ${report.changes.length - shown.length} more (--json for all, --limit to show more)`);
    }
  }
  if (report.cohorts) {
    write('');
    write(
      table(
        [
          'cohort',
          'attack',
          'accounts',
          'suspended',
          'suspended (new)',
          'newly suspended',
          'no longer',
          'review',
          'review (new)',
        ],
        report.cohorts.map((c) => [
          c.cohort,
          c.attack ? 'yes' : 'no',
          c.accounts,
          c.baseline.suspended,
          c.candidate.suspended,
          c.newlySuspended,
          c.noLongerSuspended,
          c.baseline.review,
          c.candidate.review,
        ]),
      ),
    );
  }
}

/** Formats a page as `prettier --write` would (the repository's prettier check covers docs/). */
export async function formatMarkdown(text: string, file: string): Promise<string> {
  const prettier = await import('prettier');
  const config = (await prettier.resolveConfig(file)) ?? {};
  return prettier.format(text, { ...config, filepath: file });
}

/** Throws, naming the file and the reason, unless `file` can be read. */
function readableFile(file: string): void {
  try {
    accessSync(file, constants.R_OK);
  } catch (error) {
    throw new Error(`${file}: cannot read the file: ${(error as Error).message}`, { cause: error });
  }
}
