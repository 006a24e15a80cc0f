import { MODELS } from './catalog';
import { IdFactory } from './ids';
import { mergeByTime } from './merge';
import { PRESETS, type CohortUse } from './presets';
import { Rng } from './rng';
import type {
  AccountPlan,
  CampaignTruth,
  CohortTruth,
  GroundTruth,
  LabelledEvent,
  PlanContext,
  PresetName,
} from './types';
import { createWorld, HOUR_MS, type SimWorld } from './world';

export interface GenerateOptions {
  /** Same seed, same options: byte-identical output. */
  readonly seed: number;
  /**
   * Multiplies account counts and campaign sizes (not per-account rates; the number of campaigns
   * stays one per strategy). 1 is the preset as designed; fractions shrink it for tests, 20+ for
   * load. @default 1
   */
  readonly scale?: number;
  /** Start of the window; whole UTC days work best. @default 2026-02-02T00:00:00Z (a Monday) */
  readonly start?: Date;
  /** Length of the window in days. @default the preset's (demo 2, default 7) */
  readonly days?: number;
  /** @default 'default' */
  readonly preset?: PresetName;
  /** Only these cohort ids of the preset (e.g. to test one cohort quickly). @default all */
  readonly cohorts?: readonly string[];
  /**
   * Run this mix instead of the preset's (e.g. one cohort with chosen parameters, in a test); the
   * preset still gives the window length and the truth's preset name. @default the preset's mix
   */
  readonly mix?: readonly CohortUse[];
  /** When `model-b-2026-02` is released. @default the preset's (random: 3 days 17 h after the start); else mid-window, 17:00 UTC */
  readonly modelReleaseAt?: Date;
}

export interface Simulation {
  /** Re-iterable: each iteration replays the same stream, lazily, in non-decreasing `ts` order. */
  readonly events: Iterable<LabelledEvent>;
  readonly truth: GroundTruth;
  readonly world: SimWorld;
}

export const DEFAULT_START = new Date('2026-02-02T00:00:00Z');

function validate(options: GenerateOptions): void {
  if (!Number.isSafeInteger(options.seed)) {
    throw new Error(`seed must be a safe integer, got ${options.seed}`);
  }
  if (options.scale !== undefined && !(options.scale > 0 && Number.isFinite(options.scale))) {
    throw new Error(`scale must be a positive number, got ${options.scale}`);
  }
  if (options.days !== undefined && !(options.days > 0 && options.days <= 366)) {
    throw new Error(`days must be in (0, 366], got ${options.days}`);
  }
  if (options.start !== undefined && Number.isNaN(options.start.getTime())) {
    throw new Error('start must be a valid date, got an invalid Date');
  }
  if (options.preset !== undefined && !(options.preset in PRESETS)) {
    throw new Error(`preset must be one of ${Object.keys(PRESETS).join(', ')}, got "${options.preset}"`);
  }
}

/**
 * Plans every account of the preset (cheap: ids, labels, start times) and returns a lazy event
 * stream: a time-ordered merge of per-account generators, never the whole event list.
 */
export function generateTraffic(options: GenerateOptions): Simulation {
  validate(options);
  const preset = PRESETS[options.preset ?? 'default'];
  const scale = options.scale ?? 1;
  const days = options.days ?? preset.days;
  const start = options.start ?? DEFAULT_START;
  const releaseMs =
    options.modelReleaseAt?.getTime() ??
    (preset.releaseAfterHours === undefined
      ? undefined
      : start.getTime() + preset.releaseAfterHours * HOUR_MS);
  const world = createWorld(options.seed, start.getTime(), days, releaseMs);

  let mix: readonly CohortUse[] = options.mix ?? preset.mix;
  if (options.cohorts) {
    const known = new Set(mix.map((u) => u.cohort.id));
    const unknown = options.cohorts.filter((id) => !known.has(id));
    if (unknown.length > 0) {
      throw new Error(
        `cohorts ${unknown.join(', ')} are not in preset "${preset.name}"; it has ${[...known].join(', ')}`,
      );
    }
    mix = mix.filter((u) => options.cohorts?.includes(u.cohort.id));
  }

  const issued = new Set<string>();
  const campaignCounters = new Map<string, number>();
  const plans: AccountPlan[] = [];
  const campaigns: CampaignTruth[] = [];
  const cohorts: CohortTruth[] = [];
  for (const { cohort, plan, drawn } of mix) {
    const ctx: PlanContext = {
      world,
      scale,
      rng: Rng.of(options.seed, cohort.id, 'plan'),
      ids: new IdFactory(options.seed, cohort.id, issued),
      count: (base, min = 1) => Math.max(min, Math.round(base * scale)),
      accountRng: (index) => Rng.of(options.seed, cohort.id, 'account', index),
      campaignId: (strategy) => {
        const n = (campaignCounters.get(strategy) ?? 0) + 1;
        campaignCounters.set(strategy, n);
        return `cmp_${strategy}_${String(n).padStart(2, '0')}`;
      },
    };
    const result = plan(ctx);
    // A loop, not push(...spread): a cohort may plan hundreds of thousands of accounts.
    for (const account of result.accounts) plans.push(account);
    for (const campaign of result.campaigns) campaigns.push(campaign);
    cohorts.push({
      id: cohort.id,
      description: cohort.description,
      attack: cohort.attack,
      strategy: cohort.strategy,
      traits: cohort.traits,
      accounts: result.accounts.length,
      // Randomised worlds say what they drew; the fixed presets' truth stays as it was.
      ...(drawn ? { hardNegative: cohort.hardNegative ?? false, params: drawn(options.seed) } : {}),
    });
  }

  const truth: GroundTruth = {
    format: 'cauterize-sim-truth/v1',
    seed: options.seed,
    scale,
    preset: preset.name,
    start: new Date(world.startMs).toISOString(),
    end: new Date(world.endMs).toISOString(),
    days,
    models: {
      baseline: MODELS.baseline,
      released: MODELS.released,
      releasedAt: new Date(world.releaseMs).toISOString(),
    },
    cohorts,
    campaigns,
    accounts: plans.map((p) => p.truth),
  };

  const events: Iterable<LabelledEvent> = {
    [Symbol.iterator]: () =>
      mergeByTime(plans, ({ truth: t }, timed): LabelledEvent => ({
        event: timed.event,
        accountId: t.accountId,
        cohort: t.cohort,
        attack: t.attack,
        campaignId: t.campaignId,
      })),
  };
  return { events, truth, world };
}
