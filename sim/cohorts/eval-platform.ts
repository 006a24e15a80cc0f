import { AccountRuntime, type Presence } from '../behaviour/account-runtime';
import { corporateDomain, datacentreExits } from '../behaviour/attack-kit';
import { iso, legitTruth } from '../behaviour/plan-helpers';
import { tokens } from '../behaviour/requests';
import { USER_AGENTS, MODELS } from '../catalog';
import { interval, int, num, share } from '../params';
import type { Rng } from '../rng';
import { flipBits, simHashToHex, xorSimHash, type SimHash } from '../simhash';
import type { AccountPlan, AccountStreamItem, CohortDefinition } from '../types';
import { DAY_MS, HOUR_MS, type SimWorld } from '../world';

export interface EvalPlatformParams {
  /** Evaluation companies (each an org on one card). */
  readonly companies: number;
  /** API accounts per company at scale 1, [min, max]. */
  readonly accountsPerCompany: readonly [number, number];
  /** Benchmark runs an account starts a day, round the clock (customers' scheduled suites). */
  readonly runsPerDay: number;
  /** Share of a benchmark's items in one run, [min, max]. */
  readonly runFraction: readonly [number, number];
  /** Customer harness configurations an account runs (each shifts every item's hash a little). */
  readonly harnesses: readonly [number, number];
  /** Share of runs asking for visible reasoning. */
  readonly reasoningShare: number;
  /** Median seconds between a run's items (parallel workers make it small). */
  readonly itemGapSeconds: number;
  /** Share of runs on the new model once it is out (customers want it compared at once). */
  readonly newModelShare: number;
  /** Company accounts were created this many days before the window, [min, max]. */
  readonly agedDays: readonly [number, number];
}

const ID = 'eval-platform';

interface Company {
  readonly orgId: string;
  readonly card: string;
  readonly domain: string;
  readonly egress: readonly Omit<Presence, 'userAgent' | 'deviceFingerprint'>[];
  readonly createdMs: number;
}

function* evalStream(
  world: SimWorld,
  accountId: string,
  company: Company,
  createdMs: number,
  params: EvalPlatformParams,
  rng: Rng,
): Generator<AccountStreamItem> {
  const rt = new AccountRuntime(
    {
      accountId,
      orgId: company.orgId,
      tier: 'api',
      accountCreatedAt: iso(createdMs),
      paymentFingerprint: company.card,
      emailDomain: company.domain,
    },
    rng,
    world.startMs,
    world.endMs,
  );
  const userAgent = rng.pick([...USER_AGENTS.sdks, 'python-requests/2.32.3']);
  const masks: SimHash[] = Array.from(
    { length: rng.intBetween(params.harnesses[0], params.harnesses[1]) },
    () =>
      rng.chance(0.4)
        ? { hi: 0, lo: 0 }
        : flipBits(
            { hi: 0, lo: 0 },
            [rng.int(64), rng.int(64)].filter((b, k, a) => a.indexOf(b) === k),
          ),
  );
  // Runs are scheduled around the clock for customers in every time zone.
  let t = world.startMs + rng.exponential(DAY_MS / params.runsPerDay);
  while (rt.open(t)) {
    const benchmark = rng.pick(world.benchmarks);
    const mask = rng.pick(masks);
    const model =
      t >= world.releaseMs && rng.chance(params.newModelShare) ? MODELS.released : MODELS.baseline;
    const reasoningRequested = rng.chance(params.reasoningShare);
    const items = benchmark.items;
    const count = Math.ceil(items.length * rng.between(params.runFraction[0], params.runFraction[1]));
    const offset = rng.int(items.length);
    const presence: Presence = { ...rng.pick(company.egress), userAgent, deviceFingerprint: null };
    let at = t;
    for (let k = 0; k < count; k++) {
      const item = items[(offset + k) % items.length];
      if (!item) continue;
      const turns = benchmark.multiTurn ? rng.intBetween(3, 8) : 1;
      const conversationId = benchmark.multiTurn ? rt.newConversationId() : null;
      for (let turn = 1; turn <= turns; turn++) {
        if (!rt.open(at)) return;
        yield rt.reserve(at);
        yield rt.emit(at, presence, {
          model,
          capability: benchmark.capability,
          inputTokens: item.inputTokens + (turn - 1) * rng.intBetween(800, 2_500),
          outputTokens: tokens(rng, reasoningRequested ? 1_400 : 500, 0.7, 5, 32_000),
          promptHash:
            turn === 1
              ? simHashToHex(xorSimHash(item.hash, mask))
              : simHashToHex(flipBits(item.hash, [turn % 64, (turn * 7) % 64])),
          topic: item.topic,
          conversationId,
          turn,
          toolCalls: benchmark.capability === 'agentic' ? 1 + rng.poisson(2) : 0,
          reasoningRequested,
        });
        at = rt.nowMs + rng.exponential(params.itemGapSeconds * 1_000);
      }
    }
    t = Math.max(at, t) + rng.exponential(DAY_MS / params.runsPerDay);
  }
}

