import type { AccountPlan, AccountStreamItem, TimedEvent } from './types';

interface Slot {
  /** Time of `pending`, or of the announced next event, or the account's start before it is opened. */
  ms: number;
  readonly order: number;
  readonly plan: AccountPlan;
  iterator: Iterator<AccountStreamItem> | null;
  pending: TimedEvent | null;
}

function before(a: Slot, b: Slot): boolean {
  return a.ms < b.ms || (a.ms === b.ms && a.order < b.order);
}

/**
 * A k-way merge of per-account event streams by time, with a binary min-heap. Ties are broken by
 * account order, so the output is deterministic. An account's stream is opened only when the
 * merge reaches its `activeFromMs` (its events are never earlier), so accounts that appear late
 * hold no generator state until then; finished streams leave the heap. Streams may announce the
 * time of their next event (a number) before building it (see AccountStreamItem). `emit` maps each
 * event to the output item.
 */
export function* mergeByTime<T>(
  plans: readonly AccountPlan[],
  emit: (plan: AccountPlan, timed: TimedEvent) => T,
): Generator<T> {
  const heap: Slot[] = plans.map((plan, order) => ({
    ms: plan.activeFromMs,
    order,
    plan,
    iterator: null,
    pending: null,
  }));
  for (let i = (heap.length >>> 1) - 1; i >= 0; i--) siftDown(heap, i);

  while (heap.length > 0) {
    const top = heap[0] as Slot;
    if (top.pending) {
      yield emit(top.plan, top.pending);
      top.pending = null;
    }
    top.iterator ??= top.plan.open();
    const next = top.iterator.next();
    if (next.done) {
      const last = heap.pop() as Slot;
      if (heap.length > 0) {
        heap[0] = last;
        siftDown(heap, 0);
      }
      continue;
    }
    const item = next.value;
    const ms = typeof item === 'number' ? item : item.ms;
    if (ms < top.ms) {
      throw new Error(
        `account ${top.plan.truth.accountId} emitted ${new Date(ms).toISOString()} after ${new Date(top.ms).toISOString()}: account streams must be time-ordered`,
      );
    }
    // An announced time: the event is built when the account comes up again.
    if (typeof item !== 'number') top.pending = item;
    top.ms = ms;
    siftDown(heap, 0);
  }
}

function siftDown(heap: Slot[], start: number): void {
  const n = heap.length;
  let i = start;
  const item = heap[i] as Slot;
  for (;;) {
    const left = 2 * i + 1;
    if (left >= n) break;
    const right = left + 1;
    let child = left;
    if (right < n && before(heap[right] as Slot, heap[left] as Slot)) child = right;
    const c = heap[child] as Slot;
    if (!before(c, item)) break;
    heap[i] = c;
    i = child;
  }
  heap[i] = item;
}
