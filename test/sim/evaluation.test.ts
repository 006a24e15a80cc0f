import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../cli/main';
import {
  evaluate,
  Evaluator,
  EvaluationError,
  type EvaluationReport,
  type EvaluationTruth,
  type EventRef,
  type ResultAccount,
  type ResultCase,
} from '../../sim/evaluation';
import {
  EvaluationInputError,
  readEventRefs,
  readResultAccounts,
  readTruthFile,
} from '../../sim/evaluation-files';
import { generateTraffic, writeSimulation, type AccountTruth } from '../../sim';
import { tempDirPerSuite } from '../support/temp-dir';

const T0 = Date.parse('2026-02-02T00:00:00.000Z');
const at = (hours: number) => new Date(T0 + hours * 3_600_000).toISOString();

const account = (
  accountId: string,
  cohort: string,
  campaignId: string | null = null,
  strategy: string | null = null,
): AccountTruth => ({ accountId, cohort, attack: campaignId !== null, campaignId, strategy });

/** Two campaigns, two legitimate cohorts (one a guarded hard negative) and an idle account. */
const truth: EvaluationTruth = {
  cohorts: [
    { id: 'casual-chat', attack: false, strategy: null },
    { id: 'enterprise-ci-bot', attack: false, strategy: null },
    { id: 'extraction-card-sharing', attack: true, strategy: 'card-sharing' },
    { id: 'extraction-rotation', attack: true, strategy: 'rotation' },
  ],
  campaigns: [
    {
      campaignId: 'cmp_a',
      strategy: 'card-sharing',
      cohort: 'extraction-card-sharing',
      startedAt: at(-1),
      accounts: ['a1', 'a2', 'a3'],
    },
    {
      campaignId: 'cmp_b',
      strategy: 'rotation',
      cohort: 'extraction-rotation',
      startedAt: at(9),
      accounts: ['b1', 'b2'],
    },
    {
      campaignId: 'cmp_c',
      strategy: 'rotation',
      cohort: 'extraction-rotation',
      startedAt: at(20),
      accounts: [],
    },
  ],
  accounts: [
    ...['l1', 'l2', 'l3', 'l4', 'idle'].map((id) => account(id, 'casual-chat')),
    account('c1', 'enterprise-ci-bot'),
    ...['a1', 'a2', 'a3'].map((id) => account(id, 'extraction-card-sharing', 'cmp_a', 'card-sharing')),
    ...['b1', 'b2'].map((id) => account(id, 'extraction-rotation', 'cmp_b', 'rotation')),
  ],
};

const results: ResultAccount[] = [
  { accountId: 'a1', status: 'SUSPENDED', suspendedAt: at(2) },
  { accountId: 'a2', status: 'SUSPENDED', suspendedAt: at(3) },
  { accountId: 'a3', status: 'REVIEW', suspendedAt: null },
  { accountId: 'b1', status: 'ACTIVE', suspendedAt: null },
  { accountId: 'b2', status: 'SUSPENDED', suspendedAt: at(12.5) },
  { accountId: 'l1', status: 'SUSPENDED', suspendedAt: at(1) },
  { accountId: 'l2', status: 'REVIEW', suspendedAt: null },
  { accountId: 'c1', status: 'ACTIVE', suspendedAt: null },
  { accountId: 'idle', status: 'ACTIVE', suspendedAt: null },
  { accountId: 'ghost', status: 'SUSPENDED', suspendedAt: at(4) },
];

const ev = (accountId: string, hours: number): EventRef => ({ accountId, ts: at(hours) });
const events: EventRef[] = [
  // a1: 2 of 4 before its suspension at 2h (the event at exactly 2h is not served)
  ...[0, 1, 2, 3].map((h) => ev('a1', h)),
  ...[0.5, 4].map((h) => ev('a2', h)), // 1 of 2 before 3h
  ...[1, 2, 5].map((h) => ev('a3', h)), // never suspended: all 3
  ...[10, 11].map((h) => ev('b1', h)), // never suspended: both
  ...[12, 13].map((h) => ev('b2', h)), // 1 of 2 before 12.5h
  ...[1, 2, 3].map((h) => ev('l1', h)),
  ev('l2', 1),
  ...[4, 5].map((h) => ev('l3', h)),
  ev('l4', 6),
  ...[1, 2, 3, 4, 5].map((h) => ev('c1', h)),
  {},
  { accountId: 'a1', ts: 'not a time' },
  ev('stranger', 1),
];

