import fc from 'fast-check';
import { parseUsageEvent, parseUsageEventBytes } from '../../../lambdas/core/contract/usage-event';
import { makeEvent } from '../../support/events';

describe('Function: parseUsageEvent', () => {
  it('accepts a valid v1 event and drops unknown fields', () => {
    // Prepare
    const event = { ...makeEvent(), gatewayRegion: 'eu-west-1' };

    // Act
    const result = parseUsageEvent(event);

    // Assess
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.event.accountId).toBe('acct-1');
      expect(result.event).not.toHaveProperty('gatewayRegion');
    }
  });

  it.each([
    ['v', 2, 'v'],
    ['promptHash', 'ABCDEF0123456789', 'promptHash'],
    ['promptHash', '0123', 'promptHash'],
    ['ip', '999.1.1.1', 'ip'],
    ['country', 'USA', 'country'],
    ['tier', 'gold', 'tier'],
    ['capability', 'poetry', 'capability'],
    ['turn', 0, 'turn'],
    ['inputTokens', -1, 'inputTokens'],
    ['inputTokens', 1.5, 'inputTokens'],
    ['ts', '2026-02-01', 'ts'],
    ['eventId', '', 'eventId'],
    ['accountId', 'x'.repeat(129), 'accountId'],
    ['reasoningRequested', 'yes', 'reasoningRequested'],
  ])('rejects %s = %j naming the field', (key, value, field) => {
    // Prepare
    const event = { ...makeEvent(), [key]: value };

    // Act
    const result = parseUsageEvent(event);

    // Assess
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.rejection.field).toBe(field);
      expect(result.rejection.reason.length).toBeGreaterThan(5);
    }
  });

  it('accepts IPv6 addresses and null optional fields', () => {
    // Prepare
    const event = makeEvent({
      ip: '2001:db8::1',
      asn: null,
      country: null,
      paymentFingerprint: null,
      topic: null,
    });

    // Act
    const result = parseUsageEvent(event);

    // Assess
    expect(result.ok).toBe(true);
  });
});

describe('Function: parseUsageEventBytes', () => {
  it('reports JSON that does not parse as a record-level rejection', () => {
    // Act
    const result = parseUsageEventBytes(Buffer.from('{"v":1,'));

    // Assess
    expect(result).toEqual({
      ok: false,
      rejection: { field: '(record)', reason: expect.stringMatching(/^not valid JSON/) },
    });
  });

  it('never throws, whatever the bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        const result = parseUsageEventBytes(bytes);
        expect(typeof result.ok).toBe('boolean');
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects any single corrupted field of a valid event with that field named', () => {
    const keys = Object.keys(makeEvent()) as Array<keyof ReturnType<typeof makeEvent>>;
    fc.assert(
      fc.property(
        fc.constantFrom(...keys),
        fc.oneof(fc.constant(undefined), fc.object(), fc.constant(-1.5), fc.constant('')),
        (key, junk) => {
          const event: Record<string, unknown> = { ...makeEvent(), [key]: junk };
          if (junk === undefined) delete event[key];
          const result = parseUsageEvent(event);
          // Some junk is legal for some fields (e.g. '' for userAgent); when rejected, the field is named.
          if (!result.ok) expect(result.rejection.field.split('.')[0]).toBe(key);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
