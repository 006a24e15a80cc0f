import fc from 'fast-check';
import { PolicyValidationError } from '../../../lambdas/core/policy/policy';
import { policyFromText } from '../../../lib/policy-file';
import { readFileSync } from 'node:fs';
import type { AccountState } from '../../../lambdas/core/account-state';
import { scoreAccount } from '../../../lambdas/core/batch/account-scorer';
import {
  ACTION_RANK,
  actionBandOf,
  decideAction,
  escalate,
  type EscalationContext,
} from '../../../lambdas/core/lifecycle/enforcement-action';
import { extractionEvent, minutesAfter, sequenced } from '../../support/events';
import { POLICY_FILE, testPolicy } from '../../support/policy';

const T0 = '2026-02-01T00:00:00.000Z';

/**
 * The band logic under fixed bands (review 45, throttle 58, verify 64, suspend 70), whatever the
 * shipped policy's tuning: these tests are about crossing bands, not about where they lie.
 */
function bandPolicy(overrides: Parameters<typeof testPolicy>[0] = {}) {
  const shipped = testPolicy();
  return testPolicy({
    thresholds: { review: 45, suspend: 70 },
    actions: {
      ...shipped.actions,
      throttle: { score: 58, requestsPerHour: 10 },
      verify: { score: 64, checks: ['identity', 'payment'] },
    },
    ...overrides,
  });
}

/** The scorer's state after one batch of extraction traffic: enough to hold bookkeeping. */
function baseState(): AccountState {
  const events = [extractionEvent({ accountId: 'acct-e', eventId: 'acct-e-0', ts: T0 })];
  const state = scoreAccount(undefined, sequenced(events), testPolicy()).state;
  return {
    ...state,
    crossings: 0,
    requestedCrossing: 0,
    requestedAction: undefined,
    shadowedAction: undefined,
  };
}

const context = (score: number, overrides: Partial<EscalationContext> = {}): EscalationContext => ({
  digest: () => 'd1g',
  score,
  eligible: true,
  evidence: () => ({ reasons: [] }),
  ...overrides,
});

describe('Function: actionBandOf', () => {
  const policy = bandPolicy();

  it.each([
    [44, 'no'],
    [45, 'review'],
    [57, 'review'],
    [58, 'throttle'],
    [64, 'verify'],
    [69, 'verify'],
    [70, 'suspend'],
    [100, 'suspend'],
  ])('puts score %d in the %s band', (score, action) => {
    // Act
    const band = actionBandOf(score, policy);

    // Assess
    expect(band?.action ?? 'no').toBe(action);
  });

  it('skips a band the policy leaves out', () => {
    // Prepare
    const policy = testPolicy({ actions: { tierOverrides: {} } });

    // Act / Assess
    expect(actionBandOf(60, policy)?.action).toBe('review');
    expect(actionBandOf(66, policy)?.action).toBe('review');
  });

  it('is monotonic: a higher score never gets a weaker action', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 100 }), (a, b) => {
        const [low, high] = a <= b ? [a, b] : [b, a];
        const rank = (s: number) => {
          const band = actionBandOf(s, policy);
          return band ? ACTION_RANK[band.action] : 0;
        };
        return rank(low) <= rank(high);
      }),
    );
  });
});

describe('Function: decideAction', () => {
  it('caps an enterprise account at review, and says why', () => {
    // Act
    const decision = decideAction(
      'suspend',
      'enterprise',
      testPolicy(),
      'risk score 90 is in the suspend band',
    );

    // Assess
    expect(decision).toEqual({
      action: 'review',
      proposedAction: 'review',
      mode: 'enforce',
      reason:
        'risk score 90 is in the suspend band; enterprise accounts get at most review automatically (actions.tierOverrides)',
      directive: {},
    });
  });

  it("lifts an enterprise account's cap once its score reaches liftAt, and says so", () => {
    // Prepare: the shipped policy caps enterprise at review, lifted at 90
    const policy = testPolicy();
    expect(policy.actions.tierOverrides.enterprise).toEqual({ maxAction: 'review', liftAt: 90 });

    // Act
    const below = decideAction('suspend', 'enterprise', policy, 'risk score 89 is in the suspend band', 89);
    const at = decideAction('suspend', 'enterprise', policy, 'risk score 90 is in the suspend band', 90);

    // Assess
    expect(below.action).toBe('review');
    expect(at).toMatchObject({
      action: 'suspend',
      proposedAction: 'suspend',
      reason:
        "risk score 90 is in the suspend band; over enterprise's cap (review): its score reached 90, where the cap is lifted (actions.tierOverrides)",
    });
  });

  it('keeps the cap for a decision made without a score (anti-regrowth)', () => {
    // Act
    const decision = decideAction('suspend', 'enterprise', testPolicy(), 'anti-regrowth');

    // Assess
    expect(decision.action).toBe('review');
  });

  it('gives the gateway its directive: requests per hour to throttle, checks to verify', () => {
    // Prepare
    const policy = bandPolicy();

    // Act / Assess
    expect(decideAction('throttle', 'free', policy, 'x').directive).toEqual({ requestsPerHour: 10 });
    expect(decideAction('verify', 'pro', policy, 'x').directive).toEqual({ checks: ['identity', 'payment'] });
    expect(decideAction('suspend', 'pro', policy, 'x').directive).toEqual({});
  });

  it('in shadow mode only reviews, recording what it would have done', () => {
    // Act
    const decision = decideAction('verify', 'free', bandPolicy({ mode: 'shadow' }), 'risk score 66');

    // Assess
    expect(decision).toMatchObject({
      action: 'review',
      proposedAction: 'verify',
      mode: 'shadow',
      directive: {},
      reason: 'risk score 66; shadow mode: a case only, the account is untouched (would verify)',
    });
  });
});

