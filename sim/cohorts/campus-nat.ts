import type { Capability } from '../../lambdas/core/contract/usage-event';
import { AccountRuntime, type Presence } from '../behaviour/account-runtime';
import { agedCreatedMs, iso, legitTruth } from '../behaviour/plan-helpers';
import {
  humanTurnGapMs,
  OFFICE_CAPABILITIES,
  ordinaryConversation,
  STUDENT_CAPABILITIES,
  Conversation,
} from '../behaviour/requests';
import { HourProfile, isWeekend, localMidnight, localWeekday } from '../behaviour/timing';
import {
  consumerNetworks,
  countryByCode,
  ipv4On,
  natAddresses,
  STUDENT_HOUR_WEIGHTS,
  USER_AGENTS,
  WORK_HOUR_WEIGHTS,
} from '../catalog';
import { randomDeviceId, randomPaymentId } from '../ids';
import { interval, int, num, share } from '../params';
import type { Rng } from '../rng';
import { paraphrase, randomSimHash, simHashToHex, type SimHash } from '../simhash';
import { TOPICS_BY_CAPABILITY } from '../topics';
import type { AccountPlan, CohortDefinition, AccountStreamItem } from '../types';
import { DAY_MS, MINUTE_MS, ModelChooser, SLOW_ADOPTER, type SimWorld } from '../world';

export interface NatSite {
  readonly kind: 'university' | 'corporate';
  readonly emailDomain: string;
  /** Accounts at scale 1. */
  readonly accounts: number;
  /** Public NAT addresses the whole site shares. */
  readonly natIps: number;
  /** First three octets of the NAT addresses. */
  readonly natPrefix: string;
  /** Documentation-range ASN of the site's network. */
  readonly asn: number;
  readonly country: string;
  /** A sign-up burst (term start, company rollout): this share of accounts is created in [fromDay, toDay] relative to the window start. */
  readonly signUpBurst: { readonly share: number; readonly fromDay: number; readonly toDay: number } | null;
}

export interface CampusNatParams {
  readonly sites: readonly NatSite[];
  /** Multiplies every site's account count. */
  readonly siteScale: number;
  /** Multiplies every site's sign-up burst share (capped at 1). */
  readonly burstShareScale: number;
  /** Problems in a site's current problem sets, and the share of homework-like conversations that paste one. */
  readonly homeworkProblems: number;
  readonly homeworkShare: number;
  /** Bits a pasted problem differs from the original (rewording), [min, max]. */
  readonly homeworkParaphraseBits: readonly [number, number];
  /** Share of students' weekday sessions on campus (behind the NAT). */
  readonly onSiteShare: number;
  /** Share of students who pay (pro, own card). */
  readonly paidStudentShare: number;
  /** Each account is active on a share of days drawn from this range. */
  readonly activeDayShare: readonly [number, number];
  /** Mean sessions on an active day beyond the first. */
  readonly extraSessions: number;
  readonly conversationEndChance: number;
  readonly turnEndChance: number;
  /** Accounts outside the burst were created this many days before the window, [min, max]. */
  readonly agedDays: readonly [number, number];
}

const ID = 'campus-nat';
const STUDENT_HOURS = new HourProfile(STUDENT_HOUR_WEIGHTS);
const WORK_HOURS = new HourProfile(WORK_HOUR_WEIGHTS);

interface HomeworkProblem {
  readonly hash: SimHash;
  readonly capability: Capability;
  readonly topic: string;
}

interface SiteState {
  readonly site: NatSite;
  readonly nat: readonly string[];
  readonly orgId: string | null;
  readonly orgPayment: string | null;
  /** This week's problem sets: many students paste the same problem, slightly reworded. */
  readonly homework: readonly HomeworkProblem[];
}

