import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { openLocalCases } from '../../cli/commands/cases';
import { main } from '../../cli/main';
import { fastReplay } from '../../local/replay/fast-replay';
import { writeSimulation } from '../../sim';
import { POLICY_FILE, portablePolicyText, PUBLIC_PROMPTS_FILE } from '../support/policy';
import { tempDirPerSuite, tempDirPerTest } from '../support/temp-dir';
import { seedCase } from '../support/cases';

/**
 * Issue 15, "Data loss and silent wrong results": each reproduction as a new user met it, with
 * bad input on purpose. Exit codes: 0 done, 1 the answer asked for is "no" (differences, broken
 * chains, an invalid policy), 2 the command could not do its job (usage, input, failure).
 */

interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

async function cli(...args: string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((c) => out.push(String(c)) > 0);
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((c) => err.push(String(c)) > 0);
  try {
    const code = await main(['node', 'cauterize', ...args]);
    return { code, out: out.join(''), err: err.join('') };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

/** Every name in a folder, sorted (temp files left beside a target would show here). */
const names = async (dir: string) => (await readdir(dir)).sort();

describe('CLI: cases export (item 1)', () => {
  const dir = tempDirPerSuite('cauterize-i15-export-');
  const store = () => join(dir(), 'store');

  beforeAll(async () => {
    const local = await openLocalCases(store());
    await local.store.create([seedCase({ caseId: 'case-i15000000000000000000001-1' })]);
    await local.close();
  });

  it('leaves the target untouched when the arguments are rejected', async () => {
    // Prepare
    const target = join(dir(), 'e.csv');
    await writeFile(target, 'precious\n');

    // Act
    const run = await cli(
      'cases',
      'export',
      '--local',
      store(),
      '--from',
      '2027-01-01T00:00:00Z',
      '--to',
      '2026-01-01T00:00:00Z',
      '--format',
      'jsonl',
      '--out',
      target,
    );

    // Assess
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/to must be later than from/);
    expect(await readFile(target, 'utf8')).toBe('precious\n');
    expect(await names(dir())).toEqual(['e.csv', 'store']);
  });

  it('replaces the target whole once the export is complete, leaving no temporary file', async () => {
    // Prepare
    const target = join(dir(), 'e.csv');
    await writeFile(target, 'precious\n');

    // Act
    const run = await cli(
      'cases',
      'export',
      '--local',
      store(),
      '--from',
      '2020-01-01T00:00:00Z',
      '--to',
      '2030-01-01T00:00:00Z',
      '--format',
      'jsonl',
      '--out',
      target,
    );

    // Assess
    expect(run.code).toBe(0);
    const lines = (await readFile(target, 'utf8')).trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { caseId: string }).caseId)).toEqual([
      'case-i15000000000000000000001-1',
    ]);
    expect(await names(dir())).toEqual(['e.csv', 'store']);
  });

  it('fails on a folder that does not exist without creating anything', async () => {
    // Act
    const run = await cli(
      'cases',
      'export',
      '--local',
      store(),
      '--from',
      '2020-01-01T00:00:00Z',
      '--to',
      '2030-01-01T00:00:00Z',
      '--format',
      'csv',
      '--out',
      join(dir(), 'missing', 'e.csv'),
    );

    // Assess
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/missing/);
    expect(existsSync(join(dir(), 'missing'))).toBe(false);
  });
});

describe('CLI: simulate (item 2)', () => {
  const dir = tempDirPerTest('cauterize-i15-simulate-');

  it.each([
    ['the same path', (f: string) => f],
    ['the same file by another path', (f: string) => join(f, '..', '.', 's.jsonl')],
  ])('refuses a --truth that is the --out file (%s), touching neither', async (_, other) => {
    // Prepare
    const events = join(dir(), 's.jsonl');
    await writeFile(events, 'precious\n');

    // Act
    const run = await cli('simulate', '--preset', 'demo', '--out', events, '--truth', other(events));

    // Assess
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/--truth .* is the --out file/);
    expect(await readFile(events, 'utf8')).toBe('precious\n');
    expect(await names(dir())).toEqual(['s.jsonl']);
  });
});

