import { AccountRuntime, type Presence } from '../behaviour/account-runtime';
import { iso, legitTruth } from '../behaviour/plan-helpers';
import { CASUAL_CAPABILITIES, ordinaryConversation, STUDENT_CAPABILITIES } from '../behaviour/requests';
import { sessionStream } from '../behaviour/sessions';
import { HABITS_SPACE } from '../behaviour/spaces';
import { HourProfile } from '../behaviour/timing';
import {
  consumerNetworks,
  CONSUMER_EMAIL_DOMAINS,
  COUNTRY_TABLE,
  HUMAN_HOUR_WEIGHTS,
  ipv4On,
  STUDENT_HOUR_WEIGHTS,
  USER_AGENTS,
  type Country,
} from '../catalog';
import { randomDeviceId } from '../ids';
import { interval, int, num, share } from '../params';
import type { Rng } from '../rng';
import type { AccountPlan, AccountStreamItem, CohortDefinition } from '../types';
import { DAY_MS, HOUR_MS, ModelChooser, SLOW_ADOPTER, type SimWorld } from '../world';

export interface FamilyPlanParams {
  /** Households at scale 1. */
  readonly families: number;
  /** Accounts per household, [min, max], all paid with one card. */
  readonly members: readonly [number, number];
  /** Share of members who are school children (homework hours and subjects). */
  readonly childShare: number;
  /** Share of households with a shared tablet or laptop some members use. */
  readonly sharedDeviceShare: number;
  /** Share of households whose accounts were all opened within hours (a family plan bought at once). */
  readonly signUpTogetherShare: number;
  readonly activeDayShare: readonly [number, number];
  readonly sessionsPerDay: number;
  readonly turnEndChance: number;
  readonly tokenScale: number;
  readonly reasoningScale: number;
}

const ID = 'family-plan';
const HUMAN_HOURS = new HourProfile(HUMAN_HOUR_WEIGHTS);
const STUDENT_HOURS = new HourProfile(STUDENT_HOUR_WEIGHTS);

interface Household {
  readonly country: Country;
  readonly home: Omit<Presence, 'userAgent' | 'deviceFingerprint'>;
  readonly card: string;
  readonly sharedDevice: { readonly userAgent: string; readonly deviceFingerprint: string } | null;
  readonly emailDomain: string;
}

function* memberStream(
  world: SimWorld,
  accountId: string,
  household: Household,
  child: boolean,
  createdMs: number,
  activeFromMs: number,
  params: FamilyPlanParams,
  rng: Rng,
): Generator<AccountStreamItem> {
  const own = {
    userAgent: rng.pick([...USER_AGENTS.mobileApps, ...USER_AGENTS.desktopBrowsers]),
    deviceFingerprint: randomDeviceId(rng),
  };
  const rt = new AccountRuntime(
    {
      accountId,
      orgId: null,
      tier: 'pro',
      accountCreatedAt: iso(createdMs),
      paymentFingerprint: household.card,
      emailDomain: rng.chance(0.7) ? household.emailDomain : CONSUMER_EMAIL_DOMAINS.sample(rng),
    },
    rng,
    activeFromMs,
    world.endMs,
  );
  const models = new ModelChooser(world, rng, SLOW_ADOPTER);
  const habits = { tokenScale: params.tokenScale, reasoningScale: params.reasoningScale };
  yield* sessionStream(
    rt,
    world,
    rng,
    {
      hours: child ? STUDENT_HOURS : HUMAN_HOURS,
      utcOffsetHours: household.country.utcOffsetHours,
      activeDayShare: rng.between(params.activeDayShare[0], params.activeDayShare[1]),
      sessionsPerDay: params.sessionsPerDay,
      conversationEndChance: 0.6,
    },
    { fromMs: activeFromMs, toMs: world.endMs },
    () => {
      const device = household.sharedDevice && rng.chance(0.4) ? household.sharedDevice : own;
      return {
        conversation: ordinaryConversation(
          rng,
          world,
          rt.newConversationId(),
          child ? STUDENT_CAPABILITIES : CASUAL_CAPABILITIES,
          0.05,
          habits,
        ),
        turns: Math.min(20, rng.geometric(params.turnEndChance)),
        presence: { ...household.home, ...device },
      };
    },
    (t) => models.model(t, rng),
  );
}

export const familyPlan: CohortDefinition<FamilyPlanParams> = {
  id: ID,
  description:
    'Households on one card: two to six accounts paid with the same card, on the same home line, some using a shared tablet, children doing homework; some families opened all their accounts at once.',
  attack: false,
  strategy: null,
  hardNegative: true,
  traits: ['one card across several accounts', 'a shared device', 'one home IP', 'accounts opened together'],
  defaults: {
    families: 150,
    members: [2, 5],
    childShare: 0.35,
    sharedDeviceShare: 0.4,
    signUpTogetherShare: 0.3,
    activeDayShare: [0.2, 0.9],
    sessionsPerDay: 1.5,
    turnEndChance: 0.33,
    tokenScale: 1,
    reasoningScale: 1,
  },
  space: {
    families: int(30, 600, 'households at scale 1'),
    members: interval(2, 7, 'accounts per household', { integer: true }),
    childShare: share(0, 0.6, 'share of members who are school children'),
    sharedDeviceShare: share(0, 0.9, 'share of households with a shared tablet or laptop'),
    signUpTogetherShare: share(0, 0.8, 'share of households whose accounts were opened within hours'),
    activeDayShare: interval(0.1, 1, 'each member is active on a share of days drawn from this range'),
    sessionsPerDay: num(1, 3, 'mean sessions on an active day'),
    turnEndChance: share(0.2, 0.6, 'chance a conversation ends after each turn'),
    ...HABITS_SPACE,
  },
  plan(ctx, params) {
    const { world, rng } = ctx;
    const accounts: AccountPlan[] = [];
    const families = ctx.count(params.families);
    for (let f = 0; f < families; f++) {
      const country = COUNTRY_TABLE.sample(rng);
      const network = rng.pick(consumerNetworks(country.code, 'residential'));
      const household: Household = {
        country,
        home: { ip: ipv4On(network, rng), asn: network.asn, country: country.code },
        card: ctx.ids.payment(),
        sharedDevice: rng.chance(params.sharedDeviceShare)
          ? { userAgent: rng.pick(USER_AGENTS.mobileApps), deviceFingerprint: ctx.ids.device() }
          : null,
        emailDomain: CONSUMER_EMAIL_DOMAINS.sample(rng),
      };
      const together = rng.chance(params.signUpTogetherShare);
      const planMs = world.startMs - rng.between(-2, 700) * DAY_MS;
      const members = rng.intBetween(params.members[0], params.members[1]);
      for (let m = 0; m < members; m++) {
        const i = accounts.length;
        const accountId = ctx.ids.account();
        const createdMs = together
          ? planMs + rng.exponential(1) * HOUR_MS
          : world.startMs - rng.between(1, 1_200) * DAY_MS;
        if (createdMs >= world.endMs) continue;
        const activeFromMs = Math.max(world.startMs, createdMs);
        const child = m > 1 && rng.chance(params.childShare);
        accounts.push({
          truth: legitTruth(accountId, ID),
          activeFromMs,
          open: () =>
            memberStream(
              world,
              accountId,
              household,
              child,
              createdMs,
              activeFromMs,
              params,
              ctx.accountRng(i),
            ),
        });
      }
    }
    return { accounts, campaigns: [] };
  },
};
