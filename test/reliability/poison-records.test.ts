import fc from 'fast-check';
import { CAPABILITIES, TIERS } from '../../lambdas/core/contract/usage-event';
import type { KinesisWriteRecord } from '../../local/kinesis/kinesis-writer';
import { ReliabilityPipeline, stopPipelinesLeftRunning } from '../support/reliability-pipeline';

/**
 * Poison and malformed records, pushed through the real stream, poller and scorer on the local
 * services: whatever arrives, no batch fails as a whole, and every record is either scored or
 * dead-lettered with the field at fault and a reason.
 */

/** A record and what the contract must make of it. */
interface Case {
  readonly record: KinesisWriteRecord;
  readonly valid: boolean;
}

let sequence = 0;
const nextId = (prefix: string) => `${prefix}-${(sequence += 1)}`;

const isoBetween = (from: string, to: string) =>
  fc.integer({ min: Date.parse(from), max: Date.parse(to) }).map((ms) => new Date(ms).toISOString());

const hex16 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map((n) => n.toString(16).padStart(16, '0'));
/** Short strings of awkward characters: quotes, escapes, NUL, accents, CJK, astral emoji. */
const shortText = fc.string({
  minLength: 1,
  maxLength: 30,
  unit: fc.constantFrom('a', 'Z', '0', '-', '\u00e9', '\u6f22', '\u{1f525}', '\u0000', '"', '\\', '\n'),
});

/** Events valid by construction (every field in its contract range), with odd but legal content. */
const validEvent = (accountIds: readonly string[]) =>
  fc.record({
    v: fc.constant(1),
    eventId: fc.constant(null).map(() => nextId('evt')),
    ts: isoBetween('2026-02-02T00:00:00Z', '2026-02-02T06:00:00Z'),
    accountId: fc.constantFrom(...accountIds),
    orgId: fc.option(shortText, { nil: null }),
    tier: fc.constantFrom(...TIERS),
    accountCreatedAt: isoBetween('2025-01-01T00:00:00Z', '2026-02-01T00:00:00Z'),
    // A few addresses, both families: every distinct address is a link key, and link writes are not what is tested.
    ip: fc.constantFrom(
      '203.0.113.45',
      '198.51.100.7',
      '2001:db8::1',
      '::ffff:192.0.2.1',
      'fe80::1ff:fe23:4567:890a',
    ),
    asn: fc.option(fc.integer({ min: 0, max: 4_294_967_295 }), { nil: null }),
    country: fc.option(fc.constantFrom('US', 'SG', 'DE', 'BR'), { nil: null }),
    userAgent: fc.option(fc.string({ maxLength: 200, unit: 'binary' }), { nil: null }),
    paymentFingerprint: fc.option(fc.constantFrom('pf_a', 'pf_b', 'pf_c'), { nil: null }),
    deviceFingerprint: fc.option(fc.constantFrom('df_a', 'df_b'), { nil: null }),
    emailDomain: fc.option(fc.constantFrom('example.com', 'mail.example'), { nil: null }),
    model: shortText,
    capability: fc.constantFrom(...CAPABILITIES),
    inputTokens: fc.nat({ max: 2_000_000 }),
    outputTokens: fc.nat({ max: 2_000_000 }),
    promptHash: hex16,
    topic: fc.option(fc.constantFrom('math.primes', 'code.rust', 'chat'), { nil: null }),
    conversationId: fc.option(shortText, { nil: null }),
    turn: fc.integer({ min: 1, max: 500 }),
    toolCalls: fc.nat({ max: 1000 }),
    reasoningRequested: fc.boolean(),
  });

/** Unknown extra fields are ignored, even hostile ones: written before the event's own fields. */
const extras = fc.oneof(
  fc.constant<Array<[string, unknown]>>([]),
  fc.constant<Array<[string, unknown]>>([
    ['__proto__', { polluted: true }],
    ['constructor', { prototype: 1 }],
  ]),
  fc.array(fc.tuple(fc.string({ minLength: 1, maxLength: 10 }), fc.jsonValue({ maxDepth: 4 })), {
    maxLength: 3,
  }),
);

