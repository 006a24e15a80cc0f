import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { measureDynamoDbAccounting } from '../../bench/dynamodb-accounting';
import type { UsageEvent } from '../../lambdas/core/contract/usage-event';
import { extractionEvent, makeEvent, minutesAfter } from '../support/events';
import { tempDirPerTest } from '../support/temp-dir';

const T0 = '2026-02-01T00:00:00.000Z';

describe('Function: measureDynamoDbAccounting', () => {
  const dirOf = tempDirPerTest('cauterize-accounting-');

  it('counts the aggregator design: only the account that leaves the low-risk set, and its edges', async () => {
    // Prepare: an extraction-shaped account (32 requests over a day) beside a person, in time order
    const events: UsageEvent[] = [];
    for (let i = 0; i < 32; i++) {
      events.push(
        extractionEvent({
          accountId: 'acct-x',
          eventId: `x-${i}`,
          ts: minutesAfter(T0, i * 45),
          conversationId: `cx-${i}`,
          paymentFingerprint: 'card-x',
          deviceFingerprint: 'dev-x',
        }),
        makeEvent({
          accountId: 'acct-y',
          eventId: `y-${i}`,
          // A person: a working day's chat in long conversations, with long pauses
          ts: minutesAfter(T0, 9 * 60 + i * 15 + (i % 3) * 4),
          conversationId: `cy-${Math.floor(i / 8)}`,
          turn: (i % 8) + 1,
          accountCreatedAt: '2025-06-01T00:00:00.000Z',
          tier: 'pro',
          paymentFingerprint: 'card-y',
          deviceFingerprint: 'dev-y',
          ip: '203.0.113.9',
        }),
      );
    }
    events.sort((a, b) => a.ts.localeCompare(b.ts));
    const file = join(dirOf(), 'traffic.jsonl');
    await writeFile(file, `${events.map((e) => JSON.stringify(e)).join('\n')}\n`);

    // Act: batches spanning 60 s hold one request each
    const measured = await measureDynamoDbAccounting(file, { batchingWindowSeconds: 60 });

    // Assess
    const { aggregator } = measured;
    expect(measured.events).toBe(64);
    expect(measured.accountWrites).toBe(64);
    expect(aggregator.riskyAccounts).toBe(1);
    // At most one write per event-time hour and band change of acct-x; fewer for longer periods
    expect(aggregator.accountWrites).toBeGreaterThan(0);
    expect(aggregator.accountWrites).toBeLessThan(32);
    expect(aggregator.accountWritesEvery['6h']).toBeLessThanOrEqual(aggregator.accountWrites);
    expect(aggregator.accountWritesEvery['24h']).toBeLessThanOrEqual(aggregator.accountWritesEvery['6h']);
    // acct-x's edges (its card, device, address, ...) and none of acct-y's
    expect(aggregator.linkWrites).toBeGreaterThan(0);
    expect(aggregator.linkWrites).toBeLessThan(measured.linkWrites);
    expect(aggregator.writesPerEvent).toBeCloseTo(
      (aggregator.accountWrites + aggregator.linkWrites + measured.workflowWrites) / 64,
      10,
    );
  });
});
