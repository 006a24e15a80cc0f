import { randomDeviceId, randomPaymentId } from '../ids';
import type { Capability } from '../../lambdas/core/contract/usage-event';
import {
  cgnatPool,
  consumerNetworks,
  CONSUMER_EMAIL_DOMAINS,
  COUNTRIES,
  HUMAN_HOUR_WEIGHTS,
  ipv4On,
  ipv6,
  USER_AGENTS,
  type Country,
} from '../catalog';
import { AccountRuntime, type Presence } from '../behaviour/account-runtime';
import { agedCreatedMs, iso, legitTruth } from '../behaviour/plan-helpers';
import { CASUAL_CAPABILITY_WEIGHTS, humanTurnGapMs, ordinaryConversation } from '../behaviour/requests';
import { HourProfile, localMidnight } from '../behaviour/timing';
import { CAPABILITY_KEYS, COUNTRY_CODES, HABITS_SPACE } from '../behaviour/spaces';
import { interval, int, num, share, weights } from '../params';
import { WeightedTable, type Rng } from '../rng';
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
  /** Established accounts were created this many days before the window, [min, max]. */
  readonly agedDays: readonly [number, number];
  /** Each account is active on a share of days drawn from this range. */
  readonly activeDayShare: readonly [number, number];
  /** Share of accounts that also use a phone app. */
  readonly phoneShare: number;
  /** Share of a phone user's sessions on the phone. */
  readonly phoneSessionShare: number;
  /** Share of phone sessions on the carrier's network (CGNAT shared with strangers) rather than home Wi-Fi. */
  readonly cellularShare: number;
  /** Share of home connections on IPv6. */
  readonly ipv6Share: number;
  /** Chance a session ends after each conversation (mean conversations a session: 1 / this). */
  readonly conversationEndChance: number;
  /** Chance a conversation ends after each turn (mean turns: 1 / this, at most 25). */
  readonly turnEndChance: number;
  /** Share of conversations opening with a popular prompt. */
  readonly popularShare: number;
  /** What they ask about, relative weights. */
  readonly capabilityWeights: Readonly<Record<Capability, number>>;
  /** Where they live (and so their time zones), relative weights per country. */
  readonly countryWeights: Readonly<Record<string, number>>;
  /** Token sizes and reasoning habits of their conversations. */
  readonly tokenScale: number;
  readonly reasoningScale: number;
}

const ID = 'casual-chat';
const HUMAN_HOURS = new HourProfile(HUMAN_HOUR_WEIGHTS);

interface CasualTables {
  readonly capabilities: WeightedTable<Capability>;
  readonly countries: WeightedTable<Country>;
}