function* memberStream(
  world: SimWorld,
  accountId: string,
  state: SiteState,
  createdMs: number,
  activeFromMs: number,
  params: CampusNatParams,
  rng: Rng,
): Generator<AccountStreamItem> {
  const { site } = state;
  const student = site.kind === 'university';
  const country = countryByCode(site.country);
  const home = rng.pick(consumerNetworks(country.code, 'residential'));
  const device = { userAgent: rng.pick(USER_AGENTS.desktopBrowsers), deviceFingerprint: randomDeviceId(rng) };
  const homePresence: Presence = { ip: ipv4On(home, rng), asn: home.asn, country: country.code, ...device };
  const paid = !student || rng.chance(params.paidStudentShare);
  const rt = new AccountRuntime(
    {
      accountId,
      orgId: state.orgId,
      tier: student ? (paid ? 'pro' : 'free') : 'team',
      accountCreatedAt: iso(createdMs),
      // Corporate seats bill to the company card; students pay (or not) for themselves.
      paymentFingerprint: state.orgPayment ?? (paid ? randomPaymentId(rng) : null),
      emailDomain: site.emailDomain,
    },
    rng,
    activeFromMs,
    world.endMs,
  );
  const models = new ModelChooser(world, rng, SLOW_ADOPTER);
  const hours = student ? STUDENT_HOURS : WORK_HOURS;
  const capabilities = student ? STUDENT_CAPABILITIES : OFFICE_CAPABILITIES;
  const activeDayShare = rng.between(params.activeDayShare[0], params.activeDayShare[1]);

  for (let day = -1; day <= world.days; day++) {
    const midnight = localMidnight(world, day, country.utcOffsetHours);
    if (midnight + DAY_MS <= activeFromMs) continue;
    if (midnight >= world.endMs) return;
    const weekend = isWeekend(localWeekday(world, day));
    if (!student && weekend) continue;
    if (!rng.chance(weekend ? activeDayShare * 0.5 : activeDayShare)) continue;
    const sessions = 1 + rng.poisson(params.extraSessions);
    for (const sessionStart of hours.sampleSorted(rng, midnight, sessions)) {
      if (sessionStart < activeFromMs) continue;
      const onSite = !student || (!weekend && rng.chance(params.onSiteShare));
      const presence: Presence = onSite
        ? { ip: rng.pick(state.nat), asn: site.asn, country: country.code, ...device }
        : homePresence;
      let t = sessionStart;
      const conversations = rng.geometric(params.conversationEndChance);
      for (let c = 0; c < conversations; c++) {
        const id = rt.newConversationId();
        let conversation = ordinaryConversation(rng, world, id, capabilities);
        if (
          student &&
          (conversation.capability === 'reasoning' || conversation.capability === 'coding') &&
          rng.chance(params.homeworkShare)
        ) {
          const problem = rng.pick(state.homework);
          const [minBits, maxBits] = params.homeworkParaphraseBits;
          conversation = new Conversation(id, problem.capability, rng, {
            firstPromptHash: simHashToHex(paraphrase(problem.hash, rng.intBetween(minBits, maxBits), rng)),
            topic: problem.topic,
          });
        }
        const turns = Math.min(20, rng.geometric(params.turnEndChance));
        for (let turn = 0; turn < turns; turn++) {
          if (!rt.open(t)) return;
          yield rt.reserve(t);
          yield rt.emit(t, presence, conversation.next(rng, models.model(t, rng)));
          t = rt.nowMs + humanTurnGapMs(rng);
        }
        t += rng.exponential(6 * MINUTE_MS);
      }
    }
  }
}

export const DEFAULT_NAT_SITES: readonly NatSite[] = [
  {
    kind: 'university',
    emailDomain: 'northfield.edu',
    accounts: 600,
    natIps: 3,
    natPrefix: '192.0.2',
    asn: 64_496,
    country: 'US',
    // Term starts at the window start: most students sign up within a few days of it.
    signUpBurst: { share: 0.7, fromDay: -2, toDay: 2 },
  },
  {
    kind: 'university',
    emailDomain: 'southbank.ac.uk',
    accounts: 400,
    natIps: 2,
    natPrefix: '198.51.100',
    asn: 64_497,
    country: 'GB',
    signUpBurst: { share: 0.6, fromDay: -30, toDay: -27 },
  },
  {
    kind: 'corporate',
    emailDomain: 'hollanderwerke.de',
    accounts: 300,
    natIps: 2,
    natPrefix: '203.0.113',
    asn: 64_498,
    country: 'DE',
    // A company-wide rollout: seats provisioned on one day, all on the company card.
    signUpBurst: { share: 0.8, fromDay: -9, toDay: -8 },
  },
];

