import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { main } from '../../cli/main';
import { displayStatus, type AccountState } from '../../lambdas/core/account-state';
import { ConcurrentUpdateError, type DeadLetterSink, type RejectedRecord } from '../../lambdas/core/ports';
import {
  fastReplay,
  scoreInShards,
  shardIndexOf,
  type FastReplaySummary,
} from '../../local/replay/fast-replay';
import { emptySourceStats, readJsonlRecords } from '../../local/jsonl-source';
import { MemoryAccountStore, MemoryEnforcement, MemoryLinkStore } from '../../local/replay/memory-adapters';
import { replay, type ReplaySummary } from '../../local/replay/replay';
import {
  LOCAL_ACCOUNTS_TABLE,
  LOCAL_CASES_TABLE,
  openLocalDynamoDb,
  scanItems,
  type RawItem,
} from '../../local/local-store';
import { writeSimulation } from '../../sim';
import { testPolicy } from '../support/policy';
import { tempDirPerSuite } from '../support/temp-dir';
import { DEFAULT_SCORER_BATCH_SIZE } from '../../lib/scorer-batching';
import { fromItem } from '../../lambdas/adapters/account-item-codec';
import { LocalDeadLetterSink } from '../../local/dead-letter-sink';
import type { AccountSummary } from '../../local/summaries';

