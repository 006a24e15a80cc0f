import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fastReplay } from '../../local/replay/fast-replay';
import { replay } from '../../local/replay/replay';
import type { ReplaySummary } from '../../local/replay/replay-output';
import { writeSimulation } from '../../sim';
import { tempDirPerSuite } from '../support/temp-dir';

/**
 * Issue 15, item 5: one 5 MB line aborted a whole local replay, with no line number, while the
 * memory engine went on. Both engines must dead-letter a line they cannot put on the stream, or
 * cannot read, with its line number and reason, and go on.
 */
describe('Functions: replay and fastReplay, on lines that are too large or not JSON', () => {
  const dir = tempDirPerSuite('cauterize-i15-bad-lines-');
  const OVERSIZED_LINE = 10;
  const NOT_JSON_LINE = 20;
  let lines: string[];
  const summaries: Record<string, ReplaySummary> = {};

  beforeAll(async () => {
    // Prepare: the demo traffic, with a 5 MB event at line 10 and a cut-off one at line 20.
    const clean = join(dir(), 'clean.jsonl');
    await writeSimulation(clean, join(dir(), 'truth.json'), { preset: 'demo', seed: 2 });
    lines = (await readFile(clean, 'utf8')).trimEnd().split('\n');
    const huge = {
      ...(JSON.parse(lines[0]!) as Record<string, unknown>),
      eventId: 'huge',
      pad: 'x'.repeat(5_000_000),
    };
    lines.splice(OVERSIZED_LINE - 1, 0, JSON.stringify(huge));
    lines.splice(NOT_JSON_LINE - 1, 0, '{"v":1,"eventId":"trunc');
    await writeFile(join(dir(), 'events.jsonl'), `${lines.join('\n')}\n`);

    // Act
    summaries.memory = await fastReplay({ file: join(dir(), 'events.jsonl'), outDir: join(dir(), 'memory') });
    summaries.local = await replay({ file: join(dir(), 'events.jsonl'), outDir: join(dir(), 'local') });
  }, 180_000);

  const rejectedLines = async (engine: string) =>
    (await readFile(join(dir(), engine, 'rejected.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { line?: number; field: string; reason: string; bytes?: number })
      .map(({ line, field, reason }) => ({ line, field, reason }))
      .sort((a, b) => (a.line ?? 0) - (b.line ?? 0));

  it.each(['memory', 'local'])(
    '%s engine: reads every line and dead-letters the two, naming their lines',
    async (engine) => {
      // Assess
      const summary = summaries[engine]!;
      expect(summary.eventsRead).toBe(lines.length);
      expect(summary.rejected).toBe(2);
      expect(summary.accounts).toBeGreaterThan(100);
      expect(await rejectedLines(engine)).toEqual([
        {
          line: OVERSIZED_LINE,
          field: '(record)',
          reason: expect.stringMatching(
            /^line 10 is 5,000,\d{3} bytes with its partition key: a Kinesis record holds at most 1 MiB/,
          ),
        },
        { line: NOT_JSON_LINE, field: '(record)', reason: expect.stringMatching(/^not valid JSON/) },
      ]);
    },
  );

  it('both engines dead-letter them alike', async () => {
    // Assess
    expect(await rejectedLines('local')).toEqual(await rejectedLines('memory'));
  });
});
