import { readFile } from 'node:fs/promises';
import { COHORTS } from '../../sim/cohorts/registry';
import { rangesMarkdown, RANGES_FILE } from '../../sim/ranges-doc';

/** Table cells trimmed and rules shortened: what stays of a table once Prettier has aligned it. */
function unaligned(markdown: string): string {
  return markdown
    .split('\n')
    .map((line) =>
      line.startsWith('|')
        ? line
            .split(/(?<!\\)\|/)
            .map((cell) => cell.trim().replace(/^-{3,}$/, '---'))
            .join('|')
        : line,
    )
    .join('\n')
    .trimEnd();
}

describe('Document: sim/RANGES.md', () => {
  it('is what the range definitions generate (regenerate with `npx tsx sim/ranges-doc.ts`)', async () => {
    // Act
    const committed = await readFile(RANGES_FILE, 'utf8');

    // Assess
    expect(unaligned(committed)).toBe(unaligned(rangesMarkdown()));
  });

  it('has a section for every cohort', () => {
    // Act
    const text = rangesMarkdown();

    // Assess
    for (const cohort of COHORTS) expect(text).toContain(`## \`${cohort.id}\``);
  });
});
