import { BLATANT_STYLE } from './behaviour/extraction';
import { COHORTS } from './cohorts/registry';
import { benchmarkResearcher } from './cohorts/benchmark-researcher';
import { campusNat } from './cohorts/campus-nat';
import { cardSharing } from './cohorts/card-sharing';
import { casualChat } from './cohorts/casual-chat';
import { enterpriseCiBot } from './cohorts/enterprise-ci-bot';
import { heavyCodingAgent } from './cohorts/heavy-coding-agent';
import { lowAndSlow } from './cohorts/low-and-slow';
import { naiveSingleAccount } from './cohorts/naive-single-account';
import { paraphraseTemplates } from './cohorts/paraphrase-templates';
import { proxyPool } from './cohorts/proxy-pool';
import { releaseChasing } from './cohorts/release-chasing';
import { reseller } from './cohorts/reseller';
import { rotation } from './cohorts/rotation';
import { drawParams, withDrawn } from './params';
import { Rng } from './rng';
import type { CohortDefinition, CohortPlan, PlanContext, PresetName } from './types';

/** A cohort with its parameters bound: one entry of a preset's mix. */
export interface CohortUse {
  readonly cohort: CohortDefinition<unknown>;
  plan(ctx: PlanContext): CohortPlan;
  /** Randomised entries: the parameters drawn for the world of `seed` (recorded in the truth). */
  drawn?(seed: number): Readonly<Record<string, unknown>>;
}

export function use<P>(cohort: CohortDefinition<P>, overrides: Partial<P> = {}): CohortUse {
  const params: P = { ...cohort.defaults, ...overrides };
  return { cohort, plan: (ctx) => cohort.plan(ctx, params) };
}

/**
 * A cohort whose parameters are drawn per world from its `space`, from a stream of their own
 * (seed, cohort id, 'params'): so a world's draw does not depend on which other cohorts run, and
 * planning and accounts keep their own streams.
 */
export function useRandom<P>(cohort: CohortDefinition<P>): CohortUse {
  const drawn = (seed: number) => drawParams(cohort.space ?? {}, Rng.of(seed, cohort.id, 'params'));
  return {
    cohort: cohort as CohortDefinition<unknown>,
    drawn: (seed) => drawn(seed) as Readonly<Record<string, unknown>>,
    plan: (ctx) => cohort.plan(ctx, withDrawn(cohort.defaults, drawn(ctx.world.seed))),
  };
}

export interface Preset {
  readonly name: PresetName;
  readonly description: string;
  /** Simulated days unless the caller overrides it. */
  readonly days: number;
  /**
   * When `model-b-2026-02` is released, in hours after the window start, unless the caller says.
   * @default mid-window (whole days), 17:00 UTC
   */
  readonly releaseAfterHours?: number;
  readonly mix: readonly CohortUse[];
}

export const PRESETS: Readonly<Record<PresetName, Preset>> = {
  demo: {
    name: 'demo',
    description:
      'Small and quick (a few thousand events, ~200 accounts, 2 days): casual users, one heavy coding-agent user and one clearly detectable card-sharing campaign of 10 accounts.',
    days: 2,
    mix: [
      use(casualChat, { accounts: 190, sessionsPerActiveDay: 2 }),
      use(heavyCodingAgent, { accounts: 1 }),
      use(cardSharing, {
        accountsPerCampaign: 10,
        cards: 2,
        devices: 4,
        createdDaysBefore: [1, 3],
        timingJitter: 0.15,
        style: { ...BLATANT_STYLE, paraphraseBits: [0, 3] },
      }),
    ],
  },
  default: {
    name: 'default',
    description:
      'The evaluation mix over 7 days: every legitimate cohort including the hard negatives, and one campaign per attack strategy.',
    days: 7,
    mix: [
      use(casualChat),
      use(heavyCodingAgent),
      use(enterpriseCiBot),
      use(benchmarkResearcher),
      use(campusNat),
      use(reseller),
      use(naiveSingleAccount),
      use(cardSharing),
      use(proxyPool),
      use(lowAndSlow),
      use(paraphraseTemplates),
      use(rotation),
      use(releaseChasing),
    ],
  },
  random: {
    name: 'random',
    description:
      "A randomised world: every cohort of the registry, legitimate, hard negative and attacking, each with parameters drawn for the world's seed from wide ranges (see sim/README.md). Tune on the tuning seeds, quote the held-out ones (world-seeds.ts).",
    days: 7,
    // The release the committed policy lists (2026-02-05T17:00Z for the default start), whatever the window's length.
    releaseAfterHours: 3 * 24 + 17,
    mix: COHORTS.map((cohort) => useRandom(cohort)),
  },
};