describe('CLI: replay --out (items 3 and 6)', () => {
  const dir = tempDirPerSuite('cauterize-i15-replay-');
  const events = () => join(dir(), 'events.jsonl');

  beforeAll(async () => {
    await writeSimulation(events(), join(dir(), 'truth.json'), { preset: 'demo', seed: 2 });
  });

  const replayCli = (out: string, ...extra: string[]) =>
    cli('replay', events(), '--engine', 'memory', '--out', out, ...extra);

  it('refuses a folder that is not empty unless --force, touching nothing', async () => {
    // Prepare
    const out = join(dir(), 'not-empty');
    await mkdir(out);
    await writeFile(join(out, 'notes.txt'), 'mine\n');

    // Act
    const run = await replayCli(out);

    // Assess
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/not-empty is not empty.*--force/);
    expect(await names(out)).toEqual(['notes.txt']);
  });

  it('with --force, replaces an earlier replay whole, nothing of the old run left', async () => {
    // Prepare
    const out = join(dir(), 'rerun');
    expect((await replayCli(out)).code).toBe(0);
    await writeFile(join(out, 'stale.txt'), 'from the first run\n');
    const first = await readFile(join(out, 'summary.json'), 'utf8');

    // Act
    const run = await replayCli(out, '--force');

    // Assess
    expect(run.code).toBe(0);
    expect(await names(out)).toEqual([
      'accounts.jsonl',
      'bus-events.jsonl',
      'cases.jsonl',
      'dynamodb',
      'rejected.jsonl',
      'summary.json',
    ]);
    expect(await readFile(join(out, 'summary.json'), 'utf8')).not.toBe(first);
    expect((await names(dir())).filter((n) => n.includes('rerun'))).toEqual(['rerun']);
  });

  it('leaves the earlier results whole when a run fails, with no partial folder beside them', async () => {
    // Prepare
    const out = join(dir(), 'failing');
    await fastReplay({ file: events(), outDir: out });
    const before = await readFile(join(out, 'summary.json'), 'utf8');
    const beforeNames = await names(out);

    // Act: the run fails half way through the file.
    const failed = fastReplay({
      file: events(),
      outDir: out,
      force: true,
      onProgress: (read, total) => {
        if (read > total / 2) throw new Error('disk full');
      },
    });

    // Assess
    await expect(failed).rejects.toThrow('disk full');
    expect(await readFile(join(out, 'summary.json'), 'utf8')).toBe(before);
    expect(await names(out)).toEqual(beforeNames);
    expect(beforeNames).toEqual(expect.arrayContaining(['bus-events.jsonl', 'rejected.jsonl']));
    expect((await names(dir())).filter((n) => n.includes('failing'))).toEqual(['failing']);
  });

  it('never touches an input file that lives in the output folder', async () => {
    // Prepare: an earlier run's folder, and an input kept in it under an output's name.
    const out = join(dir(), 'holds-input');
    expect((await replayCli(out)).code).toBe(0);
    const input = join(out, 'rejected.jsonl');
    await writeFile(input, await readFile(events()));

    // Act
    const run = await cli('replay', input, '--engine', 'memory', '--out', out, '--force');

    // Assess
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/rejected\.jsonl is inside the output folder/);
    expect(await readFile(input, 'utf8')).toBe(await readFile(events(), 'utf8'));
  });

  it('exits 2 on an empty file, saying so, and writes nothing', async () => {
    // Prepare
    const empty = join(dir(), 'empty.jsonl');
    await writeFile(empty, '');

    // Act
    const run = await cli('replay', empty, '--engine', 'memory', '--out', join(dir(), 'from-empty'));

    // Assess
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/empty\.jsonl is empty: no events to replay/);
    expect(existsSync(join(dir(), 'from-empty'))).toBe(false);
  });

  it('exits 2 when every line is rejected, saying so, and keeps the rejects to look at', async () => {
    // Prepare: 100 KB of random bytes.
    const noise = join(dir(), 'noise.jsonl');
    const bytes = Buffer.alloc(100_000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919 + (i >> 3) * 104_729) % 256;
    await writeFile(noise, bytes);

    // Act
    const run = await cli('replay', noise, '--engine', 'memory', '--out', join(dir(), 'from-noise'));

    // Assess
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/no valid event: all \d+ lines read were rejected \(see .*rejected\.jsonl\)/);
    const rejected = (await readFile(join(dir(), 'from-noise', 'rejected.jsonl'), 'utf8')).trim().split('\n');
    expect(rejected.length).toBeGreaterThan(1);
  });
});

