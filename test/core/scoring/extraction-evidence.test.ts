import fc from 'fast-check';
import type { AccountState } from '../../../lambdas/core/account-state';
import { isFixedPrompt, isPublicPrompt, promptSpread } from '../../../lambdas/core/linking/edge-weights';
import { CENSUS_SAMPLE_MODULUS, censusKeysOf, senderEntity } from '../../../lambdas/core/linking/link-keys';
import type { LinkMembers } from '../../../lambdas/core/ports';
import { isExtractionSeed, scoreAccount } from '../../../lambdas/core/batch/account-scorer';
import { assessRisk } from '../../../lambdas/core/scoring/risk';
import { scoreBatch, type StreamRecord } from '../../../lambdas/core/batch/score-batch';
import { extractionEvidence, extractionMarks, totals } from '../../../lambdas/core/scoring/window';
import {
  MemoryAccountStore,
  MemoryEnforcement,
  MemoryLinkStore,
} from '../../../local/replay/memory-adapters';
import { LocalEventBus } from '../../../local/eventbridge/local-event-bus';
import {
  extractionEvent,
  flipHashBits,
  makeEvent,
  makeWindow,
  minutesAfter,
  sequenced,
} from '../../support/events';
import { testPolicy } from '../../support/policy';
import { TemplateMemory, topicTag } from '../../../lambdas/core/scoring/template-memory';
import { LocalDeadLetterSink } from '../../../local/dead-letter-sink';

const T0 = '2026-02-01T00:00:00.000Z';
// No band of it is a census sample (no band value a multiple of CENSUS_SAMPLE_MODULUS).
const TEMPLATE = '9f3a61c107bde412';

/** A campaign's request: a template scaffold (a few bits off) filled with topic `i`. */
const campaignRequest = (i: number, overrides = {}) =>
  extractionEvent({
    ts: minutesAfter(T0, i * 3),
    topic: `syllabus.topic-${i}`,
    promptHash: flipHashBits(TEMPLATE, [i % 3 === 0 ? 63 : 1]),
    conversationId: null,
    ...overrides,
  });

/** Ordinary chat: follow-ups on one topic. */
const chatRequest = (i: number) =>
  makeEvent({ ts: minutesAfter(T0, i * 3 + 1), capability: 'chat', turn: 2, topic: 'chat.travel' });

describe('Function: extractionMarks', () => {
  it('counts nothing for an ordinary question: an opener on a new topic is two marks', () => {
    // Act & Assess
    expect(
      extractionMarks(extractionEvent({ reasoningRequested: false }), { novelTopic: true, scaffold: false }),
    ).toBe(0);
  });

  it('counts a whole request (2 halves) for a scaffold filled with a new question, with chain-of-thought', () => {
    // Act & Assess
    expect(extractionMarks(extractionEvent(), { novelTopic: true, scaffold: true })).toBe(2);
    expect(extractionMarks(extractionEvent(), { novelTopic: false, scaffold: true })).toBe(1);
  });

  it('counts a long answer as the chain-of-thought mark: once, whether one or both show', () => {
    // Prepare: an opener on a new topic, no chain-of-thought flag (a prompt generator's request).
    const fresh = { novelTopic: true, scaffold: false };
    const plain = extractionEvent({ reasoningRequested: false });

    // Act & Assess
    expect(extractionMarks(plain, { ...fresh, longAnswer: true })).toBe(1);
    expect(extractionMarks(plain, { ...fresh, longAnswer: false })).toBe(0);
    expect(extractionMarks(extractionEvent(), { ...fresh, longAnswer: true })).toBe(1);
    expect(extractionMarks(extractionEvent(), { ...fresh, scaffold: true, longAnswer: true })).toBe(2);
  });

  it('counts nothing for the same question asked again, or for a chat request', () => {
    // Act & Assess
    expect(
      extractionMarks(extractionEvent(), { novelTopic: true, scaffold: true, repeatedPrompt: true }),
    ).toBe(0);
    expect(
      extractionMarks(extractionEvent({ capability: 'chat' }), { novelTopic: true, scaffold: true }),
    ).toBe(0);
  });
});

