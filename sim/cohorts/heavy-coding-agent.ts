import { AccountRuntime, type Presence } from '../behaviour/account-runtime';
import { agedCreatedMs, iso, legitTruth } from '../behaviour/plan-helpers';
import { humanTurnGapMs, tokens } from '../behaviour/requests';
import { isWeekend, localMidnight, localWeekday } from '../behaviour/timing';
import {
  CLOUD_ASNS,
  consumerNetworks,
  COUNTRY_TABLE,
  CONSUMER_EMAIL_DOMAINS,
  HOSTING_ASNS,
  ipv4On,
  networkByAsn,
  USER_AGENTS,
} from '../catalog';
import { interval, int, num, share } from '../params';
import { randomDeviceId, randomPaymentId } from '../ids';
import { WeightedTable, type Rng } from '../rng';
import { paraphrase, randomSimHash, simHashToHex } from '../simhash';
import { CODING_LANGUAGES, languageTopics, TOPICS_BY_CAPABILITY } from '../topics';
import type { AccountPlan, CohortDefinition, AccountStreamItem } from '../types';
import { EARLY_ADOPTER, HOUR_MS, MINUTE_MS, ModelChooser, type SimWorld } from '../world';

export interface HeavyCodingAgentParams {
  /** Accounts at scale 1. */
  readonly accounts: number;
  /** Median turns of one agent task (a conversation). */
  readonly medianTurns: number;
  /** Accounts were created this many days before the window, [min, max]. */
  readonly agedDays: readonly [number, number];
  /** Share on the pro tier (the rest use the api tier). */
  readonly proShare: number;
  /** Languages a developer works in, [min, max]. */
  readonly languages: readonly [number, number];
  /** Share with an office network besides home, and the share of workdays spent there. */
  readonly officeShare: number;
  readonly officeDayShare: number;
  /** Share who run their agent from a cloud or hosting VM rather than their own machine. */
  readonly vpsShare: number;
  /** Chance of an evening block on a workday, and of one block on a weekend day. */
  readonly eveningBlockChance: number;
  readonly weekendChance: number;
  /** Length of a work block, [min, max] hours. */
  readonly blockHours: readonly [number, number];
  /** Share of tasks asking for visible reasoning. */
  readonly reasoningShare: number;
  /** Bits between the prompt hashes of one task's turns (system prompt and repo context repeat), [min, max]. */
  readonly turnParaphraseBits: readonly [number, number];
  /** Median new tokens per turn (besides the resent context). */
  readonly messageMedian: number;
  /** Share of turns where the human reads and steers (the rest are quick tool loops). */
  readonly humanSteerShare: number;
}

const ID = 'heavy-coding-agent';

const TASK_KINDS = WeightedTable.fromRecord({ coding: 62, agentic: 33, reasoning: 5 });
const AGENTIC_TOPICS = TOPICS_BY_CAPABILITY.agentic.filter((t) => /\.(code|shell|tools)\./.test(t));

/** Work blocks: [earliest start, latest start] local hour. */
const BLOCKS: readonly (readonly [number, number])[] = [
  [8.5, 10.5],
  [13, 15],
  [19.5, 21.5],
];

