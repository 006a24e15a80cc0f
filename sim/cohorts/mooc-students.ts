import type { Capability } from '../../lambdas/core/contract/usage-event';
import { AccountRuntime, type Presence } from '../behaviour/account-runtime';
import { iso, legitTruth } from '../behaviour/plan-helpers';
import { Conversation, ordinaryConversation, STUDENT_CAPABILITIES } from '../behaviour/requests';
import { sessionStream } from '../behaviour/sessions';
import { HABITS_SPACE } from '../behaviour/spaces';
import { HourProfile } from '../behaviour/timing';
import {
  consumerNetworks,
  CONSUMER_EMAIL_DOMAINS,
  COUNTRY_TABLE,
  ipv4On,
  STUDENT_HOUR_WEIGHTS,
  USER_AGENTS,
} from '../catalog';
import { randomDeviceId, randomPaymentId } from '../ids';
import { interval, int, num, share } from '../params';
import type { Rng } from '../rng';
import { paraphrase, randomSimHash, simHashToHex, type SimHash } from '../simhash';
import { TOPICS_BY_CAPABILITY } from '../topics';
import type { AccountPlan, AccountStreamItem, CohortDefinition } from '../types';
import { DAY_MS, HOUR_MS, ModelChooser, SLOW_ADOPTER, type SimWorld } from '../world';

export interface MoocStudentsParams {
  /** Online courses running in the window. */
  readonly courses: number;
  /** Students per course at scale 1, [min, max]. */
  readonly studentsPerCourse: readonly [number, number];
  /** The course opens this many days into the window (negative: before it), [min, max]. */
  readonly courseStartDay: readonly [number, number];
  /** Share of students who sign up in the burst around the course's start (the rest had accounts). */
  readonly burstShare: number;
  /** Hours the sign-up burst spreads over. */
  readonly burstHours: number;
  /** Problems in a course's assignments, and the share of conversations that paste one. */
  readonly assignmentItems: number;
  readonly assignmentShare: number;
  /** Bits a pasted assignment differs from the original (0: copied verbatim), [min, max]. */
  readonly pasteBits: readonly [number, number];
  /** Share of assignment conversations asking for step-by-step reasoning. */
  readonly reasoningShare: number;
  readonly activeDayShare: readonly [number, number];
  readonly sessionsPerDay: number;
  readonly conversationEndChance: number;
  readonly turnEndChance: number;
  readonly paidShare: number;
  readonly tokenScale: number;
  readonly reasoningScale: number;
}

const ID = 'mooc-students';
const STUDENT_HOURS = new HourProfile(STUDENT_HOUR_WEIGHTS);

interface Assignment {
  readonly hash: SimHash;
  readonly capability: Capability;
  readonly topic: string;
}

interface Course {
  readonly startMs: number;
  readonly assignments: readonly Assignment[];
}

function* studentStream(
  world: SimWorld,
  accountId: string,
  course: Course,
  createdMs: number,
  activeFromMs: number,
  params: MoocStudentsParams,
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
  const habits = { tokenScale: params.tokenScale, reasoningScale: params.reasoningScale };
  yield* sessionStream(
    rt,
    world,
    rng,
    {
      hours: STUDENT_HOURS,
      utcOffsetHours: country.utcOffsetHours,
      activeDayShare: rng.between(params.activeDayShare[0], params.activeDayShare[1]),
      sessionsPerDay: params.sessionsPerDay,
      conversationEndChance: params.conversationEndChance,
    },
    { fromMs: Math.max(activeFromMs, course.startMs), toMs: world.endMs },
    () => {
      const id = rt.newConversationId();
      const turns = Math.min(15, rng.geometric(params.turnEndChance));
      if (rng.chance(params.assignmentShare)) {
        // The same assignment text as every other student of the course, pasted (or barely reworded).
        const item = rng.pick(course.assignments);
        const bits = rng.intBetween(params.pasteBits[0], params.pasteBits[1]);
        return {
          conversation: new Conversation(id, item.capability, rng, {
            firstPromptHash: simHashToHex(bits === 0 ? item.hash : paraphrase(item.hash, bits, rng)),
            topic: item.topic,
            reasoningRequested: rng.chance(params.reasoningShare),
            habits,
          }),
          turns,
          presence,
        };
      }
      return {
        conversation: ordinaryConversation(rng, world, id, STUDENT_CAPABILITIES, 0.05, habits),
        turns,
        presence,
      };
    },
    (t) => models.model(t, rng),
  );
}

