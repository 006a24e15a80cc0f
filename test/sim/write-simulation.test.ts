import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseUsageEventBytes } from '../../lambdas/core/contract/usage-event';
import type { SimulationProgress } from '../../sim/summary';
import { writeSimulation } from '../../sim/write';
import { tempDirPerTest } from '../support/temp-dir';

describe('Function: writeSimulation', () => {
  const dirOf = tempDirPerTest('cauterize-sim-');

  it('writes contract events as JSON Lines without labels, and the truth as one JSON document', async () => {
    // Prepare
    const events = join(dirOf(), 'out', 'events.jsonl');
    const truthFile = join(dirOf(), 'out', 'truth.json');
    const progress: SimulationProgress[] = [];

    // Act
    const summary = await writeSimulation(events, truthFile, {
      preset: 'demo',
      seed: 7,
      progressEvery: 1_000,
      onProgress: (p) => progress.push(p),
    });
    const lines = (await readFile(events, 'utf8')).trimEnd().split('\n');
    const truth = JSON.parse(await readFile(truthFile, 'utf8'));

    // Assess
    expect(lines).toHaveLength(summary.events);
    const parsed = lines.map((line) => parseUsageEventBytes(line));
    expect(parsed.filter((p) => !p.ok)).toEqual([]);
    expect(lines.some((line) => /"(cohort|attack|campaignId|strategy)"/.test(line))).toBe(false);
    expect(truth.format).toBe('cauterize-sim-truth/v1');
    expect(truth.accounts).toHaveLength(summary.accounts);
    expect(truth.stats.events).toBe(summary.events);
    expect(truth.cohorts.reduce((s: number, c: { events: number }) => s + c.events, 0)).toBe(summary.events);
    expect(truth.campaigns).toHaveLength(1);
    expect(progress.length).toBeGreaterThanOrEqual(3);
    expect(progress[progress.length - 1]?.events).toBe(summary.events);
    expect(progress.every((p, i) => i === 0 || p.events >= (progress[i - 1]?.events ?? 0))).toBe(true);
  });
});
