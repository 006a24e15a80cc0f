import type { Tier } from '../../lambdas/core/contract/usage-event';
import { AccountRuntime, type Presence } from '../behaviour/account-runtime';
import { agedCreatedMs, iso, legitTruth } from '../behaviour/plan-helpers';
import { tokens } from '../behaviour/requests';
import { HourProfile, isWeekend, localMidnight, localWeekday } from '../behaviour/timing';
import {
  CLOUD_ASNS,
  countryByCode,
  ipv4On,
  MODELS,
  natAddresses,
  networkByAsn,
  RESEARCH_DOMAINS,
  USER_AGENTS,
  WORK_HOUR_WEIGHTS,
} from '../catalog';
import { interval, int, num, share } from '../params';
import type { Rng } from '../rng';
import { flipBits, simHashToHex, xorSimHash, type SimHash } from '../simhash';
import type { AccountPlan, CohortDefinition, AccountStreamItem } from '../types';
import type { Benchmark, SimWorld } from '../world';

export interface BenchmarkResearcherParams {
  /** Accounts at scale 1, grouped into labs of 1-3 accounts. */
  readonly accounts: number;
  /** Mean evaluation runs per researcher per workday. */
  readonly runsPerWorkday: number;
  /** Weekend runs as a share of workday runs. */
  readonly weekendFactor: number;
  /** Accounts per lab, [min, max]. */
  readonly labSize: readonly [number, number];
  /** Share of labs that are academic (campus NAT, pro tier, own card) rather than companies (cloud, api tier, org). */
  readonly academicShare: number;
  /** Accounts were created this many days before the window, [min, max]. */
  readonly agedDays: readonly [number, number];
  /** Benchmarks a researcher runs, [min, max]. */
  readonly favouriteBenchmarks: readonly [number, number];
  /** Share of runs asking for visible reasoning. */
  readonly reasoningShare: number;
  /** Share of runs over a whole benchmark (the rest a slice of it). */
  readonly fullRunShare: number;
  /** Share of runs on the new model once it is out. */
  readonly newModelShare: number;
  /** Median seconds between a run's items. */
  readonly itemGapSeconds: number;
}

const ID = 'benchmark-researcher';
const WORK_HOURS = new HourProfile(WORK_HOUR_WEIGHTS);
const SAMPLES_PER_ITEM = [1, 1, 1, 1, 3, 5];

interface Lab {
  readonly emailDomain: string;
  readonly orgId: string | null;
  readonly paymentFingerprint: string;
  readonly tier: Tier;
  readonly presences: readonly Omit<Presence, 'userAgent' | 'deviceFingerprint'>[];
  readonly utcOffsetHours: number;
}

function* researcherStream(
  world: SimWorld,
  accountId: string,
  lab: Lab,
  createdMs: number,
  params: BenchmarkResearcherParams,
  rng: Rng,
): Generator<AccountStreamItem> {
  const presence: Presence = {
    ...rng.pick(lab.presences),
    userAgent: rng.pick(USER_AGENTS.sdks.filter((ua) => ua.includes('python'))),
    deviceFingerprint: null,
  };
  const rt = new AccountRuntime(
    {
      accountId,
      orgId: lab.orgId,
      tier: lab.tier,
      accountCreatedAt: iso(createdMs),
      paymentFingerprint: lab.paymentFingerprint,
      emailDomain: lab.emailDomain,
    },
    rng,
    world.startMs,
    world.endMs,
  );
  // The harness wraps every item in the same prompt scaffold: a fixed shift of 0-2 bits.
  const maskBits = rng.chance(0.6) ? [] : rng.sample([...Array(64).keys()], rng.intBetween(1, 2));
  const mask: SimHash = flipBits({ hi: 0, lo: 0 }, maskBits);
  const fewShotTokens = rng.chance(0.5) ? 0 : rng.intBetween(300, 1500);
  const favourites: Benchmark[] = rng.sample(
    world.benchmarks,
    rng.intBetween(params.favouriteBenchmarks[0], params.favouriteBenchmarks[1]),
  );

  for (let day = 0; day < world.days; day++) {
    const midnight = localMidnight(world, day, lab.utcOffsetHours);
    const weekend = isWeekend(localWeekday(world, day));
    const runs = rng.poisson(weekend ? params.runsPerWorkday * params.weekendFactor : params.runsPerWorkday);
    for (const start of WORK_HOURS.sampleSorted(rng, midnight, runs)) {
      let t = Math.max(start, rt.nowMs);
      if (!rt.open(t)) return;
      const benchmark = rng.pick(favourites);
      // Researchers evaluate a new model the day it ships, like release chasers do.
      const model =
        t >= world.releaseMs && rng.chance(params.newModelShare) ? MODELS.released : MODELS.baseline;
      const reasoningRequested = rng.chance(params.reasoningShare);
      const samples = rng.pick(SAMPLES_PER_ITEM);
      const items = benchmark.items;
      const count = rng.chance(params.fullRunShare)
        ? items.length
        : Math.ceil(items.length * rng.between(0.2, 1));
      const offset = rng.int(items.length);
      const meanGapMs = rng.logNormal(params.itemGapSeconds * 1000, 0.5);
      for (let k = 0; k < count; k++) {
        const item = items[(offset + k) % items.length];
        if (!item) continue;
        const promptHash = simHashToHex(xorSimHash(item.hash, mask));
        for (let s = 0; s < samples; s++) {
          const conversationId = benchmark.multiTurn ? rt.newConversationId() : null;
          const turns = benchmark.multiTurn ? rng.intBetween(3, 10) : 1;
          for (let turn = 1; turn <= turns; turn++) {
            if (!rt.open(t)) return;
            yield rt.reserve(t);
            yield rt.emit(t, presence, {
              model,
              capability: benchmark.capability,
              inputTokens: item.inputTokens + fewShotTokens + (turn - 1) * rng.intBetween(800, 2500),
              outputTokens: tokens(rng, reasoningRequested ? 1_400 : 500, 0.7, 5, 32_000),
              // Every researcher sends the same public items: the same hashes across unrelated accounts.
              promptHash:
                turn === 1 ? promptHash : simHashToHex(flipBits(item.hash, [turn % 64, (turn * 7) % 64])),
              topic: item.topic,
              conversationId,
              turn,
              toolCalls: benchmark.capability === 'agentic' ? 1 + rng.poisson(2) : 0,
              reasoningRequested,
            });
            t = rt.nowMs + rng.exponential(meanGapMs);
          }
        }
      }
    }
  }
}

