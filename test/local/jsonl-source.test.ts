import fc from 'fast-check';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { emptySourceStats, readJsonlRecords, splitLines } from '../../local/jsonl-source';

async function* chunked(bytes: Buffer, cuts: readonly number[]): AsyncGenerator<Buffer> {
  let start = 0;
  for (const cut of [...new Set(cuts)].sort((a, b) => a - b)) {
    if (cut <= start || cut >= bytes.length) continue;
    yield bytes.subarray(start, cut);
    start = cut;
  }
  if (start < bytes.length) yield bytes.subarray(start);
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe('Function: splitLines', () => {
  it('splits exactly as node:readline does, wherever the chunks are cut', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom('a', 'b', '{}', '\r', '\n', '\r\n', 'é', ' '), { maxLength: 40 }),
        fc.array(fc.nat(200), { maxLength: 8 }),
        async (parts, cuts) => {
          // Prepare
          const bytes = Buffer.from(parts.join(''), 'utf8');

          // Act
          const lines = (await collect(splitLines(chunked(bytes, cuts)))).map((b) => b.toString('utf8'));

          // Assess
          const expected = await collect(
            createInterface({ input: Readable.from(chunked(bytes, cuts)), crlfDelay: Infinity }),
          );
          expect(lines).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('Function: readJsonlRecords', () => {
  it('keys records by accountId, skips blank lines and passes unreadable lines on unkeyed', async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'cauterize-jsonl-'));
    const file = join(dir, 'events.jsonl');
    await writeFile(
      file,
      [
        JSON.stringify({ accountId: 'acct-1', ts: '2026-02-02T00:00:02Z' }),
        '',
        '   ',
        JSON.stringify({ accountId: 'acct-2', ts: '2026-02-02T00:00:01Z', note: 'café' }),
        '{"v":1,"eventId":"trunc',
        JSON.stringify({ ts: '2026-02-02T00:00:03Z' }),
      ].join('\r\n'),
    );
    const stats = emptySourceStats();

    try {
      // Act
      const records = await collect(readJsonlRecords(file, stats));

      // Assess
      expect(records.map((r) => r.partitionKey)).toEqual([
        'acct-1',
        'acct-2',
        'unkeyed-line-5',
        'unkeyed-line-6',
      ]);
      expect(Buffer.from(records[1]?.data ?? []).toString('utf8')).toContain('café');
      // The event time, for batching windows: absent where the line has no readable ts.
      expect(records.map((r) => r.eventTimeMs)).toEqual([
        Date.parse('2026-02-02T00:00:02Z'),
        Date.parse('2026-02-02T00:00:01Z'),
        undefined,
        Date.parse('2026-02-02T00:00:03Z'),
      ]);
      expect(stats).toMatchObject({ lines: 4, unkeyed: 2, outOfOrder: 1 });
      // Line numbers as an editor shows them: blank lines count.
      expect(records.map((r) => r.line)).toEqual([1, 4, 5, 6]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
