import type { Capability } from '../../lambdas/core/contract/usage-event';
import { AccountRuntime, type Presence } from '../behaviour/account-runtime';
import { corporateDomain } from '../behaviour/attack-kit';
import { iso, legitTruth } from '../behaviour/plan-helpers';
import { Conversation, ordinaryConversation, OFFICE_CAPABILITIES } from '../behaviour/requests';
import { sessionStream } from '../behaviour/sessions';
import { HABITS_SPACE } from '../behaviour/spaces';
import { HourProfile } from '../behaviour/timing';
import { consumerNetworks, ipv4On, USER_AGENTS, WORK_HOUR_WEIGHTS } from '../catalog';
import { randomDeviceId } from '../ids';
import { interval, int, num, share } from '../params';
import type { Rng } from '../rng';
import { paraphrase, randomSimHash, simHashToHex, type SimHash } from '../simhash';
import { TOPICS_BY_CAPABILITY } from '../topics';
import type { AccountPlan, AccountStreamItem, CohortDefinition } from '../types';
import { DAY_MS, ModelChooser, SLOW_ADOPTER, type SimWorld } from '../world';

export interface SupportTeamParams {
  /** Companies with a global support or operations team. */
  readonly orgs: number;
  /** Agents per company at scale 1, [min, max], spread over three regional offices (follow the sun). */
  readonly agentsPerOrg: readonly [number, number];
  /** The team's macros (the same prompt scaffold for every ticket), and the share of tasks using one. */
  readonly macros: number;
  readonly macroShare: number;
  /** Bits a macro-based prompt differs from the macro (the ticket pasted in), [min, max]. */
  readonly macroBits: readonly [number, number];
  /** Share of agents on a hot-desk workstation shared across shifts. */
  readonly hotDeskShare: number;
  /** Tasks in a shift (sessions of a working day), and turns per task. */
  readonly sessionsPerDay: number;
  readonly taskEndChance: number;
  readonly turnEndChance: number;
  readonly agedDays: readonly [number, number];
  readonly tokenScale: number;
  readonly reasoningScale: number;
}

const ID = 'support-team';
const WORK_HOURS = new HourProfile(WORK_HOUR_WEIGHTS);
/** Americas, Europe, Asia-Pacific offices: together the team never sleeps. */
const REGIONS = [
  { utcOffsetHours: -6, country: 'US' },
  { utcOffsetHours: 1, country: 'DE' },
  { utcOffsetHours: 8, country: 'SG' },
] as const;
const MACRO_CAPABILITIES: readonly Capability[] = ['other', 'other', 'chat', 'agentic', 'reasoning'];

interface Macro {
  readonly hash: SimHash;
  readonly capability: Capability;
  readonly topic: string;
}

interface Office {
  readonly nat: readonly string[];
  readonly asn: number;
  readonly country: string;
  readonly utcOffsetHours: number;
  readonly hotDesks: readonly string[];
}

interface SupportOrg {
  readonly orgId: string;
  readonly card: string;
  readonly domain: string;
  readonly macros: readonly Macro[];
  readonly offices: readonly Office[];
  readonly createdMs: number;
}

function* agentStream(
  world: SimWorld,
  accountId: string,
  org: SupportOrg,
  office: Office,
  createdMs: number,
  params: SupportTeamParams,
  rng: Rng,
): Generator<AccountStreamItem> {
  const device = {
    userAgent: rng.pick(USER_AGENTS.desktopBrowsers),
    deviceFingerprint:
      office.hotDesks.length > 0 && rng.chance(params.hotDeskShare)
        ? rng.pick(office.hotDesks)
        : randomDeviceId(rng),
  };
  const rt = new AccountRuntime(
    {
      accountId,
      orgId: org.orgId,
      tier: 'team',
      accountCreatedAt: iso(createdMs),
      paymentFingerprint: org.card,
      emailDomain: org.domain,
    },
    rng,
    world.startMs,
    world.endMs,
  );
  const models = new ModelChooser(world, rng, SLOW_ADOPTER);
  const habits = { tokenScale: params.tokenScale, reasoningScale: params.reasoningScale };
  yield* sessionStream(
    rt,
    world,
    rng,
    {
      hours: WORK_HOURS,
      utcOffsetHours: office.utcOffsetHours,
      activeDayShare: 0.85,
      weekendFactor: 0.35,
      sessionsPerDay: params.sessionsPerDay,
      conversationEndChance: params.taskEndChance,
    },
    { fromMs: world.startMs, toMs: world.endMs },
    () => {
      const presence: Presence = {
        ip: rng.pick(office.nat),
        asn: office.asn,
        country: office.country,
        ...device,
      };
      const id = rt.newConversationId();
      const turns = Math.min(6, rng.geometric(params.turnEndChance));
      if (rng.chance(params.macroShare)) {
        const macro = rng.pick(org.macros);
        const bits = rng.intBetween(params.macroBits[0], params.macroBits[1]);
        return {
          conversation: new Conversation(id, macro.capability, rng, {
            firstPromptHash: simHashToHex(paraphrase(macro.hash, bits, rng)),
            topic: macro.topic,
            habits,
          }),
          turns,
          presence,
        };
      }
      return {
        conversation: ordinaryConversation(rng, world, id, OFFICE_CAPABILITIES, 0.03, habits),
        turns,
        presence,
      };
    },
    (t) => models.model(t, rng),
  );
}