describe('CLI: cases --local on a folder that holds no store (item 7)', () => {
  const dir = tempDirPerTest('cauterize-i15-typo-');

  it.each([
    ['list'],
    ['verify'],
    ['show', 'case-i15000000000000000000001-1'],
    [
      'export',
      '--from',
      '2020-01-01T00:00:00Z',
      '--to',
      '2030-01-01T00:00:00Z',
      '--format',
      'csv',
      '--out',
      'x.csv',
    ],
    ['resolve', 'case-i15000000000000000000001-1', '--as', 'confirmed', '--reason', 'typo', '--actor', 'me'],
  ])('cases %s refuses it, naming the folder and the fix, and creates nothing', async (verb, ...rest) => {
    // Prepare
    const typo = join(dir(), 'typo');
    const args = rest.map((a) => (a === 'x.csv' ? join(dir(), 'x.csv') : a));

    // Act
    const run = await cli('cases', verb, ...args, '--local', typo);

    // Assess
    expect(run.code).toBe(2);
    expect(run.err).toContain(`no local cases store in ${typo}`);
    expect(run.err).toMatch(/cauterize replay FILE --out DIR/);
    expect(await names(dir())).toEqual([]);
  });
});

describe('CLI: policy (items 8, 9, 10)', () => {
  const dir = tempDirPerSuite('cauterize-i15-policy-');

  it('backtest refuses a truth file from another run, naming what it misses', async () => {
    // Prepare
    const events = join(dir(), 'events-1.jsonl');
    await writeSimulation(events, join(dir(), 'truth-1.json'), { preset: 'demo', seed: 1 });
    await writeSimulation(join(dir(), 'events-2.jsonl'), join(dir(), 'truth-2.json'), {
      preset: 'demo',
      seed: 2,
    });

    // Act
    const run = await cli(
      'policy',
      'backtest',
      '--events',
      events,
      '--policy',
      POLICY_FILE,
      '--truth',
      join(dir(), 'truth-2.json'),
    );

    // Assess
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/truth-2\.json labels 0 of the \d+ accounts in .*events-1\.jsonl/);
  });

  it('diff --exit-code exits 1 when the policies differ and 2 when a file cannot be read', async () => {
    // Prepare
    const policy = parseYaml(portablePolicyText()) as Record<string, unknown>;
    const bumped = join(dir(), 'bumped.yaml');
    await writeFile(bumped, stringifyYaml({ ...policy, version: 'bumped' }));

    // Act
    const differ = await cli('policy', 'diff', POLICY_FILE, bumped, '--exit-code');
    const missing = await cli('policy', 'diff', POLICY_FILE, join(dir(), 'missing.yaml'), '--exit-code');

    // Assess
    expect(differ.code).toBe(1);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/missing\.yaml:\n {2}- cannot read the file/);
  });

  it('validate keeps its message short whatever the size of the file', async () => {
    // Prepare: a valid policy with one unknown top-level key and a lot of text.
    const policy = parseYaml(portablePolicyText()) as Record<string, unknown>;
    const file = join(dir(), 'unknown-key.yaml');
    await writeFile(file, stringifyYaml({ ...policy, notes: 'x'.repeat(500_000), typo: true }));

    // Act
    const run = await cli('policy', 'validate', file);

    // Assess
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/\(root\): Unrecognized keys?: "?notes"?/);
    expect(run.err.length).toBeLessThan(2_000);
  });

  it('validate names a YAML alias loop', async () => {
    // Prepare
    const file = join(dir(), 'loop.yaml');
    await writeFile(file, 'a: &a [*a]\n');

    // Act
    const run = await cli('policy', 'validate', file);

    // Assess
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/loop\.yaml:\n {2}- a(\.0)?: a YAML alias refers to a node that contains it/);
    expect(run.err).not.toMatch(/circular structure/);
  });

  it('validate refuses a file over 1 MiB without reading it', async () => {
    // Prepare
    const file = join(dir(), 'huge.yaml');
    await writeFile(file, `version: "x"\n# ${'x'.repeat(1_100_000)}\n`);

    // Act
    const run = await cli('policy', 'validate', file);

    // Assess
    expect(run.code).toBe(1);
    expect(run.err).toMatch(
      /huge\.yaml:\n {2}- the file is 1,100,\d+ bytes; a policy file may be at most 1 MiB/,
    );
  });
});