describe('Class: Evaluator', () => {
  let report: EvaluationReport;

  beforeAll(async () => {
    report = await evaluate({ truth, results, events });
  });

  describe('Method: finish', () => {
    it('counts active accounts, suspensions and reviews per cohort', () => {
      // Assess
      const byCohort = Object.fromEntries(report.cohorts.map((c) => [c.cohort, c]));
      expect(byCohort['casual-chat']).toMatchObject({
        attack: false,
        accounts: 4,
        suspended: 1,
        review: 1,
        events: 7,
        recall: null,
        wronglySuspendedShare: 0.25,
      });
      expect(byCohort['enterprise-ci-bot']).toMatchObject({
        accounts: 1,
        suspended: 0,
        wronglySuspendedShare: 0,
      });
      expect(byCohort['extraction-card-sharing']).toMatchObject({
        attack: true,
        strategy: 'card-sharing',
        accounts: 3,
        suspended: 2,
        review: 1,
        events: 9,
        servedBeforeSuspension: 6,
      });
      expect(byCohort['extraction-card-sharing']?.recall).toBeCloseTo(2 / 3, 10);
      expect(byCohort['extraction-card-sharing']?.servedShare).toBeCloseTo(6 / 9, 10);
      expect(byCohort['extraction-rotation']).toMatchObject({
        accounts: 2,
        suspended: 1,
        recall: 0.5,
        events: 4,
        servedBeforeSuspension: 3,
        servedShare: 0.75,
      });
    });

    it('sums attack and legitimate accounts overall and per strategy', () => {
      // Assess
      expect(report.overall.attack).toMatchObject({
        accounts: 5,
        suspended: 3,
        recall: 0.6,
        events: 13,
        servedBeforeSuspension: 9,
      });
      expect(report.overall.attack.servedShare).toBeCloseTo(9 / 13, 10);
      expect(report.overall.legitimate).toMatchObject({
        accounts: 5,
        suspended: 1,
        wronglySuspendedShare: 0.2,
      });
      expect(report.strategies.map((s) => [s.strategy, s.accounts, s.suspended, s.recall])).toEqual([
        ['card-sharing', 3, 2, 2 / 3],
        ['rotation', 2, 1, 0.5],
      ]);
    });

    it("times each campaign from its first event to its first suspension, falling back to the truth's start", () => {
      // Assess
      expect(report.campaigns).toEqual([
        expect.objectContaining({
          campaignId: 'cmp_a',
          accounts: 3,
          suspended: 2,
          startedAt: at(0),
          startedAtSource: 'events',
          firstSuspensionAt: at(2),
          hoursToFirstSuspension: 2,
        }),
        expect.objectContaining({
          campaignId: 'cmp_b',
          startedAt: at(10),
          firstSuspensionAt: at(12.5),
          hoursToFirstSuspension: 2.5,
        }),
        expect.objectContaining({
          campaignId: 'cmp_c',
          accounts: 0,
          startedAt: at(20),
          startedAtSource: 'truth',
          firstSuspensionAt: null,
          hoursToFirstSuspension: null,
        }),
      ]);
    });

    it('judges every quality bar', () => {
      // Assess
      expect(Object.fromEntries(report.bars.map((b) => [b.id, b.verdict]))).toEqual({
        'recall-overall': 'FAIL',
        'recall-per-strategy': 'FAIL',
        'legit-suspended-overall': 'FAIL',
        'legit-suspended-hard-negatives': 'PASS',
        'attacker-requests-served': 'FAIL',
      });
      const perStrategy = report.bars.find((b) => b.id === 'recall-per-strategy');
      expect(perStrategy?.actual).toBe('below: card-sharing 66.7%, rotation 50.0%');
      expect(report.bars.find((b) => b.id === 'legit-suspended-overall')?.actual).toBe('20.000% (1/5)');
    });

    it('reports inputs that do not fit together', () => {
      // Assess
      expect(report.inputs).toEqual({
        events: 28,
        unreadableEvents: 2,
        unlabelledEvents: 1,
        resultAccounts: 10,
        unlabelledResults: 1,
        unlabelledSuspended: 1,
        resultsWithoutEvents: 1,
        activeWithoutResult: 2,
        cases: 0,
      });
    });

    it('takes throttling, verification and review cases per account from the cases', async () => {
      // Prepare
      const cases: ResultCase[] = [
        { caseId: 'k1', action: 'throttle', accountIds: ['l2'] },
        { caseId: 'k2', action: 'review', accountIds: ['l2'] },
        { caseId: 'k3', action: 'verify', accountIds: ['l3'] },
        // A cluster review case counts once for each account it names; a suspended account is not "throttled".
        { caseId: 'k4', action: 'review', accountIds: ['l3', 'l4', 'c1', 'ghost'] },
        { caseId: 'k5', action: 'throttle', accountIds: ['l1'] },
        { caseId: 'k6', action: 'suspend', accountIds: ['a1'] },
        { caseId: 'k7', action: null, accountIds: ['l4'] },
      ];

      // Act
      const withCases = await evaluate({ truth, results, events, cases });

      // Assess
      expect(withCases.inputs.cases).toBe(7);
      expect(withCases.overall.legitimate).toMatchObject({
        throttledOrVerified: 2,
        withReviewCase: 4,
        reviewCases: 5,
      });
      const byCohort = Object.fromEntries(withCases.cohorts.map((c) => [c.cohort, c]));
      expect(byCohort['enterprise-ci-bot']).toMatchObject({
        throttledOrVerified: 0,
        withReviewCase: 1,
        reviewCases: 1,
      });
      expect(withCases.overall.attack).toMatchObject({ throttledOrVerified: 0, reviewCases: 0 });
    });

    it('passes every bar when every attacker is suspended before its first request', async () => {
      // Prepare
      const perfect = results.map((r): ResultAccount => {
        const attacker = truth.accounts.find((a) => a.accountId === r.accountId)?.attack;
        return attacker
          ? { accountId: r.accountId, status: 'SUSPENDED', suspendedAt: at(-1) }
          : { accountId: r.accountId, status: 'ACTIVE', suspendedAt: null };
      });

      // Act
      const clean = await evaluate({ truth, results: perfect, events });

      // Assess
      expect(clean.bars.every((b) => b.verdict === 'PASS')).toBe(true);
      expect(clean.overall.attack.servedShare).toBe(0);
    });

    it('says N/A when there is nothing to judge', async () => {
      // Act
      const empty = await evaluate({ truth: { ...truth, cohorts: [] }, results: [], events: [] });

      // Assess
      expect(empty.bars.map((b) => b.verdict)).toEqual(['N/A', 'N/A', 'N/A', 'N/A', 'N/A']);
    });
  });

  describe('Method: addResult', () => {
    it('rejects an account listed twice and results after events', () => {
      // Prepare
      const evaluator = new Evaluator(truth);
      evaluator.addResult({ accountId: 'a1', status: 'ACTIVE', suspendedAt: null });

      // Act / Assess
      expect(() => evaluator.addResult({ accountId: 'a1', status: 'ACTIVE', suspendedAt: null })).toThrow(
        new EvaluationError('account a1 appears twice in the results'),
      );
      evaluator.addEvent(ev('a1', 0));
      expect(() => evaluator.addResult({ accountId: 'a2', status: 'ACTIVE', suspendedAt: null })).toThrow(
        EvaluationError,
      );
    });
  });
});