function* heavyCoderStream(
  world: SimWorld,
  accountId: string,
  createdMs: number,
  params: HeavyCodingAgentParams,
  rng: Rng,
): Generator<AccountStreamItem> {
  const country = COUNTRY_TABLE.sample(rng);
  const home = rng.pick(consumerNetworks(country.code, 'residential'));
  // One stable device and card; the office network on some weekdays.
  const device = { userAgent: rng.pick(USER_AGENTS.codingAgents), deviceFingerprint: randomDeviceId(rng) };
  let homePresence: Presence = { ip: ipv4On(home, rng), asn: home.asn, country: country.code, ...device };
  const office = rng.chance(params.officeShare)
    ? rng.pick(consumerNetworks(country.code, 'residential'))
    : null;
  const officePresence: Presence | null = office
    ? { ip: ipv4On(office, rng), asn: office.asn, country: country.code, ...device }
    : null;
  if (params.vpsShare > 0 && rng.chance(params.vpsShare)) {
    // The agent runs on a rented VM: a cloud or hosting address, the same one all week.
    const vm = networkByAsn(rng.pick([...CLOUD_ASNS, ...HOSTING_ASNS]));
    homePresence = { ip: ipv4On(vm, rng), asn: vm.asn, country: vm.country, ...device };
  }
  const rt = new AccountRuntime(
    {
      accountId,
      orgId: null,
      tier: rng.chance(params.proShare) ? 'pro' : 'api',
      accountCreatedAt: iso(createdMs),
      paymentFingerprint: randomPaymentId(rng),
      emailDomain: CONSUMER_EMAIL_DOMAINS.sample(rng),
    },
    rng,
    world.startMs,
    world.endMs,
  );
  const models = new ModelChooser(world, rng, EARLY_ADOPTER);
  const languages = rng.sample(CODING_LANGUAGES, rng.intBetween(params.languages[0], params.languages[1]));
  const codingTopics = languages.flatMap((l) => languageTopics(l));

  for (let day = -1; day <= world.days; day++) {
    const midnight = localMidnight(world, day, country.utcOffsetHours);
    if (midnight >= world.endMs) return;
    const weekend = isWeekend(localWeekday(world, day));
    const blocks = weekend
      ? rng.chance(params.weekendChance)
        ? [rng.pick(BLOCKS)]
        : []
      : BLOCKS.filter((_, i) => i < 2 || rng.chance(params.eveningBlockChance));
    const presence =
      !weekend && officePresence && rng.chance(params.officeDayShare) ? officePresence : homePresence;
    for (const [earliest, latest] of blocks) {
      let t = midnight + rng.between(earliest, latest) * HOUR_MS;
      const blockEnd = t + rng.between(params.blockHours[0], params.blockHours[1]) * HOUR_MS;
      // Blocks that began before the window are left out whole, so every conversation starts at turn 1.
      if (t < world.startMs) continue;
      while (t < blockEnd) {
        const kind = TASK_KINDS.sample(rng);
        const topic =
          kind === 'coding'
            ? rng.pick(codingTopics)
            : kind === 'agentic'
              ? rng.pick(AGENTIC_TOPICS)
              : rng.pick(TOPICS_BY_CAPABILITY.reasoning);
        const conversationId = rt.newConversationId();
        const turns = Math.min(150, Math.max(2, Math.round(rng.logNormal(params.medianTurns, 0.7))));
        const reasoningRequested = rng.chance(params.reasoningShare);
        // The agent's system prompt, repo context and tool results make turns of one task similar.
        const base = randomSimHash(rng);
        let context = rng.intBetween(2500, 4000);
        for (let turn = 1; turn <= turns && t < blockEnd; turn++) {
          if (!rt.open(t)) return;
          const message = tokens(rng, params.messageMedian, 1.0);
          const output = tokens(rng, reasoningRequested ? 700 : 380, 0.8, 5);
          yield rt.reserve(t);
          yield rt.emit(t, presence, {
            model: models.model(t, rng),
            capability: kind,
            inputTokens: context + message,
            outputTokens: output,
            promptHash: simHashToHex(
              paraphrase(
                base,
                rng.intBetween(params.turnParaphraseBits[0], params.turnParaphraseBits[1]),
                rng,
              ),
            ),
            topic,
            conversationId,
            turn,
            toolCalls: kind === 'agentic' ? 1 + rng.poisson(2.5) : kind === 'coding' ? rng.poisson(1.2) : 0,
            reasoningRequested,
          });
          t = rt.nowMs;
          context += message + output;
          // Context compaction when the window fills.
          if (context > 160_000) context = rng.intBetween(20_000, 30_000);
          // Tool loops are quick; sometimes the human reads and steers.
          t += rng.chance(params.humanSteerShare) ? humanTurnGapMs(rng) : rng.logNormal(25_000, 0.6);
        }
        t += rng.exponential(12 * MINUTE_MS);
      }
    }
  }
}

export const heavyCodingAgent: CohortDefinition<HeavyCodingAgentParams> = {
  id: ID,
  description:
    'Developers driving a coding agent: hundreds of coding/agentic requests on workdays, long multi-turn tasks with many tool calls, diurnal rest, one stable device and card.',
  attack: false,
  strategy: null,
  traits: [
    'high volume',
    'coding and agentic focus',
    'reasoning requested at times',
    'adopts new models early',
  ],
  hardNegative: true,
  defaults: {
    accounts: 100,
    medianTurns: 16,
    agedDays: [30, 1000],
    proShare: 0.8,
    languages: [1, 3],
    officeShare: 0.5,
    officeDayShare: 0.6,
    vpsShare: 0,
    eveningBlockChance: 0.4,
    weekendChance: 0.35,
    blockHours: [1.5, 3.5],
    reasoningShare: 0.25,
    turnParaphraseBits: [3, 9],
    messageMedian: 900,
    humanSteerShare: 0.35,
  },
  space: {
    accounts: int(30, 250, 'accounts at scale 1'),
    medianTurns: num(4, 45, 'median turns of one agent task', { log: true }),
    agedDays: interval(2, 2_000, 'accounts created this many days before the window', {
      integer: true,
      log: true,
    }),
    proShare: share(0.3, 1, 'share on the pro tier (the rest api)'),
    languages: interval(1, 5, 'languages a developer works in', { integer: true }),
    officeShare: share(0, 0.9, 'share with an office network besides home'),
    officeDayShare: share(0.2, 0.9, 'share of workdays at the office'),
    vpsShare: share(0, 0.35, 'share running their agent on a cloud or hosting VM'),
    eveningBlockChance: share(0.1, 0.9, 'chance of an evening work block on a workday'),
    weekendChance: share(0.05, 0.9, 'chance of a work block on a weekend day'),
    blockHours: interval(0.5, 6, 'length of a work block, hours'),
    reasoningShare: share(0.05, 0.7, 'share of tasks asking for visible reasoning'),
    turnParaphraseBits: interval(1, 14, "bits between the prompt hashes of one task's turns", {
      integer: true,
    }),
    messageMedian: num(250, 3_000, 'median new tokens per turn', { log: true }),
    humanSteerShare: share(0.05, 0.8, 'share of turns where the human reads and steers'),
  },
  plan(ctx, params) {
    const accounts: AccountPlan[] = [];
    const n = ctx.count(params.accounts);
    for (let i = 0; i < n; i++) {
      const accountId = ctx.ids.account();
      const createdMs = agedCreatedMs(ctx.rng, ctx.world, params.agedDays[0], params.agedDays[1]);
      accounts.push({
        truth: legitTruth(accountId, ID),
        activeFromMs: ctx.world.startMs,
        open: () => heavyCoderStream(ctx.world, accountId, createdMs, params, ctx.accountRng(i)),
      });
    }
    return { accounts, campaigns: [] };
  },
};
