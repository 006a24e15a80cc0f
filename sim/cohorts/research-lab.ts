import type { Tier } from '../../lambdas/core/contract/usage-event';
import { AccountRuntime, type Presence } from '../behaviour/account-runtime';
import { corporateDomain, datacentreExits } from '../behaviour/attack-kit';
import { agedCreatedMs, iso, legitTruth } from '../behaviour/plan-helpers';
import { tokens } from '../behaviour/requests';
import { HourProfile, isWeekend, localMidnight, localWeekday } from '../behaviour/timing';
import { consumerNetworks, countryByCode, ipv4On, MODELS, USER_AGENTS, WORK_HOUR_WEIGHTS } from '../catalog';
import { randomPaymentId } from '../ids';
import { interval, int, num, share } from '../params';
import type { Rng } from '../rng';
import { flipBits, simHashToHex, xorSimHash, type SimHash } from '../simhash';
import type { AccountPlan, AccountStreamItem, CohortDefinition } from '../types';
import type { Benchmark, SimWorld } from '../world';
import { HOUR_MS } from '../world';

export interface ResearchLabParams {
  /** Labs at scale 1. */
  readonly labs: number;
  /** Members per lab, [min, max]. */
  readonly members: readonly [number, number];
  /** Share of labs billed to the lab (an org and one card); the rest pay per person. */
  readonly orgBillingShare: number;
  /** Share of labs on a campus network (the rest on cloud machines). */
  readonly campusShare: number;
  /** Benchmarks the lab's shared harness runs, [min, max]. */
  readonly benchmarks: readonly [number, number];
  /** Runs a member starts per workday. */
  readonly runsPerWorkday: number;
  /** On release day, the share of members who join the lab-wide sweep of the new model, and the runs each does. */
  readonly releaseSweepShare: number;
  readonly releaseSweepRuns: readonly [number, number];
  readonly reasoningShare: number;
  readonly itemGapSeconds: number;
  readonly agedDays: readonly [number, number];
}

const ID = 'research-lab';
const WORK_HOURS = new HourProfile(WORK_HOUR_WEIGHTS);
const LAB_COUNTRIES = ['US', 'US', 'GB', 'DE', 'FR', 'JP', 'CA', 'KR', 'IN', 'SG'];

interface Lab {
  readonly orgId: string | null;
  readonly card: string | null;
  readonly domain: string;
  readonly tier: Tier;
  readonly exits: readonly Omit<Presence, 'userAgent' | 'deviceFingerprint'>[];
  readonly utcOffsetHours: number;
  /** The lab's one harness: every member's items are shifted by the same mask. */
  readonly mask: SimHash;
  readonly suite: readonly Benchmark[];
}

function* labMemberStream(
  world: SimWorld,
  accountId: string,
  lab: Lab,
  createdMs: number,
  params: ResearchLabParams,
  rng: Rng,
): Generator<AccountStreamItem> {
  const rt = new AccountRuntime(
    {
      accountId,
      orgId: lab.orgId,
      tier: lab.tier,
      accountCreatedAt: iso(createdMs),
      paymentFingerprint: lab.card ?? randomPaymentId(rng),
      emailDomain: lab.domain,
    },
    rng,
    world.startMs,
    world.endMs,
  );
  const presence: Presence = {
    ...rng.pick(lab.exits),
    userAgent: rng.pick(USER_AGENTS.sdks.filter((ua) => ua.includes('python'))),
    deviceFingerprint: null,
  };
  const sweeps = rng.chance(params.releaseSweepShare);
  const runStarts: number[] = [];
  for (let day = 0; day < world.days; day++) {
    const midnight = localMidnight(world, day, lab.utcOffsetHours);
    const weekend = isWeekend(localWeekday(world, day));
    runStarts.push(
      ...WORK_HOURS.sampleSorted(
        rng,
        midnight,
        rng.poisson(weekend ? params.runsPerWorkday * 0.2 : params.runsPerWorkday),
      ),
    );
  }
  if (sweeps && world.releaseMs < world.endMs) {
    // The lab-wide sweep: everyone who joins queues runs of the whole suite on the new model within hours.
    const runs = rng.intBetween(params.releaseSweepRuns[0], params.releaseSweepRuns[1]);
    for (let r = 0; r < runs; r++) runStarts.push(world.releaseMs + rng.between(0.2, 10) * HOUR_MS);
  }
  runStarts.sort((a, b) => a - b);
  for (const start of runStarts) {
    let t = Math.max(start, rt.nowMs);
    if (!rt.open(t)) return;
    const benchmark = rng.pick(lab.suite);
    const model = t >= world.releaseMs && rng.chance(0.8) ? MODELS.released : MODELS.baseline;
    const reasoningRequested = rng.chance(params.reasoningShare);
    const items = benchmark.items;
    const count = rng.chance(0.5) ? items.length : Math.ceil(items.length * rng.between(0.2, 1));
    const offset = rng.int(items.length);
    for (let k = 0; k < count; k++) {
      const item = items[(offset + k) % items.length];
      if (!item) continue;
      const turns = benchmark.multiTurn ? rng.intBetween(3, 10) : 1;
      const conversationId = benchmark.multiTurn ? rt.newConversationId() : null;
      for (let turn = 1; turn <= turns; turn++) {
        if (!rt.open(t)) return;
        yield rt.reserve(t);
        yield rt.emit(t, presence, {
          model,
          capability: benchmark.capability,
          inputTokens: item.inputTokens + (turn - 1) * rng.intBetween(800, 2_500),
          outputTokens: tokens(rng, reasoningRequested ? 1_400 : 500, 0.7, 5, 32_000),
          promptHash:
            turn === 1
              ? simHashToHex(xorSimHash(item.hash, lab.mask))
              : simHashToHex(flipBits(item.hash, [turn % 64, (turn * 7) % 64])),
          topic: item.topic,
          conversationId,
          turn,
          toolCalls: benchmark.capability === 'agentic' ? 1 + rng.poisson(2) : 0,
          reasoningRequested,
        });
        t = rt.nowMs + rng.exponential(params.itemGapSeconds * 1_000);
      }
    }
  }
}