describe('Function: evaluate over a simulated campaign', () => {
  it('gets recall, requests served and time to first suspension right when attackers are suspended at their 5th request', async () => {
    // Prepare
    const sim = generateTraffic({ preset: 'demo', seed: 1 });
    const labelled = [...sim.events];
    const byAccount = new Map<string, string[]>();
    for (const { event } of labelled)
      byAccount.set(event.accountId, [...(byAccount.get(event.accountId) ?? []), event.ts]);
    const attackers = sim.truth.accounts.filter((a) => a.attack && byAccount.has(a.accountId));
    const legit = sim.truth.accounts.filter((a) => !a.attack && byAccount.has(a.accountId));
    const wronged = legit[0]?.accountId;
    const fifth = (id: string) => byAccount.get(id)?.[4] ?? null;
    const synthetic: ResultAccount[] = [...byAccount.keys()].map((accountId) => {
      const isAttacker = attackers.some((a) => a.accountId === accountId);
      const suspendedAt = isAttacker
        ? fifth(accountId)
        : accountId === wronged
          ? (byAccount.get(accountId)?.[0] ?? null)
          : null;
      return { accountId, status: suspendedAt ? 'SUSPENDED' : 'ACTIVE', suspendedAt };
    });
    // Expected figures, computed directly from the events.
    const suspendedAttackers = attackers.filter((a) => fifth(a.accountId) !== null);
    let attackerEvents = 0;
    let served = 0;
    for (const a of attackers) {
      const times = byAccount.get(a.accountId) ?? [];
      const cut = fifth(a.accountId);
      attackerEvents += times.length;
      served += times.filter((ts) => cut === null || Date.parse(ts) < Date.parse(cut)).length;
    }
    const campaign = sim.truth.campaigns[0];
    const campaignStart = Math.min(
      ...(campaign?.accounts ?? []).flatMap((id) => (byAccount.get(id) ?? []).map(Date.parse)),
    );
    const firstSuspension = Math.min(
      ...suspendedAttackers
        .filter((a) => a.campaignId === campaign?.campaignId)
        .map((a) => Date.parse(fifth(a.accountId) ?? '')),
    );

    // Act
    const report = await evaluate({
      truth: sim.truth,
      results: synthetic,
      events: labelled.map(({ event }) => ({ accountId: event.accountId, ts: event.ts })),
    });

    // Assess
    expect(attackers.length).toBeGreaterThan(0);
    expect(report.overall.attack.accounts).toBe(attackers.length);
    expect(report.overall.attack.recall).toBe(suspendedAttackers.length / attackers.length);
    expect(report.overall.attack.events).toBe(attackerEvents);
    expect(report.overall.attack.servedBeforeSuspension).toBe(served);
    expect(report.overall.legitimate).toMatchObject({ accounts: legit.length, suspended: 1 });
    expect(report.overall.legitimate.wronglySuspendedShare).toBe(1 / legit.length);
    expect(report.campaigns[0]?.hoursToFirstSuspension).toBeCloseTo(
      (firstSuspension - campaignStart) / 3_600_000,
      3,
    );
    expect(report.inputs).toMatchObject({
      events: labelled.length,
      unreadableEvents: 0,
      unlabelledEvents: 0,
    });
    // The demo's one guarded hard negative is its heavy coding-agent user: failed only if it was the one wronged.
    const wrongedCohort = legit[0]?.cohort;
    expect(report.bars.find((b) => b.id === 'legit-suspended-hard-negatives')?.verdict).toBe(
      wrongedCohort === 'heavy-coding-agent' ? 'FAIL' : 'PASS',
    );
  });
});

