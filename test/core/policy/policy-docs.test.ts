import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { POLICY_DOCS_FILE } from '../../../cli/commands/policy';
import { policyKeyRows, withPolicyKeyTable } from '../../../lambdas/core/policy/policy-docs';
import { policyKeyDoc } from '../../../lambdas/core/policy/policy-key-docs';

const DOCS_PAGE = join(__dirname, '..', '..', '..', POLICY_DOCS_FILE);

/** A Markdown page with its table cells trimmed and blank lines dropped (prettier pads cells and spaces blocks). */
const unpadded = (page: string) =>
  page
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) =>
      line.startsWith('|')
        ? line
            .split(/(?<!\\)\|/)
            .map((cell) => cell.trim().replace(/^-+$/, '-'))
            .join('|')
        : line,
    )
    .join('\n');

describe('Function: policyKeyRows', () => {
  it('documents every key of the policy schema', () => {
    // Act
    const undocumented = policyKeyRows()
      .filter((row) => row.description === undefined)
      .map((row) => row.key);

    // Assess: add a text to lambdas/core/policy/policy-key-docs.ts (or a .describe() in policy.ts).
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

describe('Function: policyKeyDoc', () => {
  it('prefers an exact key over a pattern', () => {
    // Act & Assess
    expect(policyKeyDoc('signals.volume')).toContain('tier’s daily norm');
    expect(policyKeyDoc('signals.volume.weight')).toBe(policyKeyDoc('signals.accountAge.weight'));
    expect(policyKeyDoc('no.such.key')).toBeUndefined();
  });
});

describe('Page: docs/policy.md', () => {
  it('holds the key table as the schema generates it (npx cauterize policy docs --write)', async () => {
    // Prepare
    const page = await readFile(DOCS_PAGE, 'utf8');

    // Act
    const regenerated = withPolicyKeyTable(page);

    // Assess: the same page but for how prettier pads the table cells.
    expect(unpadded(page)).toBe(unpadded(regenerated));
  });

  it('refuses a page without the markers, saying where the table goes', () => {
    // Act & Assess
    expect(() => withPolicyKeyTable('# no table here\n')).toThrow(/put the lines "<!-- policy-keys:start/);
  });
});