const readJsonl = async <T>(file: string): Promise<T[]> =>
  (await readFile(file, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as T);

const byAccount = (accounts: readonly AccountSummary[]) => new Map(accounts.map((a) => [a.accountId, a]));

/**
 * The in-memory engine may stand in for the full pipeline in backtests only if it decides the
 * same: same accounts suspended, same status and score for every account.
 */
describe('Function: fastReplay', () => {
  const dir = tempDirPerSuite('cauterize-fast-replay-');
  let events: string;
  let fast: FastReplaySummary;
  let full: ReplaySummary;
  let fastAccounts: Map<string, AccountSummary>;
  let fullAccounts: Map<string, AccountSummary>;

  beforeAll(async () => {
    // Prepare
    events = join(dir(), 'events.jsonl');
    await writeSimulation(events, join(dir(), 'truth.json'), { preset: 'demo', seed: 3 });

    // Act
    fast = await fastReplay({ file: events, outDir: join(dir(), 'memory') });
    full = await replay({ file: events, outDir: join(dir(), 'local') });
    fastAccounts = byAccount(await readJsonl<AccountSummary>(join(dir(), 'memory', 'accounts.jsonl')));
    fullAccounts = byAccount(await readJsonl<AccountSummary>(join(dir(), 'local', 'accounts.jsonl')));
  }, 180_000);

  it('batches as the stack does', () => {
    // Assess
    expect(fast.batchSize).toBe(full.batchSize);
    expect(DEFAULT_SCORER_BATCH_SIZE).toBe(full.batchSize);
    expect(fast.shards).toBe(full.shards);
  });

  it('suspends the same accounts as the full pipeline', () => {
    // Assess
    const suspended = (accounts: Map<string, AccountSummary>) =>
      [...accounts.values()]
        .filter((a) => a.status === 'SUSPENDED')
        .map((a) => a.accountId)
        .sort();
    expect(suspended(fastAccounts).length).toBeGreaterThan(0);
    expect(suspended(fastAccounts)).toEqual(suspended(fullAccounts));
  });

  it('gives every account the same status, score and reasons as the full pipeline', () => {
    // Assess: not clusterId or suspendedAt, which vary between runs of the full pipeline itself
    // (its two shards are scored concurrently, so one shard's cluster reads may or may not see the
    // other's latest writes).
    const decisions = (accounts: Map<string, AccountSummary>) =>
      [...accounts.values()]
        .map((a) => ({
          accountId: a.accountId,
          status: a.status,
          riskScore: a.riskScore,
          reasons: a.reasons,
          totalRequests: a.totalRequests,
        }))
        .sort((x, y) => x.accountId.localeCompare(y.accountId));
    expect(fastAccounts.size).toBe(fullAccounts.size);
    expect(decisions(fastAccounts)).toEqual(decisions(fullAccounts));
  });

  it('covers every suspended account with a suspend case and counts the same as the full pipeline', async () => {
    // Prepare: whether an account crossing as its cluster crosses gets a case of its own first or
    // only its cluster's varies between runs of the full pipeline (its two shards are scored
    // concurrently), so the cases are compared by the accounts they suspend, not one by one.
    const suspendedByCases = async (folder: string) =>
      [
        ...new Set(
          (await readJsonl<{ action: string; accountIds: string[] }>(join(dir(), folder, 'cases.jsonl')))
            .filter((c) => c.action === 'suspend')
            .flatMap((c) => c.accountIds),
        ),
      ].sort();
    const suspended = (accounts: Map<string, AccountSummary>) =>
      [...accounts.values()]
        .filter((a) => a.status === 'SUSPENDED')
        .map((a) => a.accountId)
        .sort();
    const counts = (summary: ReplaySummary) => ({
      eventsRead: summary.eventsRead,
      rejected: summary.rejected,
      duplicates: summary.duplicates,
      accounts: summary.accounts,
      review: summary.review,
      suspended: summary.suspended,
      accountSuspendedEvents: summary.busEvents.AccountSuspended,
    });

    // Assess
    expect(await suspendedByCases('memory')).toEqual(suspended(fastAccounts));
    expect(await suspendedByCases('local')).toEqual(suspended(fullAccounts));
    expect(counts(fast)).toEqual(counts(full));
    expect(fast.cases).toBeGreaterThan(0);
    expect(fast).toMatchObject({ engine: 'memory', interleaving: 'poller', failedBatches: 0 });
  });

  // The local cases store each engine leaves in --out (writeLocalStore).
  /** Every item of a store's two tables. */
  const storeItems = async (folder: string) => {
    const db = await openLocalDynamoDb(join(dir(), folder));
    try {
      const items = async (table: string) => {
        const all: RawItem[] = [];
        for await (const item of scanItems(db.client, table)) all.push(item);
        return all;
      };
      return { cases: await items(LOCAL_CASES_TABLE), accounts: await items(LOCAL_ACCOUNTS_TABLE) };
    } finally {
      await db.close();
    }
  };
  /** The attribute names of each kind of item: CASE of an account or cluster case, MEMBER#, AUDIT#. */
  const shapes = (items: readonly RawItem[]) => {
    const byKind = new Map<string, string>();
    for (const item of items) {
      const kind = `${String(item.sk?.S).replace(/#.*/, '#')} ${item.sk?.S === 'CASE' ? String(item.kind?.S) : ''}`;
      byKind.set(kind, Object.keys(item).sort().join(','));
    }
    return byKind;
  };

  it.each(['memory', 'local'])(
    'leaves in --out a store that cases --local opens: every case, verified, and its accounts (%s engine)',
    async (engine) => {
      // Prepare
      const jsonl = await readJsonl<{ caseId: string; accountIds: string[] }>(
        join(dir(), engine, 'cases.jsonl'),
      );
      const accounts = byAccount(await readJsonl<AccountSummary>(join(dir(), engine, 'accounts.jsonl')));
      const out: string[] = [];
      jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => out.push(String(chunk)) > 0);

      // Act
      const listed = await main([
        'node',
        'cauterize',
        'cases',
        'list',
        '--json',
        '--limit',
        '1000',
        '--local',
        join(dir(), engine),
      ]);
      const page = JSON.parse(out.join('')) as { cases: Array<{ caseId: string }> };
      out.length = 0;
      const verified = await main(['node', 'cauterize', 'cases', 'verify', '--local', join(dir(), engine)]);
      jest.restoreAllMocks();
      const { accounts: accountItems } = await storeItems(engine);

      // Assess
      expect([listed, verified]).toEqual([0, 0]);
      expect(jsonl.length).toBeGreaterThan(0);
      expect(page.cases.map((c) => c.caseId).sort()).toEqual(jsonl.map((c) => c.caseId).sort());
      expect(out.join('')).toContain(`verified ${jsonl.length} cases: ${jsonl.length} OK, 0 broken`);
      const named = [...new Set(jsonl.flatMap((c) => c.accountIds))].sort();
      expect(accountItems.map((a) => String(a.accountId?.S)).sort()).toEqual(named);
      for (const item of accountItems) {
        const state = fromItem(unmarshall(item));
        expect(displayStatus(state)).toBe(accounts.get(state.accountId)?.status);
        expect(state.reasons).toEqual(accounts.get(state.accountId)?.reasons);
      }
    },
  );

  it('writes the same kinds of items, with the same attributes, from both engines', async () => {
    // Act
    const memory = await storeItems('memory');
    const local = await storeItems('local');

    // Assess: the workflows' items, whichever engine ran them. (Which kinds of case a run opens
    // may differ: the local engine scores its two shards concurrently.)
    const fromMemory = shapes(memory.cases);
    const fromLocal = shapes(local.cases);
    const both = [...fromMemory.keys()].filter((kind) => fromLocal.has(kind));
    expect(both).toEqual(
      expect.arrayContaining(['AUDIT# ', expect.stringMatching(/^CASE (account|cluster)$/)]),
    );
    for (const kind of both) expect([kind, fromMemory.get(kind)]).toEqual([kind, fromLocal.get(kind)]);
  });
});

