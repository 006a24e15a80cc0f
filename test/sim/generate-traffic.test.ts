import { usageEventSchema } from '../../lambdas/core/contract/usage-event';
import { generateTraffic } from '../../sim/generate';
import { COHORTS } from '../../sim/cohorts/registry';
import { PRESETS } from '../../sim/presets';
import { collect, digest, groupBy, nearestDistance } from '../support/sim';

const DAY_MS = 86_400_000;
const DEFAULT_MIX = PRESETS.default.mix.map((u) => u.cohort);

describe('Function: generateTraffic', () => {
  describe('Preset: demo', () => {
    const demo = collect({ preset: 'demo', seed: 1 });

    it('emits only events that pass the usage event contract', () => {
      // Act
      const failures = demo.events
        .map((e) => usageEventSchema.safeParse(e.event))
        .filter((r) => !r.success)
        .map((r) => r.error?.issues[0]);

      // Assess
      expect(failures).toEqual([]);
    });

    it('emits events in non-decreasing ts order, inside the window', () => {
      // Act
      const times = demo.events.map((e) => Date.parse(e.event.ts));

      // Assess
      expect(times.every((t, i) => i === 0 || t >= (times[i - 1] as number))).toBe(true);
      expect(times[0]).toBeGreaterThanOrEqual(Date.parse(demo.truth.start));
      expect(times[times.length - 1]).toBeLessThan(Date.parse(demo.truth.end));
    });

    it('gives every event a unique eventId', () => {
      // Act
      const ids = new Set(demo.events.map((e) => e.event.eventId));

      // Assess
      expect(ids.size).toBe(demo.events.length);
    });

    it('is small: a few thousand events from about 200 accounts over 2 days', () => {
      // Assess
      expect(demo.events.length).toBeGreaterThan(3_000);
      expect(demo.events.length).toBeLessThan(8_000);
      expect(demo.truth.accounts.length).toBeGreaterThanOrEqual(100);
      expect(demo.truth.accounts.length).toBeLessThanOrEqual(220);
      expect(demo.truth.days).toBe(2);
    });

    it('contains casual users, one heavy coding-agent user and one campaign of several accounts', () => {
      // Act
      const byCohort = groupBy(demo.truth.accounts, (a) => a.cohort);

      // Assess
      expect([...byCohort.keys()].sort()).toEqual([
        'casual-chat',
        'extraction-card-sharing',
        'heavy-coding-agent',
      ]);
      expect(byCohort.get('heavy-coding-agent')).toHaveLength(1);
      expect(demo.truth.campaigns).toHaveLength(1);
      const campaign = demo.truth.campaigns[0];
      expect(campaign?.accounts.length).toBeGreaterThanOrEqual(8);
      expect(campaign?.accounts.length).toBeLessThanOrEqual(12);
      expect(campaign?.infrastructure.paymentFingerprints).toHaveLength(2);
    });

    it('labels each event like its account in the truth', () => {
      // Prepare
      const truthById = new Map(demo.truth.accounts.map((a) => [a.accountId, a]));

      // Act
      const mismatches = demo.events.filter((e) => {
        const t = truthById.get(e.accountId);
        return (
          !t ||
          t.cohort !== e.cohort ||
          t.attack !== e.attack ||
          t.campaignId !== e.campaignId ||
          e.event.accountId !== e.accountId
        );
      });

      // Assess
      expect(mismatches).toEqual([]);
    });

    it('makes the demo campaign clearly look like extraction', () => {
      // Prepare
      const campaign = demo.truth.campaigns[0];
      const attack = demo.events.filter((e) => e.attack).map((e) => e.event);
      const members = new Set(campaign?.accounts);

      // Act
      const cards = new Set(attack.map((e) => e.paymentFingerprint));
      const cot = attack.filter((e) => e.reasoningRequested).length / attack.length;
      const capabilities = new Set(attack.map((e) => e.capability));
      const maxDistance = Math.max(
        ...attack.map((e) => nearestDistance(e.promptHash, campaign?.promptTemplates ?? [])),
      );
      const ratio = attack.reduce((s, e) => s + e.outputTokens / e.inputTokens, 0) / attack.length;
      const ageDays = attack.map(
        (e) => (Date.parse(demo.truth.start) - Date.parse(e.accountCreatedAt)) / DAY_MS,
      );

      // Assess
      expect([...new Set(attack.map((e) => e.accountId))].every((id) => members.has(id))).toBe(true);
      expect(cards.size).toBe(2);
      expect(cot).toBeGreaterThan(0.8);
      expect([...capabilities].sort()).toEqual(['agentic', 'coding', 'reasoning']);
      expect(attack.every((e) => e.turn === 1)).toBe(true);
      expect(maxDistance).toBeLessThanOrEqual(3);
      expect(ratio).toBeGreaterThan(5);
      expect(Math.max(...ageDays)).toBeLessThan(4);
    });

    it('makes each campaign account send 20-40 requests a day', () => {
      // Prepare
      const attack = demo.events.filter((e) => e.attack);

      // Act
      const perDay = [...groupBy(attack, (e) => e.accountId).values()].map(
        (es) => es.length / demo.truth.days,
      );

      // Assess
      expect(perDay.length).toBeGreaterThanOrEqual(8);
      for (const rate of perDay) {
        expect(rate).toBeGreaterThanOrEqual(18);
        expect(rate).toBeLessThanOrEqual(42);
      }
    });

    it('gives the heavy user long multi-turn tool-calling conversations on one device and card', () => {
      // Prepare
      const heavy = demo.events.filter((e) => e.cohort === 'heavy-coding-agent').map((e) => e.event);

      // Act
      const conversations = groupBy(heavy, (e) => e.conversationId);
      const turnsConsistent = [...conversations.values()].every((es) => es.every((e, i) => e.turn === i + 1));

      // Assess
      expect(heavy.length / demo.truth.days).toBeGreaterThan(100);
      expect(Math.max(...heavy.map((e) => e.turn))).toBeGreaterThan(15);
      expect(heavy.reduce((s, e) => s + e.toolCalls, 0) / heavy.length).toBeGreaterThan(1);
      expect(new Set(heavy.map((e) => e.deviceFingerprint)).size).toBe(1);
      expect(new Set(heavy.map((e) => e.paymentFingerprint)).size).toBe(1);
      expect(turnsConsistent).toBe(true);
    });
  });

  describe('Determinism', () => {
    it('produces identical output for the same seed and different output for another seed', () => {
      // Act
      const first = digest({ preset: 'demo', seed: 1 });
      const again = digest({ preset: 'demo', seed: 1 });
      const other = digest({ preset: 'demo', seed: 2 });

      // Assess
      expect(again).toEqual(first);
      expect(other.sha256).not.toBe(first.sha256);
    });

    it('replays the same stream on each iteration of the same simulation', () => {
      // Prepare
      const { events } = generateTraffic({ preset: 'default', seed: 3, scale: 0.02, days: 1 });

      // Act
      const a = [...events].map((e) => e.event.eventId);
      const b = [...events].map((e) => e.event.eventId);

      // Assess
      expect(a.length).toBeGreaterThan(1_000);
      expect(b).toEqual(a);
    });
  });

  describe('Preset: default (reduced scale)', () => {
    const small = collect({ preset: 'default', seed: 1, scale: 0.05, days: 3 });

    it("plans every cohort of the preset's mix and one campaign per attack strategy", () => {
      // Act
      const cohorts = new Set(small.truth.accounts.map((a) => a.cohort));
      const strategies = small.truth.campaigns.map((c) => c.strategy).sort();

      // Assess
      expect([...cohorts].sort()).toEqual(DEFAULT_MIX.map((c) => c.id).sort());
      expect(strategies).toEqual(
        DEFAULT_MIX.filter((c) => c.attack)
          .map((c) => c.strategy)
          .sort(),
      );
    });

    it('emits valid, sorted events with unique ids from every cohort', () => {
      // Act
      const invalid = small.events.filter((e) => !usageEventSchema.safeParse(e.event).success);
      const sorted = small.events.every(
        (e, i) => i === 0 || e.event.ts >= (small.events[i - 1]?.event.ts ?? ''),
      );
      const ids = new Set(small.events.map((e) => e.event.eventId));
      const cohortsWithEvents = new Set(small.events.map((e) => e.cohort));

      // Assess
      expect(invalid).toEqual([]);
      expect(sorted).toBe(true);
      expect(ids.size).toBe(small.events.length);
      expect(cohortsWithEvents.size).toBe(DEFAULT_MIX.length);
    });

    it('keeps turns consistent: within a conversation, turns count up from 1', () => {
      // Act
      const conversations = groupBy(
        small.events.filter((e) => e.event.conversationId !== null),
        (e) => e.event.conversationId,
      );
      const broken = [...conversations.entries()].filter(
        ([, es]) => !es.every((e, i) => e.event.turn === i + 1),
      );
      const sharedAcrossAccounts = [...conversations.values()].filter(
        (es) => new Set(es.map((e) => e.accountId)).size > 1,
      );

      // Assess
      expect(broken.map(([id]) => id)).toEqual([]);
      expect(sharedAcrossAccounts).toEqual([]);
    });

    it('never leaks a label into an id', () => {
      // Act
      const leaky = small.truth.accounts.filter((a) =>
        /casual|attack|campaign|extraction|bot/i.test(a.accountId),
      );

      // Assess
      expect(leaky).toEqual([]);
      expect(small.truth.accounts.every((a) => /^acct_[0-9a-f]{12}$/.test(a.accountId))).toBe(true);
    });
  });

  describe('Options', () => {
    it.each([
      [{ seed: 1.5 }, 'seed must be a safe integer'],
      [{ seed: 1, scale: 0 }, 'scale must be a positive number'],
      [{ seed: 1, days: 0 }, 'days must be in (0, 366]'],
      [{ seed: 1, cohorts: ['nope'] }, 'cohorts nope are not in preset "default"'],
    ])('rejects %j naming the bad value', (options, message) => {
      // Act / Assess
      expect(() => generateTraffic(options)).toThrow(message);
    });

    it('registers each cohort once with an id, a description and its traits; the default preset keeps the classic thirteen', () => {
      // Act
      const ids = COHORTS.map((c) => c.id);
      const strategies = COHORTS.filter((c) => c.attack).map((c) => c.strategy);

      // Assess
      expect(new Set(ids).size).toBe(ids.length);
      expect(new Set(strategies).size).toBe(strategies.length);
      expect(COHORTS.every((c) => c.description.length > 20 && c.traits.length > 0)).toBe(true);
      expect(COHORTS.every((c) => c.attack === (c.strategy !== null))).toBe(true);
      expect(COHORTS.every((c) => !(c.attack && c.hardNegative))).toBe(true);
      expect(DEFAULT_MIX.map((c) => c.id)).toEqual(ids.slice(0, 13));
      expect(PRESETS.random.mix.map((u) => u.cohort.id)).toEqual(ids);
    });
  });
});
