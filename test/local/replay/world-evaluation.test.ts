import { writeFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../../../lambdas/core/ports';
import { fastReplay, replayInMemory } from '../../../local/replay/fast-replay';
import { runWorld, runWorlds, simulationRecords } from '../../../local/replay/world-evaluation';
import { generateTraffic } from '../../../sim/generate';
import { writeSimulation } from '../../../sim/write';
import { portablePolicyText } from '../../support/policy';
import { tempDirPerSuite } from '../../support/temp-dir';

const fixedClock: Clock = { now: () => new Date('2026-03-01T00:00:00.000Z') };
const lines = async (file: string) => (await readFile(file, 'utf8')).trimEnd().split('\n');

describe('Function: replayInMemory', () => {
  const dir = tempDirPerSuite('cauterize-world-');

  it('decides on generated records exactly as fastReplay decides on the file simulate writes', async () => {
    // Prepare
    const options = { preset: 'random', seed: 1001, scale: 0.02, days: 0.5 } as const;
    const file = join(dir(), 'events.jsonl');
    await writeSimulation(file, join(dir(), 'truth.json'), options);
    const replayOptions = { batchingWindowSeconds: 60, clock: fixedClock } as const;

    // Act
    await fastReplay({ file, outDir: join(dir(), 'out'), ...replayOptions });
    const run = await replayInMemory(simulationRecords(generateTraffic(options).events), replayOptions);

    // Assess
    const fromFile = await lines(join(dir(), 'out', 'accounts.jsonl'));
    const casesFromFile = await lines(join(dir(), 'out', 'cases.jsonl'));
    expect([...run.accounts()].map((a) => JSON.stringify(a))).toEqual(fromFile);
    expect([...run.cases()].map((c) => JSON.stringify(c))).toEqual(casesFromFile);
    expect(fromFile.length).toBeGreaterThan(100);
    expect(run.interleaving).toBe('event-time');
  });
});

describe('Function: runWorlds', () => {
  it('evaluates each world the same in a worker process as in this one, in seed order', async () => {
    // Prepare
    const options = { scale: 0.02, days: 0.25 } as const;

    // Act
    const inProcess = await runWorld(1002, options);
    const inWorkers = await runWorlds([1003, 1002], { ...options, jobs: 2 });

    // Assess
    expect(inWorkers.map((w) => w.seed)).toEqual([1003, 1002]);
    expect(inWorkers[1]?.report).toEqual(inProcess.report);
    expect(inWorkers[1]).toMatchObject({
      split: 'tuning',
      preset: 'random',
      days: 0.25,
      events: inProcess.events,
    });
    expect(inProcess.report.inputs).toMatchObject({ unlabelledEvents: 0, activeWithoutResult: 0 });
    expect(inProcess.report.strategies.length).toBeGreaterThan(10);
  });
});

describe('Function: runWorlds, the policy', () => {
  const dir = tempDirPerSuite('cauterize-worlds-policy-');

  it('is read once, before the first world: an edit of the file mid-run changes no world', async () => {
    // Prepare: a policy of its own version, which the first world to finish overwrites with junk
    const policyFile = join(dir(), 'policy.yaml');
    await writeFile(policyFile, portablePolicyText().replace(/^version: .*$/m, "version: 'as-started'"));
    const options = { scale: 0.02, days: 0.25, policyFile, jobs: 2 } as const;

    // Act
    const worlds = await runWorlds([1002, 1003, 1004], {
      ...options,
      onWorld: () => writeFileSync(policyFile, 'version: [not a policy'),
    });

    // Assess: the third world started after the file was overwritten
    expect(worlds.map((w) => w.policyVersion)).toEqual(['as-started', 'as-started', 'as-started']);
  });
});