describe('Function: shardIndexOf', () => {
  it('spreads partition keys over equal MD5 ranges, as CreateStream splits the hash space', () => {
    // Prepare: md5("a") = 0cc175b9..., md5("b") = 92eb5ffe..., md5("c") = 4a8a08f0...
    // Act / Assess
    expect(['a', 'b', 'c'].map((k) => shardIndexOf(k, 2))).toEqual([0, 1, 0]);
    expect(['a', 'b', 'c'].map((k) => shardIndexOf(k, 4))).toEqual([0, 2, 1]);
    expect(shardIndexOf('anything', 1)).toBe(0);
  });
});

describe('Function: scoreInShards', () => {
  const dir = tempDirPerSuite('cauterize-shards-');
  let events: string;

  beforeAll(async () => {
    events = join(dir(), 'events.jsonl');
    await writeSimulation(events, join(dir(), 'truth.json'), { preset: 'demo', seed: 3 });
  });

  /** In-memory dependencies; `deadLetters` may record each batch's rejected records. */
  const memoryDeps = (deadLetters: DeadLetterSink = new LocalDeadLetterSink()) => {
    const accounts = new MemoryAccountStore();
    return {
      accounts,
      links: new MemoryLinkStore(),
      enforcement: new MemoryEnforcement({ accounts }),
      deadLetters,
      policy: testPolicy(),
      clock: { now: () => new Date('2026-03-01T00:00:00.000Z') },
    };
  };

  /**
   * A dead-letter sink noting each batch as "<key><n> ...": records that are not JSON are
   * dead-lettered batch by batch, which shows how the records were cut.
   */
  const batchRecorder = () => {
    const batches: string[] = [];
    const deadLetters: DeadLetterSink = {
      send: async (rejected: readonly RejectedRecord[]) => {
        batches.push(rejected.map((r) => `${r.partitionKey}${Number(r.sequenceNumber.slice(-6))}`).join(' '));
      },
    };
    return { batches, deadLetters };
  };

  /** The scored accounts of a run over the demo file, in small batches so that accounts span several. */
  async function run(accounts: MemoryAccountStore) {
    const links = new MemoryLinkStore();
    const enforcement = new MemoryEnforcement({ accounts });
    const deps = {
      accounts,
      links,
      enforcement,
      deadLetters: new LocalDeadLetterSink(),
      policy: testPolicy(),
      clock: { now: () => new Date('2026-03-01T00:00:00.000Z') },
    };
    const result = await scoreInShards(readJsonlRecords(events, emptySourceStats()), deps, {
      shards: 2,
      batchSize: 500,
      maximumRetryAttempts: 5,
    });
    const states = [...accounts.scan()].map((item) => ({
      accountId: item.accountId,
      status: item.status,
      riskScore: item.state?.riskScore,
      totalRequests: item.state?.totalRequests,
      crossings: item.state?.crossings,
    }));
    return {
      result,
      states,
      cases: enforcement
        .cases()
        .map((c) => c.caseId)
        .sort(),
    };
  }

  it.each([
    ['poller', ['a1 a2', 'b1 b2', 'b3 b4', 'b5']],
    ['event-time', ['b1 b2', 'b3 b4', 'a1 a2', 'b5']],
  ] as const)("orders the shards' batches as the %s interleaving says", async (interleaving, expected) => {
    // Prepare: "a" hashes to shard 0 and "b" to shard 1 of 2.
    const { batches, deadLetters } = batchRecorder();
    const deps = memoryDeps(deadLetters);
    const records = ['b', 'b', 'b', 'b', 'b', 'a', 'a'].map((partitionKey) => ({
      partitionKey,
      data: Buffer.from('not json'),
    }));

    // Act
    const result = await scoreInShards(records, deps, {
      shards: 2,
      batchSize: 2,
      maximumRetryAttempts: 5,
      interleaving,
    });

    // Assess
    expect(batches).toEqual(expected);
    expect(result.scoring.rejected).toBe(7);
  });

  it('closes a batch once an event arrives a batching window after its first, as on AWS', async () => {
    // Prepare: "a" hashes to shard 0 and "b" to shard 1 of 2.
    const { batches, deadLetters } = batchRecorder();
    const deps = memoryDeps(deadLetters);
    const at = (partitionKey: string, seconds?: number) => ({
      partitionKey,
      data: Buffer.from('not json'),
      ...(seconds === undefined ? {} : { eventTimeMs: Date.parse('2026-02-01T00:00:00Z') + seconds * 1000 }),
    });
    // b3 has no event time: it joins the open batch and closes nothing.
    const records = [at('b', 0), at('b', 5), at('a', 10), at('b'), at('b', 25), at('a', 31), at('b', 44)];

    // Act
    const result = await scoreInShards(records, deps, {
      shards: 2,
      batchSize: 10,
      maximumRetryAttempts: 5,
      interleaving: 'event-time',
      batchingWindowSeconds: 20,
    });

    // Assess: b's first batch closes at 25 s, a's at 31 s; the rest is delivered at the end.
    expect(batches).toEqual(['b1 b2 b3', 'a1', 'a2', 'b4 b5']);
    expect(result.scoring.rejected).toBe(7);
  });

  it('refuses a batching window with the poller interleaving, which cuts batches by size', async () => {
    // Prepare
    const deps = memoryDeps();

    // Act
    const run = scoreInShards([], deps, {
      shards: 2,
      batchSize: 10,
      maximumRetryAttempts: 5,
      interleaving: 'poller',
      batchingWindowSeconds: 20,
    });

    // Assess
    await expect(run).rejects.toThrow("batchingWindowSeconds needs interleaving 'event-time'");
  });

  it('redelivers from the lowest failed record and ends where an unfailing run ends', async () => {
    // Prepare: the first two writes of every 7th account lose a race, as if another writer moved the version.
    class FlakyAccountStore extends MemoryAccountStore {
      private readonly failures = new Map<string, number>();
      private seen = 0;
      public override async save(state: AccountState, expectedVersion: number | undefined): Promise<void> {
        if (!this.failures.has(state.accountId))
          this.failures.set(state.accountId, this.seen++ % 7 === 0 ? 2 : 0);
        const left = this.failures.get(state.accountId) ?? 0;
        if (left > 0) {
          this.failures.set(state.accountId, left - 1);
          throw new ConcurrentUpdateError(state.accountId);
        }
        return super.save(state, expectedVersion);
      }
    }

    // Act
    const clean = await run(new MemoryAccountStore());
    const flaky = await run(new FlakyAccountStore());

    // Assess
    expect(clean.result.redeliveries).toBe(0);
    expect(flaky.result.redeliveries).toBeGreaterThan(0);
    expect(flaky.result.failedBatches).toBe(0);
    // Redelivered records were already applied for the accounts that did save: they are skipped.
    expect(flaky.result.scoring.duplicates).toBeGreaterThan(0);
    expect(flaky.states.sort((a, b) => a.accountId.localeCompare(b.accountId))).toEqual(
      clean.states.sort((a, b) => a.accountId.localeCompare(b.accountId)),
    );
    expect(flaky.cases).toEqual(clean.cases);
  });

  it('gives up a batch after the retry attempts, as the event source mapping sends it to its failure queue', async () => {
    // Prepare
    class BrokenAccountStore extends MemoryAccountStore {
      public override async save(state: AccountState): Promise<void> {
        throw new ConcurrentUpdateError(state.accountId);
      }
    }

    // Act
    const { result } = await run(new BrokenAccountStore());

    // Assess
    expect(result.failedBatches).toBeGreaterThan(0);
    expect(result.redeliveries).toBe(result.failedBatches * 5);
  });
});
