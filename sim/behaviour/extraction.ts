import type { Capability } from '../../lambdas/core/contract/usage-event';
import { WeightedTable, type Rng } from '../rng';
import { paraphrase, randomSimHash, simHashToHex, type SimHash } from '../simhash';
import { TOPICS_BY_CAPABILITY } from '../topics';
import type { AccountStreamItem } from '../types';
import type { SimWorld } from '../world';
import type { AccountRuntime, Presence } from './account-runtime';
import { humanTurnGapMs, ordinaryConversation, RESOLD_CAPABILITIES, tokens } from './requests';

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
  ) {
    this.capabilities = WeightedTable.fromRecord(style.capabilityWeights);
    const sweep = (c: Capability) => {
      const topics = rt.rng.shuffle([...TOPICS_BY_CAPABILITY[c]]);
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
    if (this.style.benignShare > 0 && rng.chance(this.style.benignShare)) {
      yield* this.decoy(ms, presence, model);
      return;
    }
    const capability = this.capabilities.sample(rng);
    const templates = this.bank.byCapability[capability];
    // Skewed towards the first templates: campaigns have favourites.
    const template = templates[Math.floor(templates.length * rng.next() * rng.next())];
    if (!template) throw new Error(`campaign has no ${capability} templates`);
    const [minBits, maxBits] = this.style.paraphraseBits;
    const bits = rng.intBetween(minBits, maxBits);
    const promptHash = bits === 0 ? template.hex : simHashToHex(paraphrase(template.hash, bits, rng));
    const sweep = this.sweeps[capability];
    const topic = sweep.topics[sweep.cursor % sweep.topics.length] ?? null;
    sweep.cursor++;
    const reasoningRequested = rng.chance(this.style.reasoningRequestedShare);
    const outputMedian = this.style.outputMedian * (reasoningRequested ? 1.5 : 0.8);
    yield this.rt.emit(ms, presence, {
      model,
      capability,
      inputTokens: tokens(rng, this.style.inputMedian, 0.5, 20),
      outputTokens: tokens(rng, outputMedian, 0.45, 50, 32_000),
      promptHash,
      topic,
      conversationId: rng.chance(this.style.statelessShare) ? null : this.rt.newConversationId(),
      turn: 1,
      toolCalls: capability === 'agentic' ? 1 + rng.poisson(2) : 0,
      reasoningRequested,
    });
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