/** JSON text of the event with extra keys in front (a literal "__proto__" key included). */
function withExtras(event: object, pairs: ReadonlyArray<[string, unknown]>): string {
  const text = JSON.stringify(event);
  if (pairs.length === 0) return text;
  const head = pairs.map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value)}`).join(',');
  return `{${head},${text.slice(1)}`;
}

/** One way to break a valid event that the contract must catch, whatever else the event holds. */
const corruption = fc.oneof(
  fc.constantFrom<[string, unknown]>(
    ['v', 2],
    ['v', '1'],
    ['eventId', ''],
    ['eventId', 'x'.repeat(129)],
    ['ts', 'yesterday'],
    ['ts', 1_770_000_000_000],
    ['accountId', null],
    ['tier', 'platinum'],
    ['ip', '999.1.1.1'],
    ['asn', -1],
    ['asn', 1.5],
    ['country', 'usa'],
    ['capability', 'REASONING'],
    ['inputTokens', -1],
    ['outputTokens', Number.MAX_VALUE * 0],
    ['promptHash', 'XYZ'],
    ['promptHash', 'F00DFEEDCAFEBEEF'],
    ['turn', 0],
    ['toolCalls', '3'],
    ['reasoningRequested', 'yes'],
  ),
  fc
    .constantFrom('v', 'eventId', 'ts', 'accountId', 'tier', 'ip', 'promptHash', 'turn')
    .map((field): [string, unknown] => [field, undefined]),
);

const validCase = (accountIds: readonly string[]): fc.Arbitrary<Case> =>
  fc.tuple(validEvent(accountIds), extras).map(([event, extra]) => ({
    record: { partitionKey: event.accountId, data: Buffer.from(withExtras(event, extra)) },
    valid: true,
  }));

const invalidCase = (accountIds: readonly string[]): fc.Arbitrary<Case> =>
  fc.oneof(
    // A field out of contract (or missing)
    fc.tuple(validEvent(accountIds), corruption).map(([event, [field, value]]) => {
      const broken: Record<string, unknown> = { ...event, [field]: value };
      if (value === undefined) delete broken[field];
      // 0 * MAX_VALUE is 0, a legal count: make that corruption a float instead
      if (field === 'outputTokens') broken[field] = 0.25;
      return {
        record: { partitionKey: event.accountId, data: Buffer.from(JSON.stringify(broken)) },
        valid: false,
      };
    }),
    // Truncated JSON: every strict prefix of an object's text is invalid
    fc.tuple(validEvent(accountIds), fc.double({ min: 0, max: 0.999, noNaN: true })).map(([event, cut]) => {
      const text = JSON.stringify(event);
      return {
        record: {
          partitionKey: event.accountId,
          data: Buffer.from(text.slice(0, Math.max(1, Math.floor(text.length * cut)))),
        },
        valid: false,
      };
    }),
    // Random bytes, JSON that is not an object, deep nesting
    fc.uint8Array({ minLength: 1, maxLength: 300 }).map((bytes) => ({
      record: { partitionKey: 'poison', data: bytes },
      valid: false,
    })),
    fc
      .oneof(
        fc.jsonValue({ maxDepth: 2 }).filter((v) => typeof v !== 'object' || v === null || Array.isArray(v)),
      )
      .map((value) => ({
        record: { partitionKey: 'poison', data: Buffer.from(JSON.stringify(value)) },
        valid: false,
      })),
    fc.integer({ min: 1_000, max: 5_000 }).map((depth) => ({
      record: { partitionKey: 'poison', data: Buffer.from(`${'['.repeat(depth)}${']'.repeat(depth)}`) },
      valid: false,
    })),
  );

describe('Reliability: poison and malformed records', () => {
  stopPipelinesLeftRunning();
  let pipeline: ReliabilityPipeline;

  beforeAll(async () => {
    pipeline = await ReliabilityPipeline.start({ batchSize: 300 });
  });

  afterAll(async () => {
    await pipeline?.stop();
  });

  it('scores or dead-letters every record, with a reason, and fails no batch', async () => {
    let totalRecords = 0;
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 12 }).chain((accounts) => {
          run += 1;
          const accountIds = Array.from({ length: accounts }, (_, i) => `acct-p${run}-${i}`);
          return fc.array(fc.oneof(validCase(accountIds), invalidCase(accountIds)), {
            minLength: 400,
            maxLength: 600,
          });
        }),
        async (cases) => {
          // Prepare
          const { scoring, deadLetters, poller } = pipeline.pipeline;
          const before = {
            valid: scoring.valid,
            duplicates: scoring.duplicates,
            rejected: deadLetters.total,
          };
          const stats = poller.stats;

          // Act
          await pipeline.run(cases.map((c) => c.record));

          // Assess
          const after = poller.stats;
          const scored = scoring.valid - before.valid;
          const rejected = deadLetters.total - before.rejected;
          const expectedValid = cases.filter((c) => c.valid).length;
          expect(scoring.duplicates - before.duplicates).toBe(0);
          expect(scored).toBe(expectedValid);
          expect(rejected).toBe(cases.length - expectedValid);
          expect(scored + rejected).toBe(cases.length);
          expect(after.handlerErrors - stats.handlerErrors).toBe(0);
          expect(after.partialBatchFailures - stats.partialBatchFailures).toBe(0);
          expect(after.recordsDiscarded).toBe(0);
          // The dead letters are exactly the invalid records, each with its field and reason
          const fresh = await pipeline.newDeadLetters();
          expect(fresh.map((r) => r.dataBase64).sort()).toEqual(
            cases
              .filter((c) => !c.valid)
              .map((c) => Buffer.from(c.record.data).toString('base64'))
              .sort(),
          );
          for (const r of fresh) {
            expect(r.field.length).toBeGreaterThan(0);
            expect(r.reason.length).toBeGreaterThan(0);
          }
          totalRecords += cases.length;
        },
      ),
      { numRuns: 6, seed: 20_261_127, endOnFailure: true },
    );
    expect(totalRecords).toBeGreaterThanOrEqual(2_400);
    expect(pipeline.pipeline.failedBatches).toHaveLength(0);
    expect(pipeline.lastHandlerError).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
