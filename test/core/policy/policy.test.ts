import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parsePolicy, policyToJson, PolicyValidationError } from '../../../lambdas/core/policy/policy';
import { publicPromptList } from '../../../sim/public-prompts';
import { worldBenchmarks } from '../../../sim/world';
import { POLICY_FILE } from '../../support/policy';
import { loadPolicyFile, policyFromText } from '../../../lib/policy-file';

describe('Function: loadPolicyFile', () => {
  it('accepts the shipped config/policy.yaml', () => {
    // Act
    const policy = loadPolicyFile(POLICY_FILE);

    // Assess
    expect(policy.mode).toBe('enforce');
    expect(policy.thresholds.suspend).toBeGreaterThan(policy.thresholds.review);
  });

  it('names the file when it cannot be read', () => {
    expect(() => loadPolicyFile('/nonexistent/policy.yaml')).toThrow(
      /\/nonexistent\/policy.yaml.*cannot read/s,
    );
  });
});

describe('Function: parsePolicy', () => {
  const shipped = readFileSync(POLICY_FILE, 'utf8');

  it.each([
    ['mode: enforce', 'mode: loud', /mode: .*"enforce"\|"shadow".*got "loud"/],
    ['suspend: 70', 'suspend: 170', /thresholds\.suspend: .*100.*got 170/],
    ['suspend: 70', 'suspend: 30', /thresholds\.suspend: suspend must be greater than review \(got 30\)/],
    ['scoringHours: 24', 'scoringHours: 0', /windows\.scoringHours: .*got 0/],
    [
      'volume: { weight: 10, low: 1.5, high: 5 }',
      'volume: { weight: 10, low: 5, high: 1 }',
      /signals\.volume\.high: high must be greater than low/,
    ],
    ['volume: { weight: 10,', 'volume: { wieght: 10,', /signals\.volume: .*wieght/],
    ['topics: 60 }', 'topics: 0 }', /links\.orgBillingLimit\.topics: .*got 0/],
    [
      'orgBillingLimit: { extractionRequests',
      'orgBillingLimit: { requests',
      /links\.orgBillingLimit: .*requests/,
    ],
    ['longAnswerTokens: 1500', 'longAnswerTokens: 0', /evidence\.longAnswerTokens: .*got 0/],
    ['fullShare: 0.05', 'fullShare: 5', /clusters\.fullShare: .*got 5/],
    [
      'evidence: { points: 30, low: 120, high: 400 }',
      'evidence: { points: 30, low: 400, high: 120 }',
      /clusters\.evidence\.high: high must be greater than low \(got 120\)/,
    ],
  ])('rejects %s changed to %s with the key, value and rule', (from, to, message) => {
    // Prepare
    const edited = shipped.replace(from, to);
    expect(edited).not.toBe(shipped);

    // Act
    const act = () => policyFromText(edited, POLICY_FILE);

    // Assess
    expect(act).toThrow(PolicyValidationError);
    expect(act).toThrow(message);
  });

  it('rejects a tier capped at a band the policy leaves out, naming the tier and the fix', () => {
    // Prepare: no throttle band, and enterprise capped at throttle (nothing to apply: no rate limit)
    const edited = shipped
      .replace(/^ {2}throttle: \{[^\n]*\n/m, '')
      .replace('enterprise: { maxAction: review, liftAt: 90 }', 'enterprise: { maxAction: throttle }');
    expect(edited).not.toContain('requestsPerHour');

    // Act
    const act = () => policyFromText(edited, POLICY_FILE);

    // Assess
    expect(act).toThrow(PolicyValidationError);
    expect(act).toThrow(
      /actions\.tierOverrides\.enterprise\.maxAction: .*caps the tier at throttle, but actions\.throttle is not set.*add actions\.throttle, or cap the tier at review or suspend/,
    );
    expect(() =>
      policyFromText(edited.replace('maxAction: throttle', 'maxAction: verify'), POLICY_FILE),
    ).not.toThrow();
  });

  it('rejects text that is not YAML', () => {
    expect(() => parsePolicy('a: [1,', 'bad.yaml')).toThrow(/bad\.yaml[\s\S]*not valid YAML/);
  });
});

describe('Key: publicPrompts', () => {
  const shipped = readFileSync(POLICY_FILE, 'utf8');
  let folder: string;

  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'cauterize-public-prompts-'));
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  /** The shipped policy, its list replaced by `list` (text) under `name`, written into `folder`. */
  function policyWithList(list: string | undefined, name = 'items.txt'): string {
    const path = join(folder, 'policy.yaml');
    writeFileSync(path, shipped.replace('file: public-prompts.txt', `file: ${name}`));
    if (list !== undefined) writeFileSync(join(folder, name), list);
    return path;
  }

  it('reads the list beside the policy file, skipping comments and blank lines', () => {
    // Prepare
    const path = policyWithList('# two items\n\n0123456789abcdef  # the first\nfedcba9876543210\n');

    // Act
    const policy = loadPolicyFile(path);

    // Assess
    expect(policy.publicPrompts).toEqual({
      fingerprints: ['0123456789abcdef', 'fedcba9876543210'],
      maxDistance: 3,
    });
  });

  it('ships the list the simulator’s public benchmarks give (config/public-prompts.txt is up to date)', () => {
    // Act
    const policy = loadPolicyFile(POLICY_FILE);

    // Assess: `npx cauterize policy public-prompts --out config/public-prompts.txt` rebuilds it
    expect(readFileSync(join(dirname(POLICY_FILE), 'public-prompts.txt'), 'utf8')).toBe(
      publicPromptList().text,
    );
    expect(policy.publicPrompts?.fingerprints).toHaveLength(
      worldBenchmarks().reduce((n, b) => n + b.items.length, 0),
    );
  });

  it.each([
    [
      'a line that is not a fingerprint',
      'not-a-hash\n',
      /line 1 of .*items\.txt is not a prompt fingerprint \(got "not-a-hash"\): write 16 lowercase hex digits/,
    ],
    ['upper-case hex', '0123456789ABCDEF\n', /line 1 .*not a prompt fingerprint/],
    [
      'a list of comments only',
      '# nothing yet\n',
      /items\.txt lists no fingerprint: add them, or leave publicPrompts out/,
    ],
    ['no list at all', undefined, /publicPrompts\.file: cannot read .*items\.txt/],
  ])('rejects %s, naming the key and the fix', (_case, list, message) => {
    // Prepare
    const path = policyWithList(list);

    // Act
    const act = () => loadPolicyFile(path);

    // Assess
    expect(act).toThrow(PolicyValidationError);
    expect(act).toThrow(message);
  });

  it('names the list’s problems and the policy’s together, in one run', () => {
    // Prepare
    const path = policyWithList('xyz\n');
    writeFileSync(path, readFileSync(path, 'utf8').replace('mode: enforce', 'mode: loud'));

    // Act
    const act = () => loadPolicyFile(path);

    // Assess: both, and not the schema's "holds no fingerprints" (the reading said why)
    expect(act).toThrow(/line 1 of .*items\.txt is not a prompt fingerprint[\s\S]*mode: .*got "loud"/);
    expect(act).not.toThrow(/holds no fingerprints/);
  });

  it('refuses a policy naming a list it was not read with, so the list is never silently dropped', () => {
    // Act: the text alone (as AppConfig would hold it), not the file
    const act = () => parsePolicy(shipped, 'pasted.yaml');

    // Assess
    expect(act).toThrow(
      /publicPrompts\.file: names a file but holds no fingerprints.*load the policy from its file/s,
    );
  });

  it.each([
    ['maxDistance: 3', 'maxDistance: 4', /publicPrompts\.maxDistance: .*got 4/],
    [
      'file: public-prompts.txt',
      'fingerprints: [xyz]',
      /publicPrompts\.fingerprints\.0: expected a prompt fingerprint.*got "xyz"/,
    ],
  ])('rejects %s changed to %s', (from, to, message) => {
    expect(() => policyFromText(shipped.replace(from, to), POLICY_FILE)).toThrow(message);
  });

  it('carries the fingerprints in the JSON the Lambdas get, which validates on its own', () => {
    // Prepare
    const policy = loadPolicyFile(POLICY_FILE);

    // Act
    const deployed = parsePolicy(policyToJson(policy), 'POLICY_JSON');

    // Assess
    expect(deployed.publicPrompts?.fingerprints).toEqual(policy.publicPrompts?.fingerprints);
  });
});