export const campusNat: CohortDefinition<CampusNatParams> = {
  id: ID,
  description:
    'Students and employees behind university or corporate NAT: hundreds of accounts on a few IPs, one email domain, sign-up bursts at term start or rollout, shared homework prompts; otherwise ordinary behaviour.',
  attack: false,
  strategy: null,
  traits: [
    'hundreds of accounts per IP',
    'sign-up bursts',
    'same email domain',
    'near-duplicate prompts across accounts (homework)',
    'one org card for hundreds of corporate seats',
  ],
  hardNegative: true,
  defaults: {
    sites: DEFAULT_NAT_SITES,
    siteScale: 1,
    burstShareScale: 1,
    homeworkProblems: 40,
    homeworkShare: 0.3,
    homeworkParaphraseBits: [2, 6],
    onSiteShare: 0.7,
    paidStudentShare: 0.2,
    activeDayShare: [0.3, 0.9],
    extraSessions: 0.8,
    conversationEndChance: 0.55,
    turnEndChance: 0.35,
    agedDays: [40, 1200],
  },
  space: {
    siteScale: num(0.3, 2.5, "multiplies every site's account count", { log: true }),
    burstShareScale: num(0.4, 1.4, "multiplies every site's sign-up burst share (capped at 1)"),
    homeworkProblems: int(5, 150, "problems in a site's current problem sets"),
    homeworkShare: share(0.05, 0.7, 'share of reasoning/coding conversations pasting a homework problem'),
    homeworkParaphraseBits: interval(0, 8, 'bits a pasted problem differs from the original', {
      integer: true,
    }),
    onSiteShare: share(0.3, 0.95, "share of students' weekday sessions on campus (behind the NAT)"),
    paidStudentShare: share(0.05, 0.6, 'share of students who pay (pro, own card)'),
    activeDayShare: interval(0.1, 1, 'each account is active on a share of days drawn from this range'),
    extraSessions: num(0.2, 3, 'mean sessions on an active day beyond the first'),
    conversationEndChance: share(0.3, 0.9, 'chance a session ends after each conversation'),
    turnEndChance: share(0.15, 0.7, 'chance a conversation ends after each turn'),
    agedDays: interval(5, 2_000, 'accounts outside the burst created this many days before the window', {
      integer: true,
      log: true,
    }),
  },
  plan(ctx, params) {
    const { world, rng } = ctx;
    const accounts: AccountPlan[] = [];
    for (const site of params.sites) {
      const corporate = site.kind === 'corporate';
      const homework: HomeworkProblem[] = Array.from({ length: params.homeworkProblems }, () => {
        const capability: Capability = rng.chance(0.6) ? 'reasoning' : 'coding';
        return { hash: randomSimHash(rng), capability, topic: rng.pick(TOPICS_BY_CAPABILITY[capability]) };
      });
      const state: SiteState = {
        site,
        nat: natAddresses(site.natPrefix, site.natIps),
        orgId: corporate ? ctx.ids.org() : null,
        orgPayment: corporate ? ctx.ids.payment() : null,
        homework,
      };
      const n = ctx.count(site.accounts * params.siteScale, 2);
      for (let m = 0; m < n; m++) {
        const i = accounts.length;
        const accountId = ctx.ids.account();
        const burst = site.signUpBurst;
        const createdMs =
          burst && rng.chance(Math.min(1, burst.share * params.burstShareScale))
            ? world.startMs + rng.between(burst.fromDay, burst.toDay) * DAY_MS
            : agedCreatedMs(rng, world, params.agedDays[0], params.agedDays[1]);
        const activeFromMs = Math.max(world.startMs, createdMs);
        accounts.push({
          truth: legitTruth(accountId, ID),
          activeFromMs,
          open: () =>
            memberStream(world, accountId, state, createdMs, activeFromMs, params, ctx.accountRng(i)),
        });
      }
    }
    return { accounts, campaigns: [] };
  },
};
