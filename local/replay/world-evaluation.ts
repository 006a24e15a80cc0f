import { fork } from 'node:child_process';
import { join } from 'node:path';
import { Evaluator } from '../../sim/evaluation';
import { generateTraffic } from '../../sim/generate';
import type { WorldEvaluation } from '../../sim/multi-world';
import type { LabelledEvent, PresetName } from '../../sim/types';
import { splitOfSeed } from '../../sim/world-seeds';
import { policyToJson } from '../../lambdas/core/policy/policy';
import { loadScorerPolicy, replayInMemory } from './fast-replay';
import type { SourceRecord } from '../jsonl-source';
import { registerCleanup } from '../emulators/process-cleanup';

/**
 * Multi-world evaluation: each world generated in memory, replayed through the scoring core on the
 * in-memory adapters as events happen on AWS (event-time interleaving, a 60 s batching window
 * unless told: the optimised profile's batches span 300 s),
 * and evaluated against its truth. No event file is written: the generator feeds the replay, and
 * is run a second time (same seed, same events) for the evaluation's count of requests served.
 */

export interface WorldRunOptions {
  /** @default 'random' */
  readonly preset?: PresetName;
  /** @default 1 */
  readonly scale?: number;
  /** @default the preset's (random: 7) */
  readonly days?: number;
  /** Resolved against the project root. @default config/policy.yaml */
  readonly policyFile?: string;
  /** The policy as the scorer gets it, instead of policyFile (see MemoryReplayOptions). */
  readonly policyJson?: string;
  /** @default 2 */
  readonly shards?: number;
  /** The event source mapping's batching window, event-time seconds. @default 60 (the stack's) */
  readonly batchingWindowSeconds?: number;
}

/** The stream records a gateway would put for the simulation's events: the bytes simulate writes. */
export function* simulationRecords(events: Iterable<LabelledEvent>): Generator<SourceRecord> {
  for (const { event } of events) {
    yield {
      partitionKey: event.accountId,
      data: Buffer.from(JSON.stringify(event), 'utf8'),
      eventTimeMs: Date.parse(event.ts),
    };
  }
}

/** Generates, replays and evaluates one world. */
export async function runWorld(seed: number, options: WorldRunOptions = {}): Promise<WorldEvaluation> {
  const started = performance.now();
  const preset = options.preset ?? 'random';
  const simulation = generateTraffic({ preset, seed, scale: options.scale, days: options.days });
  let events = 0;
  const counted = (function* () {
    for (const record of simulationRecords(simulation.events)) {
      events += 1;
      yield record;
    }
  })();
  const batchingWindowSeconds = options.batchingWindowSeconds ?? 60;
  const replay = await replayInMemory(counted, {
    policyFile: options.policyFile,
    policyJson: options.policyJson,
    shards: options.shards ?? 2,
    interleaving: 'event-time',
    batchingWindowSeconds,
  });
  const replayed = performance.now();

  const evaluator = new Evaluator(simulation.truth);
  for (const account of replay.accounts()) evaluator.addResult(account);
  for (const result of replay.cases()) evaluator.addCase(result);
  // The same seed generates the same events again: cheaper than keeping a million of them.
  for (const { event } of simulation.events) evaluator.addEvent(event);
  const report = evaluator.finish();
  const done = performance.now();
  return {
    seed,
    split: splitOfSeed(seed),
    preset,
    scale: simulation.truth.scale,
    days: simulation.truth.days,
    policyVersion: replay.policyVersion,
    batchingWindowSeconds,
    events,
    accounts: simulation.truth.accounts.length,
    seconds: {
      replay: round((replayed - started) / 1000),
      evaluate: round((done - replayed) / 1000),
      total: round((done - started) / 1000),
    },
    report,
  };
}