export const benchmarkResearcher: CohortDefinition<BenchmarkResearcherParams> = {
  id: ID,
  description:
    'Evaluation researchers running public benchmarks: bursty runs of hundreds of single-turn items, chain-of-thought on, the same public prompt hashes as every other lab, new models evaluated on release day.',
  attack: false,
  strategy: null,
  traits: [
    'reasoning requested on most requests',
    'prompt hashes shared across unrelated accounts',
    'high output/input token ratio',
    'capability sweep within a benchmark',
    'switches to a new model within hours',
  ],
  hardNegative: true,
  defaults: {
    accounts: 50,
    runsPerWorkday: 0.6,
    weekendFactor: 0.2,
    labSize: [1, 3],
    academicShare: 0.6,
    agedDays: [20, 700],
    favouriteBenchmarks: [2, 4],
    reasoningShare: 0.8,
    fullRunShare: 0.5,
    newModelShare: 0.75,
    itemGapSeconds: 1.2,
  },
  space: {
    accounts: int(15, 100, 'accounts at scale 1'),
    runsPerWorkday: num(0.15, 1.5, 'mean evaluation runs per researcher per workday', { log: true }),
    weekendFactor: share(0, 1, 'weekend runs as a share of workday runs'),
    labSize: interval(1, 6, 'accounts per lab', { integer: true }),
    academicShare: share(0.1, 0.9, 'share of academic labs (campus NAT, pro) vs companies (cloud, api, org)'),
    agedDays: interval(2, 1_500, 'accounts created this many days before the window', {
      integer: true,
      log: true,
    }),
    favouriteBenchmarks: interval(1, 7, 'public benchmarks a researcher runs', { integer: true }),
    reasoningShare: share(0.3, 1, 'share of runs asking for visible reasoning'),
    fullRunShare: share(0.1, 0.9, 'share of runs over a whole benchmark'),
    newModelShare: share(0.3, 1, 'share of runs on the new model once it is out'),
    itemGapSeconds: num(0.2, 10, "median seconds between a run's items", { log: true }),
  },
  plan(ctx, params) {
    const { world, rng } = ctx;
    const accounts: AccountPlan[] = [];
    const n = ctx.count(params.accounts);
    let labIndex = 0;
    while (accounts.length < n) {
      const academic = rng.chance(params.academicShare);
      const domain = RESEARCH_DOMAINS[labIndex % RESEARCH_DOMAINS.length] ?? 'research.example.edu';
      const country = countryByCode(rng.pick(['US', 'US', 'GB', 'DE', 'JP', 'CA']));
      const cloud = networkByAsn(rng.pick(CLOUD_ASNS));
      const campusIps = natAddresses(`198.18.${labIndex % 250}`, 2);
      const lab: Lab = {
        emailDomain: labIndex < RESEARCH_DOMAINS.length ? domain : `lab${labIndex}.${domain}`,
        orgId: academic ? null : ctx.ids.org(),
        paymentFingerprint: ctx.ids.payment(),
        tier: academic ? 'pro' : 'api',
        presences: academic
          ? campusIps.map((ip) => ({ ip, asn: 64_500 + (labIndex % 10), country: country.code }))
          : [{ ip: ipv4On(cloud, rng), asn: cloud.asn, country: cloud.country }],
        utcOffsetHours: country.utcOffsetHours,
      };
      labIndex++;
      const members = Math.min(n - accounts.length, rng.intBetween(params.labSize[0], params.labSize[1]));
      for (let m = 0; m < members; m++) {
        const i = accounts.length;
        const accountId = ctx.ids.account();
        const createdMs = agedCreatedMs(rng, world, params.agedDays[0], params.agedDays[1]);
        accounts.push({
          truth: legitTruth(accountId, ID),
          activeFromMs: world.startMs,
          open: () => researcherStream(world, accountId, lab, createdMs, params, ctx.accountRng(i)),
        });
      }
    }
    return { accounts, campaigns: [] };
  },
};
