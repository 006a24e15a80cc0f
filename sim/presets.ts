import { BLATANT_STYLE } from './behaviour/extraction';
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
import type { CohortDefinition, CohortPlan, PlanContext, PresetName } from './types';

/** A cohort with its parameters bound: one entry of a preset's mix. */
export interface CohortUse {
  readonly cohort: CohortDefinition<unknown>;
  plan(ctx: PlanContext): CohortPlan;
}

export function use<P>(cohort: CohortDefinition<P>, overrides: Partial<P> = {}): CohortUse {
  const params: P = { ...cohort.defaults, ...overrides };
  return { cohort, plan: (ctx) => cohort.plan(ctx, params) };
}

export interface Preset {
  readonly name: PresetName;
  readonly description: string;
  /** Simulated days unless the caller overrides it. */
  readonly days: number;
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
};
