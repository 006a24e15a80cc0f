import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { main } from '../../cli/main';
import { writeSimulation } from '../../sim';
import { tempDirPerSuite } from '../support/temp-dir';

/**
 * `cauterize replay --cost-profile P` is how detection is measured under a profile's batches: the
 * memory engine cuts them by event time at the span they really have on AWS (60 s, 300 s).
 */
describe('Command: cauterize replay --cost-profile', () => {
  const dir = tempDirPerSuite('cauterize-replay-profile-');
  let events: string;
  const replay = async (out: string, ...flags: string[]) => {
    const code = await main([
      'node',
      'cauterize',
      'replay',
      events,
      '--engine',
      'memory',
      '--out',
      join(dir(), out),
      ...flags,
    ]);
    expect(code).toBe(0);
    return readFile(join(dir(), out, 'accounts.jsonl'), 'utf8');
  };

  beforeAll(async () => {
    events = join(dir(), 'events.jsonl');
    await writeSimulation(events, join(dir(), 'truth.json'), { preset: 'demo', seed: 5 });
  }, 60_000);

  it.each([
    ['optimised', '300'],
    ['default', '60'],
  ])('cuts batches as the %s profile does: %s s of event time, as on AWS', async (profile, seconds) => {
    // Act
    const byProfile = await replay(`profile-${profile}`, '--cost-profile', profile);
    const byWindow = await replay(
      `window-${seconds}`,
      '--batching-window',
      seconds,
      '--interleaving',
      'event-time',
    );

    // Assess
    expect(byProfile.length).toBeGreaterThan(0);
    expect(byProfile).toBe(byWindow);
  });
});
