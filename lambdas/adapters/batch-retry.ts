import { setTimeout as sleep } from 'node:timers/promises';

/**
 * DynamoDB batch calls may hand back part of the work as unprocessed (throttling). Retries the
 * leftovers with exponential backoff and jitter, and fails loudly instead of dropping them.
 */
export async function withUnprocessedRetries<T>(
  items: T[],
  call: (batch: T[]) => Promise<T[]>,
  maxAttempts = 8,
  baseDelayMs = 25,
): Promise<void> {
  let remaining = items;
  for (let attempt = 1; remaining.length > 0; attempt++) {
    if (attempt > maxAttempts) {
      throw new Error(`${remaining.length} items still unprocessed after ${maxAttempts} attempts`);
    }
    if (attempt > 1) await sleep(Math.random() * baseDelayMs * 2 ** (attempt - 1));
    remaining = await call(remaining);
  }
}
