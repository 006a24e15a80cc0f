import { existsSync, readdirSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { openLocalCases } from '../../cli/commands/cases';
import { main } from '../../cli/main';
import { atomicFs, type AtomicFileSystem } from '../../local/atomic-file';
import { fastReplay } from '../../local/replay/fast-replay';
import { writeSimulation } from '../../sim';
import { startCli, waitFor } from '../support/cli-process';
import { tempDirPerSuite } from '../support/temp-dir';
import { seedCase } from '../support/cases';

/**
 * Issue 15, "Done when": the CLI's file-writing commands, with a failure injected at a random
 * point (the k-th call of one file operation throws, or the process is killed), leave each target
 * either the complete new result or the old one untouched, and no temporary file beside it.
 */

type Operation = keyof AtomicFileSystem;
const OPERATIONS: readonly Operation[] = ['open', 'write', 'sync', 'close', 'rename', 'mkdtemp'];

/** Makes the k-th call of `operation` (counted over the whole command) fail, as a full disk would. */
function injectFailure(operation: Operation, k: number): () => void {
  const original = atomicFs[operation] as (...args: unknown[]) => Promise<unknown>;
  let calls = 0;
  const spy = jest.spyOn(atomicFs, operation).mockImplementation(((...args: unknown[]) => {
    calls += 1;
    if (calls === k) return Promise.reject(new Error(`EIO: injected failure of ${operation} call ${k}`));
    return original(...args);
  }) as never);
  return () => spy.mockRestore();
}

/** Runs the CLI in this process, quietly; resolves to its exit code. */
async function quietly(args: readonly string[]): Promise<number> {
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    return await main(['node', 'cauterize', ...args]);
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

const temporaryFiles = async (dir: string) => (await readdir(dir)).filter((n) => n.startsWith('.'));

describe('Property: file output under injected failures', () => {
  const dir = tempDirPerSuite('cauterize-i15-atomic-');
  const store = () => join(dir(), 'store');
  const events = () => join(dir(), 'events.jsonl');
  const results = () => join(dir(), 'results');
  const fault = fc.record({
    operation: fc.constantFrom(...OPERATIONS),
    k: fc.integer({ min: 1, max: 40 }),
  });

  beforeAll(async () => {
    const local = await openLocalCases(store());
    await local.store.create(
      Array.from({ length: 30 }, (_, i) =>
        seedCase({
          caseId: `case-atomic${String(i).padStart(17, '0')}-1`,
          evidence: { i, note: 'x'.repeat(2_000) },
        }),
      ),
    );
    await local.close();
    await writeSimulation(events(), join(dir(), 'truth.json'), { preset: 'demo', seed: 4 });
    await fastReplay({ file: events(), outDir: results() });
  }, 60_000);

  /**
   * For one command writing `targets` (in `folder`): its output without failures, then, for each
   * injected failure, that each target is the old content or the new one (the new one if the
   * command succeeded) and that no temporary file is left.
   */
  async function checkFiles(
    name: string,
    targets: readonly string[],
    args: readonly string[],
    numRuns: number,
  ): Promise<void> {
    const folder = join(dir(), name);
    await mkdir(folder);
    const paths = targets.map((t) => join(folder, t));
    expect(await quietly(args.map((a) => (targets.includes(a) ? join(folder, a) : a)))).toBe(0);
    const fresh = await Promise.all(paths.map((p) => readFile(p, 'utf8')));
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fault, async ({ operation, k }) => {
        // Prepare: old content that the new output cannot be mistaken for.
        run += 1;
        const old = paths.map((p) => `old content of ${p}, run ${run}\n`);
        await Promise.all(paths.map((p, i) => writeFile(p, old[i]!)));
        const restore = injectFailure(operation, k);

        // Act
        let code: number;
        try {
          code = await quietly(args.map((a) => (targets.includes(a) ? join(folder, a) : a)));
        } finally {
          restore();
        }

        // Assess
        const now = await Promise.all(paths.map((p) => readFile(p, 'utf8')));
        expect([0, 2]).toContain(code);
        now.forEach((content, i) => {
          if (code === 0) expect(content).toBe(fresh[i]);
          else expect([old[i], fresh[i]]).toContain(content);
        });
        expect(await temporaryFiles(folder)).toEqual([]);
      }),
      { numRuns },
    );
  }

  it('cases export: the CSV is whole or untouched', async () => {
    await checkFiles(
      'export',
      ['cases.csv'],
      [
        'cases',
        'export',
        '--local',
        store(),
        '--from',
        '2020-01-01T00:00:00Z',
        '--to',
        '2030-01-01T00:00:00Z',
      ].concat(['--format', 'csv', '--out', 'cases.csv']),
      25,
    );
  });

  it('evaluate --json: the report is whole or untouched', async () => {
    await checkFiles(
      'evaluate',
      ['report.json'],
      ['evaluate', '--truth', join(dir(), 'truth.json'), '--results', results(), '--json', 'report.json'],
      20,
    );
  });

  it('simulate: the events and the truth are each whole or untouched', async () => {
    await checkFiles(
      'simulate',
      ['sim.jsonl', 'sim.truth.json'],
      ['simulate', '--preset', 'demo', '--seed', '5', '--out', 'sim.jsonl', '--truth', 'sim.truth.json'],
      8,
    );
  }, 60_000);

  it('replay --force: the folder is a whole new run or the old one untouched', async () => {
    // Prepare: an earlier run, marked, for --force to replace.
    const out = join(dir(), 'replay-out');
    const parent = dir();
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fault, async ({ operation, k }) => {
        run += 1;
        await rm(out, { recursive: true, force: true });
        await fastReplay({ file: events(), outDir: out });
        const marker = `old run ${run}\n`;
        await writeFile(join(out, 'marker.txt'), marker);
        const oldSummary = await readFile(join(out, 'summary.json'), 'utf8');
        const restore = injectFailure(operation, k);

        // Act
        let code: number;
        try {
          code = await quietly(['replay', events(), '--engine', 'memory', '--out', out, '--force']);
        } finally {
          restore();
        }

        // Assess: whole new (every file, counts that agree) or the old run, marker and all.
        expect([0, 2]).toContain(code);
        const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as { accounts: number };
        if (code === 0 || !existsSync(join(out, 'marker.txt'))) {
          expect((await readdir(out)).sort()).toEqual([
            'accounts.jsonl',
            'bus-events.jsonl',
            'cases.jsonl',
            'dynamodb',
            'rejected.jsonl',
            'summary.json',
          ]);
          const accounts = (await readFile(join(out, 'accounts.jsonl'), 'utf8')).trim().split('\n');
          expect(accounts).toHaveLength(summary.accounts);
        } else {
          expect(await readFile(join(out, 'marker.txt'), 'utf8')).toBe(marker);
          expect(await readFile(join(out, 'summary.json'), 'utf8')).toBe(oldSummary);
        }
        expect((await readdir(parent)).filter((n) => n.startsWith('.replay-out'))).toEqual([]);
      }),
      { numRuns: 6 },
    );
  }, 90_000);

  it('simulate killed at a random moment: each file whole or untouched', async () => {
    // Prepare: what a whole run writes.
    const folder = join(dir(), 'killed');
    await mkdir(folder);
    const targets = ['k.jsonl', 'k.truth.json'].map((t) => join(folder, t));
    await writeSimulation(targets[0]!, targets[1]!, { preset: 'demo', seed: 6 });
    const fresh = await Promise.all(targets.map((t) => readFile(t, 'utf8')));
    let run = 0;

    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 400 }), async (delayMs) => {
        run += 1;
        const old = targets.map((t) => `old content of ${t}, run ${run}\n`);
        await Promise.all(targets.map((t, i) => writeFile(t, old[i]!)));

        // Act: killed outright (SIGKILL: no cleanup runs) once it has started writing, or after.
        const cli = startCli([
          'simulate',
          '--preset',
          'demo',
          '--seed',
          '6',
          '--out',
          targets[0]!,
          '--truth',
          targets[1]!,
        ]);
        await waitFor('a temporary file', () => hasTemporary(folder) || cli.child.exitCode !== null, 30_000);
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        cli.child.kill('SIGKILL');
        await cli.exited;

        // Assess
        const now = await Promise.all(targets.map((t) => readFile(t, 'utf8')));
        now.forEach((content, i) => expect([old[i], fresh[i]]).toContain(content));
      }),
      { numRuns: 3 },
    );
  }, 90_000);
});

function hasTemporary(folder: string): boolean {
  return readdirSync(folder).some((n) => n.startsWith('.'));
}
