/**
 * The scorer's event source mapping defaults, in a module without CDK imports so that the local
 * replay and the bench batch as the stack does (docs/performance.md, "Batch span").
 */

/** Records per scorer invocation: about 3.2 MB of usage events, under Lambda's 6 MB payload. */
export const DEFAULT_SCORER_BATCH_SIZE = 5000;
/** Longest a batch waits to fill, in seconds. */
export const DEFAULT_BATCHING_WINDOW_SECONDS = 60;
/** Retries of a failing batch (after bisecting) before its metadata goes to the failure queue. */
export const DEFAULT_SCORER_RETRY_ATTEMPTS = 5;
/** Concurrent batches per shard: each fills at a tenth of the shard's rate, so busy shards' batches span the window. */
export const DEFAULT_PARALLELIZATION_FACTOR = 10;