export const supportTeam: CohortDefinition<SupportTeamParams> = {
  id: ID,
  description:
    "Global support and operations teams: agents in three regional offices working shifts, so the org runs round the clock; the team's macros as shared prompt templates, org billing on one card, office NAT, hot-desk workstations shared across shifts.",
  attack: false,
  strategy: null,
  hardNegative: true,
  traits: [
    'the org is active round the clock',
    'shared prompt templates (macros) across accounts',
    'one org card for all seats',
    'devices shared across shifts',
    'office NAT',
  ],
  defaults: {
    orgs: 4,
    agentsPerOrg: [10, 40],
    macros: 12,
    macroShare: 0.6,
    macroBits: [1, 4],
    hotDeskShare: 0.3,
    sessionsPerDay: 4,
    taskEndChance: 0.15,
    turnEndChance: 0.6,
    agedDays: [30, 900],
    tokenScale: 1,
    reasoningScale: 1,
  },
  space: {
    orgs: int(1, 10, 'companies with a global support team'),
    agentsPerOrg: interval(4, 80, 'agents per company at scale 1', { integer: true, log: true }),
    macros: int(3, 40, "the team's macros"),
    macroShare: share(0.2, 0.9, 'share of tasks using a macro'),
    macroBits: interval(0, 8, 'bits a macro-based prompt differs from the macro', { integer: true }),
    hotDeskShare: share(0, 0.8, 'share of agents on a hot-desk workstation shared across shifts'),
    sessionsPerDay: num(1, 8, 'sessions in a working day'),
    taskEndChance: share(0.05, 0.5, 'chance a session ends after each task'),
    turnEndChance: share(0.3, 0.9, 'chance a task ends after each turn'),
    agedDays: interval(2, 1_500, 'seats created this many days before the window', {
      integer: true,
      log: true,
    }),
    ...HABITS_SPACE,
  },
  plan(ctx, params) {
    const { world, rng } = ctx;
    const accounts: AccountPlan[] = [];
    const orgs = ctx.count(params.orgs);
    for (let o = 0; o < orgs; o++) {
      const org: SupportOrg = {
        orgId: ctx.ids.org(),
        card: ctx.ids.payment(),
        domain: corporateDomain(rng),
        macros: Array.from({ length: Math.max(1, params.macros) }, () => {
          const capability = rng.pick(MACRO_CAPABILITIES);
          return { hash: randomSimHash(rng), capability, topic: rng.pick(TOPICS_BY_CAPABILITY[capability]) };
        }),
        offices: REGIONS.map((region) => {
          // A business line from a local ISP: its addresses look like anyone else's on that network.
          const network = rng.pick(consumerNetworks(region.country, 'residential'));
          return {
            nat: Array.from({ length: rng.intBetween(1, 2) }, () => ipv4On(network, rng)),
            asn: network.asn,
            country: region.country,
            utcOffsetHours: region.utcOffsetHours,
            hotDesks: Array.from({ length: rng.intBetween(1, 6) }, () => ctx.ids.device()),
          };
        }),
        createdMs: world.startMs - rng.between(params.agedDays[0], params.agedDays[1]) * DAY_MS,
      };
      const n = ctx.count(rng.intBetween(params.agentsPerOrg[0], params.agentsPerOrg[1]), 3);
      for (let a = 0; a < n; a++) {
        const i = accounts.length;
        const accountId = ctx.ids.account();
        const office = org.offices[a % org.offices.length] as Office;
        const createdMs = Math.min(
          world.startMs,
          org.createdMs + rng.between(0, params.agedDays[0]) * DAY_MS,
        );
        accounts.push({
          truth: legitTruth(accountId, ID),
          activeFromMs: world.startMs,
          open: () => agentStream(world, accountId, org, office, createdMs, params, ctx.accountRng(i)),
        });
      }
    }
    return { accounts, campaigns: [] };
  },
};