describe('CLI: policy files named from another folder', () => {
  const dir = tempDirPerSuite('cauterize-policy-paths-');
  const home = process.cwd();

  beforeAll(async () => {
    await writeSimulation(join(dir(), 'events.jsonl'), join(dir(), 'truth.json'), {
      preset: 'demo',
      seed: 2,
    });
    const policy = parseYaml(portablePolicyText()) as Record<string, unknown>;
    await writeFile(
      join(dir(), 'mine.yaml'),
      stringifyYaml({ ...policy, version: 'from-the-working-folder' }),
    );
    process.chdir(dir());
  });

  afterAll(() => {
    process.chdir(home);
  });

  it('reads a relative --policy from the working folder, as a shell user means it', async () => {
    // Act
    const validate = await cli('policy', 'validate', 'mine.yaml');
    const replay = await cli(
      'replay',
      'events.jsonl',
      '--engine',
      'memory',
      '--out',
      'out',
      '--policy',
      'mine.yaml',
    );

    // Assess
    expect(validate.code).toBe(0);
    expect(validate.out).toContain('mine.yaml: valid (version from-the-working-folder');
    expect(replay.code).toBe(0);
    const summary = JSON.parse(await readFile(join(dir(), 'out', 'summary.json'), 'utf8')) as {
      policyVersion: string;
    };
    expect(summary.policyVersion).toBe('from-the-working-folder');
  });

  it("falls back to this clone's config/policy.yaml where the working folder has none", async () => {
    // Act
    const validate = await cli('policy', 'validate');
    const backtest = await cli('policy', 'backtest', '--events', 'events.jsonl', '--policy', 'mine.yaml');

    // Assess
    const shipped = parseYaml(await readFile(POLICY_FILE, 'utf8')) as { version: string };
    expect(validate.code).toBe(0);
    expect(validate.out).toContain(`config/policy.yaml: valid (version ${shipped.version}`);
    expect(backtest.code).toBe(0);
    expect(backtest.out).toMatch(new RegExp(`baseline\\s+\\S*config/policy\\.yaml\\s+${shipped.version}`));
    expect(backtest.out).toMatch(/\bnew\s+\S*mine\.yaml\s+from-the-working-folder/);
  });
});

describe('CLI: policy public-prompts', () => {
  const dir = tempDirPerSuite('cauterize-public-prompts-');

  it('writes the list the shipped policy names, which a policy beside it then reads', async () => {
    // Prepare
    const list = join(dir(), 'public-prompts.txt');
    await writeFile(join(dir(), 'policy.yaml'), await readFile(POLICY_FILE, 'utf8'));

    // Act
    const run = await cli('policy', 'public-prompts', '--out', list);
    const validate = await cli('policy', 'validate', join(dir(), 'policy.yaml'));

    // Assess
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/public-prompts\.txt: 3,381 public prompts/);
    expect(await readFile(list, 'utf8')).toBe(await readFile(PUBLIC_PROMPTS_FILE, 'utf8'));
    expect(validate.code).toBe(0);
    expect(validate.out).toContain('3,381 public prompts listed');
  });

  it('refuses a folder that does not exist, naming the option, and writes nothing', async () => {
    // Act
    const run = await cli('policy', 'public-prompts', '--out', join(dir(), 'missing', 'list.txt'));

    // Assess
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/--out/);
    expect(await readdir(dir())).not.toContain('missing');
  });

  it('fails validation of a policy whose list is missing, naming the key and the path', async () => {
    // Prepare
    const alone = join(dir(), 'alone');
    await mkdir(alone);
    await writeFile(join(alone, 'policy.yaml'), await readFile(POLICY_FILE, 'utf8'));

    // Act
    const validate = await cli('policy', 'validate', join(alone, 'policy.yaml'));

    // Assess
    expect(validate.code).toBe(1);
    expect(validate.err).toMatch(/publicPrompts\.file: cannot read .*alone\/public-prompts\.txt/);
  });
});
