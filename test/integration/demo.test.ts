import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runDemo, type DemoRun } from '../../cli/commands/demo';
import { PROJECT_ROOT } from '../support/cli-process';

/**
 * Issue 15, "Also": two demo runs in a row found 2 linked clusters, then 1 (the poller's batch
 * boundaries and the two shards' races followed timing), the README showed output the demo no
 * longer printed, and a cluster case was printed as "(account null, ...)".
 */
describe('Function: runDemo', () => {
  const runs: DemoRun[] = [];

  beforeAll(async () => {
    // Act: the default seed, twice in a row.
    runs.push(await runDemo({ seed: 1 }));
    runs.push(await runDemo({ seed: 1 }));
  }, 120_000);

  it('prints the same report for the same seed, byte for byte', () => {
    // Assess
    expect(runs[1]?.report).toBe(runs[0]?.report);
    expect(runs[0]?.report).toContain('No legitimate account was suspended.');
  });

  it("prints exactly the README's sample output", async () => {
    // Prepare: the first code block after "The demo prints what happened:".
    const readme = await readFile(join(PROJECT_ROOT, 'README.md'), 'utf8');
    const after = readme.slice(readme.indexOf('The demo prints what happened:'));
    const sample = /```\n([\s\S]*?)```\n/.exec(after)?.[1];

    // Assess
    expect(sample).toBe(runs[0]?.report);
  });

  it('names a cluster case by its cluster and member count, not as an account', () => {
    // Assess
    const report = runs[0]?.report ?? '';
    expect(report).not.toContain('account null');
    expect(report).toMatch(
      /^Case case-clu-[0-9a-f]+ \(cluster clu-[0-9a-f]+, \d+ members, score \d+, OPEN\):$/m,
    );
  });
});
