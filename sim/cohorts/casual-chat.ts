import { randomDeviceId, randomPaymentId } from '../ids';
import {
  cgnatPool,
  consumerNetworks,
  CONSUMER_EMAIL_DOMAINS,
  COUNTRY_TABLE,
  HUMAN_HOUR_WEIGHTS,
  ipv4On,
  ipv6,
  USER_AGENTS,
} from '../catalog';
import { AccountRuntime, type Presence } from '../behaviour/account-runtime';
import { agedCreatedMs, iso, legitTruth } from '../behaviour/plan-helpers';
import { CASUAL_CAPABILITIES, humanTurnGapMs, ordinaryConversation } from '../behaviour/requests';
import { HourProfile, localMidnight } from '../behaviour/timing';
import type { Rng } from '../rng';
import type { AccountPlan, CohortDefinition, AccountStreamItem } from '../types';
import { DAY_MS, MINUTE_MS, ModelChooser, SLOW_ADOPTER, type SimWorld } from '../world';

export interface CasualChatParams {
  /** Accounts at scale 1. */
  readonly accounts: number;
  /** Share of accounts created during the window (they start then: new accounts are not suspicious by themselves). */
  readonly newAccountShare: number;
  /** Share on a paid plan (own card); the rest are free and have no payment fingerprint. */
  readonly paidShare: number;
  /** Mean requests on an active day is roughly sessions x conversations x turns; this scales sessions. */
  readonly sessionsPerActiveDay: number;
}

const ID = 'casual-chat';
const HUMAN_HOURS = new HourProfile(HUMAN_HOUR_WEIGHTS);

function* casualStream(
  world: SimWorld,
  accountId: string,
  createdMs: number,
  activeFromMs: number,
  params: CasualChatParams,
  rng: Rng,
): Generator<AccountStreamItem> {
  const country = COUNTRY_TABLE.sample(rng);
  const home = rng.pick(consumerNetworks(country.code, 'residential'));
  const mobile = rng.pick(consumerNetworks(country.code, 'mobile'));
  const homePresence: Presence = {
    ip: rng.chance(0.15) ? ipv6(rng) : ipv4On(home, rng),
    asn: home.asn,
    country: country.code,
    userAgent: rng.pick(USER_AGENTS.desktopBrowsers),
    deviceFingerprint: randomDeviceId(rng),
  };
  const phone = rng.chance(0.6)
    ? { userAgent: rng.pick(USER_AGENTS.mobileApps), deviceFingerprint: randomDeviceId(rng) }
    : null;
  const paid = rng.chance(params.paidShare);
  const rt = new AccountRuntime(
    {
      accountId,
      orgId: null,
      tier: paid ? 'pro' : 'free',
      accountCreatedAt: iso(createdMs),
      paymentFingerprint: paid ? randomPaymentId(rng) : null,
      emailDomain: CONSUMER_EMAIL_DOMAINS.sample(rng),
    },
    rng,
    activeFromMs,
    world.endMs,
  );
  const models = new ModelChooser(world, rng, SLOW_ADOPTER);
  const activeDayShare = rng.between(0.2, 0.9);
  const sessionsMean = Math.max(1, rng.logNormal(params.sessionsPerActiveDay, 0.5));

  for (let day = -1; day <= world.days; day++) {
    const midnight = localMidnight(world, day, country.utcOffsetHours);
    if (midnight + DAY_MS <= activeFromMs) continue;
    if (midnight >= world.endMs) return;
    if (!rng.chance(activeDayShare)) continue;
    const sessions = 1 + rng.poisson(sessionsMean - 1);
    for (const sessionStart of HUMAN_HOURS.sampleSorted(rng, midnight, sessions)) {
      if (sessionStart < activeFromMs) continue;
      let presence = homePresence;
      if (phone && rng.chance(0.4)) {
        // On the phone: home Wi-Fi, or the carrier's NAT shared with many strangers.
        const onCellular = rng.chance(0.5);
        presence = {
          ip: onCellular ? rng.pick(cgnatPool(mobile)) : homePresence.ip,
          asn: onCellular ? mobile.asn : home.asn,
          country: country.code,
          ...phone,
        };
      }
      let t = sessionStart;
      const conversations = rng.geometric(0.6);
      for (let c = 0; c < conversations; c++) {
        const conversation = ordinaryConversation(rng, world, rt.newConversationId(), CASUAL_CAPABILITIES);
        const turns = Math.min(25, rng.geometric(0.33));
        for (let turn = 0; turn < turns; turn++) {
          if (!rt.open(t)) return;
          yield rt.reserve(t);
          yield rt.emit(t, presence, conversation.next(rng, models.model(t, rng)));
          t = rt.nowMs + humanTurnGapMs(rng);
        }
        t += rng.exponential(5 * MINUTE_MS);
      }
    }
  }
}

export const casualChat: CohortDefinition<CasualChatParams> = {
  id: ID,
  description:
    'Ordinary consumers: a few diurnal sessions on some days, multi-turn chats over mixed capabilities, free or pro, home and mobile networks.',
  attack: false,
  strategy: null,
  traits: [
    'some accounts are new',
    'mobile carrier NAT shares IPs',
    'popular prompts are near-duplicates across users',
  ],
  defaults: { accounts: 12_000, newAccountShare: 0.03, paidShare: 0.25, sessionsPerActiveDay: 1.6 },
  plan(ctx, params) {
    const { world } = ctx;
    const accounts: AccountPlan[] = [];
    const n = ctx.count(params.accounts);
    for (let i = 0; i < n; i++) {
      const accountId = ctx.ids.account();
      const createdMs = ctx.rng.chance(params.newAccountShare)
        ? world.startMs + ctx.rng.next() * (world.endMs - world.startMs)
        : agedCreatedMs(ctx.rng, world, 10, 900);
      const activeFromMs = Math.max(world.startMs, createdMs);
      accounts.push({
        truth: legitTruth(accountId, ID),
        activeFromMs,
        open: () => casualStream(world, accountId, createdMs, activeFromMs, params, ctx.accountRng(i)),
      });
    }
    return { accounts, campaigns: [] };
  },
};