describe('Class: TemplateMemory', () => {
  it('tells a scaffold filled with a new topic from the same question asked again', () => {
    // Prepare
    const memory = new TemplateMemory([], 64);
    const hour = 1000;

    // Act
    memory.observe(TEMPLATE, hour, hour - 23, topicTag('math.algebra'));
    memory.observe(TEMPLATE, hour, hour - 23, topicTag('math.algebra'));
    const repeat = { repeated: memory.repeated, scaffold: memory.scaffold };
    memory.observe(flipHashBits(TEMPLATE, [2]), hour, hour - 23, topicTag('physics.optics'));
    const filled = { repeated: memory.repeated, scaffold: memory.scaffold };

    // Assess
    expect(repeat).toEqual({ repeated: true, scaffold: false });
    expect(filled).toEqual({ repeated: false, scaffold: true });
    expect(memory.entries(hour - 23).find(([key]) => key === '0:9f3a')?.[3]).toBe('*');
  });
});

describe('Function: scoreAccount (extraction evidence)', () => {
  const policy = testPolicy();

  it('counts extraction evidence that ordinary traffic mixed in never dilutes', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 10, maxLength: 80 }), (mix) => {
        // Prepare: the same campaign requests, alone and with ordinary chat slotted in.
        const campaign = mix.map((_, i) => campaignRequest(i));
        const mixed = mix.flatMap((chat, i) =>
          chat ? [campaignRequest(i), chatRequest(i)] : [campaignRequest(i)],
        );

        // Act
        const alone = scoreAccount(undefined, sequenced(campaign), policy).state;
        const diluted = scoreAccount(undefined, sequenced(mixed), policy).state;

        // Assess
        expect(extractionEvidence(totals(diluted.buckets))).toBe(extractionEvidence(totals(alone.buckets)));
        expect(extractionEvidence(totals(alone.buckets))).toBeGreaterThan(0);
      }),
      { numRuns: 40 },
    );
  });

  it('counts long answers without chain-of-thought at the policy length, and not without the setting', () => {
    // Prepare: every prompt written afresh on a new topic, no chain-of-thought flag (no scaffold:
    // each prompt is its own hash). Half the answers are long, half short.
    const events = Array.from({ length: 20 }, (_, i) =>
      extractionEvent({
        ts: minutesAfter(T0, i * 7),
        topic: `syllabus.topic-${i}`,
        promptHash: (0x1234567890abcdefn * BigInt(i + 1)).toString(16).slice(-16).padStart(16, '0'),
        conversationId: null,
        reasoningRequested: false,
        outputTokens: i % 2 === 0 ? policy.evidence.longAnswerTokens! : policy.evidence.longAnswerTokens! - 1,
      }),
    );
    const { longAnswerTokens: _, ...withoutSetting } = policy.evidence;

    // Act
    const shipped = scoreAccount(undefined, sequenced(events), policy).state;
    const cotOnly = scoreAccount(
      undefined,
      sequenced(events),
      testPolicy({ evidence: withoutSetting }),
    ).state;

    // Assess: ten long answers, three marks each, half a request each.
    expect(extractionEvidence(totals(shipped.buckets))).toBe(5);
    expect(extractionEvidence(totals(cotOnly.buckets))).toBe(0);
  });

  it('writes census keys for its sampled extraction-shaped prompts, with its sender and topic', () => {
    // Prepare: a prompt whose first band value is a multiple of the sample modulus.
    const sampled = `${(CENSUS_SAMPLE_MODULUS * 3).toString(16).padStart(4, '0')}${TEMPLATE.slice(4)}`;
    const events = [0, 1, 2].map((i) => campaignRequest(i, { promptHash: flipHashBits(sampled, [1 + i]) }));

    // Act
    const update = scoreAccount(undefined, sequenced(events), policy);

    // Assess
    const census = update.newLinks.filter((l) => l.kind === 'prm');
    expect(census.map((l) => l.linkKey)).toEqual(['prm#0:00c061c1']);
    expect(census[0]).toMatchObject({ entity: senderEntity(events[0]!), tag: topicTag(events[0]!.topic) });
    expect(update.state.censusKeys).toEqual(['prm#0:00c061c1']);
  });
});

