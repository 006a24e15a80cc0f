import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { processesWithEnv, startCli, waitFor } from '../support/cli-process';
import { tempDirPerSuite } from '../support/temp-dir';

/** `cauterize evaluate --from`: the summary of saved worlds is the summary the run itself printed. */
describe('CLI: cauterize evaluate --from', () => {
  const dir = tempDirPerSuite('cauterize-saved-worlds-');
  const tinyWorlds = ['--worlds', 'tuning', '--scale', '0.01', '--days', '1'];
  /** A summary as JSON, without each world's wall-clock seconds (which differ between runs). */
  const readJson = async (file: string) =>
    JSON.parse(await readFile(file, 'utf8'), (key, value: unknown) =>
      key === 'seconds' ? undefined : value,
    ) as Record<string, unknown>;

  let whole: Record<string, unknown>;
  let firstPart: string;
  let secondPart: string;
  let optimisedPart: string;

  beforeAll(async () => {
    // Two worlds in one run, and the same two worlds run one at a time.
    const evaluate = (json: string, ...options: string[]) =>
      startCli(['evaluate', ...tinyWorlds, ...options, '--json', join(dir(), json)]);
    const runs = [
      evaluate('whole.json', '--count', '2', '--jobs', '2'),
      evaluate('first.json', '--count', '1'),
      evaluate('second.json', '--count', '1', '--offset', '1'),
      // The second world again, its batches cut at the optimised profile's 300 s.
      evaluate('optimised.json', '--count', '1', '--offset', '1', '--cost-profile', 'optimised'),
    ];
    const codes = await Promise.all(runs.map((run) => run.exited));
    expect(codes).toEqual([0, 0, 0, 0]);
    whole = await readJson(join(dir(), 'whole.json'));
    firstPart = join(dir(), 'first.json.worlds.jsonl');
    secondPart = join(dir(), 'second.json.worlds.jsonl');
    optimisedPart = join(dir(), 'optimised.json.worlds.jsonl');
  }, 240_000);

  it('summarizes worlds saved by two runs as one run of both would', async () => {
    // Act
    const cli = startCli(['evaluate', '--from', secondPart, firstPart, '--json', join(dir(), 'joined.json')]);
    const code = await cli.exited;

    // Assess
    expect(code).toBe(0);
    const joined = await readJson(join(dir(), 'joined.json'));
    expect(joined).toEqual(whole);
    expect((joined.reports as Array<{ seed: number }>).map((r) => r.seed)).toEqual([1001, 1002]);
    expect(cli.stdout()).toContain('bar (held-out worlds)');
  });

  it('refuses a world passed twice, naming both places', async () => {
    // Act
    const cli = startCli(['evaluate', '--from', firstPart, firstPart]);
    const code = await cli.exited;

    // Assess
    expect(code).toBe(2);
    expect(cli.stderr()).toContain(`world 1001 is in ${firstPart}:1 and in ${firstPart}:1`);
  });

  it('refuses worlds made at another scale, naming the key and both worlds', async () => {
    // Prepare
    const line = (await readFile(secondPart, 'utf8')).trim();
    const otherScale = join(dir(), 'other-scale.worlds.jsonl');
    await writeFile(otherScale, `${line.replace('"scale":0.01', '"scale":0.5')}\n`);

    // Act
    const cli = startCli(['evaluate', '--from', firstPart, otherScale]);
    const code = await cli.exited;

    // Assess
    expect(code).toBe(2);
    expect(cli.stderr()).toContain('world 1002 has scale 0.5, world 1001 has 0.01');
  });

  it("records each world's batch span, and refuses to summarize worlds replayed at different spans", async () => {
    // Prepare
    const spanOf = async (file: string) =>
      (JSON.parse((await readFile(file, 'utf8')).trim()) as { batchingWindowSeconds: number })
        .batchingWindowSeconds;

    // Act
    const cli = startCli(['evaluate', '--from', firstPart, optimisedPart]);
    const code = await cli.exited;

    // Assess
    expect([await spanOf(firstPart), await spanOf(optimisedPart)]).toEqual([60, 300]);
    expect(code).toBe(2);
    expect(cli.stderr()).toContain('world 1002 has batchingWindowSeconds 300, world 1001 has 60');
  });

  it('refuses a line that is not a saved world, naming the file and line', async () => {
    // Prepare
    const notWorlds = join(dir(), 'not-worlds.jsonl');
    await writeFile(notWorlds, '{"seed": 3}\n');

    // Act
    const cli = startCli(['evaluate', '--from', notWorlds]);
    const code = await cli.exited;

    // Assess
    expect(code).toBe(2);
    expect(cli.stderr()).toContain(`${notWorlds}:1 has no seed or report`);
  });

  it('stops its world workers with it when it is killed mid-world', async () => {
    // Prepare: worlds big enough to be mid-way when the signal comes; a marker to find the workers.
    const marker = `evaluate-${process.pid}-${Date.now()}`;
    const cli = startCli(
      ['evaluate', '--worlds', 'tuning', '--count', '2', '--jobs', '2', '--scale', '0.5'],
      {
        CAUTERIZE_TEST_MARKER: marker,
      },
    );
    const workers = () =>
      processesWithEnv('CAUTERIZE_TEST_MARKER', marker).filter((p) => p.command.includes('world-worker'));
    await waitFor('two world workers', () => workers().length === 2, 60_000);

    // Act
    cli.child.kill('SIGTERM');
    await cli.exited;

    // Assess: the workers were computing a world each, and exit with their parent.
    await waitFor('the world workers to exit', () => workers().length === 0, 10_000);
    expect(workers()).toEqual([]);
  }, 90_000);

  it("leaves an earlier run's saved worlds as they were when a new run with the same --json is stopped", async () => {
    // Prepare: an earlier run's saved worlds, and a new run writing beside them.
    const json = join(dir(), 'again.json');
    const earlier = await readFile(firstPart, 'utf8');
    await writeFile(`${json}.worlds.jsonl`, earlier);
    const marker = `evaluate-again-${process.pid}-${Date.now()}`;
    const cli = startCli(
      ['evaluate', '--worlds', 'tuning', '--count', '2', '--jobs', '2', '--scale', '0.5', '--json', json],
      { CAUTERIZE_TEST_MARKER: marker },
    );
    const workers = () =>
      processesWithEnv('CAUTERIZE_TEST_MARKER', marker).filter((p) => p.command.includes('world-worker'));
    await waitFor('two world workers', () => workers().length === 2, 60_000);

    // Act
    cli.child.kill('SIGTERM');
    await cli.exited;

    // Assess
    expect(await readFile(`${json}.worlds.jsonl`, 'utf8')).toBe(earlier);
    await waitFor('the world workers to exit', () => workers().length === 0, 10_000);
  }, 90_000);
});