describe('Function: readTruthFile', () => {
  const dir = tempDirPerSuite('cauterize-evaluation-');

  beforeAll(async () => {
    await writeSimulation(join(dir(), 'events.jsonl'), join(dir(), 'truth.json'), {
      preset: 'demo',
      seed: 2,
    });
  });

  it('reads the same truth whole and line by line', async () => {
    // Act
    const whole = await readTruthFile(join(dir(), 'truth.json'));
    const streamed = await readTruthFile(join(dir(), 'truth.json'), { streamAboveBytes: 0 });

    // Assess
    expect(streamed).toEqual(whole);
    expect(whole.accounts.length).toBeGreaterThan(100);
    expect(whole.campaigns.length).toBe(1);
  });

  it('reads every event of a multi-megabyte file, lines across read chunks included', async () => {
    // Prepare
    const lines = (await readFile(join(dir(), 'events.jsonl'), 'utf8')).split('\n').filter(Boolean);
    const progress = { bytes: 0 };

    // Act
    const refs: EventRef[] = [];
    for await (const ref of readEventRefs(join(dir(), 'events.jsonl'), progress)) refs.push(ref);

    // Assess
    expect(progress.bytes).toBeGreaterThan(2 * 1024 * 1024);
    expect(refs).toEqual(lines.map((line) => JSON.parse(line) as EventRef));
  });

  it('names the file and the field at fault', async () => {
    // Prepare
    const file = join(dir(), 'bad-truth.json');
    await writeFile(
      file,
      JSON.stringify({ format: 'something-else/v9', cohorts: [], campaigns: [], accounts: [] }),
    );

    // Act / Assess
    await expect(readTruthFile(file)).rejects.toThrow(EvaluationInputError);
    await expect(readTruthFile(file)).rejects.toThrow(`${file}: format:`);
    await expect(readTruthFile(join(dir(), 'missing.json'))).rejects.toThrow('cannot read it');
  });
});