describe('Function: censusKeysOf', () => {
  it('samples the same keys of a prompt whoever sends it, and about 1 prompt in 16', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (value) => {
        // Act
        const hash = value.toString(16).padStart(16, '0');

        // Assess
        expect(censusKeysOf(hash)).toEqual(censusKeysOf(hash));
        for (const key of censusKeysOf(hash)) expect(key).toMatch(/^prm#[0-3]:[0-9a-f]{8}$/);
      }),
    );
    const sampled = Array.from({ length: 4000 }, (_, i) =>
      censusKeysOf((BigInt(i) * 0x9e3779b97f4a7c15n).toString(16).slice(-16).padStart(16, '0')),
    ).filter((keys) => keys.length > 0).length;
    expect(sampled / 4000).toBeGreaterThan(0.04);
    expect(sampled / 4000).toBeLessThan(0.09);
  });
});

/** A key's edges as the link store reads them. */
const edges = (senders: readonly string[], tags: readonly string[]): LinkMembers => ({
  accountIds: senders.map((_, i) => `acct-${i}`),
  entities: [...senders],
  tags: [...tags],
  truncated: false,
});

describe('Function: isPublicPrompt', () => {
  const policy = testPolicy();

  it('calls a prompt public when unrelated senders send it on one topic, whoever they are', () => {
    // Act
    const spread = promptSpread(edges(['o:lab-a', 'o:lab-b', 'p:card-c'], ['k3', 'k3', 'k3']));

    // Assess
    expect(isPublicPrompt(spread, policy)).toBe(true);
    expect(isFixedPrompt(spread)).toBe(true);
  });

  it('does not call public a template its senders fill with different topics, nor one sender many times', () => {
    // Act & Assess
    expect(
      isPublicPrompt(promptSpread(edges(['a:1', 'a:2', 'a:3', 'a:4'], ['t1', 't2', 't3', '*'])), policy),
    ).toBe(false);
    expect(
      isPublicPrompt(promptSpread(edges(['p:ring', 'p:ring', 'p:ring'], ['k3', 'k3', 'k3'])), policy),
    ).toBe(false);
  });

  it('stays public when an unrelated prompt shares the key on another topic', () => {
    // Act
    const spread = promptSpread(edges(['o:a', 'o:b', 'o:c', 'o:d', 'a:x'], ['k3', 'k3', 'k3', 'k3', 'zz']));

    // Assess
    expect(isPublicPrompt(spread, policy)).toBe(true);
  });
});

describe('Function: assessRisk (extraction evidence)', () => {
  const policy = testPolicy();
  const { low, high, points, fullShare } = policy.evidence.extractionRequests;

  it('adds the full points for a large amount of extraction-shaped traffic, on any tier', () => {
    // Prepare: an api-tier account, its volume within the tier's norm, evidence at `high`.
    const window = makeWindow({ requests: high * 2, extractionHalves: high * 2 });

    // Act
    const risk = assessRisk(window, 'api', policy);

    // Assess
    const reason = risk.reasons.find((r) => r.signal === 'extractionVolume');
    expect(reason?.points).toBe(points);
    expect(reason?.value).toBe(high);
  });

  it('shrinks the points below fullShare of the traffic, and discounts public prompts', () => {
    // Prepare: the same evidence, a tenth of a reseller's mixed traffic.
    const evidence = (low + high) / 2;
    const window = makeWindow({
      requests: Math.round(evidence / (fullShare / 2)),
      extractionHalves: evidence * 2,
    });

    // Act
    const mixed = assessRisk(window, 'api', policy).reasons.find((r) => r.signal === 'extractionVolume');
    const publicPrompts = assessRisk(window, 'api', policy, { publicShare: 1 }).reasons.find(
      (r) => r.signal === 'extractionVolume',
    );

    // Assess
    expect(mixed?.points).toBeCloseTo(points / 4, 0);
    expect(publicPrompts).toBeUndefined();
  });
});

