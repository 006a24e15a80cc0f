import fc from 'fast-check';
import { scoreAccount } from '../../../lambdas/core/batch/account-scorer';
import { BUCKET_COUNTERS, emptyBucket, type HourBucket } from '../../../lambdas/core/scoring/window';
import { extractionEvent, flipHashBits, makeEvent, minutesAfter, sequenced } from '../../support/events';
import { testPolicy } from '../../support/policy';
import { templateBandKeys } from '../../../lambdas/core/scoring/template-memory';
import {
  decodeBuckets,
  decodeTemplateBands,
  decodeTopics,
  encodeBuckets,
  encodeTemplateBands,
  encodeTopics,
  fromItem,
} from '../../../lambdas/adapters/account-item-codec';

const T0 = '2026-02-01T00:00:00.000Z';
const HOUR = 493_000;

describe('Function: scoreAccount (signal state)', () => {
  const policy = testPolicy();

  it('keeps the per-account signal memories bounded over any number of batches', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.array(
            fc.record({
              minutes: fc.integer({ min: 0, max: 600 }),
              topic: fc.integer({ min: 0, max: 500 }),
              hash: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
              turn: fc.integer({ min: 1, max: 3 }),
            }),
            { minLength: 1, maxLength: 60 },
          ),
          { minLength: 1, maxLength: 8 },
        ),
        (batches) => {
          // Prepare
          let state;
          let at = 0;
          let seq = 1000;

          // Act
          for (const batch of batches) {
            const events = batch.map((spec) => {
              at += spec.minutes;
              return makeEvent({
                ts: minutesAfter(T0, at),
                topic: `topic-${spec.topic}`,
                promptHash: spec.hash.toString(16).padStart(16, '0'),
                turn: spec.turn,
              });
            });
            state = scoreAccount(state, sequenced(events, seq), policy).state;
            seq += events.length;

            // Assess
            expect(state.recentTopics.length).toBeLessThanOrEqual(64);
            expect(state.templateBands.length).toBeLessThanOrEqual(64);
            expect(state.recurringTemplateBands.length).toBeLessThanOrEqual(16);
            expect(state.buckets.length).toBeLessThanOrEqual(policy.windows.scoringHours);
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('exposes the template bands an account keeps reusing, for linking', () => {
    // Prepare: 30 openers, paraphrases (2 bits) of one template
    const template = '9f3a61c007bde412';
    const events = Array.from({ length: 30 }, (_, i) =>
      extractionEvent({
        ts: minutesAfter(T0, i * 45),
        promptHash: flipHashBits(template, [i % 16, 48 + (i % 16)]),
      }),
    );

    // Act
    const { state } = scoreAccount(undefined, sequenced(events), policy);

    // Assess: bits 0-15 and 48-63 change bands 3 and 0; bands 1 and 2 recur untouched
    expect(state.recurringTemplateBands.slice(0, 2).sort()).toEqual(templateBandKeys(template).slice(1, 3));
    expect(state.reasons.map((r) => r.signal)).toContain('templateReuse');
  });
});

describe('Function: encodeBuckets / decodeBuckets', () => {
  it('round-trips any buckets', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.integer({ min: 0, max: 1_000_000 }),
            fc.array(fc.nat(), { minLength: 13, maxLength: 13 }),
          ),
          { maxLength: 24 },
        ),
        (rows) => {
          // Prepare
          const buckets = rows.map(([h, counters]) => {
            const bucket = emptyBucket(h);
            BUCKET_COUNTERS.forEach((key, i) => (bucket[key] = counters[i] ?? 0));
            return bucket;
          });

          // Act
          const decoded = decodeBuckets(encodeBuckets(buckets));

          // Assess
          expect(decoded).toEqual(buckets);
        },
      ),
    );
  });

  it('reads the object buckets of items written before the new counters, with the new counters at 0', () => {
    // Prepare
    const old = JSON.stringify([{ h: HOUR, n: 3, cap: 2, cot: 1, inTok: 10, outTok: 20, open: 3 }]);

    // Act
    const [bucket] = decodeBuckets(old);

    // Assess
    expect(bucket).toEqual<HourBucket>({
      ...emptyBucket(HOUR),
      n: 3,
      cap: 2,
      cot: 1,
      inTok: 10,
      outTok: 20,
      open: 3,
    });
  });
});

describe('Function: encodeTopics / encodeTemplateBands', () => {
  it('round-trips topic and band memories compactly', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.stringMatching(/^[0-9a-z]{1,7}$/), fc.integer({ min: HOUR, max: HOUR + 400 })), {
          maxLength: 64,
        }),
        fc.array(
          fc.tuple(
            fc.stringMatching(/^[0-3]:[0-9a-f]{4}$/),
            fc.integer({ min: 1, max: 10_000 }),
            fc.integer({ min: HOUR, max: HOUR + 400 }),
          ),
          { maxLength: 64 },
        ),
        (topics, bands) => {
          // Act
          const topicsBack = decodeTopics(encodeTopics(topics));
          const bandsBack = decodeTemplateBands(encodeTemplateBands(bands));

          // Assess
          expect(topicsBack).toEqual(topics);
          expect(bandsBack).toEqual(bands);
        },
      ),
    );
    expect(encodeTemplateBands([['0:9f3a', 3, HOUR]])).toBe(`${HOUR.toString(36)};0:9f3a/3/0`);
  });

  it('skips malformed entries and reads nothing from a list without its latest hour', () => {
    // Act
    const topics = decodeTopics('zz;a/0,,b,c/!,/1,d/2,e/1/1');
    const bands = decodeTemplateBands('zz;0:aaaa/3/0,0:bbbb/!/0,0:cccc/2,0:dddd/a/1');

    // Assess: zz is hour 1295 in base 36
    expect(topics).toEqual([
      ['a', 1295],
      ['d', 1293],
    ]);
    expect(bands).toEqual([
      ['0:aaaa', 3, 1295],
      ['0:dddd', 10, 1294],
    ]);
    expect(decodeTopics('a/0,b/1')).toEqual([]);
    expect(decodeTopics('!;a/0')).toEqual([]);
    expect(decodeTopics('')).toEqual([]);
  });
});

describe('Function: fromItem', () => {
  it('loads an item written before the signal memories existed, with empty memories', () => {
    // Prepare
    const item = {
      accountId: 'acct-old',
      tier: 'pro',
      buckets: JSON.stringify([{ h: HOUR, n: 1, cap: 1, cot: 0, inTok: 5, outTok: 5, open: 1 }]),
      version: 3,
    };

    // Act
    const state = fromItem(item);

    // Assess
    expect(state).toMatchObject({
      recentTopics: [],
      templateBands: [],
      recurringTemplateBands: [],
      version: 3,
    });
    expect(state.buckets[0]?.fu).toBe(0);
  });

  it('reads the memories back as the store writes them', () => {
    // Prepare
    const item = {
      accountId: 'acct-new',
      recentTopics: encodeTopics([['k1', HOUR]]),
      templateBands: encodeTemplateBands([['1:61c0', 4, HOUR - 2]]),
      recurringTemplateBands: '1:61c0,2:07bd',
    };

    // Act
    const state = fromItem(item);

    // Assess
    expect(state.recentTopics).toEqual([['k1', HOUR]]);
    expect(state.templateBands).toEqual([['1:61c0', 4, HOUR - 2]]);
    expect(state.recurringTemplateBands).toEqual(['1:61c0', '2:07bd']);
  });
});
