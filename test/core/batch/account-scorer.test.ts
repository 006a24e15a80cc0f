import fc from 'fast-check';
import { scoreAccount } from '../../../lambdas/core/batch/account-scorer';
import { assessRisk } from '../../../lambdas/core/scoring/risk';
import { extractionEvent, makeEvent, makeWindow, minutesAfter, sequenced } from '../../support/events';
import { testPolicy } from '../../support/policy';

const T0 = '2026-02-01T00:00:00.000Z';

/** n requests over a day (every 45 minutes): an attacker's pace of 20-40 a day. */
function extractionDay(n = 32, accountId = 'acct-x') {
  return Array.from({ length: n }, (_, i) =>
    extractionEvent({
      accountId,
      eventId: `${accountId}-${i}`,
      ts: minutesAfter(T0, i * 45),
      conversationId: `c-${i}`,
    }),
  );
}

describe('Function: scoreAccount', () => {
  const policy = testPolicy();

  it('puts extraction-shaped traffic over the suspend threshold with its reasons and asks for enforcement', () => {
    // Act
    const update = scoreAccount(undefined, sequenced(extractionDay()), policy);

    // Assess
    expect(update.applied).toBe(32);
    expect(update.state.riskScore).toBeGreaterThanOrEqual(policy.thresholds.suspend);
    expect(update.state.band).toBe('SUSPEND');
    expect(update.state.reasons.map((r) => r.signal)).toEqual(
      expect.arrayContaining([
        'reasoningElicitation',
        'singleTurnShare',
        'outputInputRatio',
        'capabilityConcentration',
      ]),
    );
    for (const reason of update.state.reasons) {
      // A lower-is-riskier signal (account age, timing variability) counts below its threshold.
      if (reason.saturation > reason.threshold) expect(reason.value).toBeGreaterThan(reason.threshold);
      else expect(reason.value).toBeLessThan(reason.threshold);
      expect(reason.text.length).toBeGreaterThan(10);
    }
    expect(update.enforcement?.executionName).toMatch(/^acct-[0-9a-f]{24}-1$/);
    expect(update.enforcement?.input).toMatchObject({
      accountId: 'acct-x',
      riskScore: update.state.riskScore,
      policyVersion: policy.version,
      triggeredAt: minutesAfter(T0, 31 * 45),
    });
    expect(update.state.requestedCrossing).toBe(1);
  });

  it('keeps a heavy multi-turn coding user below review', () => {
    // Prepare: 400 coding requests a day in long conversations with modest outputs
    const events = Array.from({ length: 400 }, (_, i) =>
      makeEvent({
        accountId: 'heavy',
        tier: 'pro',
        capability: 'coding',
        ts: minutesAfter(T0, i * 2),
        conversationId: `c-${Math.floor(i / 20)}`,
        turn: (i % 20) + 1,
        toolCalls: 3,
        inputTokens: 3000,
        outputTokens: 900,
        reasoningRequested: i % 10 === 0,
      }),
    );

    // Act
    const update = scoreAccount(undefined, sequenced(events), policy);

    // Assess
    expect(update.state.riskScore).toBeLessThan(policy.thresholds.review);
    expect(update.state.band).toBe('NORMAL');
    expect(update.enforcement).toBeUndefined();
  });

  it('does not count a redelivered record or a duplicate event id twice', () => {
    // Prepare
    const first = scoreAccount(undefined, sequenced(extractionDay(10)), policy);
    const again = sequenced(extractionDay(10)); // same sequence numbers: a redelivered batch
    const duplicatePut = sequenced(extractionDay(10), 5000); // same event ids, new positions

    // Act
    const redelivered = scoreAccount(first.state, again, policy);
    const reput = scoreAccount(first.state, duplicatePut, policy);

    // Assess
    expect(redelivered.applied).toBe(0);
    expect(redelivered.duplicates).toBe(10);
    expect(reput.applied).toBe(0);
    expect(reput.duplicates).toBe(10);
    expect(first.state.totalRequests).toBe(10);
  });

  it('computes the same enforcement request for the same state and events', () => {
    // Prepare
    const events = sequenced(extractionDay());

    // Act
    const a = scoreAccount(undefined, events, policy);
    const b = scoreAccount(undefined, events, policy);

    // Assess
    expect(b.enforcement).toEqual(a.enforcement);
  });

  it('asks for enforcement once per crossing, not on every batch above the threshold', () => {
    // Prepare
    const day = sequenced(extractionDay(64));
    const first = scoreAccount(undefined, day.slice(0, 32), policy);

    // Act
    const second = scoreAccount(first.state, day.slice(32), policy);

    // Assess
    expect(first.enforcement).toBeDefined();
    expect(second.state.band).toBe('SUSPEND');
    expect(second.enforcement).toBeUndefined();
    expect(second.state.crossings).toBe(1);
  });

  it('scores but never asks to enforce on an allowlisted account', () => {
    // Act
    const update = scoreAccount(
      undefined,
      sequenced(extractionDay(32, 'acct-x')),
      testPolicy({ allowlist: { accounts: ['acct-x'], orgs: [] } }),
    );

    // Assess
    expect(update.state.band).toBe('SUSPEND');
    expect(update.enforcement).toBeUndefined();
  });

  it('under shadow mode asks only for a review case recording the suspension it would make', () => {
    // Act
    const update = scoreAccount(undefined, sequenced(extractionDay(32)), testPolicy({ mode: 'shadow' }));

    // Assess
    expect(update.state.band).toBe('SUSPEND');
    expect(update.enforcement?.input).toMatchObject({
      action: 'review',
      proposedAction: 'suspend',
      mode: 'shadow',
      reason: expect.stringContaining('shadow mode'),
    });
  });

  it('does not ask to suspend an account that is already suspended', () => {
    // Prepare
    const first = scoreAccount(undefined, sequenced(extractionDay(5)), policy);
    const suspended = { ...first.state, status: 'SUSPENDED' as const };

    // Act
    const update = scoreAccount(suspended, sequenced(extractionDay(40).slice(5), 2000), policy);

    // Assess
    expect(update.state.band).toBe('SUSPEND');
    expect(update.enforcement).toBeUndefined();
  });

  it('forgets events that fall out of the event-time window', () => {
    // Prepare
    const old = scoreAccount(undefined, sequenced(extractionDay(32)), policy);
    const later = [makeEvent({ accountId: 'acct-x', ts: minutesAfter(T0, 60 * 72) })];

    // Act
    const update = scoreAccount(old.state, sequenced(later, 9000), policy);

    // Assess
    expect(update.state.buckets.reduce((n, b) => n + b.n, 0)).toBe(1);
    expect(update.state.totalRequests).toBe(33);
    expect(update.state.riskScore).toBeLessThan(policy.thresholds.review);
  });
});

