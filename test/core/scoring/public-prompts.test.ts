import fc from 'fast-check';
import { scoreAccount } from '../../../lambdas/core/batch/account-scorer';
import {
  MAX_PUBLIC_PROMPT_DISTANCE,
  PublicPromptIndex,
  publicPromptIndex,
} from '../../../lambdas/core/scoring/public-prompts';
import { extractionEvidence, totals } from '../../../lambdas/core/scoring/window';
import { extractionEvent, flipHashBits, minutesAfter, sequenced } from '../../support/events';
import { testPolicy } from '../../support/policy';

const T0 = '2026-02-01T00:00:00.000Z';
const hex64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map((v) => v.toString(16).padStart(16, '0'));
const bitsOf = (count: number) =>
  fc.uniqueArray(fc.integer({ min: 0, max: 63 }), { minLength: count, maxLength: count });

describe('Class: PublicPromptIndex', () => {
  it('finds a listed prompt moved by up to maxDistance bits, and not one moved further', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(hex64, { minLength: 1, maxLength: 50 }),
        fc.nat(),
        fc.integer({ min: 0, max: MAX_PUBLIC_PROMPT_DISTANCE }),
        bitsOf(MAX_PUBLIC_PROMPT_DISTANCE + 2),
        (list, pick, maxDistance, bits) => {
          // Prepare
          const listed = list[pick % list.length]!;
          const index = new PublicPromptIndex(list, maxDistance);
          const alone = new PublicPromptIndex([listed], maxDistance);

          // Act & Assess: within the distance, found; one bit further, not (against that item alone)
          expect(index.has(flipHashBits(listed, bits.slice(0, maxDistance)))).toBe(true);
          expect(alone.has(flipHashBits(listed, bits.slice(0, maxDistance + 1)))).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses a fingerprint that is not 16 lowercase hex digits, and a distance its lookup would miss', () => {
    // Act & Assess
    expect(() => new PublicPromptIndex(['0123456789ABCDEF'], 3)).toThrow(
      /not a prompt fingerprint: "0123456789ABCDEF"/,
    );
    expect(() => new PublicPromptIndex(['0123456789abcdef'], MAX_PUBLIC_PROMPT_DISTANCE + 1)).toThrow(
      /maxDistance must be an integer from 0 to 3/,
    );
  });

  it('is built once per policy list, and not at all for an empty one', () => {
    // Prepare
    const list = { fingerprints: ['0123456789abcdef'], maxDistance: 2 };

    // Act & Assess
    expect(publicPromptIndex(list)).toBe(publicPromptIndex(list));
    expect(publicPromptIndex({ fingerprints: [], maxDistance: 2 })).toBeUndefined();
    expect(publicPromptIndex(undefined)).toBeUndefined();
  });
});

describe('Policy key: publicPrompts, in scoring', () => {
  const policy = testPolicy();
  const listed = policy.publicPrompts?.fingerprints ?? [];
  const { publicPrompts: _, ...withoutList } = policy;
  const unlisted = testPolicy({ ...withoutList, publicPrompts: undefined });

  /**
   * A lab's benchmark run, twice: 60 listed items through a harness that moves each fingerprint by
   * two bits, every item on a topic of its own, chain-of-thought on, single turn.
   */
  const benchmarkRun = () =>
    [0, 1].flatMap((run) =>
      listed.slice(0, 60).map((item, i) =>
        extractionEvent({
          ts: minutesAfter(T0, run * 300 + i * 2),
          topic: `math.item-${i}`,
          promptHash: flipHashBits(item, [7, 41]),
          conversationId: null,
        }),
      ),
    );

  it('ships a list (config/public-prompts.txt)', () => {
    expect(listed.length).toBeGreaterThan(3000);
  });

  it('counts no evidence for listed items, exposes no template band and writes no census key', () => {
    // Act
    const withList = scoreAccount(undefined, sequenced(benchmarkRun()), policy);
    const without = scoreAccount(undefined, sequenced(benchmarkRun()), unlisted);

    // Assess: without the list, each first send of an item is half a request of evidence
    expect(extractionEvidence(totals(without.state.buckets))).toBeGreaterThanOrEqual(30);
    expect(extractionEvidence(totals(withList.state.buckets))).toBe(0);
    expect(withList.state.templateBands).toEqual([]);
    expect(withList.state.recurringTemplateBands).toEqual([]);
    expect(withList.newLinks.filter((l) => l.kind === 'tpl' || l.kind === 'prm')).toEqual([]);
  });

  it('still counts a campaign that mixes listed items in as camouflage', () => {
    // Prepare: a template scaffold filled with 40 new questions, between listed items
    const scaffold = '9f3a61c107bde412';
    const campaign = Array.from({ length: 40 }, (_, i) =>
      extractionEvent({
        ts: minutesAfter(T0, i * 6 + 1),
        topic: `syllabus.topic-${i}`,
        promptHash: flipHashBits(scaffold, [i % 3 === 0 ? 63 : 1]),
        conversationId: null,
      }),
    );
    const camouflage = listed.slice(100, 140).map((item, i) =>
      extractionEvent({
        ts: minutesAfter(T0, i * 6 + 4),
        topic: `math.item-${i}`,
        promptHash: item,
        conversationId: null,
      }),
    );

    // Act
    const alone = scoreAccount(undefined, sequenced(campaign), policy).state;
    const mixed = scoreAccount(
      undefined,
      sequenced([...campaign, ...camouflage].sort((a, b) => a.ts.localeCompare(b.ts))),
      policy,
    ).state;

    // Assess: the listed items add nothing, and take nothing away
    expect(extractionEvidence(totals(alone.buckets))).toBeGreaterThan(10);
    expect(extractionEvidence(totals(mixed.buckets))).toBe(extractionEvidence(totals(alone.buckets)));
  });
});
