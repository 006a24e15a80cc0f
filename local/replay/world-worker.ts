import { runWorld, type WorldWorkerAnswer, type WorldWorkerRequest } from './world-evaluation';

/**
 * A child process of runWorlds: runs the worlds it is sent, one at a time, and answers each with
 * its evaluation (or the error). It ends when the parent disconnects.
 */
process.on('message', (request: WorldWorkerRequest) => {
  runWorld(request.seed, request.options).then(
    (world) => process.send?.({ ok: true, world } satisfies WorldWorkerAnswer),
    (error: unknown) =>
      process.send?.({
        ok: false,
        seed: request.seed,
        message: error instanceof Error ? (error.stack ?? error.message) : String(error),
      } satisfies WorldWorkerAnswer),
  );
});