export interface WorldsRunOptions extends WorldRunOptions {
  /** Worlds evaluated at once, each in a child process of its own. @default 1 (in this process) */
  readonly jobs?: number;
  /** Called as each world finishes (in the order they finish). */
  readonly onWorld?: (world: WorldEvaluation) => void;
}

/** A request to a world worker, and its answer. */
export type WorldWorkerRequest = { readonly seed: number; readonly options: WorldRunOptions };
export type WorldWorkerAnswer =
  | { readonly ok: true; readonly world: WorldEvaluation }
  | { readonly ok: false; readonly seed: number; readonly message: string };

/** A world failed in a worker: its seed and the worker's message. */
export class WorldRunError extends Error {
  public constructor(
    public readonly seed: number,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`world ${seed}: ${message}`, options);
    this.name = 'WorldRunError';
  }
}

/**
 * Runs the worlds of `seeds`, `jobs` at a time (child processes: the scoring core is synchronous
 * and single-threaded, so worlds in one process would take turns), and returns them in seed order.
 * The policy file is read once, before the first world: every world runs under the policy as it
 * was then, whatever happens to the file during a run of an hour.
 */
export async function runWorlds(
  seeds: readonly number[],
  options: WorldsRunOptions = {},
): Promise<WorldEvaluation[]> {
  const jobs = Math.max(1, Math.min(options.jobs ?? 1, seeds.length));
  const { jobs: _jobs, onWorld, policyFile, ...rest } = options;
  const runOptions: WorldRunOptions = {
    ...rest,
    policyJson: rest.policyJson ?? policyToJson(loadScorerPolicy(policyFile)),
  };
  const results = new Map<number, WorldEvaluation>();
  if (jobs === 1) {
    for (const seed of seeds) {
      const world = await runWorld(seed, runOptions);
      results.set(seed, world);
      onWorld?.(world);
    }
  } else {
    const queue = [...seeds];
    await Promise.all(
      Array.from({ length: jobs }, async () => {
        const worker = startWorker();
        try {
          for (let seed = queue.shift(); seed !== undefined; seed = queue.shift()) {
            const world = await worker.run({ seed, options: runOptions });
            results.set(seed, world);
            onWorld?.(world);
          }
        } finally {
          worker.stop();
        }
      }),
    );
  }
  return seeds.map((seed) => results.get(seed) as WorldEvaluation);
}

/** A child process running world-worker.ts through tsx (the CLI's own TypeScript loader). */
function startWorker(): { run(request: WorldWorkerRequest): Promise<WorldEvaluation>; stop(): void } {
  const child = fork(join(__dirname, 'world-worker.ts'), [], {
    execArgv: [
      ...process.execArgv.filter((a) => !a.startsWith('--inspect')),
      '--require',
      require.resolve('tsx/cjs'),
    ],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  // A worker busy with a world only sees its parent go between worlds: stopped with the CLI
  // (SIGINT, SIGTERM, a failure), the parent ends it, so nobody computes a world nobody will read.
  const unregister = registerCleanup(() => {
    child.kill('SIGKILL');
  });
  child.on('exit', unregister);
  let pending:
    { seed: number; resolve: (world: WorldEvaluation) => void; reject: (error: Error) => void } | undefined;
  child.on('message', (answer: WorldWorkerAnswer) => {
    const current = pending;
    pending = undefined;
    if (!current) return;
    if (answer.ok) current.resolve(answer.world);
    else current.reject(new WorldRunError(answer.seed, answer.message));
  });
  child.on('exit', (code, signal) => {
    const current = pending;
    pending = undefined;
    current?.reject(new WorldRunError(current.seed, `worker exited (${signal ?? `code ${code}`})`));
  });
  return {
    run: (request) =>
      new Promise<WorldEvaluation>((resolve, reject) => {
        pending = { seed: request.seed, resolve, reject };
        child.send(request);
      }),
    stop: () => {
      if (child.connected) child.disconnect();
    },
  };
}

function round(seconds: number): number {
  return Math.round(seconds * 100) / 100;
}
