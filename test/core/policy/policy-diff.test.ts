import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { main } from '../../../cli/main';
import { diffPolicies, formatPolicyChange } from '../../../lambdas/core/policy/policy-diff';
import { POLICY_FILE, portablePolicyText, testPolicy } from '../../support/policy';
import { tempDirPerSuite } from '../../support/temp-dir';

describe('Function: diffPolicies', () => {
  it('finds nothing between a policy and itself', () => {
    // Act & Assess
    expect(diffPolicies(testPolicy(), testPolicy())).toEqual([]);
  });

  it('names every changed key path with its old and new value', () => {
    // Prepare
    const before = testPolicy();
    const after = {
      ...before,
      version: 'next',
      thresholds: { ...before.thresholds, suspend: before.thresholds.suspend + 5 },
      signals: { ...before.signals, volume: { ...before.signals.volume, weight: 3 } },
    };

    // Act
    const lines = diffPolicies(before, after).map(formatPolicyChange);

    // Assess
    expect(lines).toEqual([
      `~ version: ${JSON.stringify(before.version)} -> "next"`,
      `~ thresholds.suspend: ${before.thresholds.suspend} -> ${before.thresholds.suspend + 5}`,
      `~ signals.volume.weight: ${before.signals.volume.weight} -> 3`,
    ]);
  });

  it('compares allowlists as sets and lists of objects item by item', () => {
    // Prepare
    const before = { allowlist: { accounts: ['a', 'b'] }, releases: [{ model: 'm1', at: 't1' }] };
    const after = {
      allowlist: { accounts: ['c', 'a'] },
      releases: [
        { model: 'm1', at: 't2' },
        { model: 'm2', at: 't3' },
      ],
    };

    // Act
    const lines = diffPolicies(before, after).map(formatPolicyChange);

    // Assess
    expect(lines).toEqual([
      '+ allowlist.accounts[]: "c"',
      '- allowlist.accounts[]: "b"',
      '~ releases[0].at: "t1" -> "t2"',
      '+ releases[1]: {"model":"m2","at":"t3"}',
    ]);
  });

  it('reports keys present on one side only as added or removed', () => {
    // Act & Assess
    expect(diffPolicies({ a: 1, gone: { x: 1 } }, { a: 1, fresh: true }).map(formatPolicyChange)).toEqual([
      '+ fresh: true',
      '- gone: {"x":1}',
    ]);
  });

  it('counts a long list added whole (the public prompts) instead of printing it, and still lists a few entries changed', () => {
    // Prepare
    const fingerprints = Array.from({ length: 3381 }, (_, i) => i.toString(16).padStart(16, '0'));
    const listed = { publicPrompts: { fingerprints, maxDistance: 3 } };

    // Act
    const added = diffPolicies({}, listed).map(formatPolicyChange);
    const edited = diffPolicies(listed, {
      publicPrompts: { fingerprints: [...fingerprints.slice(1), 'ffffffffffffffff'], maxDistance: 3 },
    }).map(formatPolicyChange);

    // Assess
    expect(added).toEqual(['+ publicPrompts: {"fingerprints":"(3,381 entries)","maxDistance":3}']);
    expect(edited).toEqual([
      '+ publicPrompts.fingerprints[]: "ffffffffffffffff"',
      '- publicPrompts.fingerprints[]: "0000000000000000"',
    ]);
  });
});

/** A parsed policy file, edited freely by the tests. */
type Editable = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('CLI: policy diff', () => {
  const dir = tempDirPerSuite('cauterize-policy-diff-');
  let out: string[];
  let err: string[];

  beforeEach(() => {
    out = [];
    err = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => out.push(String(chunk)) > 0);
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => err.push(String(chunk)) > 0);
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  /** Writes the shipped policy with `edit` applied, as YAML. */
  const writePolicy = async (name: string, edit: (policy: Editable) => void) => {
    const policy = parseYaml(portablePolicyText()) as Editable;
    edit(policy);
    const file = join(dir(), name);
    await writeFile(file, stringifyYaml(policy));
    return file;
  };
  const run = (...args: string[]) => main(['node', 'cauterize', 'policy', 'diff', ...args]);

  it('says "no changes" and exits 0 for equal policies, defaults filled in', async () => {
    // Prepare: leaving out a key with a default is no change.
    const same = await writePolicy('same.yaml', (p) => delete p.reasonFloor);

    // Act
    const code = await run(POLICY_FILE, same, '--exit-code');

    // Assess
    expect(code).toBe(0);
    expect(out.join('')).toMatch(/^no changes/);
  });

  it('lists every changed key, old -> new, and warns when the version was not bumped', async () => {
    // Prepare
    const changed = await writePolicy('changed.yaml', (p) => {
      p.thresholds.review = 40;
      p.allowlist.orgs = ['org_ci'];
    });

    // Act
    const code = await run(POLICY_FILE, changed);

    // Assess
    expect(code).toBe(0);
    const text = out.join('');
    expect(text).toContain(`2 keys changed from ${POLICY_FILE} to ${changed}:`);
    expect(text).toMatch(/~ thresholds\.review: \d+ -> 40\n/);
    expect(text).toContain('+ allowlist.orgs[]: "org_ci"');
    expect(text).toContain('warning: version is still');
  });

  it('exits 1 with --exit-code when the policies differ', async () => {
    // Prepare
    const bumped = await writePolicy('bumped.yaml', (p) => (p.version = 'bumped'));

    // Act
    const code = await run(POLICY_FILE, bumped, '--exit-code');

    // Assess
    expect(code).toBe(1);
    expect(out.join('')).toContain('~ version:');
    expect(out.join('')).not.toContain('warning');
  });

  it('refuses an invalid policy with exit 2, naming the key, the value and the rule', async () => {
    // Prepare
    const bad = await writePolicy('bad.yaml', (p) => (p.mode = 'audit'));

    // Act
    const code = await run(POLICY_FILE, bad);

    // Assess
    expect(code).toBe(2);
    expect(err.join('')).toMatch(/invalid policy .*bad\.yaml:\n {2}- mode: .*\(got "audit"\)/);
  });
});
