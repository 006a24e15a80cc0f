import fc from 'fast-check';
import type { UsageEvent } from '../../../lambdas/core/contract/usage-event';
import { assessRisk, strength } from '../../../lambdas/core/scoring/risk';
import { ACCOUNT_SIGNALS, type Signal, type SignalContext } from '../../../lambdas/core/scoring/signals';
import { accountAgeSignal } from '../../../lambdas/core/scoring/signals/account-age';
import { noDiurnalRestSignal } from '../../../lambdas/core/scoring/signals/no-diurnal-rest';
import { releaseChasingSignal } from '../../../lambdas/core/scoring/signals/release-chasing';
import { singleTurnShareSignal } from '../../../lambdas/core/scoring/signals/single-turn-share';
import { templateReuseSignal } from '../../../lambdas/core/scoring/signals/template-reuse';
import {
  MIN_TIMED_GAPS,
  timingRegularitySignal,
} from '../../../lambdas/core/scoring/signals/timing-regularity';
import { topicCoverageSignal } from '../../../lambdas/core/scoring/signals/topic-coverage';
import { velocitySignal } from '../../../lambdas/core/scoring/signals/velocity';
import {
  epochHour,
  totals,
  WindowFolder,
  type WindowSettings,
  type WindowState,
  type WindowTotals,
} from '../../../lambdas/core/scoring/window';
import { flipHashBits, makeEvent, makeWindow, minutesAfter, openerEvent } from '../../support/events';
import { testPolicy } from '../../support/policy';
import { TemplateMemory, templateBandKeys } from '../../../lambdas/core/scoring/template-memory';
import { TopicMemory } from '../../../lambdas/core/scoring/topic-memory';

const T0 = '2026-02-01T00:00:00.000Z';
const RELEASE = { model: 'model-new', releasedAt: '2026-02-01T06:00:00.000Z' };
const SETTINGS: WindowSettings = { windowHours: 24, releases: [RELEASE], freshHours: 24 };
const CONTEXT: SignalContext = { tier: 'free', windowHours: 24, dailyRequestNorm: 40 };

/** Folds events (in order) into a fresh account window, as the scorer does, and sums it. */
function windowOf(events: readonly UsageEvent[], settings: WindowSettings = SETTINGS): WindowTotals {
  const first = events[0];
  if (!first) return makeWindow();
  const state: WindowState = {
    buckets: [],
    lastEventAt: first.ts,
    recentTopics: [],
    templateBands: [],
    recurringTemplateBands: [],
  };
  const folder = new WindowFolder(state, settings);
  for (const event of events) {
    folder.add(event);
    if (event.ts > state.lastEventAt) state.lastEventAt = event.ts;
  }
  folder.finish(epochHour(state.lastEventAt));
  return totals(state.buckets);
}

/** n events, `gapMinutes(i)` apart, built by `make`. */
function series(n: number, gapMinutes: (i: number) => number, make = makeEvent): UsageEvent[] {
  let at = 0;
  return Array.from({ length: n }, (_, i) => {
    if (i > 0) at += gapMinutes(i);
    return make({ ts: minutesAfter(T0, at) });
  });
}

/** A deterministic pseudo-random 64-bit hash in hex (distinct per i). */
const hashOf = (i: number): string =>
  (BigInt(i + 1) * 0x9e3779b97f4a7c15n).toString(16).slice(-16).padStart(16, '0');

