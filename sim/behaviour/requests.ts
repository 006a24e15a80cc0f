import type { Capability } from '../../lambdas/core/contract/usage-event';
import { WeightedTable, type Rng } from '../rng';
import { paraphrase, randomSimHash, simHashToHex } from '../simhash';
import { TOPICS_BY_CAPABILITY } from '../topics';
import type { SimWorld } from '../world';
import type { RequestShape } from './account-runtime';

/** A token count: log-normal around `median`, clamped to [min, max]. */
export function tokens(rng: Rng, median: number, sigma: number, min = 1, max = 200_000): number {
  return Math.min(max, Math.max(min, Math.round(rng.logNormal(median, sigma))));
}

interface TokenProfile {
  readonly inputMedian: number;
  readonly inputSigma: number;
  readonly outputMedian: number;
  readonly outputSigma: number;
  /** Chance the user asks for visible step-by-step reasoning in a conversation of this kind. */
  readonly reasoningShare: number;
}

/** Per-message sizes of ordinary use, by capability. */
export const ORDINARY_PROFILES: Readonly<Record<Capability, TokenProfile>> = {
  chat: { inputMedian: 60, inputSigma: 0.9, outputMedian: 280, outputSigma: 0.7, reasoningShare: 0.03 },
  creative: { inputMedian: 90, inputSigma: 0.9, outputMedian: 650, outputSigma: 0.6, reasoningShare: 0.02 },
  other: { inputMedian: 350, inputSigma: 1.1, outputMedian: 300, outputSigma: 0.8, reasoningShare: 0.03 },
  coding: { inputMedian: 260, inputSigma: 1.0, outputMedian: 550, outputSigma: 0.7, reasoningShare: 0.12 },
  reasoning: { inputMedian: 120, inputSigma: 0.8, outputMedian: 450, outputSigma: 0.7, reasoningShare: 0.35 },
  agentic: { inputMedian: 600, inputSigma: 0.9, outputMedian: 400, outputSigma: 0.7, reasoningShare: 0.15 },
};

/** What casual users ask about. */
export const CASUAL_CAPABILITY_WEIGHTS: Readonly<Record<Capability, number>> = {
  chat: 44,
  creative: 14,
  other: 14,
  coding: 12,
  reasoning: 12,
  agentic: 4,
};
export const CASUAL_CAPABILITIES = WeightedTable.fromRecord(CASUAL_CAPABILITY_WEIGHTS);

/** Students: more homework (reasoning) and programming. */
export const STUDENT_CAPABILITY_WEIGHTS: Readonly<Record<Capability, number>> = {
  chat: 22,
  creative: 8,
  other: 18,
  coding: 24,
  reasoning: 26,
  agentic: 2,
};
export const STUDENT_CAPABILITIES = WeightedTable.fromRecord(STUDENT_CAPABILITY_WEIGHTS);

/** Office workers. */
export const OFFICE_CAPABILITY_WEIGHTS: Readonly<Record<Capability, number>> = {
  chat: 10,
  creative: 8,
  other: 38,
  coding: 26,
  reasoning: 10,
  agentic: 8,
};
export const OFFICE_CAPABILITIES = WeightedTable.fromRecord(OFFICE_CAPABILITY_WEIGHTS);

/** The mixed, resold traffic of a reseller or of a hydra cluster's decoy requests. */
export const RESOLD_CAPABILITY_WEIGHTS: Readonly<Record<Capability, number>> = {
  chat: 34,
  creative: 14,
  other: 15,
  coding: 20,
  reasoning: 12,
  agentic: 5,
};
export const RESOLD_CAPABILITIES = WeightedTable.fromRecord(RESOLD_CAPABILITY_WEIGHTS);

const CONTEXT_CAP_TOKENS = 120_000;

/** A cohort's habits in ordinary conversations (drawn per world in randomised worlds). */
export interface ConversationHabits {
  /** Multiplies every per-message token median (longer or shorter messages and answers). @default 1 */
  readonly tokenScale?: number;
  /** Multiplies the chance that a conversation asks for visible reasoning (capped at 1). @default 1 */
  readonly reasoningScale?: number;
}

export interface ConversationOptions {
  /** A fixed prompt hash for the first message (popular prompt, homework problem...); else random. */
  readonly firstPromptHash?: string;
  readonly topic?: string;
  /** Null for a stateless API call (no conversation id); the turn is then always 1. */
  readonly stateless?: boolean;
  readonly reasoningRequested?: boolean;
  readonly habits?: ConversationHabits;
}

/**
 * One ordinary multi-turn conversation: turns count up from 1 under one conversation id, and each
 * request resends the growing context, so input tokens grow turn by turn.
 */
export class Conversation {
  turn = 0;
  private context = 0;
  readonly profile: TokenProfile;
  readonly reasoningRequested: boolean;
  readonly topic: string;
  private readonly tokenScale: number;

  constructor(
    readonly id: string | null,
    readonly capability: Capability,
    rng: Rng,
    private readonly options: ConversationOptions = {},
  ) {
    this.profile = ORDINARY_PROFILES[capability];
    const reasoningShare = Math.min(1, this.profile.reasoningShare * (options.habits?.reasoningScale ?? 1));
    this.reasoningRequested = options.reasoningRequested ?? rng.chance(reasoningShare);
    this.topic = options.topic ?? rng.pick(TOPICS_BY_CAPABILITY[capability]);
    this.tokenScale = options.habits?.tokenScale ?? 1;
  }

  next(rng: Rng, model: string): RequestShape {
    this.turn++;
    const p = this.profile;
    const scale = this.tokenScale;
    const message = tokens(rng, p.inputMedian * scale, p.inputSigma);
    const output = tokens(
      rng,
      (this.reasoningRequested ? p.outputMedian * 3 : p.outputMedian) * scale,
      p.outputSigma,
      5,
    );
    const inputTokens = message + (this.id === null ? 0 : this.context);
    this.context = Math.min(CONTEXT_CAP_TOKENS, this.context + message + output);
    const promptHash =
      this.turn === 1 && this.options.firstPromptHash !== undefined
        ? this.options.firstPromptHash
        : simHashToHex(randomSimHash(rng));
    let toolCalls = 0;
    if (this.capability === 'agentic') toolCalls = 1 + rng.poisson(1.5);
    else if (rng.chance(0.05)) toolCalls = 1;
    return {
      model,
      capability: this.capability,
      inputTokens,
      outputTokens: output,
      promptHash,
      topic: this.topic,
      conversationId: this.id,
      turn: this.id === null ? 1 : this.turn,
      toolCalls,
      reasoningRequested: this.reasoningRequested,
    };
  }
}

/**
 * Starts an ordinary conversation; a few open with a popular prompt (a near-duplicate hash shared
 * with many unrelated users: background noise for template matching).
 */
export function ordinaryConversation(
  rng: Rng,
  world: SimWorld,
  id: string | null,
  capabilities: WeightedTable<Capability>,
  popularShare = 0.05,
  habits?: ConversationHabits,
): Conversation {
  if (rng.chance(popularShare)) {
    const popular = rng.pick(world.popularPrompts);
    return new Conversation(id, popular.capability, rng, {
      firstPromptHash: simHashToHex(paraphrase(popular.hash, rng.intBetween(1, 5), rng)),
      topic: popular.topic,
      habits,
    });
  }
  return new Conversation(id, capabilities.sample(rng), rng, { habits });
}

/** Seconds a person takes to read an answer and type the next message. */
export function humanTurnGapMs(rng: Rng): number {
  return Math.min(20 * 60_000, 15_000 + rng.logNormal(50_000, 0.8));
}