function* casualStream(
  world: SimWorld,
  accountId: string,
  createdMs: number,
  activeFromMs: number,
  params: CasualChatParams,
  tables: CasualTables,
  rng: Rng,
): Generator<AccountStreamItem> {
  const country = tables.countries.sample(rng);
  const home = rng.pick(consumerNetworks(country.code, 'residential'));
  const mobile = rng.pick(consumerNetworks(country.code, 'mobile'));
  const homePresence: Presence = {
    ip: rng.chance(params.ipv6Share) ? ipv6(rng) : ipv4On(home, rng),
    asn: home.asn,
    country: country.code,
    userAgent: rng.pick(USER_AGENTS.desktopBrowsers),
    deviceFingerprint: randomDeviceId(rng),
  };
  const phone = rng.chance(params.phoneShare)
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
  const activeDayShare = rng.between(params.activeDayShare[0], params.activeDayShare[1]);
  const habits = { tokenScale: params.tokenScale, reasoningScale: params.reasoningScale };
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
      if (phone && rng.chance(params.phoneSessionShare)) {
        // On the phone: home Wi-Fi, or the carrier's NAT shared with many strangers.
        const onCellular = rng.chance(params.cellularShare);
        presence = {
          ip: onCellular ? rng.pick(cgnatPool(mobile)) : homePresence.ip,
          asn: onCellular ? mobile.asn : home.asn,
          country: country.code,
          ...phone,
        };
      }
      let t = sessionStart;
      const conversations = rng.geometric(params.conversationEndChance);
      for (let c = 0; c < conversations; c++) {
        const conversation = ordinaryConversation(
          rng,
          world,
          rt.newConversationId(),
          tables.capabilities,
          params.popularShare,
          habits,
        );
        const turns = Math.min(25, rng.geometric(params.turnEndChance));
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
  defaults: {
    accounts: 12_000,
    newAccountShare: 0.03,
    paidShare: 0.25,
    sessionsPerActiveDay: 1.6,
    agedDays: [10, 900],
    activeDayShare: [0.2, 0.9],
    phoneShare: 0.6,
    phoneSessionShare: 0.4,
    cellularShare: 0.5,
    ipv6Share: 0.15,
    conversationEndChance: 0.6,
    turnEndChance: 0.33,
    popularShare: 0.05,
    capabilityWeights: CASUAL_CAPABILITY_WEIGHTS,
    countryWeights: Object.fromEntries(COUNTRIES.map((c) => [c.code, c.weight])),
    tokenScale: 1,
    reasoningScale: 1,
  },
  space: {
    accounts: int(6_000, 16_000, 'accounts at scale 1'),
    newAccountShare: share(0.01, 0.15, 'share of accounts signing up during the window'),
    paidShare: share(0.1, 0.5, 'share on the pro tier with their own card (the rest free, no card)'),
    sessionsPerActiveDay: num(0.8, 2.5, 'median sessions on an active day'),
    agedDays: interval(1, 2_000, 'established accounts created this many days before the window', {
      integer: true,
      log: true,
    }),
    activeDayShare: interval(0.05, 1, 'each account is active on a share of days drawn from this range'),
    phoneShare: share(0.2, 0.9, 'share of accounts with a phone app too'),
    phoneSessionShare: share(0.1, 0.8, "share of a phone user's sessions on the phone"),
    cellularShare: share(0.1, 0.9, 'share of phone sessions on carrier NAT (IPs shared with strangers)'),
    ipv6Share: share(0, 0.5, 'share of home connections on IPv6'),
    conversationEndChance: share(0.4, 0.9, 'chance a session ends after each conversation'),
    turnEndChance: share(0.2, 0.6, 'chance a conversation ends after each turn'),
    popularShare: share(0, 0.2, 'share of conversations opening with a popular (shared) prompt'),
    capabilityWeights: weights(CAPABILITY_KEYS, 2, 50, 'relative weight of each capability asked about'),
    countryWeights: weights(COUNTRY_CODES, 1, 30, 'where they live (time zone), relative weight per country'),
    ...HABITS_SPACE,
  },
  plan(ctx, params) {
    const { world } = ctx;
    const accounts: AccountPlan[] = [];
    const tables: CasualTables = {
      capabilities: WeightedTable.fromRecord(params.capabilityWeights),
      countries: new WeightedTable(
        COUNTRIES,
        COUNTRIES.map((c) => params.countryWeights[c.code] ?? 0),
      ),
    };
    const n = ctx.count(params.accounts);
    for (let i = 0; i < n; i++) {
      const accountId = ctx.ids.account();
      const createdMs = ctx.rng.chance(params.newAccountShare)
        ? world.startMs + ctx.rng.next() * (world.endMs - world.startMs)
        : agedCreatedMs(ctx.rng, world, params.agedDays[0], params.agedDays[1]);
      const activeFromMs = Math.max(world.startMs, createdMs);
      accounts.push({
        truth: legitTruth(accountId, ID),
        activeFromMs,
        open: () =>
          casualStream(world, accountId, createdMs, activeFromMs, params, tables, ctx.accountRng(i)),
      });
    }
    return { accounts, campaigns: [] };
  },
};