describe('Function: assessRisk', () => {
  const policy = testPolicy();

  it('always scores within 0-100 with reasons that add up to the score', () => {
    fc.assert(
      fc.property(
        fc.record({
          requests: fc.integer({ min: 0, max: 100_000 }),
          capabilityRequests: fc.nat(),
          reasoningRequests: fc.nat(),
          inputTokens: fc.nat(),
          outputTokens: fc.nat(),
          openers: fc.nat(),
          followUps: fc.nat(),
          timedGaps: fc.nat(),
          gapExcessSum: fc.nat(),
          gapExcessSquares: fc.nat(),
          novelTopicRequests: fc.nat(),
          templateReuses: fc.nat(),
          freshModelRequests: fc.nat(),
          activeHours: fc.integer({ min: 0, max: 24 }),
          peakHour: fc.nat(),
        }),
        fc.constantFrom('free', 'pro', 'team', 'enterprise', 'api' as const),
        fc.option(fc.double({ min: 0, max: 5000, noNaN: true }), { nil: undefined }),
        (raw, tier, ageAtFirstRequestDays) => {
          // Counters can never exceed requests (template reuse: openers), the window 24 hours.
          const upTo = (value: number, max: number) => value % (max + 1);
          const open = upTo(raw.openers, raw.requests);
          const activeHours = Math.min(raw.activeHours, raw.requests);
          const w = makeWindow({
            ...raw,
            capabilityRequests: upTo(raw.capabilityRequests, raw.requests),
            reasoningRequests: upTo(raw.reasoningRequests, raw.requests),
            openers: open,
            followUps: upTo(raw.followUps, raw.requests),
            timedGaps: upTo(raw.timedGaps, raw.requests),
            novelTopicRequests: upTo(raw.novelTopicRequests, raw.requests),
            templateReuses: upTo(raw.templateReuses, open),
            freshModelRequests: upTo(raw.freshModelRequests, raw.requests),
            activeHours,
            spanHours: activeHours,
            peakHour: upTo(raw.peakHour, raw.requests),
          });
          const risk = assessRisk(w, tier, policy, { ageAtFirstRequestDays });
          expect(risk.score).toBeGreaterThanOrEqual(0);
          expect(risk.score).toBeLessThanOrEqual(100);
          const points = risk.reasons.reduce((sum, r) => sum + r.points, 0);
          expect(Math.abs(points - risk.score)).toBeLessThanOrEqual(
            1 + risk.reasons.length * 0.05 + 100 * policy.reasonFloor,
          );
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('scales a score down when the evidence is thin', () => {
    // Prepare
    const strong = makeWindow({
      requests: 30,
      capabilityRequests: 30,
      reasoningRequests: 30,
      inputTokens: 3000,
      outputTokens: 60_000,
      openers: 30,
      novelTopicRequests: 30,
    });
    const thin = makeWindow({
      requests: 3,
      capabilityRequests: 3,
      reasoningRequests: 3,
      inputTokens: 300,
      outputTokens: 6000,
      openers: 3,
      novelTopicRequests: 3,
    });

    // Act
    const a = assessRisk(strong, 'free', policy);
    const b = assessRisk(thin, 'free', policy);

    // Assess
    expect(b.confidence).toBeCloseTo(3 / policy.windows.minRequests);
    expect(b.score).toBeLessThan(a.score);
  });
});