describe('Function: escalate', () => {
  const policy = bandPolicy();

  it('starts one workflow per crossing into a stronger action, with deterministic names', () => {
    // Prepare
    const state = baseState();

    // Act
    const requests = [50, 52, 60, 59, 75, 66, 80].map((score) => escalate(state, policy, context(score)));

    // Assess
    expect(requests.map((r) => r && [r.executionName, r.input.caseId, r.input.action])).toEqual([
      ['acct-d1g-1', 'case-d1g-1', 'review'],
      undefined,
      ['acct-d1g-2', 'case-d1g-2', 'throttle'],
      undefined,
      ['acct-d1g-3', 'case-d1g-3', 'suspend'],
      undefined,
      undefined,
    ]);
    expect(state).toMatchObject({ crossings: 3, requestedCrossing: 3, requestedAction: 'suspend' });
  });

  it('suspends a capped enterprise account in a second crossing once its score reaches liftAt', () => {
    // Prepare: enterprise capped at review, lifted at 90
    const state = { ...baseState(), tier: 'enterprise' as const };
    const capped = bandPolicy({
      actions: {
        ...bandPolicy().actions,
        tierOverrides: { enterprise: { maxAction: 'review', liftAt: 90 } },
      },
    });

    // Act
    const requests = [75, 89, 90, 95].map((score) => escalate(state, capped, context(score)));

    // Assess: review at 75 (capped), nothing new at 89, suspend at 90, nothing after
    expect(requests.map((r) => r && [r.executionName, r.input.action])).toEqual([
      ['acct-d1g-1', 'review'],
      undefined,
      ['acct-d1g-2', 'suspend'],
      undefined,
    ]);
  });

  it('ends the episode below the review threshold: a later crossing is a new one', () => {
    // Prepare
    const state = baseState();
    escalate(state, policy, context(72));

    // Act
    const calm = escalate(state, policy, context(20));
    const again = escalate(state, policy, context(72));

    // Assess
    expect(calm).toBeUndefined();
    expect(again?.executionName).toBe('acct-d1g-2');
  });

  it('derives the same request from the same previous state (a redelivered batch)', () => {
    // Prepare
    const previous = baseState();
    escalate(previous, policy, context(50));

    // Act
    const a = escalate(structuredClone(previous), policy, context(75));
    const b = escalate(structuredClone(previous), policy, context(75));

    // Assess
    expect(a).toEqual(b);
    expect(a?.executionName).toBe('acct-d1g-2');
  });

  it('starts nothing for an ineligible account and records nothing, so it is enforced once eligible', () => {
    // Prepare
    const state = baseState();

    // Act
    const blocked = escalate(state, policy, context(75, { eligible: false }));
    const later = escalate(state, policy, context(75));

    // Assess
    expect(blocked).toBeUndefined();
    expect(later?.input.action).toBe('suspend');
  });

  it('records the crossing of a suspended account without starting anything (a redelivery after the workflow ran)', () => {
    // Prepare
    const first = baseState();
    const redelivered = baseState();

    // Act
    const request = escalate(first, policy, context(75));
    const none = escalate(redelivered, policy, context(75, { suspended: true }));

    // Assess
    expect(request).toBeDefined();
    expect(none).toBeUndefined();
    expect(redelivered).toEqual(first);
  });

  it('enforces for real after shadow mode, for an account still in its band', () => {
    // Prepare
    const state = baseState();
    const shadow = escalate(state, bandPolicy({ mode: 'shadow' }), context(75));

    // Act
    const shadowAgain = escalate(state, bandPolicy({ mode: 'shadow' }), context(75));
    const enforced = escalate(state, policy, context(75));

    // Assess
    expect(shadow?.input).toMatchObject({ action: 'review', proposedAction: 'suspend', mode: 'shadow' });
    expect(shadowAgain).toBeUndefined();
    expect(enforced?.input).toMatchObject({ action: 'suspend', mode: 'enforce', caseId: 'case-d1g-2' });
  });

  it('starts a new episode after a clearance', () => {
    // Prepare
    const state = baseState();
    escalate(state, policy, context(75));

    // Act
    const sameEpisode = escalate(state, policy, context(75));
    const afterClearance = escalate(state, policy, context(75, { clearedCaseId: 'case-d1g-1' }));

    // Assess
    expect(sameEpisode).toBeUndefined();
    expect(afterClearance?.executionName).toBe('acct-d1g-2');
    expect(state.requestedClearance).toBe('case-d1g-1');
  });

  it('never asks an enterprise account under its liftAt for more than review, nor twice', () => {
    // Prepare
    const state = { ...baseState(), tier: 'enterprise' as const };

    // Act
    const first = escalate(state, policy, context(50));
    const stronger = escalate(state, policy, context(89));

    // Assess
    expect(first?.input.action).toBe('review');
    expect(stronger).toBeUndefined();
  });
});