export const evalPlatform: CohortDefinition<EvalPlatformParams> = {
  id: ID,
  description:
    "Evaluation-platform companies running customers' public benchmark suites around the clock: every benchmark (so broad topics), chain-of-thought on, thousands of items a day per api account, org billing on one card, cloud egress, the new model the day it ships.",
  attack: false,
  strategy: null,
  hardNegative: true,
  traits: [
    'round the clock, no diurnal rest',
    'sweeps the topics of every public benchmark',
    'chain-of-thought heavy',
    'public prompt hashes shared with every lab',
    'high volume on the api tier',
    'switches to a new model within hours',
  ],
  defaults: {
    companies: 2,
    accountsPerCompany: [2, 8],
    runsPerDay: 8,
    runFraction: [0.2, 1],
    harnesses: [1, 4],
    reasoningShare: 0.7,
    itemGapSeconds: 1.5,
    newModelShare: 0.6,
    agedDays: [60, 900],
  },
  space: {
    companies: int(1, 3, 'evaluation companies'),
    accountsPerCompany: interval(1, 8, 'api accounts per company at scale 1', { integer: true }),
    runsPerDay: num(0.5, 10, 'benchmark runs an account starts a day', { log: true }),
    runFraction: interval(0.05, 1, "share of a benchmark's items in one run"),
    harnesses: interval(1, 8, 'customer harness configurations per account', { integer: true }),
    reasoningShare: share(0.2, 1, 'share of runs asking for visible reasoning'),
    itemGapSeconds: num(0.2, 8, "median seconds between a run's items", { log: true }),
    newModelShare: share(0.2, 0.9, 'share of runs on the new model once it is out'),
    agedDays: interval(20, 1_500, 'accounts created this many days before the window', {
      integer: true,
      log: true,
    }),
  },
  plan(ctx, params) {
    const { world, rng } = ctx;
    const accounts: AccountPlan[] = [];
    for (let c = 0; c < Math.max(1, params.companies); c++) {
      const company: Company = {
        orgId: ctx.ids.org(),
        card: ctx.ids.payment(),
        domain: corporateDomain(rng),
        egress: datacentreExits(rng, rng.intBetween(1, 4), 'cloud'),
        createdMs: world.startMs - rng.between(params.agedDays[0], params.agedDays[1]) * DAY_MS,
      };
      const n = ctx.count(rng.intBetween(params.accountsPerCompany[0], params.accountsPerCompany[1]), 1);
      for (let a = 0; a < n; a++) {
        const i = accounts.length;
        const accountId = ctx.ids.account();
        const createdMs = Math.min(world.startMs - HOUR_MS, company.createdMs + rng.between(0, 60) * DAY_MS);
        accounts.push({
          truth: legitTruth(accountId, ID),
          activeFromMs: world.startMs,
          open: () => evalStream(world, accountId, company, createdMs, params, ctx.accountRng(i)),
        });
      }
    }
    return { accounts, campaigns: [] };
  },
};
