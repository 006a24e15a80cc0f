import type { Capability } from '../../lambdas/core/contract/usage-event';
import { AccountRuntime, type Presence } from '../behaviour/account-runtime';
import { agedCreatedMs, iso, legitTruth } from '../behaviour/plan-helpers';
import { Conversation } from '../behaviour/requests';
import { sessionStream } from '../behaviour/sessions';
import { HABITS_SPACE } from '../behaviour/spaces';
import { HourProfile } from '../behaviour/timing';
import { consumerNetworks, CONSUMER_EMAIL_DOMAINS, COUNTRY_TABLE, ipv4On, USER_AGENTS } from '../catalog';
import { randomDeviceId, randomPaymentId } from '../ids';
import { interval, int, share, weights } from '../params';
import { WeightedTable, type Rng } from '../rng';
import { TOPICS_BY_CAPABILITY } from '../topics';
import type { AccountPlan, AccountStreamItem, CohortDefinition } from '../types';
import { EARLY_ADOPTER, ModelChooser, type SimWorld } from '../world';

export interface TutoringPowerUserParams {
  readonly accounts: number;
  /** Sessions on an active day (a tutor works with several students a day). */
  readonly sessionsPerDay: readonly [number, number];
  /** Chance a session ends after each problem (mean problems a session: 1 / this). */
  readonly problemEndChance: number;
  /** Chance a problem's conversation ends after each turn: most are one paste and one answer. */
  readonly turnEndChance: number;
  /** Share of problems asking for step-by-step reasoning. */
  readonly reasoningShare: number;
  /** What the problems are about, relative weights. */
  readonly capabilityWeights: Readonly<Record<'reasoning' | 'coding' | 'other' | 'chat', number>>;
  readonly agedDays: readonly [number, number];
  readonly tokenScale: number;
  readonly reasoningScale: number;
}

const ID = 'tutoring-power-user';
/** Afternoons and evenings, late. */
const TUTOR_HOURS = new HourProfile([
  0.3, 0.15, 0.05, 0.02, 0.02, 0.05, 0.2, 0.4, 0.6, 0.7, 0.8, 0.9, 1, 1.1, 1.3, 1.5, 1.7, 1.8, 1.8, 1.7, 1.6,
  1.4, 1.0, 0.6,
]);

function* tutorStream(
  world: SimWorld,
  accountId: string,
  createdMs: number,
  params: TutoringPowerUserParams,
  subjects: WeightedTable<Capability>,
  rng: Rng,
): Generator<AccountStreamItem> {
  const country = COUNTRY_TABLE.sample(rng);
  const home = rng.pick(consumerNetworks(country.code, 'residential'));
  const presence: Presence = {
    ip: ipv4On(home, rng),
    asn: home.asn,
    country: country.code,
    userAgent: rng.pick(USER_AGENTS.desktopBrowsers),
    deviceFingerprint: randomDeviceId(rng),
  };
  const rt = new AccountRuntime(
    {
      accountId,
      orgId: null,
      tier: 'pro',
      accountCreatedAt: iso(createdMs),
      paymentFingerprint: randomPaymentId(rng),
      emailDomain: CONSUMER_EMAIL_DOMAINS.sample(rng),
    },
    rng,
    world.startMs,
    world.endMs,
  );
  const models = new ModelChooser(world, rng, EARLY_ADOPTER);
  const habits = { tokenScale: params.tokenScale, reasoningScale: params.reasoningScale };
  yield* sessionStream(
    rt,
    world,
    rng,
    {
      hours: TUTOR_HOURS,
      utcOffsetHours: country.utcOffsetHours,
      activeDayShare: 0.9,
      weekendFactor: 0.8,
      sessionsPerDay: rng.between(params.sessionsPerDay[0], params.sessionsPerDay[1]),
      conversationEndChance: params.problemEndChance,
    },
    { fromMs: world.startMs, toMs: world.endMs },
    () => {
      // Any subject a student brings: the topics sweep the whole curriculum.
      const capability = subjects.sample(rng);
      return {
        conversation: new Conversation(rt.newConversationId(), capability, rng, {
          topic: rng.pick(TOPICS_BY_CAPABILITY[capability]),
          reasoningRequested: rng.chance(params.reasoningShare),
          habits,
        }),
        turns: Math.min(8, rng.geometric(params.turnEndChance)),
        presence,
        gapMs: (r) => 20_000 + r.logNormal(60_000, 0.7),
      };
    },
    (t) => models.model(t, rng),
  );
}

export const tutoringPowerUser: CohortDefinition<TutoringPowerUserParams> = {
  id: ID,
  description:
    'Tutors and homework helpers: hundreds of problems a day across the whole curriculum (maths, sciences, code, essays), mostly one paste and one answer, step-by-step reasoning asked for often, long afternoons and evenings.',
  attack: false,
  strategy: null,
  hardNegative: true,
  traits: [
    'very broad topic coverage',
    'mostly single-turn',
    'reasoning requested often',
    'high volume for a pro account',
  ],
  defaults: {
    accounts: 40,
    sessionsPerDay: [3, 8],
    problemEndChance: 0.06,
    turnEndChance: 0.6,
    reasoningShare: 0.6,
    capabilityWeights: { reasoning: 50, coding: 20, other: 20, chat: 10 },
    agedDays: [30, 900],
    tokenScale: 1,
    reasoningScale: 1,
  },
  space: {
    accounts: int(10, 150, 'accounts at scale 1'),
    sessionsPerDay: interval(1, 12, 'sessions on an active day'),
    problemEndChance: share(0.02, 0.3, 'chance a session ends after each problem'),
    turnEndChance: share(0.3, 0.95, "chance a problem's conversation ends after each turn"),
    reasoningShare: share(0.2, 0.95, 'share of problems asking for steps'),
    capabilityWeights: weights(
      ['reasoning', 'coding', 'other', 'chat'],
      1,
      60,
      'what the problems are about',
    ),
    agedDays: interval(2, 1_500, 'accounts created this many days before the window', {
      integer: true,
      log: true,
    }),
    ...HABITS_SPACE,
  },
  plan(ctx, params) {
    const accounts: AccountPlan[] = [];
    const subjects = WeightedTable.fromRecord<Capability>(
      params.capabilityWeights as Record<Capability, number>,
    );
    const n = ctx.count(params.accounts);
    for (let i = 0; i < n; i++) {
      const accountId = ctx.ids.account();
      const createdMs = agedCreatedMs(ctx.rng, ctx.world, params.agedDays[0], params.agedDays[1]);
      accounts.push({
        truth: legitTruth(accountId, ID),
        activeFromMs: ctx.world.startMs,
        open: () => tutorStream(ctx.world, accountId, createdMs, params, subjects, ctx.accountRng(i)),
      });
    }
    return { accounts, campaigns: [] };
  },
};
