import type { UsageEvent } from '../contract/usage-event';

const HOUR_MS = 3_600_000;
const EXTRACTION_CAPABILITIES = new Set(['reasoning', 'coding', 'agentic']);

/** Counters for one event-time hour of one account. Short keys: this is stored per account. */
export interface HourBucket {
  /** Epoch hour (event time). */
  readonly h: number;
  /** Requests. */
  n: number;
  /** Requests for reasoning, coding or agentic work. */
  cap: number;
  /** Requests with reasoningRequested (chain-of-thought elicitation). */
  cot: number;
  inTok: number;
  outTok: number;
  /** Requests that open a conversation (turn 1). */
  open: number;
}

export type WindowTotals = Omit<HourBucket, 'h'>;

export function epochHour(ts: string): number {
  return Math.floor(Date.parse(ts) / HOUR_MS);
}

/** Adds one event to its hour bucket, keeping buckets sorted by hour. Mutates `buckets`. */
export function addToBuckets(buckets: HourBucket[], event: UsageEvent): void {
  const h = epochHour(event.ts);
  let bucket = buckets.find((b) => b.h === h);
  if (!bucket) {
    bucket = { h, n: 0, cap: 0, cot: 0, inTok: 0, outTok: 0, open: 0 };
    buckets.push(bucket);
    buckets.sort((a, b) => a.h - b.h);
  }
  bucket.n += 1;
  if (EXTRACTION_CAPABILITIES.has(event.capability)) bucket.cap += 1;
  if (event.reasoningRequested) bucket.cot += 1;
  bucket.inTok += event.inputTokens;
  bucket.outTok += event.outputTokens;
  if (event.turn === 1) bucket.open += 1;
}

/** Drops buckets that fell out of the window ending at `latestHour` (inclusive). */
export function pruneBuckets(
  buckets: readonly HourBucket[],
  latestHour: number,
  windowHours: number,
): HourBucket[] {
  const oldest = latestHour - windowHours + 1;
  return buckets.filter((b) => b.h >= oldest);
}

export function totals(buckets: readonly HourBucket[]): WindowTotals {
  const sum: WindowTotals = { n: 0, cap: 0, cot: 0, inTok: 0, outTok: 0, open: 0 };
  for (const b of buckets) {
    sum.n += b.n;
    sum.cap += b.cap;
    sum.cot += b.cot;
    sum.inTok += b.inTok;
    sum.outTok += b.outTok;
    sum.open += b.open;
  }
  return sum;
}
