import type { Capability } from '../../lambdas/core/contract/usage-event';
import { AccountRuntime, type Presence } from '../behaviour/account-runtime';
import { iso, legitTruth } from '../behaviour/plan-helpers';
import { Conversation, tokens } from '../behaviour/requests';
import { HABITS_SPACE } from '../behaviour/spaces';
import { consumerNetworks, CONSUMER_EMAIL_DOMAINS, countryByCode, ipv4On, USER_AGENTS } from '../catalog';
import { randomDeviceId, randomPaymentId } from '../ids';
import { interval, int, num, share } from '../params';
import type { Rng } from '../rng';
import { paraphrase, randomSimHash, simHashToHex, type SimHash } from '../simhash';
import { TOPICS_BY_CAPABILITY } from '../topics';
import type { AccountPlan, AccountStreamItem, CohortDefinition } from '../types';
import { DAY_MS, EARLY_ADOPTER, HOUR_MS, MINUTE_MS, ModelChooser, type SimWorld } from '../world';

export interface HackathonParams {
  /** Hackathons in the window. */
  readonly events: number;
  /** Participants per hackathon at scale 1, [min, max]. */
  readonly participants: readonly [number, number];
  /** Hours a hackathon runs, [min, max]. */
  readonly durationHours: readonly [number, number];
  /** Share of participants who sign up in the hours before the start (the rest had accounts). */
  readonly newAccountShare: number;
  /** Team sizes, [min, max]; share of teams sharing one laptop, and one card. */
  readonly teamSize: readonly [number, number];
  readonly sharedLaptopShare: number;
  readonly sharedCardShare: number;
  /** Share of hacking hours at the venue (behind its NAT) rather than at home. */
  readonly venueShare: number;
  /** Starter prompts of the sponsor's kit everyone begins with, and the share of tasks opening with one. */
  readonly starterPrompts: number;
  readonly starterShare: number;
  /** Tasks a participant starts an hour while hacking, and the chance they nap in a given hour. */
  readonly tasksPerHour: number;
  readonly sleepShare: number;
  /** Median turns of one coding task. */
  readonly medianTurns: number;
  readonly tokenScale: number;
  readonly reasoningScale: number;
}

const ID = 'hackathon';
const HACK_CAPABILITIES: readonly Capability[] = ['coding', 'coding', 'coding', 'agentic', 'reasoning'];
const VENUE_COUNTRIES = ['US', 'GB', 'DE', 'IN', 'FR', 'CA', 'SG'];

interface Hackathon {
  readonly startMs: number;
  readonly endMs: number;
  readonly country: string;
  readonly venue: readonly string[];
  readonly venueAsn: number;
  readonly starters: readonly {
    readonly hash: SimHash;
    readonly capability: Capability;
    readonly topic: string;
  }[];
}

interface Team {
  readonly laptop: string | null;
  readonly card: string | null;
}

function* hackerStream(
  world: SimWorld,
  accountId: string,
  hack: Hackathon,
  team: Team,
  createdMs: number,
  params: HackathonParams,
  rng: Rng,
): Generator<AccountStreamItem> {
  const country = countryByCode(hack.country);
  const home = rng.pick(consumerNetworks(country.code, 'residential'));
  const device = {
    userAgent: rng.pick([...USER_AGENTS.codingAgents, ...USER_AGENTS.desktopBrowsers]),
    deviceFingerprint: team.laptop ?? randomDeviceId(rng),
  };
  const homePresence: Presence = { ip: ipv4On(home, rng), asn: home.asn, country: country.code, ...device };
  const card = team.card ?? (rng.chance(0.5) ? randomPaymentId(rng) : null);
  const activeFromMs = Math.max(world.startMs, hack.startMs, createdMs);
  const rt = new AccountRuntime(
    {
      accountId,
      orgId: null,
      tier: card ? 'pro' : 'free',
      accountCreatedAt: iso(createdMs),
      paymentFingerprint: card,
      emailDomain: CONSUMER_EMAIL_DOMAINS.sample(rng),
    },
    rng,
    activeFromMs,
    world.endMs,
  );
  const models = new ModelChooser(world, rng, EARLY_ADOPTER);
  const habits = { tokenScale: params.tokenScale, reasoningScale: params.reasoningScale };
  let t = activeFromMs + rng.exponential(20 * MINUTE_MS);
  // Round the clock while the event runs: hour by hour, a few naps.
  while (t < Math.min(hack.endMs, world.endMs)) {
    const hourEnd = t + HOUR_MS;
    if (rng.chance(params.sleepShare)) {
      t = hourEnd + rng.between(0, 3) * HOUR_MS;
      continue;
    }
    const presence: Presence = rng.chance(params.venueShare)
      ? { ip: rng.pick(hack.venue), asn: hack.venueAsn, country: country.code, ...device }
      : homePresence;
    const tasks = rng.poisson(params.tasksPerHour);
    for (let k = 0; k < tasks && t < hourEnd; k++) {
      const id = rt.newConversationId();
      const starter = rng.chance(params.starterShare) ? rng.pick(hack.starters) : null;
      const capability = starter?.capability ?? rng.pick(HACK_CAPABILITIES);
      const conversation = new Conversation(id, capability, rng, {
        ...(starter
          ? {
              firstPromptHash: simHashToHex(paraphrase(starter.hash, rng.intBetween(0, 2), rng)),
              topic: starter.topic,
            }
          : {}),
        habits,
      });
      const turns = Math.min(60, Math.max(1, Math.round(rng.logNormal(params.medianTurns, 0.7))));
      for (let turn = 0; turn < turns; turn++) {
        if (!rt.open(t) || t >= hack.endMs) return;
        yield rt.reserve(t);
        yield rt.emit(t, presence, conversation.next(rng, models.model(t, rng)));
        t = rt.nowMs + Math.min(15 * MINUTE_MS, tokens(rng, 40_000, 0.9, 3_000));
      }
      t += rng.exponential(6 * MINUTE_MS);
    }
    t = Math.max(t, hourEnd);
  }
}

