import { AccountRuntime, type Presence } from '../behaviour/account-runtime';
import { agedCreatedMs, iso, legitTruth } from '../behaviour/plan-helpers';
import { humanTurnGapMs, tokens } from '../behaviour/requests';
import { isWeekend, localMidnight, localWeekday } from '../behaviour/timing';
import { consumerNetworks, COUNTRY_TABLE, CONSUMER_EMAIL_DOMAINS, ipv4On, USER_AGENTS } from '../catalog';
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
  const homePresence: Presence = { ip: ipv4On(home, rng), asn: home.asn, country: country.code, ...device };
  const office = rng.chance(0.5) ? rng.pick(consumerNetworks(country.code, 'residential')) : null;
  const officePresence: Presence | null = office
    ? { ip: ipv4On(office, rng), asn: office.asn, country: country.code, ...device }
    : null;
  const rt = new AccountRuntime(
    {
      accountId,
      orgId: null,
      tier: rng.chance(0.8) ? 'pro' : 'api',
      accountCreatedAt: iso(createdMs),
      paymentFingerprint: randomPaymentId(rng),
      emailDomain: CONSUMER_EMAIL_DOMAINS.sample(rng),
    },
    rng,
    world.startMs,
    world.endMs,
  );
  const models = new ModelChooser(world, rng, EARLY_ADOPTER);
  const languages = rng.sample(CODING_LANGUAGES, rng.intBetween(1, 3));
  const codingTopics = languages.flatMap((l) => languageTopics(l));

  for (let day = -1; day <= world.days; day++) {
    const midnight = localMidnight(world, day, country.utcOffsetHours);
    if (midnight >= world.endMs) return;
    const weekend = isWeekend(localWeekday(world, day));
    const blocks = weekend
      ? rng.chance(0.35)
        ? [rng.pick(BLOCKS)]
        : []
      : BLOCKS.filter((_, i) => i < 2 || rng.chance(0.4));
    const presence = !weekend && officePresence && rng.chance(0.6) ? officePresence : homePresence;
    for (const [earliest, latest] of blocks) {
      let t = midnight + rng.between(earliest, latest) * HOUR_MS;
      const blockEnd = t + rng.between(1.5, 3.5) * HOUR_MS;
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
        const reasoningRequested = rng.chance(0.25);
        // The agent's system prompt, repo context and tool results make turns of one task similar.
        const base = randomSimHash(rng);
        let context = rng.intBetween(2500, 4000);
        for (let turn = 1; turn <= turns && t < blockEnd; turn++) {
          if (!rt.open(t)) return;
          const message = tokens(rng, 900, 1.0);
          const output = tokens(rng, reasoningRequested ? 700 : 380, 0.8, 5);
          yield rt.reserve(t);
          yield rt.emit(t, presence, {
            model: models.model(t, rng),
            capability: kind,
            inputTokens: context + message,
            outputTokens: output,
            promptHash: simHashToHex(paraphrase(base, rng.intBetween(3, 9), rng)),
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
          t += rng.chance(0.35) ? humanTurnGapMs(rng) : rng.logNormal(25_000, 0.6);
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
  defaults: { accounts: 100, medianTurns: 16 },
  plan(ctx, params) {
    const accounts: AccountPlan[] = [];
    const n = ctx.count(params.accounts);
    for (let i = 0; i < n; i++) {
      const accountId = ctx.ids.account();
      const createdMs = agedCreatedMs(ctx.rng, ctx.world, 30, 1000);
      accounts.push({
        truth: legitTruth(accountId, ID),
        activeFromMs: ctx.world.startMs,
        open: () => heavyCoderStream(ctx.world, accountId, createdMs, params, ctx.accountRng(i)),
      });
    }
    return { accounts, campaigns: [] };
  },
};