describe('Registry: ACCOUNT_SIGNALS', () => {
  it('registers every policy signal exactly once, each with a description', () => {
    // Prepare
    const policy = testPolicy();

    // Act
    const ids = ACCOUNT_SIGNALS.map((s) => s.id);

    // Assess
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(Object.keys(policy.signals).sort());
    for (const signal of ACCOUNT_SIGNALS) expect(signal.description.length).toBeGreaterThan(20);
  });

  const shares: readonly Signal[] = ACCOUNT_SIGNALS.filter(
    (s) => !['volume', 'velocity', 'outputInputRatio', 'timingRegularity', 'accountAge'].includes(s.id),
  );

  it('keeps every share-valued signal within [0, 1] for any event sequence', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            gapSeconds: fc.integer({ min: 0, max: 4 * 3600 }),
            turn: fc.integer({ min: 1, max: 4 }),
            topic: fc.option(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), { nil: null }),
            hash: fc.integer({ min: 0, max: 20 }),
            model: fc.constantFrom('model-a', RELEASE.model),
            capability: fc.constantFrom('reasoning', 'chat' as const),
          }),
          { minLength: 1, maxLength: 200 },
        ),
        (specs) => {
          // Prepare
          let ms = Date.parse(T0);
          const events = specs.map((spec) => {
            ms += spec.gapSeconds * 1000;
            return makeEvent({
              ts: new Date(ms).toISOString(),
              turn: spec.turn,
              topic: spec.topic,
              promptHash: hashOf(spec.hash),
              model: spec.model,
              capability: spec.capability,
            });
          });

          // Act
          const window = windowOf(events);

          // Assess
          for (const signal of shares) {
            const value = signal.measure(window, CONTEXT);
            expect(value).toBeGreaterThanOrEqual(0);
            expect(value).toBeLessThanOrEqual(1);
          }
          const variation = timingRegularitySignal.measure(window, CONTEXT);
          if (variation !== undefined) expect(variation).toBeGreaterThanOrEqual(0);
          expect(window.activeHours).toBeLessThanOrEqual(window.spanHours);
          expect(window.templateReuses).toBeLessThanOrEqual(window.openers);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('Function: strength', () => {
  const settings = { weight: 10, low: 1, high: 14 };

  it('runs the other way for a lower-is-riskier signal', () => {
    fc.assert(
      fc.property(fc.double({ min: -100, max: 100, noNaN: true }), (value) => {
        // Act
        const rising = strength(value, settings, 'higher-is-riskier');
        const falling = strength(value, settings, 'lower-is-riskier');

        // Assess
        expect(falling).toBeCloseTo(1 - rising, 9);
      }),
    );
    expect(strength(0.5, settings, 'lower-is-riskier')).toBe(1);
    expect(strength(30, settings, 'lower-is-riskier')).toBe(0);
  });
});

describe('Signal: timingRegularity', () => {
  it('measures clockwork requests as near-zero gap variation', () => {
    // Act
    const value = timingRegularitySignal.measure(windowOf(series(30, () => 45)), CONTEXT);

    // Assess
    expect(value).toBeCloseTo(0, 5);
  });

  it('measures irregular gaps as high variation', () => {
    // Prepare: gaps alternating between 2 and 120 minutes
    const events = series(30, (i) => (i % 2 === 0 ? 2 : 120));

    // Act
    const value = timingRegularitySignal.measure(windowOf(events), CONTEXT);

    // Assess
    expect(value).toBeGreaterThan(0.9);
  });

  it('leaves bursts (gaps under a minute) untimed and says nothing below the minimum of timed gaps', () => {
    // Prepare: bursts of 5 requests 10 s apart, bursts 1 hour apart
    const events = series(5 * (MIN_TIMED_GAPS - 1), (i) => (i % 5 === 0 ? 60 : 10 / 60));

    // Act
    const window = windowOf(events);

    // Assess
    expect(window.timedGaps).toBe(MIN_TIMED_GAPS - 2);
    expect(timingRegularitySignal.measure(window, CONTEXT)).toBeUndefined();
  });

  it('scores lower variation as riskier, with the threshold above the saturation in its reason', () => {
    // Prepare
    const policy = testPolicy();
    const window = windowOf(series(30, () => 45));

    // Act
    const risk = assessRisk(window, 'free', policy);

    // Assess
    const reason = risk.reasons.find((r) => r.signal === 'timingRegularity');
    expect(reason).toMatchObject({
      threshold: policy.signals.timingRegularity.high,
      saturation: policy.signals.timingRegularity.low,
    });
    expect(reason?.text).toMatch(/clockwork/);
  });
});

describe('Signal: noDiurnalRest', () => {
  it('is 1 for an account active every hour and low for evening sessions only', () => {
    // Prepare
    const everyHour = series(24, () => 60);
    const evenings = [
      ...series(5, () => 10).map((e) => ({ ...e, ts: minutesAfter(e.ts, 19 * 60) })),
      ...series(5, () => 10).map((e) => ({ ...e, ts: minutesAfter(e.ts, 43 * 60) })),
    ];

    // Act
    const restless = noDiurnalRestSignal.measure(windowOf(everyHour), CONTEXT);
    const resting = noDiurnalRestSignal.measure(windowOf(evenings), CONTEXT);

    // Assess
    expect(restless).toBe(1);
    expect(resting).toBeLessThan(0.2);
  });

  it('does not call a few busy hours restless: the span counts as at least 12 hours', () => {
    // Act
    const value = noDiurnalRestSignal.measure(windowOf(series(12, () => 20)), CONTEXT);

    // Assess
    expect(value).toBeCloseTo(4 / 12);
  });
});

describe('Signal: topicCoverage', () => {
  it('is high for a sweep of distinct topics and low for a few topics revisited', () => {
    // Prepare
    const sweep = series(30, () => 45).map((e, i) => ({ ...e, topic: `math.topic-${i}` }));
    const few = series(30, () => 45).map((e, i) => ({ ...e, topic: `code.topic-${i % 3}` }));

    // Act
    const swept = topicCoverageSignal.measure(windowOf(sweep), CONTEXT);
    const focused = topicCoverageSignal.measure(windowOf(few), CONTEXT);

    // Assess
    expect(swept).toBe(1);
    expect(focused).toBeCloseTo(3 / 30);
  });

  it('counts a topic as new again once it was last asked before the window', () => {
    // Prepare
    const memory = new TopicMemory([], 64);

    // Act
    const first = memory.observe('math.algebra', 100, 77);
    const again = memory.observe('math.algebra', 110, 87);
    const dayLater = memory.observe('math.algebra', 140, 117);

    // Assess
    expect([first, again, dayLater]).toEqual([true, false, true]);
  });

  it('never remembers more topics than its capacity, whatever it is fed', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 80 }),
        fc.array(fc.tuple(fc.string({ maxLength: 6 }), fc.integer({ min: 0, max: 100 })), { maxLength: 300 }),
        (capacity, asks) => {
          // Prepare
          const memory = new TopicMemory([], capacity);

          // Act
          for (const [topic, hour] of asks) memory.observe(topic, hour, hour - 23);

          // Assess
          expect(memory.entries(0).length).toBeLessThanOrEqual(capacity);
        },
      ),
    );
  });
});

