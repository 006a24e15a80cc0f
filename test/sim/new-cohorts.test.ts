import type { UsageEvent } from '../../lambdas/core/contract/usage-event';
import { CONSUMER_EMAIL_DOMAINS } from '../../sim/catalog';
import { burners } from '../../sim/cohorts/burners';
import { camouflagedLowAndSlow } from '../../sim/cohorts/camouflaged-low-and-slow';
import { disguisedOrg } from '../../sim/cohorts/disguised-org';
import { evalPlatform } from '../../sim/cohorts/eval-platform';
import { familyPlan } from '../../sim/cohorts/family-plan';
import { hackathon } from '../../sim/cohorts/hackathon';
import { highVolume } from '../../sim/cohorts/high-volume';
import { hydra } from '../../sim/cohorts/hydra';
import { moocStudents } from '../../sim/cohorts/mooc-students';
import { multiTurn } from '../../sim/cohorts/multi-turn';
import { researchLab } from '../../sim/cohorts/research-lab';
import { sleeper } from '../../sim/cohorts/sleeper';
import { supportTeam } from '../../sim/cohorts/support-team';
import { syllabusSplit } from '../../sim/cohorts/syllabus-split';
import { templateFree } from '../../sim/cohorts/template-free';
import { tutoringPowerUser } from '../../sim/cohorts/tutoring-power-user';
import { generateTraffic } from '../../sim/generate';
import { use, type CohortUse } from '../../sim/presets';
import { EXTRACTION_TOPICS } from '../../sim/topics';
import { groupBy, nearestDistance } from '../support/sim';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** One cohort on its own, with its default (or given) parameters, over a week. */
function run(cohort: CohortUse, options: { scale?: number; days?: number } = {}) {
  const { events, truth } = generateTraffic({
    seed: 11,
    mix: [cohort],
    scale: options.scale ?? 1,
    days: options.days ?? 7,
  });
  const all = [...events].map((e) => e.event);
  return { events: all, truth, byAccount: groupBy(all, (e) => e.accountId) };
}

const consumer = new Set(CONSUMER_EMAIL_DOMAINS.items);
const publicHashes = (() => {
  const { world } = generateTraffic({ seed: 1, preset: 'demo' });
  return new Set(world.benchmarks.flatMap((b) => b.items.map((i) => i.hash.hi.toString(16))));
})();
const isBenchmarkItem = (e: UsageEvent) =>
  publicHashes.has(Number.parseInt(e.promptHash.slice(0, 8), 16).toString(16));
const spanMs = (es: readonly UsageEvent[]) =>
  Date.parse(es[es.length - 1]?.ts ?? '') - Date.parse(es[0]?.ts ?? '');
