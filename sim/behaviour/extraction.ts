import { WeightedTable, type Rng } from '../rng';
import { paraphrase, randomSimHash, simHashToHex, type SimHash } from '../simhash';
import { TOPICS_BY_CAPABILITY } from '../topics';
import type { AccountStreamItem } from '../types';
import type { SimWorld } from '../world';
import type { AccountRuntime, Presence, RequestShape } from './account-runtime';
import { Conversation, humanTurnGapMs, ordinaryConversation, RESOLD_CAPABILITIES, tokens } from './requests';

export type ExtractionCapability = 'reasoning' | 'coding' | 'agentic';

/**
 * How an extraction campaign asks. The report's profile (reasoning, programming and agentic
 * tasks; chain-of-thought elicitation; templated prompts; single-turn; long answers to short
 * prompts) with knobs, so each strategy can be more or less blatant.
 */
export interface ExtractionStyle {
  readonly capabilityWeights: Readonly<Record<ExtractionCapability, number>>;
  /** Share of extraction requests that ask for visible chain-of-thought. */
  readonly reasoningRequestedShare: number;
  /** Bits flipped from the template per request, [min, max]; [0, 0] reuses templates verbatim. */
  readonly paraphraseBits: readonly [number, number];
  /** Share of request slots spent on a benign-looking ordinary conversation (decoys, resold traffic). */
  readonly benignShare: number;
  /** Share of extraction requests sent without a conversation id (the rest get a fresh id, turn 1). */
  readonly statelessShare: number;
  readonly inputMedian: number;
  readonly outputMedian: number;
  /**
   * Share of extraction requests that open a conversation with follow-ups ("now prove step 3"):
   * `multiTurnTurns` turns on one topic under one conversation id. @default 0
   */
  readonly multiTurnShare?: number;
  /** Turns of a multi-turn extraction, [min, max]. @default [2, 4] */
  readonly multiTurnTurns?: readonly [number, number];
  /** Seconds between a multi-turn extraction's turns, [min, max] (scripts are quick). @default [3, 40] */
  readonly followUpSeconds?: readonly [number, number];
  /**
   * Share of request slots spent on public prompts as camouflage: public benchmark items verbatim
   * (what researchers send) or popular prompts (what everyone sends). @default 0
   */
  readonly publicShare?: number;
  /**
   * Share of extraction requests built on the campaign's templates; the rest are one-off prompts
   * (a generator that writes every prompt afresh leaves no template to match). @default 1
   */
  readonly templateShare?: number;
  /** Share of each capability's topics an account sweeps (a random subset of them). @default 1 */
  readonly topicBreadth?: number;
}

/** Per-account restrictions of an extractor (a syllabus split across accounts). */
export interface ExtractorOptions {
  /** The topics this account covers, per capability; others keep the style's sweep. */
  readonly topics?: Partial<Readonly<Record<ExtractionCapability, readonly string[]>>>;
}

export const BLATANT_STYLE: ExtractionStyle = {
  capabilityWeights: { reasoning: 50, coding: 35, agentic: 15 },
  reasoningRequestedShare: 0.9,
  paraphraseBits: [0, 1],
  benignShare: 0,
  statelessShare: 0.9,
  inputMedian: 220,
  outputMedian: 2400,
};

interface Template {
  readonly hash: SimHash;
  readonly hex: string;
}

/** A campaign's prompt templates, per capability. */
export class TemplateBank {
  readonly byCapability: Readonly<Record<ExtractionCapability, readonly Template[]>>;

  constructor(rng: Rng, perCapability: number) {
    const make = (): Template[] =>
      Array.from({ length: perCapability }, () => {
        const hash = randomSimHash(rng);
        return { hash, hex: simHashToHex(hash) };
      });
    this.byCapability = { reasoning: make(), coding: make(), agentic: make() };
  }

  all(): SimHash[] {
    return Object.values(this.byCapability).flatMap((ts) => ts.map((t) => t.hash));
  }
}

/**
 * One attacker account's request maker: picks a template (skewed towards a campaign's favourites),
 * paraphrases it, and sweeps the capability's topics in a shuffled order so that each account covers
 * many topics.
 */
export class Extractor {
  private readonly capabilities: WeightedTable<ExtractionCapability>;
  private readonly sweeps: Record<ExtractionCapability, { topics: string[]; cursor: number }>;

  constructor(
    private readonly rt: AccountRuntime,
    private readonly world: SimWorld,
    private readonly style: ExtractionStyle,
    private readonly bank: TemplateBank,
    options: ExtractorOptions = {},
  ) {
    this.capabilities = WeightedTable.fromRecord(style.capabilityWeights);
    const breadth = style.topicBreadth ?? 1;
    const sweep = (c: ExtractionCapability) => {
      let topics = rt.rng.shuffle([...(options.topics?.[c] ?? TOPICS_BY_CAPABILITY[c])]);
      if (breadth < 1 && !options.topics?.[c]) {
        topics = topics.slice(0, Math.max(1, Math.ceil(topics.length * breadth)));
      }
      return { topics, cursor: rt.rng.int(topics.length) };
    };
    this.sweeps = { reasoning: sweep('reasoning'), coding: sweep('coding'), agentic: sweep('agentic') };
  }

