import { MODELS } from './catalog';
import { Rng } from './rng';
import { randomSimHash, type SimHash } from './simhash';
import { TOPICS_BY_CAPABILITY, ALL_TOPICS } from './topics';
import type { Capability } from '../lambdas/core/contract/usage-event';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

export interface BenchmarkItem {
  readonly hash: SimHash;
  readonly topic: string;
  readonly inputTokens: number;
}

/** A public benchmark: the same prompts (so the same hashes) for everyone who runs it. */
export interface Benchmark {
  readonly id: string;
  readonly capability: Capability;
  readonly multiTurn: boolean;
  readonly items: readonly BenchmarkItem[];
}

/** A prompt many unrelated people send ("write me a cover letter"), paraphrased a little each time. */
export interface PopularPrompt {
  readonly hash: SimHash;
  readonly capability: Capability;
  readonly topic: string;
}

/** What every cohort shares: the window, the model release, public benchmarks, popular prompts. */
export interface SimWorld {
  readonly seed: number;
  readonly startMs: number;
  readonly endMs: number;
  readonly days: number;
  /** When `MODELS.released` becomes available. May lie beyond the window (then nobody uses it). */
  readonly releaseMs: number;
  readonly benchmarks: readonly Benchmark[];
  readonly popularPrompts: readonly PopularPrompt[];
}

const BENCHMARK_SPECS: readonly {
  id: string;
  capability: Capability;
  size: number;
  topicPrefix: string;
  inputMedian: number;
  multiTurn?: boolean;
}[] = [
  {
    id: 'bench-competition-math',
    capability: 'reasoning',
    size: 500,
    topicPrefix: 'math.',
    inputMedian: 140,
  },
  {
    id: 'bench-grade-school-math',
    capability: 'reasoning',
    size: 1319,
    topicPrefix: 'math.',
    inputMedian: 110,
  },
  {
    id: 'bench-graduate-science',
    capability: 'reasoning',
    size: 448,
    topicPrefix: 'science.',
    inputMedian: 260,
  },
  { id: 'bench-logic-puzzles', capability: 'reasoning', size: 250, topicPrefix: 'logic.', inputMedian: 320 },
  {
    id: 'bench-function-synthesis',
    capability: 'coding',
    size: 164,
    topicPrefix: 'code.python.',
    inputMedian: 180,
  },
  {
    id: 'bench-competitive-programming',
    capability: 'coding',
    size: 400,
    topicPrefix: 'code.algorithms.',
    inputMedian: 520,
  },
  {
    id: 'bench-repo-issues',
    capability: 'agentic',
    size: 300,
    topicPrefix: 'agentic.code.',
    inputMedian: 2400,
    multiTurn: true,
  },
];

/**
 * Public benchmarks and popular prompts are the same for every seed: they are public text, so a
 * detector could legitimately keep an allowlist of their hashes.
 */
function publicBenchmarks(): Benchmark[] {
  return BENCHMARK_SPECS.map((spec) => {
    const rng = Rng.of('public-benchmark', spec.id);
    const topics = ALL_TOPICS.filter((t) => t.startsWith(spec.topicPrefix));
    const items = Array.from({ length: spec.size }, () => ({
      hash: randomSimHash(rng),
      topic: rng.pick(topics),
      inputTokens: Math.max(20, Math.round(rng.logNormal(spec.inputMedian, 0.5))),
    }));
    return { id: spec.id, capability: spec.capability, multiTurn: spec.multiTurn ?? false, items };
  });
}

function popularPrompts(): PopularPrompt[] {
  const rng = Rng.of('popular-prompts');
  const capabilities: Capability[] = ['chat', 'creative', 'other', 'coding', 'reasoning'];
  return Array.from({ length: 60 }, () => {
    const capability = rng.pick(capabilities);
    return { hash: randomSimHash(rng), capability, topic: rng.pick(TOPICS_BY_CAPABILITY[capability]) };
  });
}

let cachedBenchmarks: Benchmark[] | undefined;
let cachedPopular: PopularPrompt[] | undefined;

/** The public benchmarks, the same in every world (what the policy's `publicPrompts` list holds). */
export function worldBenchmarks(): readonly Benchmark[] {
  cachedBenchmarks ??= publicBenchmarks();
  return cachedBenchmarks;
}

export function createWorld(seed: number, startMs: number, days: number, releaseMs?: number): SimWorld {
  cachedPopular ??= popularPrompts();
  return {
    seed,
    startMs,
    endMs: startMs + days * DAY_MS,
    days,
    // Default: a Thursday-ish afternoon in the middle of the window.
    releaseMs: releaseMs ?? startMs + Math.floor(days / 2) * DAY_MS + 17 * HOUR_MS,
    benchmarks: worldBenchmarks(),
    popularPrompts: cachedPopular,
  };
}

/** How quickly an account starts using a newly released model. */
export interface AdoptionProfile {
  /** Mean delay after the release before the account tries the new model, in hours. */
  readonly meanDelayHours: number;
  /** Share of accounts that do not switch within the window at all. */
  readonly neverShare: number;
  /** Once adopted, the share of requests that go to the new model. */
  readonly newModelShare: number;
}

export const SLOW_ADOPTER: AdoptionProfile = { meanDelayHours: 72, neverShare: 0.45, newModelShare: 0.6 };
export const EARLY_ADOPTER: AdoptionProfile = { meanDelayHours: 20, neverShare: 0.15, newModelShare: 0.75 };

/** Picks the model of each request for one account: the baseline until it adopts the release. */
export class ModelChooser {
  private readonly adoptAtMs: number;

  constructor(
    world: SimWorld,
    rng: Rng,
    private readonly profile: AdoptionProfile,
    private readonly baseline: string = MODELS.baseline,
  ) {
    this.adoptAtMs = rng.chance(profile.neverShare)
      ? Number.POSITIVE_INFINITY
      : world.releaseMs + rng.exponential(profile.meanDelayHours) * HOUR_MS;
  }

  model(ms: number, rng: Rng): string {
    if (ms >= this.adoptAtMs && rng.chance(this.profile.newModelShare)) return MODELS.released;
    return this.baseline;
  }
}