const median = (xs: readonly number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

describe('Cohorts: attack strategies of randomised worlds', () => {
  it('hydra: accounts live days, a handful per device, replaced as they die, on shared templates', () => {
    // Act
    const { events, truth, byAccount } = run(use(hydra), { scale: 0.5 });
    const campaign = truth.campaigns[0];
    const perDevice = groupBy(
      [...byAccount.values()].map((es) => es[0] as UsageEvent),
      (e) => e.deviceFingerprint,
    );
    const templated = events.filter(
      (e) => e.turn === 1 && nearestDistance(e.promptHash, campaign?.promptTemplates ?? []) <= 3,
    );

    // Assess
    expect(byAccount.size).toBeGreaterThan(30 * 1.3); // 30 slots, replacements on top
    expect(Math.max(...[...byAccount.values()].map(spanMs))).toBeLessThanOrEqual(7 * DAY_MS);
    expect(Math.max(...[...perDevice.values()].map((es) => es.length))).toBeLessThanOrEqual(6);
    expect(median([...perDevice.values()].map((es) => es.length))).toBeGreaterThanOrEqual(2);
    expect(new Set(templated.map((e) => e.accountId)).size).toBeGreaterThan(byAccount.size * 0.8);
  });

  it('hydra: each account mixes its own share of ordinary traffic, from almost none to most of it', () => {
    // Act
    const { byAccount } = run(use(hydra, { benignShare: [0, 0.9] }), { scale: 0.5 });
    const ordinary = [...byAccount.values()]
      .filter((es) => es.length >= 40)
      .map(
        (es) =>
          es.filter((e) => e.turn > 1 || ['chat', 'creative', 'other'].includes(e.capability)).length /
          es.length,
      );

    // Assess
    expect(Math.min(...ordinary)).toBeLessThan(0.15);
    expect(Math.max(...ordinary)).toBeGreaterThan(0.5);
  });

  it('high-volume: one account on every tier, thousands a day, org billing and a corporate domain on team and enterprise', () => {
    // Act
    const { truth, byAccount } = run(use(highVolume, { activeDays: [2, 2] }), { days: 3 });
    const accounts = [...byAccount.values()];
    const byTier = new Map(accounts.map((es) => [es[0]?.tier, es]));

    // Assess
    expect(truth.campaigns).toHaveLength(5);
    expect([...byTier.keys()].sort()).toEqual(['api', 'enterprise', 'free', 'pro', 'team']);
    for (const es of accounts) expect(es.length / 2).toBeGreaterThan(1_500);
    for (const tier of ['team', 'enterprise']) {
      const first = byTier.get(tier as UsageEvent['tier'])?.[0];
      expect(first?.orgId).toMatch(/^org_/);
      expect(consumer.has(first?.emailDomain ?? '')).toBe(false);
    }
    expect(byTier.get('free')?.[0]?.paymentFingerprint).toBeNull();
  });

  it('camouflaged low-and-slow: public benchmark items, follow-ups of 2-4 turns, 10-30 slots a day', () => {
    // Act
    const { events, truth, byAccount } = run(use(camouflagedLowAndSlow), { scale: 0.5 });
    const templates = truth.campaigns[0]?.promptTemplates ?? [];
    const publicShare = events.filter(isBenchmarkItem).length / events.length;
    const extractionConversations = [
      ...groupBy(
        events.filter((e) => e.conversationId !== null),
        (e) => e.conversationId,
      ).values(),
    ].filter((es) => nearestDistance(es[0]?.promptHash ?? '', templates) <= 3);
    const followedUp = extractionConversations.filter((es) => es.length >= 2);

    // Assess
    expect(publicShare).toBeGreaterThan(0.03);
    expect(followedUp.length / extractionConversations.length).toBeGreaterThan(0.1);
    expect(Math.max(...followedUp.map((es) => es.length))).toBeLessThanOrEqual(4);
    expect(median([...byAccount.values()].map((es) => es.length / 7))).toBeLessThan(60);
  });

  it('burners: hundreds of accounts of a handful of requests each, in sign-up waves', () => {
    // Act
    const { truth, byAccount } = run(use(burners), { scale: 0.5 });
    const counts = [...byAccount.values()].map((es) => es.length);
    const created = [...byAccount.values()].map((es) => Date.parse(es[0]?.accountCreatedAt ?? ''));
    const waves = new Set(created.map((ms) => Math.floor(ms / (3 * HOUR_MS))));

    // Assess
    expect(byAccount.size).toBeGreaterThanOrEqual(150);
    expect(Math.max(...counts)).toBeLessThanOrEqual(15);
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(1);
    expect(waves.size).toBeLessThanOrEqual(2 * 8);
    expect(truth.campaigns[0]?.accounts.length).toBe(byAccount.size);
  });

  it('disguised org: every seat in an org, billed to its one card, on a corporate-looking domain', () => {
    // Act
    const { byAccount } = run(use(disguisedOrg), { scale: 0.5 });
    const firsts = [...byAccount.values()].map((es) => es[0] as UsageEvent);
    const byOrg = groupBy(firsts, (e) => e.orgId);

    // Assess
    expect(firsts.every((e) => e.orgId !== null)).toBe(true);
    for (const seats of byOrg.values()) {
      expect(new Set(seats.map((e) => e.paymentFingerprint)).size).toBe(1);
      expect(new Set(seats.map((e) => e.emailDomain)).size).toBe(1);
      expect(consumer.has(seats[0]?.emailDomain ?? '')).toBe(false);
    }
  });

  it('syllabus split: no account sweeps more than its slice, the campaign covers the syllabus', () => {
    // Act
    const { events, byAccount } = run(
      use(syllabusSplit, { style: { ...syllabusSplit.defaults.style, benignShare: 0 } }),
    );
    const perAccount = [...byAccount.values()].map((es) => new Set(es.map((e) => e.topic)).size);
    const covered = new Set(events.map((e) => e.topic));

    // Assess
    expect(Math.max(...perAccount)).toBeLessThanOrEqual(6);
    expect(covered.size).toBeGreaterThan(EXTRACTION_TOPICS.length * 0.9);
  });

  it('template-free: no extraction prompt repeats or sits near another, chain-of-thought rarely flagged, long answers', () => {
    // Act
    const { events, truth } = run(use(templateFree), { scale: 0.5 });
    const hashes = events.map((e) => e.promptHash);

    // Assess
    expect(truth.campaigns[0]?.promptTemplates).toEqual([]);
    expect(new Set(hashes).size).toBeGreaterThan(hashes.length * 0.99);
    expect(events.filter((e) => e.reasoningRequested).length / events.length).toBeLessThan(0.1);
    expect(
      median(events.filter((e) => e.turn === 1 && e.capability !== 'chat').map((e) => e.outputTokens)),
    ).toBeGreaterThan(1_500);
  });

  it('multi-turn: most extraction is followed up in the same conversation at human pace', () => {
    // Act
    const { events } = run(use(multiTurn), { scale: 0.5 });
    const conversations = groupBy(
      events.filter((e) => e.conversationId !== null),
      (e) => e.conversationId,
    );
    const long = [...conversations.values()].filter((es) => es.length >= 2);

    // Assess
    expect(long.length / conversations.size).toBeGreaterThan(0.5);
    expect([...conversations.values()].every((es) => es.every((e, i) => e.turn === i + 1))).toBe(true);
  });

  it('sleeper: an ordinary history first, extraction from the switch on', () => {
    // Act
    const { truth, byAccount } = run(use(sleeper, { switchAt: [3 / 7, 3.5 / 7] }), { scale: 0.5 });
    const switchMs = Date.parse(truth.start) + 3 * DAY_MS;
    const before = [...byAccount.values()].flat().filter((e) => Date.parse(e.ts) < switchMs);
    const after = [...byAccount.values()].flat().filter((e) => Date.parse(e.ts) >= switchMs + 0.5 * DAY_MS);
    const share = (es: UsageEvent[]) => es.filter((e) => e.reasoningRequested).length / es.length;

    // Assess
    expect(before.length).toBeGreaterThan(0);
    expect(share(before)).toBeLessThan(0.3);
    expect(share(after)).toBeGreaterThan(0.5);
    expect(Date.parse(truth.campaigns[0]?.startedAt ?? '')).toBeGreaterThanOrEqual(switchMs);
  });
});

describe('Cohorts: hard negatives of randomised worlds', () => {
  it('every new legitimate cohort is a hard negative', () => {
    // Assess
    for (const cohort of [
      moocStudents,
      hackathon,
      evalPlatform,
      tutoringPowerUser,
      supportTeam,
      familyPlan,
      researchLab,
    ]) {
      expect(cohort).toMatchObject({ attack: false, strategy: null, hardNegative: true });
    }
  });

  it('MOOC students: a sign-up burst at course start and the same assignment hashes across many accounts', () => {
    // Act
    const { events, byAccount } = run(use(moocStudents, { courses: 1, studentsPerCourse: [300, 300] }));
    const sendersOf = groupBy(
      events.filter((e) => e.turn === 1),
      (e) => e.promptHash,
    );
    const widelyShared = [...sendersOf.values()].filter(
      (es) => new Set(es.map((e) => e.accountId)).size >= 10,
    );
    const created = [...byAccount.values()].map((es) => Date.parse(es[0]?.accountCreatedAt ?? ''));
    const inBusiestDay = Math.max(
      ...[...groupBy(created, (ms) => Math.floor(ms / DAY_MS)).values()].map((ms) => ms.length),
    );

    // Assess
    expect(widelyShared.length).toBeGreaterThanOrEqual(5);
    expect(inBusiestDay / byAccount.size).toBeGreaterThan(0.4);
  });

  it('hackathon: active round the clock during the event, starter prompts shared, venue IPs crowded', () => {
    // Act
    const { events } = run(use(hackathon, { participants: [150, 150], durationHours: [40, 40] }));
    const hours = new Set(events.map((e) => new Date(e.ts).getUTCHours()));
    const perIp = groupBy(events, (e) => e.ip);
    const crowded = Math.max(...[...perIp.values()].map((es) => new Set(es.map((e) => e.accountId)).size));

    // Assess
    expect(hours.size).toBe(24);
    expect(crowded).toBeGreaterThan(50);
  });

  it('eval platform: public benchmark items round the clock over every benchmark topic, on org billing', () => {
    // Act
    const { events } = run(use(evalPlatform), { days: 2 });
    const hours = new Set(events.map((e) => new Date(e.ts).getUTCHours()));

    // Assess
    expect(events.filter(isBenchmarkItem).length / events.filter((e) => e.turn === 1).length).toBeGreaterThan(
      0.3,
    );
    expect(hours.size).toBe(24);
    expect(new Set(events.map((e) => e.topic)).size).toBeGreaterThan(40);
    expect(events.every((e) => e.orgId !== null && e.tier === 'api')).toBe(true);
  });

  it('tutoring power user: very broad topics, mostly single-turn, reasoning asked for often', () => {
    // Act
    const { byAccount } = run(use(tutoringPowerUser, { accounts: 10 }));
    const topics = [...byAccount.values()].map((es) => new Set(es.map((e) => e.topic)).size);
    const reasoning = [...byAccount.values()].flat();

    // Assess
    expect(median(topics)).toBeGreaterThan(60);
    expect(reasoning.filter((e) => e.reasoningRequested).length / reasoning.length).toBeGreaterThan(0.3);
  });

  it('support team: each org active in most hours of the day, one card, macros shared across agents', () => {
    // Act
    const { events } = run(use(supportTeam, { orgs: 2 }));
    const byOrg = groupBy(events, (e) => e.orgId);

    // Assess
    for (const es of byOrg.values()) {
      expect(new Set(es.map((e) => new Date(e.ts).getUTCHours())).size).toBeGreaterThanOrEqual(22);
      expect(new Set(es.map((e) => e.paymentFingerprint)).size).toBe(1);
    }
  });

  it('family plan: several accounts on one card and one home address', () => {
    // Act
    const { byAccount } = run(use(familyPlan, { families: 40 }));
    const byCard = groupBy(
      [...byAccount.values()].map((es) => es[0] as UsageEvent),
      (e) => e.paymentFingerprint,
    );

    // Assess
    for (const members of byCard.values()) {
      expect(members.length).toBeGreaterThanOrEqual(1);
      expect(new Set(members.map((e) => e.ip)).size).toBe(1);
    }
    expect(Math.max(...[...byCard.values()].map((m) => m.length))).toBeGreaterThanOrEqual(3);
  });

  it('research lab: members send identical item hashes, and many join the release-day sweep', () => {
    // Act
    const { events, truth } = run(use(researchLab, { releaseSweepShare: 1, labs: 2 }));
    const release = Date.parse(truth.models.releasedAt);
    const sweeping = new Set(
      events
        .filter((e) => Date.parse(e.ts) >= release && Date.parse(e.ts) < release + 12 * HOUR_MS)
        .map((e) => e.accountId),
    );
    const shared = [...groupBy(events.filter(isBenchmarkItem), (e) => e.promptHash).values()].filter(
      (es) => new Set(es.map((e) => e.accountId)).size >= 2,
    );

    // Assess
    expect(sweeping.size).toBeGreaterThanOrEqual(6);
    expect(shared.length).toBeGreaterThan(10);
  });
});