export const moocStudents: CohortDefinition<MoocStudentsParams> = {
  id: ID,
  description:
    "Students of online courses: hundreds sign up within hours of a course's start, from home networks worldwide, and paste the same assignment problems (reasoning and coding, often asking for steps) as each other.",
  attack: false,
  strategy: null,
  hardNegative: true,
  traits: [
    'sign-up burst at course start',
    'the same prompts across hundreds of unrelated accounts',
    'reasoning and coding, step-by-step requested',
    'new accounts',
    'no shared network (home lines worldwide)',
  ],
  defaults: {
    courses: 2,
    studentsPerCourse: [150, 600],
    courseStartDay: [-3, 3],
    burstShare: 0.7,
    burstHours: 24,
    assignmentItems: 30,
    assignmentShare: 0.5,
    pasteBits: [0, 3],
    reasoningShare: 0.5,
    activeDayShare: [0.3, 0.9],
    sessionsPerDay: 1.5,
    conversationEndChance: 0.5,
    turnEndChance: 0.35,
    paidShare: 0.2,
    tokenScale: 1,
    reasoningScale: 1,
  },
  space: {
    courses: int(1, 4, 'online courses in the window'),
    studentsPerCourse: interval(40, 1_000, 'students per course at scale 1', { integer: true, log: true }),
    courseStartDay: interval(-10, 5, 'the course opens this many days into the window'),
    burstShare: share(0.3, 0.95, "share of students signing up in the burst at the course's start"),
    burstHours: num(2, 96, 'hours the sign-up burst spreads over', { log: true }),
    assignmentItems: int(5, 120, "problems in a course's assignments"),
    assignmentShare: share(0.1, 0.9, 'share of conversations pasting an assignment problem'),
    pasteBits: interval(0, 5, 'bits a pasted problem differs from the original (0: verbatim)', {
      integer: true,
    }),
    reasoningShare: share(0.1, 0.9, 'share of assignment conversations asking for steps'),
    activeDayShare: interval(0.1, 1, 'each student is active on a share of days drawn from this range'),
    sessionsPerDay: num(1, 3, 'mean sessions on an active day'),
    conversationEndChance: share(0.3, 0.9, 'chance a session ends after each conversation'),
    turnEndChance: share(0.15, 0.8, 'chance a conversation ends after each turn'),
    paidShare: share(0, 0.5, 'share of students who pay (pro, own card)'),
    ...HABITS_SPACE,
  },
  plan(ctx, params) {
    const { world, rng } = ctx;
    const accounts: AccountPlan[] = [];
    for (let c = 0; c < Math.max(1, params.courses); c++) {
      const course: Course = {
        startMs: world.startMs + rng.between(params.courseStartDay[0], params.courseStartDay[1]) * DAY_MS,
        assignments: Array.from({ length: Math.max(1, params.assignmentItems) }, () => {
          const capability: Capability = rng.chance(0.55) ? 'reasoning' : 'coding';
          return { hash: randomSimHash(rng), capability, topic: rng.pick(TOPICS_BY_CAPABILITY[capability]) };
        }),
      };
      const n = ctx.count(rng.intBetween(params.studentsPerCourse[0], params.studentsPerCourse[1]), 2);
      for (let s = 0; s < n; s++) {
        const i = accounts.length;
        const accountId = ctx.ids.account();
        const createdMs = rng.chance(params.burstShare)
          ? course.startMs - HOUR_MS + rng.exponential(params.burstHours / 3) * HOUR_MS
          : world.startMs - rng.between(10, 1_500) * DAY_MS;
        if (createdMs >= world.endMs) continue;
        const activeFromMs = Math.max(world.startMs, createdMs);
        accounts.push({
          truth: legitTruth(accountId, ID),
          activeFromMs,
          open: () =>
            studentStream(world, accountId, course, createdMs, activeFromMs, params, ctx.accountRng(i)),
        });
      }
    }
    return { accounts, campaigns: [] };
  },
};