  /**
   * The events of one request slot at `ms`: one extraction request, or a short decoy conversation.
   * The caller has already yielded `rt.reserve(ms)`.
   */
  *at(ms: number, presence: Presence, model: string): Generator<AccountStreamItem> {
    const rng = this.rt.rng;
    const style = this.style;
    if (style.benignShare > 0 && rng.chance(style.benignShare)) {
      yield* this.decoy(ms, presence, model);
      return;
    }
    const publicShare = style.publicShare ?? 0;
    if (publicShare > 0 && rng.chance(publicShare)) {
      yield this.rt.emit(ms, presence, this.publicPrompt(model));
      return;
    }
    const capability = this.capabilities.sample(rng);
    const templateShare = style.templateShare ?? 1;
    let promptHash: string;
    if (templateShare < 1 && !rng.chance(templateShare)) {
      // A prompt written afresh: no template to match it to.
      promptHash = simHashToHex(randomSimHash(rng));
    } else {
      const templates = this.bank.byCapability[capability];
      // Skewed towards the first templates: campaigns have favourites.
      const template = templates[Math.floor(templates.length * rng.next() * rng.next())];
      if (!template) throw new Error(`campaign has no ${capability} templates`);
      const [minBits, maxBits] = style.paraphraseBits;
      const bits = rng.intBetween(minBits, maxBits);
      promptHash = bits === 0 ? template.hex : simHashToHex(paraphrase(template.hash, bits, rng));
    }
    const sweep = this.sweeps[capability];
    const topic = sweep.topics[sweep.cursor % sweep.topics.length] ?? null;
    sweep.cursor++;
    const reasoningRequested = rng.chance(style.reasoningRequestedShare);
    const outputMedian = style.outputMedian * (reasoningRequested ? 1.5 : 0.8);
    const multiTurnShare = style.multiTurnShare ?? 0;
    const [minTurns, maxTurns] = style.multiTurnTurns ?? [2, 4];
    const turns = multiTurnShare > 0 && rng.chance(multiTurnShare) ? rng.intBetween(minTurns, maxTurns) : 1;
    const inputTokens = tokens(rng, style.inputMedian, 0.5, 20);
    const outputTokens = tokens(rng, outputMedian, 0.45, 50, 32_000);
    const stateless = turns === 1 && rng.chance(style.statelessShare);
    const conversationId = stateless ? null : this.rt.newConversationId();
    yield this.rt.emit(ms, presence, {
      model,
      capability,
      inputTokens,
      outputTokens,
      promptHash,
      topic,
      conversationId,
      turn: 1,
      toolCalls: capability === 'agentic' ? 1 + rng.poisson(2) : 0,
      reasoningRequested,
    });
    // Follow-ups: short new messages on the same topic, the whole context resent, long answers.
    let context = inputTokens + outputTokens;
    const [minGap, maxGap] = style.followUpSeconds ?? [3, 40];
    for (let turn = 2; turn <= turns; turn++) {
      const t = this.rt.nowMs + rng.between(minGap, maxGap) * 1000;
      if (!this.rt.open(t)) return;
      yield this.rt.reserve(t);
      const message = tokens(rng, 60, 0.7, 5);
      const output = tokens(rng, outputMedian, 0.45, 50, 32_000);
      yield this.rt.emit(t, presence, {
        model,
        capability,
        inputTokens: context + message,
        outputTokens: output,
        promptHash: simHashToHex(randomSimHash(rng)),
        topic,
        conversationId,
        turn,
        toolCalls: capability === 'agentic' ? 1 + rng.poisson(2) : 0,
        reasoningRequested,
      });
      context = Math.min(120_000, context + message + output);
    }
  }

  /** A public prompt as camouflage: a benchmark item verbatim, or a popular prompt reworded. */
  private publicPrompt(model: string): RequestShape {
    const rng = this.rt.rng;
    if (rng.chance(0.5)) {
      const benchmark = rng.pick(this.world.benchmarks);
      const item = rng.pick(benchmark.items);
      const reasoningRequested = rng.chance(this.style.reasoningRequestedShare);
      return {
        model,
        capability: benchmark.capability,
        inputTokens: item.inputTokens,
        outputTokens: tokens(rng, reasoningRequested ? 1_400 : 500, 0.7, 5, 32_000),
        promptHash: simHashToHex(item.hash),
        topic: item.topic,
        conversationId: null,
        turn: 1,
        toolCalls: benchmark.capability === 'agentic' ? 1 + rng.poisson(2) : 0,
        reasoningRequested,
      };
    }
    const popular = rng.pick(this.world.popularPrompts);
    const conversation = new Conversation(this.rt.newConversationId(), popular.capability, rng, {
      firstPromptHash: simHashToHex(paraphrase(popular.hash, rng.intBetween(1, 5), rng)),
      topic: popular.topic,
    });
    return conversation.next(rng, model);
  }

  private *decoy(ms: number, presence: Presence, model: string): Generator<AccountStreamItem> {
    const rng = this.rt.rng;
    const conversation = ordinaryConversation(
      rng,
      this.world,
      this.rt.newConversationId(),
      RESOLD_CAPABILITIES,
    );
    const turns = Math.min(6, rng.geometric(0.5));
    let t = ms;
    for (let i = 0; i < turns && this.rt.open(t); i++) {
      if (i > 0) yield this.rt.reserve(t);
      yield this.rt.emit(t, presence, conversation.next(rng, model));
      t = this.rt.nowMs + humanTurnGapMs(rng);
    }
  }
}
