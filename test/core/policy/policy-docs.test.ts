import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { POLICY_DOCS_FILE } from '../../../cli/commands/policy';
import {
  KEY_TABLE_END,
  KEY_TABLE_START,
  policyKeyReference,
  policyKeyRows,
  renderPolicyKeyTable,
  withPolicyKeyTable,
} from '../../../lambdas/core/policy/policy-docs';
import { startCli } from '../../support/cli-process';
import { tempDirPerTest } from '../../support/temp-dir';

const DOCS_PAGE = join(__dirname, '..', '..', '..', POLICY_DOCS_FILE);

describe('Function: policyKeyRows', () => {
  it('documents every key of the policy schema', () => {
    // Act
    const undocumented = policyKeyRows()
      .filter((row) => row.description === undefined)
      .map((row) => row.key);

    // Assess: give the key a .describe() text in lambdas/core/policy/policy.ts.
    expect(undocumented).toEqual([]);
  });

  it('lists nested keys, list items and defaults', () => {
    // Act
    const rows = new Map(policyKeyRows().map((row) => [row.key, row]));

    // Assess
    expect(rows.get('thresholds.suspend')).toMatchObject({
      allowed: 'number, 0 to 100',
      presence: 'required',
    });
    expect(rows.get('mode')?.allowed).toBe('`enforce` | `shadow`');
    expect(rows.get('allowlist.accounts')).toMatchObject({ allowed: 'list', presence: 'default []' });
    expect(rows.get('models.releases[].releasedAt')?.allowed).toBe('ISO-8601 timestamp with offset');
    expect(rows.get('tiers.pro.dailyRequestNorm')?.allowed).toBe('number, > 0');
  });
});

describe('Function: policyKeyReference', () => {
  it('lists keys whose settings are alike once, under a *', () => {
    // Act
    const keys = policyKeyReference().map((entry) => entry.key);

    // Assess: one entry for every tier's norms; each signal's own text, their settings once.
    expect(keys).toEqual(expect.arrayContaining(['tiers.*', 'tiers.*.dailyRequestNorm', 'signals.volume']));
    expect(keys).toEqual(expect.arrayContaining(['signals.*.weight', 'clusters.signals.*.high']));
    expect(keys.filter((key) => key.startsWith('tiers.pro') || key === 'signals.volume.weight')).toEqual([]);
    expect(policyKeyReference().find((entry) => entry.key === 'tiers.*')?.names).toEqual([
      'free',
      'pro',
      'team',
      'enterprise',
      'api',
    ]);
  });

  it('renders a nested list with each key’s type, presence and text', () => {
    // Act
    const lines = renderPolicyKeyTable().split('\n');

    // Assess
    expect(lines).toContain(
      '- `thresholds` (object; required): Account risk bands, on the 0-100 risk score.',
    );
    expect(lines.find((line) => line.startsWith('  - `thresholds.suspend`'))).toMatch(
      /^ {2}- `thresholds\.suspend` \(number, 0 to 100; required\): An account scoring at least this is suspended/,
    );
  });
});

describe('Page: docs/policy.md', () => {
  it('holds the key reference as the schema generates it (npx cauterize policy docs --write)', async () => {
    // Prepare
    const page = await readFile(DOCS_PAGE, 'utf8');

    // Act
    const regenerated = withPolicyKeyTable(page);

    // Assess: a list Prettier leaves as it is, so the page is exactly what the schema generates.
    expect(regenerated === page).toBe(true);
  });

  it('refuses a page without the markers, saying where the table goes', () => {
    // Act & Assess
    expect(() => withPolicyKeyTable('# no table here\n')).toThrow(/put the lines "<!-- policy-keys:start/);
  });
});

describe('Command: policy docs --write', () => {
  const workDir = tempDirPerTest('cauterize-policy-docs-');

  it('writes the key reference between the markers of a page, then finds it up to date', async () => {
    // Prepare
    const file = join(workDir(), 'policy.md');
    await writeFile(file, `# Keys\n\n${KEY_TABLE_START}\n${KEY_TABLE_END}\n`);

    // Act
    const first = startCli(['policy', 'docs', '--write', file]);
    const firstExit = await first.exited;
    const second = startCli(['policy', 'docs', '--write', file]);
    const secondExit = await second.exited;

    // Assess
    expect([firstExit, first.stdout().trim()]).toEqual([0, `${file}: key reference updated`]);
    expect([secondExit, second.stdout().trim()]).toEqual([0, `${file}: up to date`]);
    expect(await readFile(file, 'utf8')).toContain(
      '- `thresholds` (object; required): Account risk bands, on the 0-100 risk score.',
    );
  });
});