describe('Function: templateBandKeys', () => {
  it('splits a prompt hash into four 16-bit band keys', () => {
    expect(templateBandKeys('9f3a61c007bde412')).toEqual(['0:9f3a', '1:61c0', '2:07bd', '3:e412']);
  });

  it('gives hashes within 3 bits of each other a shared band key, always', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        fc.uniqueArray(fc.integer({ min: 0, max: 63 }), { maxLength: 3 }),
        (value, bits) => {
          // Prepare
          const hash = value.toString(16).padStart(16, '0');

          // Act
          const paraphrase = templateBandKeys(flipHashBits(hash, bits));

          // Assess
          expect(templateBandKeys(hash).some((key) => paraphrase.includes(key))).toBe(true);
        },
      ),
    );
  });
});

describe('Signal: templateReuse', () => {
  it('is high for openers paraphrasing a few templates and zero for unrelated openers', () => {
    // Prepare
    const templates = [hashOf(1), hashOf(2), hashOf(3)];
    const templated = series(30, () => 45, openerEvent).map((e, i) => ({
      ...e,
      promptHash: flipHashBits(templates[i % 3] ?? '', [i % 64, (i * 7) % 64]),
    }));
    const unrelated = series(30, () => 45, openerEvent).map((e, i) => ({
      ...e,
      promptHash: hashOf(100 + i),
    }));

    // Act
    const reused = templateReuseSignal.measure(windowOf(templated), CONTEXT);
    const fresh = templateReuseSignal.measure(windowOf(unrelated), CONTEXT);

    // Assess
    expect(reused).toBeCloseTo(27 / 30);
    expect(fresh).toBe(0);
  });

  it('only looks at conversation openers: later turns of one conversation are alike by nature', () => {
    // Prepare
    const turns = series(20, () => 2).map((e, i) => ({ ...e, turn: i + 1, promptHash: hashOf(7) }));

    // Act
    const window = windowOf(turns);

    // Assess
    expect(window.openers).toBe(1);
    expect(window.templateReuses).toBe(0);
  });

  it('exposes the band keys that recur, most used first', () => {
    // Prepare
    const memory = new TemplateMemory([], 64);
    const favourite = hashOf(1);
    const other = hashOf(2);

    // Act
    for (let i = 0; i < 3; i++) memory.observe(favourite, 10, 0);
    memory.observe(other, 10, 0);
    memory.observe(other, 11, 0);
    memory.observe(hashOf(3), 11, 0);

    // Assess
    expect(memory.recurring(0, 16)).toEqual([...templateBandKeys(favourite), ...templateBandKeys(other)]);
    expect(memory.recurring(0, 2)).toEqual(templateBandKeys(favourite).slice(0, 2));
  });

  it('never holds more band keys than its capacity and lists only keys used twice', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 4, max: 80 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 100 })), {
          maxLength: 300,
        }),
        (capacity, openers) => {
          // Prepare
          const memory = new TemplateMemory([], capacity);

          // Act
          for (const [hash, hour] of openers) memory.observe(hashOf(hash), hour, hour - 23);

          // Assess
          const entries = memory.entries(0);
          expect(entries.length).toBeLessThanOrEqual(capacity);
          const recurring = memory.recurring(0, 16);
          expect(recurring.length).toBeLessThanOrEqual(16);
          const counts = new Map(entries.map(([key, count]) => [key, count]));
          const ordered = recurring.map((key) => counts.get(key) ?? 0);
          expect(ordered.every((count) => count >= 2)).toBe(true);
          expect([...ordered].sort((a, b) => b - a)).toEqual(ordered);
        },
      ),
    );
  });
});

