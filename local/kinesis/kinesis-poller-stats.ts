/** Counters of a KinesisPoller, for tests, the CLI and benchmarks. */
export interface KinesisPollerStats {
  /** Shards being (or having been) consumed. */
  shards: number;
  getRecordsCalls: number;
  /** Records read from the stream (a restart re-reads what was buffered but not yet handled). */
  recordsRead: number;
  /** Handler invocations. */
  batches: number;
  /** Records passed to the handler, counting every redelivery. */
  recordsDelivered: number;
  /** Records checkpointed after the handler accepted them. */
  recordsSucceeded: number;
  /** Records given up on (retries exhausted or too old) and reported to the on-failure destination. */
  recordsDiscarded: number;
  /** Re-invocations after a failure (bisections excluded, as in Lambda's retry quota). */
  retries: number;
  /** Batches split in two after a handler error. */
  bisections: number;
  /** Invocations that returned batchItemFailures. */
  partialBatchFailures: number;
  /** Invocations that threw (or timed out). */
  handlerErrors: number;
  /** On-failure destination records produced. */
  failuresSentToDestination: number;
  /** Destination records the onFailure callback could not take after retries. */
  destinationErrors: number;
  /** GetShardIterator/GetRecords calls that failed after the SDK's own retries. */
  readErrors: number;
}

export function emptyStats(): KinesisPollerStats {
  return {
    shards: 0,
    getRecordsCalls: 0,
    recordsRead: 0,
    batches: 0,
    recordsDelivered: 0,
    recordsSucceeded: 0,
    recordsDiscarded: 0,
    retries: 0,
    bisections: 0,
    partialBatchFailures: 0,
    handlerErrors: 0,
    failuresSentToDestination: 0,
    destinationErrors: 0,
    readErrors: 0,
  };
}