describe('Function: isExtractionSeed', () => {
  const policy = testPolicy();

  it('seeds an account by its count, or by its shape once one extraction-shaped request is a fifth of its traffic', () => {
    // Act & Assess
    expect(
      isExtractionSeed(
        { requests: 500, extractionHalves: policy.clusters.seedEvidence * 2 },
        undefined,
        policy,
      ),
    ).toBe(true);
    expect(isExtractionSeed({ requests: 4, extractionHalves: 2 }, undefined, policy)).toBe(true);
    expect(isExtractionSeed({ requests: 40, extractionHalves: 2 }, undefined, policy)).toBe(false);
    expect(isExtractionSeed({ requests: 4, extractionHalves: 2 }, 1, policy)).toBe(false);
  });
});

describe('Function: scoreBatch (public prompts)', () => {
  const policy = testPolicy();
  const clock = { now: () => new Date('2026-03-01T00:00:00Z') };

  const deps = () => {
    const accounts = new MemoryAccountStore();
    const links = new MemoryLinkStore();
    const bus = new LocalEventBus({ clock: () => clock.now() });
    return {
      accounts,
      links,
      enforcement: new MemoryEnforcement({ accounts, bus, clock }),
      deadLetters: new LocalDeadLetterSink(),
      policy,
      clock,
    };
  };

  const records = (events: ReturnType<typeof makeEvent>[], from: number): StreamRecord[] =>
    events.map((event, i) => ({
      shardId: 'shardId-000000000000',
      sequenceNumber: String(from + i).padStart(20, '0'),
      partitionKey: event.accountId,
      data: Buffer.from(JSON.stringify(event)),
    }));

  /** A benchmark item: every census-sampled prompt, on its own topic, sent by `accountId` of `orgId`. */
  const item = (accountId: string, orgId: string, i: number, minute: number) =>
    extractionEvent({
      accountId,
      orgId,
      ts: minutesAfter(T0, minute),
      topic: `bench.item-${i}`,
      promptHash: `${(CENSUS_SAMPLE_MODULUS * (i + 1)).toString(16).padStart(4, '0')}${TEMPLATE.slice(4)}`,
      conversationId: null,
    });

  it("discounts a heavy account's evidence by the share of its sampled prompts other senders send on the same topic", async () => {
    // Prepare: two labs ran 40 benchmark items. A third runs the same items, and enough
    // unsampled extraction-shaped requests of its own that its public share is checked.
    const d = deps();
    const items = [...Array(40).keys()];
    await scoreBatch(
      records(
        [
          ...items.map((i) => item('lab-a', 'org-a', i, i)),
          ...items.map((i) => item('lab-b', 'org-b', i, i)),
        ],
        1,
      ),
      d,
    );
    const own = [...Array(policy.evidence.extractionRequests.low).keys()].map((i) =>
      campaignRequest(i, { accountId: 'lab-c', orgId: 'org-c', ts: minutesAfter(T0, 100 + i) }),
    );
    await scoreBatch(records([...items.map((i) => item('lab-c', 'org-c', i, 60 + i)), ...own], 1000), d);
    const before = (await d.accounts.load(['lab-c'])).get('lab-c') as AccountState;

    // Act: the next batch checks its census keys.
    await scoreBatch(records([item('lab-c', 'org-c', 0, 2000)], 9000), d);

    // Assess
    const after = (await d.accounts.load(['lab-c'])).get('lab-c') as AccountState;
    expect(before.publicShare).toBeUndefined();
    expect(extractionEvidence(totals(before.buckets))).toBeGreaterThanOrEqual(
      policy.evidence.extractionRequests.low / 2,
    );
    expect(after.censusKeys).toHaveLength(32);
    expect(after.publicShare).toBe(1);
    expect(after.publicCheckedAt).toBe(minutesAfter(T0, 2000));
  });
});
