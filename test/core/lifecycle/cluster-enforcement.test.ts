import { scoreBatch, type StreamRecord } from '../../../lambdas/core/batch/score-batch';
import { systemClock } from '../../../lambdas/core/ports';
import { combinedTraffic } from '../../../lambdas/core/linking/edge-weights';
import type { ClusterEvidence } from '../../../lambdas/core/linking/cluster-engine';
import type { UsageEvent } from '../../../lambdas/core/contract/usage-event';
import {
  MemoryAccountStore,
  MemoryEnforcement,
  MemoryLinkStore,
} from '../../../local/replay/memory-adapters';
import { extractionEvent, makeEvent, minutesAfter } from '../../support/events';
import { testPolicy } from '../../support/policy';
import { LocalDeadLetterSink } from '../../../local/dead-letter-sink';

const T0 = '2026-02-02T00:00:00.000Z';
const policy = testPolicy();
let sequence = 1000;

function records(events: UsageEvent[]): StreamRecord[] {
  return events.map((event) => ({
    shardId: 'shardId-000000000000',
    sequenceNumber: String(sequence++),
    partitionKey: event.accountId,
    data: Buffer.from(JSON.stringify(event)),
  }));
}

/**
 * A ring member: half extraction (a topic sweep on shared cards), half ordinary chat, so that no
 * single account reaches the suspend threshold on its own.
 */
function ringTraffic(accountId: string, card: string, count: number, offsetMinutes = 0): UsageEvent[] {
  return Array.from({ length: count }, (_, i) =>
    i % 2 === 0
      ? extractionEvent({
          accountId,
          paymentFingerprint: card,
          deviceFingerprint: `dev-${accountId}`,
          accountCreatedAt: '2026-02-01T00:00:00.000Z',
          ts: minutesAfter(T0, offsetMinutes + i * 40),
          topic: `topic-${accountId}-${i}`,
          conversationId: `c-${accountId}-${i}`,
          eventId: `${accountId}-${offsetMinutes}-${i}`,
        })
      : makeEvent({
          accountId,
          paymentFingerprint: card,
          deviceFingerprint: `dev-${accountId}`,
          accountCreatedAt: '2026-02-01T00:00:00.000Z',
          ts: minutesAfter(T0, offsetMinutes + i * 40),
          eventId: `${accountId}-${offsetMinutes}-${i}`,
        }),
  );
}

/** The core's ports on the in-memory engine, with the workflow's effects applied synchronously. */
function memoryEngine() {
  const accounts = new MemoryAccountStore();
  const enforcement = new MemoryEnforcement({ accounts });
  const deps = {
    accounts,
    links: new MemoryLinkStore(),
    enforcement,
    deadLetters: new LocalDeadLetterSink(),
    policy,
    clock: systemClock,
  };
  return { accounts, enforcement, deps };
}

