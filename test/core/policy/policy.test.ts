import { parsePolicy, PolicyValidationError } from '../../../lambdas/core/policy/policy';
import { POLICY_FILE } from '../../support/policy';
import { readFileSync } from 'node:fs';
import { loadPolicyFile } from '../../../lib/policy-file';

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
    const act = () => parsePolicy(edited, 'edited.yaml');

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
    const act = () => parsePolicy(edited, 'edited.yaml');

    // Assess
    expect(act).toThrow(PolicyValidationError);
    expect(act).toThrow(
      /actions\.tierOverrides\.enterprise\.maxAction: .*caps the tier at throttle, but actions\.throttle is not set.*add actions\.throttle, or cap the tier at review or suspend/,
    );
    expect(() =>
      parsePolicy(edited.replace('maxAction: throttle', 'maxAction: verify'), 'edited.yaml'),
    ).not.toThrow();
  });

  it('rejects text that is not YAML', () => {
    expect(() => parsePolicy('a: [1,', 'bad.yaml')).toThrow(/bad\.yaml[\s\S]*not valid YAML/);
  });
});
