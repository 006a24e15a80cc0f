import type { UsageEvent } from '../../lambdas/core/contract/usage-event';
import { WINDOW_TOTAL_OF, type WindowTotals } from '../../lambdas/core/scoring/window';
import type { SequencedEvent } from '../../lambdas/core/contract/usage-event';

let counter = 0;

/** A valid v1 usage event; override only what the test is about. */
export function makeEvent(overrides: Partial<UsageEvent> = {}): UsageEvent {
  counter += 1;
  return {
    v: 1,
    eventId: `evt-${counter}`,
    ts: '2026-02-01T12:00:00.000Z',
    accountId: 'acct-1',
    orgId: null,
    tier: 'free',
    accountCreatedAt: '2026-01-30T00:00:00.000Z',
    ip: '198.51.100.7',
    asn: 64500,
    country: 'US',
    userAgent: 'sdk-python/1.0',
    paymentFingerprint: 'card-1',
    deviceFingerprint: 'dev-1',
    emailDomain: 'example.com',
    model: 'model-a',
    capability: 'chat',
    inputTokens: 400,
    outputTokens: 600,
    promptHash: '0123456789abcdef',
    topic: 'general.smalltalk',
    conversationId: 'conv-1',
    turn: 2,
    toolCalls: 0,
    reasoningRequested: false,
    ...overrides,
  };
}

/** Extraction-shaped traffic: single-turn reasoning requests harvesting long answers. */
export function extractionEvent(overrides: Partial<UsageEvent> = {}): UsageEvent {
  return makeEvent({
    capability: 'reasoning',
    reasoningRequested: true,
    turn: 1,
    inputTokens: 200,
    outputTokens: 2400,
    ...overrides,
  });
}

/** Spreads events over consecutive minutes and gives them stream positions on one shard. */
export function sequenced(
  events: UsageEvent[],
  startSequence = 1000,
  shardId = 'shardId-000000000000',
): SequencedEvent[] {
  return events.map((event, i) => ({ event, shardId, sequenceNumber: String(startSequence + i) }));
}

export function minutesAfter(base: string, minutes: number): string {
  return new Date(Date.parse(base) + minutes * 60_000).toISOString();
}

/** Window totals with every counter 0; override only what the test is about. */
export function makeWindow(overrides: Partial<WindowTotals> = {}): WindowTotals {
  const window = { activeHours: 0, spanHours: 0, peakHour: 0 } as WindowTotals;
  for (const key of Object.values(WINDOW_TOTAL_OF)) window[key] = 0;
  return { ...window, ...overrides };
}

/** A conversation opener (turn 1, fresh conversation id) on `topic` with `promptHash`. */
export function openerEvent(overrides: Partial<UsageEvent> = {}): UsageEvent {
  return makeEvent({ turn: 1, conversationId: null, ...overrides });
}

/** `promptHash` with the given bit positions (0 = least significant) flipped: a paraphrase. */
export function flipHashBits(promptHash: string, bits: readonly number[]): string {
  let value = BigInt(`0x${promptHash}`);
  for (const bit of bits) value ^= 1n << BigInt(bit);
  return value.toString(16).padStart(16, '0');
}
