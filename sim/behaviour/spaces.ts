import { CAPABILITIES, TIERS, type Capability, type Tier } from '../../lambdas/core/contract/usage-event';
import { COUNTRIES } from '../catalog';
import { choice, interval, num, share, weights, type SpaceOf } from '../params';
import type { ExtractionCapability, ExtractionStyle } from './extraction';

/** Parameter ranges several cohorts share (see params.ts). */

export const CAPABILITY_KEYS: readonly Capability[] = CAPABILITIES;
export const EXTRACTION_CAPABILITY_KEYS: readonly ExtractionCapability[] = ['reasoning', 'coding', 'agentic'];
export const COUNTRY_CODES: readonly string[] = COUNTRIES.map((c) => c.code);
export const ALL_TIERS: readonly Tier[] = TIERS;
/** Tiers a campaign signs its accounts up on (enterprise needs a contract: see high-volume and org cohorts). */
export const SELF_SERVE_TIERS: readonly Tier[] = ['free', 'pro', 'team', 'api'];
/** Whole-hour UTC offsets an operator can live in (their rhythm follows it, whatever the exit's country). */
export const UTC_OFFSETS: readonly number[] = Array.from({ length: 23 }, (_, i) => i - 10);

/** Token sizes and reasoning habits of ordinary conversations (`ConversationHabits`). */
export const HABITS_SPACE = {
  tokenScale: num(0.4, 2.5, 'multiplies every message and answer size', { log: true }),
  reasoningScale: num(0.3, 3, 'multiplies the chance a conversation asks for visible reasoning', {
    log: true,
  }),
} as const;

/**
 * The ranges an extraction style is drawn from. Wide on purpose: the report's profile (chain of
 * thought, single turn, templates, long answers) is where each range starts, and every one of them
 * reaches well into what ordinary users do. A strategy narrows what defines it with `overrides`.
 */
export function extractionStyleSpace(overrides: SpaceOf<ExtractionStyle> = {}): SpaceOf<ExtractionStyle> {
  return {
    capabilityWeights: weights(
      EXTRACTION_CAPABILITY_KEYS,
      5,
      60,
      'relative weight of each extraction capability',
    ),
    reasoningRequestedShare: share(
      0.2,
      1,
      'share of extraction requests asking for visible chain-of-thought',
    ),
    paraphraseBits: interval(0, 6, 'bits a request flips from its template (prompt hash)', { integer: true }),
    benignShare: share(0, 0.4, 'share of request slots spent on ordinary (decoy) conversations'),
    statelessShare: share(0.2, 1, 'share of single-turn extraction requests sent without a conversation id'),
    inputMedian: num(80, 1_500, 'median prompt tokens of an extraction request', { log: true }),
    outputMedian: num(600, 6_000, 'median answer tokens of an extraction request', { log: true }),
    multiTurnShare: share(0, 0.3, 'share of extraction requests followed up in the same conversation'),
    multiTurnTurns: interval(2, 5, 'turns of a followed-up extraction conversation', { integer: true }),
    followUpSeconds: interval(2, 600, 'seconds between the turns of a followed-up extraction', { log: true }),
    publicShare: share(0, 0.15, 'share of request slots on public benchmark items and popular prompts'),
    templateShare: share(0.6, 1, "share of extraction requests built on the campaign's templates"),
    topicBreadth: share(0.3, 1, "share of each capability's topics an account sweeps"),
    ...overrides,
  };
}

/** A tier choice. */
export const tierChoice = (tiers: readonly Tier[], doc = 'tier the accounts sign up on') =>
  choice(tiers, doc);
