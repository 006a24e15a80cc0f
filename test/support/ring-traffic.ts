import type { UsageEvent } from '../../lambdas/core/contract/usage-event';
import type { StreamRecord } from '../../lambdas/core/batch/score-batch';
import { extractionEvent, makeEvent, minutesAfter } from './events';

export const RING_T0 = '2026-02-02T00:00:00.000Z';
let sequence = 10_000;

/**
 * A ring member: half extraction (a topic sweep on shared cards), half ordinary chat, so that no
 * member reaches the account suspend threshold on its own and only the cluster catches them.
 */
export function ringTraffic(accountId: string, card: string, count: number, offsetMinutes = 0): UsageEvent[] {
  return Array.from({ length: count }, (_, i) => {
    const common = {
      accountId,
      paymentFingerprint: card,
      deviceFingerprint: `dev-${accountId}`,
      accountCreatedAt: '2026-02-01T00:00:00.000Z',
      ts: minutesAfter(RING_T0, offsetMinutes + i * 40),
      eventId: `${accountId}-${offsetMinutes}-${i}`,
    };
    return i % 2 === 0
      ? extractionEvent({
          ...common,
          topic: `topic-${accountId}-${offsetMinutes}-${i}`,
          conversationId: `c-${accountId}-${offsetMinutes}-${i}`,
        })
      : makeEvent(common);
  });
}

/** The events as stream records of one shard, in order. */
export function streamRecords(events: readonly UsageEvent[]): StreamRecord[] {
  return events.map((event) => ({
    shardId: 'shardId-000000000000',
    sequenceNumber: String(sequence++).padStart(20, '0'),
    partitionKey: event.accountId,
    data: Buffer.from(JSON.stringify(event)),
  }));
}