describe('Signal: singleTurnShare', () => {
  it('counts conversations never followed up, not requests', () => {
    // Prepare: 10 openers; 4 of the conversations get a second and a third turn
    const openers = series(10, () => 30, openerEvent);
    const followUps = [0, 1, 2, 3].flatMap((i) => [
      makeEvent({ ts: minutesAfter(T0, 400 + i), turn: 2 }),
      makeEvent({ ts: minutesAfter(T0, 500 + i), turn: 3 }),
    ]);

    // Act
    const value = singleTurnShareSignal.measure(windowOf([...openers, ...followUps]), CONTEXT);

    // Assess
    expect(value).toBeCloseTo(0.6);
  });
});

describe('Signal: accountAge', () => {
  it('measures days from sign-up to first request and scores a young account as riskier', () => {
    // Prepare
    const policy = testPolicy();
    const window = makeWindow({ requests: 30 });

    // Act
    const young = assessRisk(window, 'free', policy, { ageAtFirstRequestDays: 0.5 });
    const old = assessRisk(window, 'free', policy, { ageAtFirstRequestDays: 400 });

    // Assess
    expect(accountAgeSignal.measure(window, { ...CONTEXT, ageAtFirstRequestDays: 0.5 })).toBe(0.5);
    expect(young.reasons.find((r) => r.signal === 'accountAge')?.text).toMatch(/0\.5 days after/);
    expect(old.reasons.find((r) => r.signal === 'accountAge')).toBeUndefined();
    expect(young.score).toBeGreaterThan(old.score);
  });
});

describe('Signal: releaseChasing', () => {
  it("counts requests on a listed model only inside the policy's fresh hours after its release", () => {
    // Prepare: hourly requests from 4 h before to 36 h after the release
    const events = Array.from({ length: 41 }, (_, i) =>
      makeEvent({ ts: minutesAfter(RELEASE.releasedAt, (i - 4) * 60), model: RELEASE.model }),
    );
    const otherModel = events.map((e) => ({ ...e, model: 'model-a' }));

    // Act
    const chasing = windowOf(events, { ...SETTINGS, windowHours: 48 });
    const ordinary = windowOf(otherModel, { ...SETTINGS, windowHours: 48 });

    // Assess
    expect(chasing.freshModelRequests).toBe(24);
    expect(releaseChasingSignal.measure(chasing, CONTEXT)).toBeCloseTo(24 / 41);
    expect(ordinary.freshModelRequests).toBe(0);
  });
});

describe('Signal: velocity', () => {
  it("measures the busiest hour against the tier's hourly norm", () => {
    // Prepare: 20 requests in one hour, 1 in the next; free norm 40 a day = 1.67 an hour
    const events = [...series(20, () => 2), makeEvent({ ts: minutesAfter(T0, 90) })];

    // Act
    const value = velocitySignal.measure(windowOf(events), CONTEXT);

    // Assess
    expect(value).toBeCloseTo(20 / (40 / 24));
  });
});