describe('Function: scoreBatch (linking)', () => {
  it('suspends a ring of accounts on shared cards that no account-level threshold catches, with the cluster as evidence', async () => {
    // Prepare
    const { accounts, enforcement, deps } = memoryEngine();
    const ring = Array.from({ length: 10 }, (_, i) => `ring-${i}`);
    const events = ring.flatMap((id, i) => ringTraffic(id, `card-${i % 2}`, 36));

    // Act
    const outcome = await scoreBatch(records(events), deps);

    // Assess
    for (const id of ring) {
      const state = accounts.stateOf(id);
      expect(state?.riskScore).toBeLessThan(policy.thresholds.suspend);
      expect(state?.status).toBe('SUSPENDED');
      expect(state?.clusterId).toMatch(/^clu-/);
    }
    expect(outcome.stats.clustersScored).toBeGreaterThan(0);
    // One cluster case for the whole ring, listing every member.
    const cases = enforcement.cases();
    expect(cases).toHaveLength(1);
    expect(cases[0]).toMatchObject({ kind: 'cluster', accountIds: [...ring].sort() });
    const evidence = cases[0]?.evidence as {
      trigger: string;
      cluster: { size: number; score: number; links: unknown[] };
    };
    expect(evidence.trigger).toBe('cluster');
    expect(evidence.cluster.size).toBe(ring.length);
    expect(evidence.cluster.score).toBeGreaterThanOrEqual(policy.clusters.suspend);
    expect(evidence.cluster.links.length).toBeGreaterThan(0);
  });

  describe('a campaign sharing nothing but a proxy network', () => {
    const EXITS = Array.from({ length: 8 }, (_, e) => `203.0.113.${10 + e}`);
    /**
     * An aged account with its own card and device, writing every prompt afresh (no template, no
     * chain-of-thought flag, long answers) on a new topic, with some chat between, over 4 of the
     * network's 8 exits: any two members share two exits, or reach each other through a third.
     */
    const proxied = (i: number): UsageEvent[] => {
      const accountId = `tf-${i}`;
      const exits = [0, 1, 3, 4].map((k) => EXITS[(i + k) % EXITS.length]!);
      const own = {
        accountId,
        accountCreatedAt: '2025-06-01T00:00:00.000Z',
        paymentFingerprint: `card-${accountId}`,
        deviceFingerprint: `dev-${accountId}`,
      };
      return Array.from({ length: 40 }, (_, r) => {
        const at = {
          ...own,
          ts: minutesAfter(T0, i + r * 25),
          ip: exits[r % exits.length]!,
          eventId: `${accountId}-${r}`,
        };
        return r % 2 === 1
          ? makeEvent({ ...at, turn: 2, conversationId: `chat-${accountId}` })
          : extractionEvent({
              ...at,
              reasoningRequested: false,
              outputTokens: 3_000,
              topic: `syllabus.${accountId}-${r}`,
              promptHash: (BigInt(i * 1_000 + r + 1) * 0x9e3779b97f4a7c15n)
                .toString(16)
                .slice(-16)
                .padStart(16, '0'),
              conversationId: `c-${accountId}-${r}`,
            });
      });
    };

    it('suspends its low-scoring members on their traffic together, and not a stranger behind one exit', async () => {
      // Prepare: 30 members, 20 extraction-shaped requests each; a stranger chatting from one exit.
      const { accounts, enforcement, deps } = memoryEngine();
      const members = Array.from({ length: 30 }, (_, i) => `tf-${i}`);
      const stranger = Array.from({ length: 30 }, (_, r) =>
        makeEvent({ accountId: 'neighbour', ip: EXITS[0]!, ts: minutesAfter(T0, r * 20), eventId: `n-${r}` }),
      );
      const events = [...members.flatMap((_, i) => proxied(i)), ...stranger].sort((a, b) =>
        a.ts.localeCompare(b.ts),
      );

      // Act
      await scoreBatch(records(events), deps);

      // Assess: no member scores memberFloor on its own; the cluster case holds them all.
      for (const id of members) {
        const state = accounts.stateOf(id);
        expect(state?.peakRiskScore).toBeLessThan(policy.clusters.memberFloor);
        expect(state?.status).toBe('SUSPENDED');
      }
      expect(accounts.stateOf('neighbour')?.status).toBe('ACTIVE');
      const clusterCase = enforcement.cases().find((c) => c.kind === 'cluster');
      const evidence = clusterCase?.evidence as { cluster: ClusterEvidence };
      expect(evidence.cluster.reasons.map((r) => r.signal)).toContain('cluster.evidence');
      expect(evidence.cluster.reasons.map((r) => r.signal)).not.toContain('cluster.sharedInstruments');
    });

    it('leaves the same members alone under a policy that counts neither long answers nor campaign evidence', async () => {
      // Prepare
      const { evidence: _cluster, ...clusters } = policy.clusters;
      const { longAnswerTokens: _long, ...evidence } = policy.evidence;
      const { accounts, deps } = memoryEngine();
      const members = Array.from({ length: 30 }, (_, i) => `tf-${i}`);

      // Act
      await scoreBatch(records(members.flatMap((_, i) => proxied(i))), {
        ...deps,
        policy: testPolicy({ clusters, evidence }),
      });

      // Assess
      for (const id of members) expect(accounts.stateOf(id)?.status).toBe('ACTIVE');
    });
  });

  it('never suspends members of a tier capped below suspension with their cluster', async () => {
    // Prepare: the same ring, half of it on enterprise accounts (capped at review by the policy)
    const { accounts, enforcement, deps } = memoryEngine();
    expect(policy.actions.tierOverrides.enterprise?.maxAction).toBe('review');
    const ring = Array.from({ length: 10 }, (_, i) => `mixed-${i}`);
    const events = ring.flatMap((id, i) =>
      ringTraffic(id, `mixed-card-${i % 2}`, 36).map(
        (e) => ({ ...e, tier: i < 5 ? 'enterprise' : 'free' }) as const,
      ),
    );

    // Act
    await scoreBatch(records(events), deps);

    // Assess
    const clusterCases = enforcement.cases().filter((c) => c.kind === 'cluster');
    expect(clusterCases).toHaveLength(1);
    expect(clusterCases[0]?.accountIds).toEqual(ring.slice(5).sort());
    for (const id of ring.slice(0, 5)) expect(accounts.stateOf(id)?.status).toBe('ACTIVE');
    for (const id of ring.slice(5)) expect(accounts.stateOf(id)?.status).toBe('SUSPENDED');
  });

  it('keeps an org of ordinary accounts on one billing card out of enforcement', async () => {
    // Prepare
    const { accounts, enforcement, deps } = memoryEngine();
    const team = Array.from({ length: 12 }, (_, i) => `team-${i}`);
    const events = team.flatMap((id) =>
      Array.from({ length: 30 }, (_, i) =>
        makeEvent({
          accountId: id,
          orgId: 'org-acme',
          tier: 'team',
          paymentFingerprint: 'corp-card',
          ts: minutesAfter(T0, i * 30),
          eventId: `${id}-${i}`,
        }),
      ),
    );

    // Act
    await scoreBatch(records(events), deps);

    // Assess
    expect(enforcement.cases()).toHaveLength(0);
    for (const id of team) expect(accounts.stateOf(id)?.status).toBe('ACTIVE');
  });

  it('enforces every seat of a campaign posing as an org once the seats together sweep a syllabus at volume', async () => {
    // Prepare: 12 seats of one org on its billing card, each half extraction over topics of its own
    // (30 each), half ordinary chat: no seat crosses on its own
    const { accounts, enforcement, deps } = memoryEngine();
    const limit = policy.links.orgBillingLimit;
    expect(limit).toBeDefined();
    const seats = Array.from({ length: 12 }, (_, i) => `seat-${i}`);
    const events = seats.flatMap((id) =>
      ringTraffic(id, 'fake-org-card', 60).map((e) => ({ ...e, orgId: 'org-fake', tier: 'team' }) as const),
    );

    // Act
    await scoreBatch(records(events), deps);

    // Assess: one cluster case over the seats; its evidence holds the org card at full weight
    const clusterCases = enforcement.cases().filter((c) => c.kind === 'cluster');
    expect(clusterCases).toHaveLength(1);
    expect(clusterCases[0]?.accountIds).toEqual([...seats].sort());
    for (const id of seats) expect(accounts.stateOf(id)?.status).toBe('SUSPENDED');
    const evidence = clusterCases[0]?.evidence as { cluster: ClusterEvidence };
    const card = evidence.cluster.links.find((l) => l.linkKey.endsWith('fake-org-card'));
    expect(card).toMatchObject({ kind: 'pay', weight: policy.links.weights.pay, discount: null });
    const volume = evidence.cluster.reasons.find((r) => r.signal === 'cluster.extractionVolume');
    expect(volume?.value).toBeGreaterThanOrEqual(limit?.extractionRequests ?? Infinity);
  });

  it('keeps an org whose accounts send as much extraction-shaped traffic on a few topics out of enforcement', async () => {
    // Prepare: the same seats and volume, but all on one lab's 40 benchmark topics (each new to
    // each seat, so each still counts as evidence): volume without a syllabus
    const { accounts, enforcement, deps } = memoryEngine();
    const seats = Array.from({ length: 12 }, (_, i) => `lab-${i}`);
    const events = seats.flatMap((id, s) =>
      ringTraffic(id, 'lab-card', 60).map(
        (e, i) => ({ ...e, orgId: 'org-lab', tier: 'team', topic: `bench-${(s * 7 + i) % 40}` }) as const,
      ),
    );

    // Act
    await scoreBatch(records(events), deps);

    // Assess: the volume is there, the syllabus is not
    const together = combinedTraffic(seats.map((id) => accounts.stateOf(id)!));
    expect(together.extractionRequests).toBeGreaterThanOrEqual(
      policy.links.orgBillingLimit?.extractionRequests ?? 0,
    );
    expect(together.topics.size).toBe(40);
    expect(enforcement.cases().filter((c) => c.kind === 'cluster')).toHaveLength(0);
    for (const id of seats) expect(accounts.stateOf(id)?.status).toBe('ACTIVE');
  });

  it('enforces a replacement account on a suspended card after its first few requests (anti-regrowth)', async () => {
    // Prepare: a blatant account suspended on its own, then a fresh account on the same card
    const { accounts, enforcement, deps } = memoryEngine();
    const blatant = Array.from({ length: 40 }, (_, i) =>
      extractionEvent({
        accountId: 'first',
        paymentFingerprint: 'card-x',
        ts: minutesAfter(T0, i * 30),
        topic: `t-${i}`,
        eventId: `first-${i}`,
      }),
    );
    await scoreBatch(records(blatant), deps);
    expect(accounts.stateOf('first')?.status).toBe('SUSPENDED');
    const replacement = Array.from({ length: policy.clusters.regrowth.minRequests }, (_, i) =>
      extractionEvent({
        accountId: 'second',
        paymentFingerprint: 'card-x',
        ts: minutesAfter(T0, 1300 + i * 5),
        topic: `u-${i}`,
        eventId: `second-${i}`,
      }),
    );

    // Act
    await scoreBatch(records(replacement), deps);

    // Assess
    const state = accounts.stateOf('second');
    expect(state?.totalRequests).toBe(policy.clusters.regrowth.minRequests);
    expect(state?.status).toBe('SUSPENDED');
    const regrowthCase = enforcement.cases().find((c) => c.accountId === 'second');
    expect((regrowthCase?.evidence as { trigger: string }).trigger).toBe('regrowth');
  });

  it("enforces a replacement account with a fresh card that reuses a suspended account's prompt templates", async () => {
    // Prepare
    const { accounts, enforcement, deps } = memoryEngine();
    const template = '9f3a61c0d2b47e15';
    const blatant = Array.from({ length: 40 }, (_, i) =>
      extractionEvent({
        accountId: 'old',
        paymentFingerprint: 'card-old',
        promptHash: template,
        ts: minutesAfter(T0, i * 30),
        topic: `t-${i}`,
        eventId: `old-${i}`,
      }),
    );
    await scoreBatch(records(blatant), deps);
    expect(accounts.stateOf('old')?.status).toBe('SUSPENDED');
    const replacement = Array.from({ length: policy.clusters.regrowth.minRequests }, (_, i) =>
      extractionEvent({
        accountId: 'new',
        paymentFingerprint: 'card-new',
        deviceFingerprint: 'dev-new',
        ip: '203.0.113.99',
        promptHash: template,
        ts: minutesAfter(T0, 1300 + i * 5),
        topic: `u-${i}`,
        eventId: `new-${i}`,
      }),
    );

    // Act
    await scoreBatch(records(replacement), deps);

    // Assess
    expect(accounts.stateOf('new')?.status).toBe('SUSPENDED');
    const evidence = enforcement.cases().find((c) => c.accountId === 'new')?.evidence as {
      trigger: string;
      linkedToSuspended: { accountId: string; templates: string[] };
    };
    expect(evidence.trigger).toBe('regrowth');
    expect(evidence.linkedToSuspended.accountId).toBe('old');
    expect(evidence.linkedToSuspended.templates.length).toBeGreaterThanOrEqual(
      policy.links.minSharedTemplates,
    );
  });
});
