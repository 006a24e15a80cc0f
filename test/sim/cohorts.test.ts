import { generateTraffic, type GenerateOptions } from '../../sim/generate';
import { CLOUD_ASNS, MODELS } from '../../sim/catalog';
import type { UsageEvent } from '../../lambdas/core/contract/usage-event';
import type { LabelledEvent } from '../../sim/types';
import { collect, groupBy, nearestDistance } from '../support/sim';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** Per-account aggregates, built while streaming (runs here are too big to keep every event). */
interface AccountStats {
  readonly cohort: string;
  events: number;
  first: UsageEvent;
  firstReleasedModelMs: number | null;
  readonly cards: Set<string | null>;
  readonly devices: Set<string | null>;
  readonly ips: Set<string>;
}

function stream(options: GenerateOptions, visit: (e: LabelledEvent) => void = () => undefined) {
  const { events, truth, world } = generateTraffic(options);
  const accounts = new Map<string, AccountStats>();
  for (const labelled of events) {
    const e = labelled.event;
    let stats = accounts.get(e.accountId);
    if (!stats) {
      stats = {
        cohort: labelled.cohort,
        events: 0,
        first: e,
        firstReleasedModelMs: null,
        cards: new Set(),
        devices: new Set(),
        ips: new Set(),
      };
      accounts.set(e.accountId, stats);
    }
    stats.events++;
    if (e.model === MODELS.released && stats.firstReleasedModelMs === null)
      stats.firstReleasedModelMs = Date.parse(e.ts);
    stats.cards.add(e.paymentFingerprint);
    stats.devices.add(e.deviceFingerprint);
    stats.ips.add(e.ip);
    visit(labelled);
  }
  return { truth, world, accounts };
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

describe('Cohorts: legitimate hard negatives', () => {
  it('puts hundreds of campus and corporate accounts on a few shared NAT IPs, with a sign-up burst', () => {
    // Prepare
    const accountsByIp = new Map<string, Set<string>>();

    // Act
    const { truth, accounts } = stream({ seed: 1, cohorts: ['campus-nat'] }, ({ event }) => {
      const set = accountsByIp.get(event.ip) ?? new Set();
      set.add(event.accountId);
      accountsByIp.set(event.ip, set);
    });
    const crowded = [...accountsByIp.values()].map((s) => s.size).filter((n) => n >= 100);
    const start = Date.parse(truth.start);
    const burst = [...accounts.values()].filter(
      (a) =>
        a.first.emailDomain === 'northfield.edu' &&
        Math.abs(Date.parse(a.first.accountCreatedAt) - start) <= 2 * DAY_MS,
    );

    // Assess
    expect(truth.accounts.length).toBeGreaterThanOrEqual(1_000);
    expect(crowded.length).toBeGreaterThanOrEqual(5);
    expect(Math.max(...crowded)).toBeGreaterThanOrEqual(200);
    expect(burst.length).toBeGreaterThanOrEqual(300);
  });

  it('shares public benchmark prompt hashes across unrelated researcher accounts', () => {
    // Prepare
    const accountsByHash = new Map<string, Set<string>>();

    // Act
    const { accounts } = stream({ seed: 1, cohorts: ['benchmark-researcher'], days: 3 }, ({ event }) => {
      const set = accountsByHash.get(event.promptHash) ?? new Set();
      set.add(event.accountId);
      accountsByHash.set(event.promptHash, set);
    });
    const cardOf = (id: string) => [...(accounts.get(id)?.cards ?? [])][0];
    const sharedByUnrelated = [...accountsByHash.values()].filter(
      (ids) => new Set([...ids].map(cardOf)).size >= 2 && ids.size >= 2,
    );

    // Assess
    expect(sharedByUnrelated.length).toBeGreaterThan(200);
  });

  it('gives researchers the superficial extraction traits: chain-of-thought, single-turn, long answers', () => {
    // Prepare
    let n = 0;
    let cot = 0;
    let singleTurn = 0;
    let ratioSum = 0;

    // Act
    stream({ seed: 2, cohorts: ['benchmark-researcher'], days: 3 }, ({ event }) => {
      n++;
      if (event.reasoningRequested) cot++;
      if (event.turn === 1 && event.conversationId === null) {
        singleTurn++;
        ratioSum += Math.log(event.outputTokens / event.inputTokens);
      }
    });

    // Assess
    expect(cot / n).toBeGreaterThan(0.6);
    expect(singleTurn / n).toBeGreaterThan(0.4);
    expect(Math.exp(ratioSum / singleTurn)).toBeGreaterThan(2);
  });

  it('runs CI bots like clockwork from cloud IPs, with templated prompts and one card per org', () => {
    // Prepare
    const { events } = collect({ seed: 1, cohorts: ['enterprise-ci-bot'], days: 2 });
    const byAccount = groupBy(events, (e) => e.accountId);

    // Act
    const accountsPerCard = [...groupBy(events, (e) => e.event.paymentFingerprint).values()].map(
      (es) => new Set(es.map((e) => e.accountId)).size,
    );
    const clockwork = [...byAccount.values()].filter((es) => {
      const times = es.map((e) => Date.parse(e.event.ts));
      const gaps = times
        .slice(1)
        .map((t, i) => t - (times[i] as number))
        .filter((g) => g >= 60_000);
      const minutes = groupBy(gaps, (g) => Math.round(g / 60_000));
      const mode = Math.max(...[...minutes.values()].map((g) => g.length));
      return gaps.length > 0 && mode / gaps.length > 0.8;
    });
    const hashes = groupBy(events, (e) => e.event.promptHash);
    const repeated = [...hashes.values()].filter((es) => es.length > 1).reduce((s, es) => s + es.length, 0);

    // Assess
    expect(Math.max(...accountsPerCard)).toBeGreaterThanOrEqual(3);
    expect(clockwork.length / byAccount.size).toBeGreaterThan(0.25);
    expect(events.every((e) => (CLOUD_ASNS as readonly number[]).includes(e.event.asn ?? -1))).toBe(true);
    expect(repeated / events.length).toBeGreaterThan(0.2);
    expect(events.every((e) => ['enterprise', 'api'].includes(e.event.tier))).toBe(true);
  });
});

describe('Cohorts: extraction campaigns', () => {
  const ATTACKS = [
    'extraction-naive-single',
    'extraction-card-sharing',
    'extraction-proxy-pool',
    'extraction-low-and-slow',
    'extraction-paraphrase',
    'extraction-rotation',
    'extraction-release-chasing',
  ];
  const paraphraseHashes = new Map<string, number>();
  const hourOfDay = new Array<number>(24).fill(0);
  let run: ReturnType<typeof stream>;

  beforeAll(() => {
    // The attack cohorts at scale 1 over 7 days: about 140k events, aggregated while streaming.
    run = stream({ seed: 1, cohorts: ATTACKS }, ({ event, cohort }) => {
      if (cohort === 'extraction-paraphrase') {
        paraphraseHashes.set(event.promptHash, (paraphraseHashes.get(event.promptHash) ?? 0) + 1);
      }
      if (cohort === 'extraction-low-and-slow') {
        const hour = new Date(event.ts).getUTCHours();
        hourOfDay[hour] = (hourOfDay[hour] ?? 0) + 1;
      }
    });
  });

  const accountsOf = (cohort: string) => [...run.accounts.values()].filter((a) => a.cohort === cohort);
  const perDay = (cohort: string) => accountsOf(cohort).map((a) => a.events / run.truth.days);

  it.each([
    'extraction-card-sharing',
    'extraction-proxy-pool',
    'extraction-low-and-slow',
    'extraction-paraphrase',
  ])('makes %s accounts send 20-40 events a day, as in the report', (cohort) => {
    // Act
    const rates = perDay(cohort);

    // Assess
    expect(rates.length).toBeGreaterThanOrEqual(50);
    expect(mean(rates)).toBeGreaterThanOrEqual(20);
    expect(mean(rates)).toBeLessThanOrEqual(40);
    expect(Math.min(...rates)).toBeGreaterThan(12);
    expect(Math.max(...rates)).toBeLessThan(50);
  });

  it('keeps the naive single account far above any per-account rate limit', () => {
    // Act / Assess
    expect(perDay('extraction-naive-single')[0]).toBeGreaterThan(2_000);
  });

  it('shares a few cards across the card-sharing campaign', () => {
    // Act
    const cards = new Set(accountsOf('extraction-card-sharing').flatMap((a) => [...a.cards]));

    // Assess
    expect(accountsOf('extraction-card-sharing').length).toBe(60);
    expect(cards.size).toBe(3);
  });

  it('hides the proxy-pool campaign behind shared proxies with fresh cards and rotating devices', () => {
    // Prepare
    const members = accountsOf('extraction-proxy-pool');

    // Act
    const cards = new Set(members.flatMap((a) => [...a.cards]));
    const ips = new Set(members.flatMap((a) => [...a.ips]));

    // Assess
    expect(cards.size).toBe(members.length);
    expect(ips.size).toBeLessThanOrEqual(12);
    expect(members.every((a) => a.devices.size >= 3)).toBe(true);
  });

  it('paraphrases every templated request 3-6 bits away, so exact-hash matching finds nothing', () => {
    // Prepare
    const templates =
      run.truth.campaigns.find((c) => c.strategy === 'paraphrase-templates')?.promptTemplates ?? [];

    // Act
    const distances = [...paraphraseHashes.keys()].map((h) => nearestDistance(h, templates));
    // Decoy conversations are unrelated prompts, ~32 bits from every template.
    const extraction = distances.filter((d) => d <= 12);
    const exactRepeats = [...paraphraseHashes.values()].filter((n) => n > 1).length;

    // Assess
    expect(templates.length).toBeGreaterThan(10);
    expect(extraction.length / distances.length).toBeGreaterThan(0.9);
    expect(extraction.every((d) => d >= 3 && d <= 6)).toBe(true);
    expect(exactRepeats).toBeLessThan(paraphraseHashes.size * 0.01);
  });

  it('ages low-and-slow accounts weeks and follows a human day in the operators time zone', () => {
    // Prepare
    const members = accountsOf('extraction-low-and-slow');
    const start = Date.parse(run.truth.start);

    // Act
    const ages = members.map((a) => (start - Date.parse(a.first.accountCreatedAt)) / DAY_MS);
    const sharedCards = new Set(members.flatMap((a) => [...a.cards])).size;
    // Operators at UTC+8 sleep around 02:00-06:00 local, i.e. 18:00-22:00 UTC.
    const night = [18, 19, 20, 21].reduce((s, h) => s + (hourOfDay[h] ?? 0), 0) / 4;
    const day = [2, 3, 4, 5, 6, 7].reduce((s, h) => s + (hourOfDay[h] ?? 0), 0) / 6;

    // Assess
    expect(Math.min(...ages)).toBeGreaterThanOrEqual(21);
    expect(sharedCards).toBe(members.length);
    expect(night).toBeLessThan(day / 4);
  });

  it('replaces rotation accounts continuously, recycling the same few cards', () => {
    // Prepare
    const members = accountsOf('extraction-rotation');
    const start = Date.parse(run.truth.start);

    // Act
    const bornInWindow = members.filter((a) => Date.parse(a.first.accountCreatedAt) > start);
    const cards = new Set(members.flatMap((a) => [...a.cards]));

    // Assess
    expect(bornInWindow.length).toBeGreaterThan(200);
    expect(cards.size).toBeLessThanOrEqual(8);
  });

  it('moves the release-chasing campaign to the new model within hours while casual users adopt it slowly', () => {
    // Prepare
    const releaseMs = run.world.releaseMs;
    const casual = stream({ seed: 1, cohorts: ['casual-chat'], scale: 0.05 });

    // Act
    const delaysHours = accountsOf('extraction-release-chasing').map((a) =>
      a.firstReleasedModelMs === null
        ? Number.POSITIVE_INFINITY
        : (a.firstReleasedModelMs - releaseMs) / HOUR_MS,
    );
    const casualEarly = [...casual.accounts.values()].filter(
      (a) => a.firstReleasedModelMs !== null && a.firstReleasedModelMs - releaseMs < 8 * HOUR_MS,
    );

    // Assess
    expect(Math.max(...delaysHours)).toBeLessThan(8);
    expect(Math.min(...delaysHours)).toBeGreaterThanOrEqual(0);
    expect(casualEarly.length / casual.accounts.size).toBeLessThan(0.1);
  });
});
