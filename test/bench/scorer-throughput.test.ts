import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadBatches, measureScorerThroughput } from '../../bench/scorer-throughput';
import { makeEvent } from '../support/events';
import { tempDirPerTest } from '../support/temp-dir';

const T0 = Date.parse('2026-02-01T12:00:00.000Z');

/** One account's events at these seconds after T0, as a JSON Lines file. */
async function trafficAt(dir: string, seconds: readonly number[]): Promise<string> {
  const file = join(dir, 'traffic.jsonl');
  const lines = seconds.map((s, i) =>
    JSON.stringify(makeEvent({ eventId: `e-${i}`, ts: new Date(T0 + s * 1000).toISOString() })),
  );
  await writeFile(file, `${lines.join('\n')}\n`);
  return file;
}

/** The event ids of each batch, decoded as the scorer would. */
function idsOf(batches: ReadonlyArray<ReadonlyArray<{ base64: string }>>): string[][] {
  return batches.map((batch) =>
    batch.map(
      (r) => (JSON.parse(Buffer.from(r.base64, 'base64').toString('utf8')) as { eventId: string }).eventId,
    ),
  );
}

describe('Function: loadBatches', () => {
  const dirOf = tempDirPerTest('cauterize-throughput-');

  it('cuts batches by size alone without a batching window', async () => {
    // Prepare
    const file = await trafficAt(dirOf(), [0, 5, 15, 25, 31]);

    // Act
    const { batches, events } = await loadBatches(file, 100, 1, 2);

    // Assess
    expect(events).toBe(5);
    expect(idsOf(batches)).toEqual([['e-0', 'e-1'], ['e-2', 'e-3'], ['e-4']]);
  });

  it('closes a batch once a record arrives a window after its first, as the event source mapping does', async () => {
    // Prepare: a window of 20 s opened at 0 s closes at the record of 25 s; the next opens there
    // and closes at the record of 46 s (44 s is still inside it)
    const file = await trafficAt(dirOf(), [0, 5, 15, 25, 31, 44, 46]);

    // Act
    const { batches } = await loadBatches(file, 100, 1, 100, 20);

    // Assess
    expect(idsOf(batches)).toEqual([['e-0', 'e-1', 'e-2'], ['e-3', 'e-4', 'e-5'], ['e-6']]);
  });

  it('still cuts a full batch before its window has passed', async () => {
    // Prepare
    const file = await trafficAt(dirOf(), [0, 1, 2, 3, 30]);

    // Act
    const { batches } = await loadBatches(file, 100, 1, 3, 20);

    // Assess
    expect(idsOf(batches)).toEqual([['e-0', 'e-1', 'e-2'], ['e-3'], ['e-4']]);
  });
});

describe('Function: measureScorerThroughput', () => {
  const dirOf = tempDirPerTest('cauterize-throughput-');

  it('scores every record of the windowed batches and names the window it measured', async () => {
    // Prepare
    const file = await trafficAt(
      dirOf(),
      Array.from({ length: 40 }, (_, i) => i * 7),
    );

    // Act
    const result = await measureScorerThroughput(file, 1000, { rounds: 1, batchingWindowSeconds: 20 });

    // Assess: 40 records over 273 s in windows of 20 s; runCore throws if any record fails
    expect(result.events).toBe(40);
    expect(result.batchingWindowSeconds).toBe(20);
    expect(result.batches).toBe(14);
    expect(result.coreEventsPerSecond).toBeGreaterThan(0);
    expect(result.ratio).toBeCloseTo(result.coreEventsPerSecond / result.baselineEventsPerSecond, 10);
    // One account: one state write per batch, each encoded once and (after the first) decoded once
    expect(result.stateWritesPerEvent).toBeCloseTo(14 / 40, 10);
    expect(result.codecMsPerEvent).toBeGreaterThan(0);
    expect(result.codecMsPerEvent).toBeLessThan(result.coreMsPerEvent);
  });
});