describe('Function: readResultAccounts', () => {
  it('names the line and the field of a bad result', async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'cauterize-evaluation-'));
    const file = join(dir, 'accounts.jsonl');
    await writeFile(
      file,
      `${JSON.stringify(results[0])}\n${JSON.stringify({ accountId: 'x', status: 'BANNED', suspendedAt: null })}\n`,
    );

    // Act / Assess
    try {
      await expect(async () => {
        for await (const _ of readResultAccounts(file)) void _;
      }).rejects.toThrow(`${file}: line 2.status:`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('Command: evaluate', () => {
  const dir = tempDirPerSuite('cauterize-evaluate-cli-');
  let out: string[];
  let err: string[];

  beforeAll(async () => {
    await writeFile(
      join(dir(), 'truth.json'),
      JSON.stringify({ format: 'cauterize-sim-truth/v1', ...truth }),
    );
    await writeFile(join(dir(), 'events.jsonl'), events.map((e) => JSON.stringify(e)).join('\n'));
    await writeFile(join(dir(), 'accounts.jsonl'), results.map((r) => JSON.stringify(r)).join('\n'));
    await writeFile(join(dir(), 'summary.json'), JSON.stringify({ file: join(dir(), 'events.jsonl') }));
  });

  beforeEach(() => {
    out = [];
    err = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => out.push(String(chunk)) > 0);
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => err.push(String(chunk)) > 0);
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  it("prints the tables and verdicts, writes the JSON, and exits 0 even when bars fail (events from summary.json's file)", async () => {
    // Act
    const code = await main([
      'node',
      'cauterize',
      'evaluate',
      '--truth',
      join(dir(), 'truth.json'),
      '--results',
      dir(),
      '--json',
      join(dir(), 'report.json'),
    ]);

    // Assess
    expect(code).toBe(0);
    const text = out.join('');
    expect(text).toContain('extraction-card-sharing');
    expect(text).toMatch(/attacker requests served before suspension\s+<= 10\.0%\s+69\.2% \(9\/13\)\s+FAIL/);
    expect(text).toMatch(/cmp_a\s+3\s+2\s+2026-02-02T00:00:00.000Z\s+2026-02-02T02:00:00.000Z\s+2.00/);
    const written = JSON.parse(await readFile(join(dir(), 'report.json'), 'utf8')) as EvaluationReport;
    expect(written).toEqual(await evaluate({ truth, results, events }));
    expect(err.join('')).toContain('1 result accounts are not in the truth (1 suspended)');
  });

  it('exits 2 naming the file when an input is invalid', async () => {
    // Act
    const code = await main([
      'node',
      'cauterize',
      'evaluate',
      '--truth',
      join(dir(), 'events.jsonl'),
      '--results',
      dir(),
    ]);

    // Assess
    expect(code).toBe(2);
    expect(err.join('')).toContain(`cauterize: ${join(dir(), 'events.jsonl')}: (root): not valid JSON`);
  });
});