export const researchLab: CohortDefinition<ResearchLabParams> = {
  id: ID,
  description:
    "Research labs of several members sharing one evaluation harness: everyone sends the same public benchmark items (the lab's harness shifts them all alike), often on the lab's card, and the whole lab sweeps a new model the day it ships.",
  attack: false,
  strategy: null,
  hardNegative: true,
  traits: [
    'identical prompt hashes across a lab and across labs',
    'one card and org for many accounts',
    'chain-of-thought heavy',
    'coordinated runs on release day',
    'topic sweep across a suite',
  ],
  defaults: {
    labs: 4,
    members: [4, 15],
    orgBillingShare: 0.6,
    campusShare: 0.5,
    benchmarks: [3, 7],
    runsPerWorkday: 0.6,
    releaseSweepShare: 0.6,
    releaseSweepRuns: [1, 4],
    reasoningShare: 0.8,
    itemGapSeconds: 1.5,
    agedDays: [20, 900],
  },
  space: {
    labs: int(1, 10, 'labs at scale 1'),
    members: interval(3, 25, 'members per lab', { integer: true }),
    orgBillingShare: share(0, 1, "share of labs billed to the lab's org and card"),
    campusShare: share(0, 1, 'share of labs on a campus network (the rest cloud machines)'),
    benchmarks: interval(1, 7, "benchmarks the lab's harness runs", { integer: true }),
    runsPerWorkday: num(0.1, 1.5, 'runs a member starts per workday', { log: true }),
    releaseSweepShare: share(0, 1, "share of members joining the lab's release-day sweep"),
    releaseSweepRuns: interval(1, 6, 'runs each joins in the sweep', { integer: true }),
    reasoningShare: share(0.3, 1, 'share of runs asking for visible reasoning'),
    itemGapSeconds: num(0.2, 10, "median seconds between a run's items", { log: true }),
    agedDays: interval(2, 1_500, 'accounts created this many days before the window', {
      integer: true,
      log: true,
    }),
  },
  plan(ctx, params) {
    const { world, rng } = ctx;
    const accounts: AccountPlan[] = [];
    const labs = ctx.count(params.labs);
    for (let l = 0; l < labs; l++) {
      const country = countryByCode(rng.pick(LAB_COUNTRIES));
      const orgBilled = rng.chance(params.orgBillingShare);
      const campus = rng.chance(params.campusShare);
      const campusNet = rng.pick(consumerNetworks(country.code, 'residential'));
      const lab: Lab = {
        orgId: orgBilled ? ctx.ids.org() : null,
        card: orgBilled ? ctx.ids.payment() : null,
        domain: corporateDomain(rng),
        tier: orgBilled ? 'team' : campus ? 'pro' : 'api',
        exits: campus
          ? Array.from({ length: rng.intBetween(1, 3) }, () => ({
              ip: ipv4On(campusNet, rng),
              asn: campusNet.asn,
              country: country.code,
            }))
          : datacentreExits(rng, rng.intBetween(1, 3), 'cloud'),
        utcOffsetHours: country.utcOffsetHours,
        mask: rng.chance(0.4)
          ? { hi: 0, lo: 0 }
          : flipBits({ hi: 0, lo: 0 }, [rng.int(32), 32 + rng.int(32)]),
        suite: rng.sample(world.benchmarks, rng.intBetween(params.benchmarks[0], params.benchmarks[1])),
      };
      const members = rng.intBetween(params.members[0], params.members[1]);
      for (let m = 0; m < members; m++) {
        const i = accounts.length;
        const accountId = ctx.ids.account();
        const createdMs = agedCreatedMs(rng, world, params.agedDays[0], params.agedDays[1]);
        accounts.push({
          truth: legitTruth(accountId, ID),
          activeFromMs: world.startMs,
          open: () => labMemberStream(world, accountId, lab, createdMs, params, ctx.accountRng(i)),
        });
      }
    }
    return { accounts, campaigns: [] };
  },
};
