import { AccountRuntime, type Presence } from '../behaviour/account-runtime';
import { agedCreatedMs, iso, legitTruth } from '../behaviour/plan-helpers';
import { Conversation, ordinaryConversation, RESOLD_CAPABILITIES } from '../behaviour/requests';
import {
  CLOUD_ASNS,
  HOSTING_ASNS,
  HUMAN_HOUR_WEIGHTS,
  ipv4On,
  networkByAsn,
  RESELLER_DOMAINS,
  USER_AGENTS,
} from '../catalog';
import { interval, int, share } from '../params';
import type { Rng } from '../rng';
import type { AccountPlan, CohortDefinition, AccountStreamItem } from '../types';
import { DAY_MS, HOUR_MS, ModelChooser, type SimWorld } from '../world';

export interface ResellerParams {
  /** Accounts at scale 1. */
  readonly accounts: number;
  /** Requests per day, [min, max] per reseller. */
  readonly requestsPerDay: readonly [number, number];
  /** Chance a request continues an open conversation rather than starting one. */
  readonly continueShare: number;
  /** Share of new requests that are stateless API calls (no conversation id). */
  readonly statelessShare: number;
  /** Backend IPs per reseller, [min, max]. */
  readonly backends: readonly [number, number];
  /** Accounts were created this many days before the window, [min, max]. */
  readonly agedDays: readonly [number, number];
}

const ID = 'reseller';

/** End users in the Americas, Europe and Asia: aggregated, the load never sleeps but breathes. */
const REGION_OFFSETS_HOURS = [-6, 1, 8];
const UTC_HOUR_SHAPE: readonly number[] = (() => {
  const shape = Array.from({ length: 24 }, (_, h) =>
    REGION_OFFSETS_HOURS.reduce(
      (sum, offset) => sum + (HUMAN_HOUR_WEIGHTS[(((h + offset) % 24) + 24) % 24] ?? 0),
      0,
    ),
  );
  const max = Math.max(...shape);
  return shape.map((s) => s / max);
})();

interface OpenConversation {
  readonly conversation: Conversation;
  readonly turns: number;
  lastMs: number;
}

interface ResellerAccount {
  readonly accountId: string;
  readonly orgId: string;
  readonly paymentFingerprint: string;
  readonly createdMs: number;
}

function* resellerStream(
  world: SimWorld,
  account: ResellerAccount,
  params: ResellerParams,
  rng: Rng,
): Generator<AccountStreamItem> {
  const network = networkByAsn(rng.pick([...CLOUD_ASNS, ...HOSTING_ASNS]));
  const userAgent = rng.pick(USER_AGENTS.sdks);
  const backends: Presence[] = Array.from(
    { length: rng.intBetween(params.backends[0], params.backends[1]) },
    () => ({
      ip: ipv4On(network, rng),
      asn: network.asn,
      country: network.country,
      userAgent,
      deviceFingerprint: null,
    }),
  );
  const rt = new AccountRuntime(
    {
      accountId: account.accountId,
      orgId: account.orgId,
      tier: 'api',
      accountCreatedAt: iso(account.createdMs),
      paymentFingerprint: account.paymentFingerprint,
      emailDomain: rng.pick(RESELLER_DOMAINS),
    },
    rng,
    world.startMs,
    world.endMs,
  );
  // Resellers route their customers to whatever is newest, within a day or two.
  const models = new ModelChooser(world, rng, { meanDelayHours: 30, neverShare: 0.2, newModelShare: 0.5 });
  const perDay = rng.between(params.requestsPerDay[0], params.requestsPerDay[1]);
  // Thinning a Poisson process at the peak rate gives the diurnal shape.
  const peakGapMs = DAY_MS / (perDay / (UTC_HOUR_SHAPE.reduce((a, b) => a + b, 0) / 24));
  const open: OpenConversation[] = [];
  let t = world.startMs + rng.exponential(peakGapMs);
  while (rt.open(t)) {
    const hour = Math.floor((t % DAY_MS) / HOUR_MS);
    if (rng.next() < (UTC_HOUR_SHAPE[hour] ?? 1)) {
      yield rt.reserve(t);
      let current: OpenConversation | undefined;
      if (open.length > 0 && rng.chance(params.continueShare)) {
        const k = rng.int(open.length);
        current = open[k];
        if (current && t - current.lastMs > HOUR_MS) {
          open.splice(k, 1);
          current = undefined;
        }
      }
      if (!current) {
        const stateless = rng.chance(params.statelessShare);
        current = {
          conversation: ordinaryConversation(
            rng,
            world,
            stateless ? null : rt.newConversationId(),
            RESOLD_CAPABILITIES,
          ),
          turns: stateless ? 1 : Math.min(30, rng.geometric(0.28)),
          lastMs: t,
        };
        if (current.turns > 1) {
          open.push(current);
          if (open.length > 400) open.shift();
        }
      }
      yield rt.reserve(t);
      yield rt.emit(t, rng.pick(backends), current.conversation.next(rng, models.model(t, rng)));
      current.lastMs = rt.nowMs;
      if (current.conversation.turn >= current.turns) {
        const k = open.indexOf(current);
        if (k >= 0) open.splice(k, 1);
      }
    }
    t += rng.exponential(peakGapMs);
  }
}

export const reseller: CohortDefinition<ResellerParams> = {
  id: ID,
  description:
    'API resellers serving many end users through one account: thousands of requests a day around the clock, varied topics, many interleaved conversations, one card, cloud backends.',
  attack: false,
  strategy: null,
  traits: [
    'very high volume',
    '24/7 activity',
    'cloud ASNs',
    'broad topic sweep',
    'adopts new models quickly',
  ],
  hardNegative: true,
  defaults: {
    accounts: 8,
    requestsPerDay: [1500, 4000],
    continueShare: 0.62,
    statelessShare: 0.2,
    backends: [2, 4],
    agedDays: [60, 700],
  },
  space: {
    accounts: int(2, 20, 'accounts at scale 1'),
    requestsPerDay: interval(300, 12_000, 'requests a day per reseller', { log: true }),
    continueShare: share(0.2, 0.9, 'chance a request continues an open conversation'),
    statelessShare: share(0, 0.8, 'share of new requests that are stateless API calls'),
    backends: interval(1, 8, 'backend IPs per reseller', { integer: true }),
    agedDays: interval(10, 1_500, 'accounts created this many days before the window', {
      integer: true,
      log: true,
    }),
  },
  plan(ctx, params) {
    const accounts: AccountPlan[] = [];
    const n = ctx.count(params.accounts);
    for (let i = 0; i < n; i++) {
      const account: ResellerAccount = {
        accountId: ctx.ids.account(),
        orgId: ctx.ids.org(),
        paymentFingerprint: ctx.ids.payment(),
        createdMs: agedCreatedMs(ctx.rng, ctx.world, params.agedDays[0], params.agedDays[1]),
      };
      accounts.push({
        truth: legitTruth(account.accountId, ID),
        activeFromMs: ctx.world.startMs,
        open: () => resellerStream(ctx.world, account, params, ctx.accountRng(i)),
      });
    }
    return { accounts, campaigns: [] };
  },
};
