import { matchesEventPattern, UnsupportedEventPatternError } from '../../../local/eventbridge/event-pattern';
import { LocalEventBus } from '../../../local/eventbridge/local-event-bus';

const event = {
  source: 'cauterize',
  'detail-type': 'CaseUpdated',
  detail: { caseId: 'case-1', toStatus: 'FALSE_POSITIVE', accountIds: ['a', 'b'] },
};

describe('Function: matchesEventPattern', () => {
  it.each([
    [{ source: ['cauterize'], detail: { toStatus: ['FALSE_POSITIVE'] } }, true],
    [{ source: ['cauterize'], detail: { toStatus: ['CONFIRMED', 'CLOSED'] } }, false],
    [{ detail: { accountIds: ['b'] } }, true],
    [{ detail: { caseId: [{ prefix: 'case-' }] } }, true],
    [{ detail: { toStatus: [{ 'anything-but': ['FALSE_POSITIVE'] }] } }, false],
    [{ detail: { assignee: [{ exists: false }] } }, true],
    [{ detail: { assignee: [{ exists: true }] } }, false],
    [{ 'detail-type': [{ 'equals-ignore-case': 'caseupdated' }] }, true],
    [{ detail: { missing: ['x'] } }, false],
  ])('matches %j: %s', (pattern, expected) => {
    // Act / Assess
    expect(matchesEventPattern(pattern, event)).toBe(expected);
  });

  it('refuses a filter it does not implement instead of guessing', () => {
    // Act / Assess
    expect(() => matchesEventPattern({ detail: { n: [{ numeric: ['>', 1] }] } }, event)).toThrow(
      UnsupportedEventPatternError,
    );
  });
});

describe('Class: LocalEventBus (rules)', () => {
  it('delivers the matching events of its bus to the rule target', async () => {
    // Prepare
    const bus = new LocalEventBus();
    const delivered: unknown[] = [];
    bus.addRule({
      name: 'OnCleared',
      eventBusName: 'arn:aws:events:us-east-1:000000000000:event-bus/enforcement',
      pattern: { 'detail-type': ['CaseUpdated'], detail: { toStatus: ['FALSE_POSITIVE'] } },
      target: async (e) => {
        delivered.push(e);
      },
    });

    // Act
    await bus.putEvents([
      {
        EventBusName: 'enforcement',
        Source: 'cauterize',
        DetailType: 'CaseUpdated',
        Detail: { toStatus: 'FALSE_POSITIVE' },
      },
      {
        EventBusName: 'enforcement',
        Source: 'cauterize',
        DetailType: 'CaseUpdated',
        Detail: { toStatus: 'CLOSED' },
      },
      {
        EventBusName: 'other',
        Source: 'cauterize',
        DetailType: 'CaseUpdated',
        Detail: { toStatus: 'FALSE_POSITIVE' },
      },
    ]);
    await bus.flush();

    // Assess
    expect(delivered).toEqual([
      expect.objectContaining({ 'detail-type': 'CaseUpdated', detail: { toStatus: 'FALSE_POSITIVE' } }),
    ]);
    expect(delivered[0]).not.toHaveProperty('eventBusName');
  });

  it('records a failing target as a failed delivery, never failing the publisher', async () => {
    // Prepare
    const bus = new LocalEventBus();
    bus.addRule({
      name: 'Broken',
      eventBusName: 'default',
      pattern: { source: ['cauterize'] },
      target: async () => {
        throw new Error('target down');
      },
    });

    // Act
    const result = await bus.putEvents([{ Source: 'cauterize', DetailType: 'X', Detail: {} }]);
    await bus.flush();

    // Assess
    expect(result.FailedEntryCount).toBe(0);
    expect(bus.deliveryFailures()).toEqual([
      { rule: 'Broken', eventId: expect.any(String), error: new Error('target down') },
    ]);
  });
});
