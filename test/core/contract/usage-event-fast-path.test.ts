import fc from 'fast-check';
import {
  CAPABILITIES,
  parseUsageEvent,
  parseUsageEventWithSchema,
  TIERS,
} from '../../../lambdas/core/contract/usage-event';
import { makeEvent } from '../../support/events';

/**
 * parseUsageEvent checks events with a hand-written fast path and lets the zod schema decide
 * whatever it defers. These properties hold it to the schema: the same verdict, the same event and
 * the same rejection for valid events, near-valid ones (one field changed to an edge or wrong
 * value) and arbitrary JSON.
 */

const timestamp = fc.oneof(
  fc
    .integer({ min: Date.parse('1990-01-01'), max: Date.parse('2100-01-01') })
    .map((ms) => new Date(ms).toISOString()),
  fc.constantFrom(
    '2026-02-29T00:00:00Z',
    '2024-02-29T23:59:59Z',
    '2026-02-01T12:00:00+05:30',
    '2026-02-01T12:00:00.123456789Z',
    '2026-13-01T00:00:00Z',
    '2026-02-01T24:00:00Z',
    '2026-02-01 12:00:00Z',
    '2026-02-01T12:00Z',
    '2026-02-01',
  ),
);

/** Values a field may take: valid ones, boundary ones and wrong types. */
const EDGE_VALUES: readonly unknown[] = [
  null,
  undefined,
  '',
  'x',
  'x'.repeat(128),
  'x'.repeat(129),
  'x'.repeat(256),
  'x'.repeat(257),
  'x'.repeat(1025),
  0,
  1,
  -1,
  1.5,
  2 ** 53,
  4_294_967_295,
  4_294_967_296,
  true,
  false,
  [],
  {},
  'US',
  'usa',
  '0123456789abcdef',
  '0123456789ABCDEF',
  '10.0.0.1',
  '256.0.0.1',
  '01.2.3.4',
  '2001:db8::1',
  '::ffff:10.0.0.1',
  '1:2:3:4:5:6:7:8:9',
  ...TIERS,
  ...CAPABILITIES,
];
const fieldValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...EDGE_VALUES),
  timestamp,
  fc.string({ maxLength: 20 }),
  fc.integer(),
  fc.double(),
);

const fields = Object.keys(makeEvent());

function expectSameVerdict(value: unknown): void {
  expect(parseUsageEvent(value)).toEqual(parseUsageEventWithSchema(value));
}

describe('Function: parseUsageEvent (fast path)', () => {
  it('agrees with the schema on every field set to every edge value', () => {
    for (const field of fields) {
      for (const value of EDGE_VALUES) {
        const event: Record<string, unknown> = { ...makeEvent(), [field]: value };
        if (value === undefined) delete event[field];
        expectSameVerdict(event);
      }
    }
  });

  it('agrees with the schema on events with one field changed', () => {
    fc.assert(
      fc.property(fc.constantFrom(...fields), fieldValue, (field, value) => {
        const event: Record<string, unknown> = { ...makeEvent(), [field]: value };
        if (value === undefined) delete event[field];
        expectSameVerdict(event);
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees with the schema on events with several fields changed and extra fields', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom(...fields), fieldValue, { maxKeys: 4 }),
        fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), {
          maxKeys: 3,
        }),
        (changes, extra) => expectSameVerdict({ ...extra, ...makeEvent(), ...changes }),
      ),
      { numRuns: 2000 },
    );
  });

  it('agrees with the schema on IPv6 addresses, well-formed and damaged', () => {
    // IPv6 is checked on the fast path with zod's own IPv6 check; damaged forms probe its edges.
    const damaged = fc
      .tuple(fc.ipV6(), fc.nat(), fc.constantFrom('', ':', '::', 'g', '.', '%eth0', '1.2.3.4', '[', ' '))
      .map(([ip, at, insert]) => ip.slice(0, at % (ip.length + 1)) + insert + ip.slice(at % (ip.length + 1)));
    fc.assert(
      fc.property(fc.oneof(fc.ipV6(), damaged, fc.ipV4Extended()), (ip) =>
        expectSameVerdict({ ...makeEvent(), ip }),
      ),
      { numRuns: 3000 },
    );
  });

  it('agrees with the schema on arbitrary JSON values', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 3 }), expectSameVerdict), { numRuns: 1000 });
  });

  it('returns exactly the fields of the contract, in the schema order, for a valid event', () => {
    // Prepare
    const event = { extra: 1, ...makeEvent({ ip: '203.0.113.7' }), another: 'x' };

    // Act
    const fast = parseUsageEvent(event);
    const schema = parseUsageEventWithSchema(event);

    // Assess
    expect(fast.ok).toBe(true);
    if (fast.ok && schema.ok) expect(Object.keys(fast.event)).toEqual(Object.keys(schema.event));
  });
});