describe('Function: scoreAccount (graduated enforcement)', () => {
  it('escalates review -> throttle -> suspend as evidence accumulates, one request per crossing', () => {
    // Prepare: one request every 45 minutes, scored one at a time
    const events = sequenced(
      Array.from({ length: 20 }, (_, i) =>
        extractionEvent({
          accountId: 'acct-x',
          eventId: `acct-x-${i}`,
          ts: minutesAfter(T0, i * 45),
          conversationId: `c-${i}`,
        }),
      ),
    );
    const policy = bandPolicy();
    let state: AccountState | undefined;
    const actions: string[] = [];

    // Act
    for (const event of events) {
      const update = scoreAccount(state, [event], policy);
      state = update.state;
      if (update.enforcement)
        actions.push(`${update.enforcement.input.action}@${update.enforcement.input.riskScore}`);
    }

    // Assess
    expect(actions.map((a) => a.split('@')[0])).toEqual(['review', 'throttle', 'suspend']);
    for (const a of actions) {
      const [action, score] = a.split('@');
      expect(actionBandOf(Number(score), policy)?.action).toBe(action);
    }
    expect(state?.requestedAction).toBe('suspend');
  });
});

describe('Schema: policy actions', () => {
  const shipped = readFileSync(POLICY_FILE, 'utf8');

  it.each([
    [
      'verify: { score: 66',
      'verify: { score: 50',
      /actions\.verify\.score: must be greater than actions\.throttle\.score \(62\)/,
    ],
    [
      'throttle: { score: 62',
      'throttle: { score: 40',
      /actions\.throttle\.score: must be greater than thresholds\.review \(55\)/,
    ],
    [
      'verify: { score: 66',
      'verify: { score: 75',
      /thresholds\.suspend: must be greater than actions\.verify\.score \(75\)/,
    ],
    [
      'enterprise: { maxAction: review, liftAt: 90 }',
      'enterprise: { maxAction: ban, liftAt: 90 }',
      /actions\.tierOverrides\.enterprise\.maxAction/,
    ],
    [
      'enterprise: { maxAction: review, liftAt: 90 }',
      'enterprise: { maxAction: review, liftAt: 60 }',
      /actions\.tierOverrides\.enterprise\.liftAt: must be at least thresholds\.suspend \(70\)/,
    ],
    [
      'checks: [identity, payment]',
      'checks: [identity, identity]',
      /actions\.verify\.checks: list each check once/,
    ],
    ['requestsPerHour: 10', 'requestsPerHour: 0', /actions\.throttle\.requestsPerHour/],
  ])('rejects %s changed to %s, naming the key', (from, to, message) => {
    // Prepare
    expect(shipped).toContain(from);

    // Act
    const parse = () => policyFromText(shipped.replace(from, to), POLICY_FILE);

    // Assess
    expect(parse).toThrow(PolicyValidationError);
    expect(parse).toThrow(message);
  });

  it('defaults to no intermediate bands and no tier overrides when the section is left out', () => {
    // Prepare
    const withoutActions = shipped.replace(/\nactions:\n(?: {2}.*\n)+/, '\n');

    // Act
    const policy = policyFromText(withoutActions, POLICY_FILE);

    // Assess
    expect(withoutActions).not.toContain('tierOverrides');
    expect(policy.actions).toEqual({ tierOverrides: {} });
  });
});