export const hackathon: CohortDefinition<HackathonParams> = {
  id: ID,
  description:
    "Hackathon participants: a burst of sign-ups hours before the start, the sponsor's starter prompts sent by everyone, coding and agentic work round the clock for a day or two behind the venue's NAT, teams sharing a laptop or a card.",
  attack: false,
  strategy: null,
  hardNegative: true,
  traits: [
    'sign-up burst',
    'the same starter prompts across accounts',
    'round the clock, no diurnal rest',
    'shared venue IPs',
    'teams sharing a device or a card',
    'new accounts',
  ],
  defaults: {
    events: 1,
    participants: [60, 250],
    durationHours: [24, 48],
    newAccountShare: 0.5,
    teamSize: [2, 5],
    sharedLaptopShare: 0.2,
    sharedCardShare: 0.15,
    venueShare: 0.8,
    starterPrompts: 12,
    starterShare: 0.2,
    tasksPerHour: 1.5,
    sleepShare: 0.2,
    medianTurns: 8,
    tokenScale: 1,
    reasoningScale: 1,
  },
  space: {
    events: int(1, 3, 'hackathons in the window'),
    participants: interval(20, 400, 'participants per hackathon at scale 1', { integer: true, log: true }),
    durationHours: interval(12, 60, 'hours a hackathon runs'),
    newAccountShare: share(0.1, 0.9, 'share of participants signing up in the hours before the start'),
    teamSize: interval(1, 6, 'team sizes', { integer: true }),
    sharedLaptopShare: share(0, 0.5, 'share of teams sharing one laptop'),
    sharedCardShare: share(0, 0.5, 'share of teams sharing one card'),
    venueShare: share(0.3, 1, 'share of hacking hours at the venue (behind its NAT)'),
    starterPrompts: int(3, 40, "starter prompts in the sponsor's kit"),
    starterShare: share(0.05, 0.6, 'share of tasks opening with a starter prompt'),
    tasksPerHour: num(0.5, 4, 'tasks started an hour while hacking'),
    sleepShare: share(0.05, 0.5, 'chance a participant naps in a given hour'),
    medianTurns: num(2, 25, 'median turns of one coding task', { log: true }),
    ...HABITS_SPACE,
  },
  plan(ctx, params) {
    const { world, rng } = ctx;
    const accounts: AccountPlan[] = [];
    for (let e = 0; e < Math.max(1, params.events); e++) {
      const duration = rng.between(params.durationHours[0], params.durationHours[1]) * HOUR_MS;
      const startMs =
        world.startMs + rng.next() * Math.max(HOUR_MS, world.endMs - world.startMs - duration / 2);
      const country = rng.pick(VENUE_COUNTRIES);
      // The venue's uplink: a business line on a local ISP.
      const uplink = rng.pick(consumerNetworks(country, 'residential'));
      const hack: Hackathon = {
        startMs,
        endMs: startMs + duration,
        country,
        venue: Array.from({ length: rng.intBetween(1, 3) }, () => ipv4On(uplink, rng)),
        venueAsn: uplink.asn,
        starters: Array.from({ length: Math.max(1, params.starterPrompts) }, () => {
          const capability = rng.pick(HACK_CAPABILITIES);
          return { hash: randomSimHash(rng), capability, topic: rng.pick(TOPICS_BY_CAPABILITY[capability]) };
        }),
      };
      const n = ctx.count(rng.intBetween(params.participants[0], params.participants[1]), 2);
      let team: Team = { laptop: null, card: null };
      let teamLeft = 0;
      for (let p = 0; p < n; p++) {
        if (teamLeft <= 0) {
          team = {
            laptop: rng.chance(params.sharedLaptopShare) ? ctx.ids.device() : null,
            card: rng.chance(params.sharedCardShare) ? ctx.ids.payment() : null,
          };
          teamLeft = rng.intBetween(params.teamSize[0], params.teamSize[1]);
        }
        teamLeft--;
        const i = accounts.length;
        const accountId = ctx.ids.account();
        const createdMs = rng.chance(params.newAccountShare)
          ? startMs - rng.exponential(4) * HOUR_MS
          : world.startMs - rng.between(5, 1_000) * DAY_MS;
        const activeFromMs = Math.max(world.startMs, startMs, createdMs);
        if (activeFromMs >= world.endMs) continue;
        const teamNow = team;
        accounts.push({
          truth: legitTruth(accountId, ID),
          activeFromMs,
          open: () => hackerStream(world, accountId, hack, teamNow, createdMs, params, ctx.accountRng(i)),
        });
      }
    }
    return { accounts, campaigns: [] };
  },
};
