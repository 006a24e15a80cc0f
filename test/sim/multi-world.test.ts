import {
  evaluate,
  type EvaluationReport,
  type EvaluationTruth,
  type ResultAccount,
} from '../../sim/evaluation';
import { median, spread, summarizeWorlds, type WorldEvaluation } from '../../sim/multi-world';

const T0 = Date.parse('2026-02-02T00:00:00.000Z');
const at = (hours: number) => new Date(T0 + hours * 3_600_000).toISOString();

const truth: EvaluationTruth = {
  cohorts: [
    { id: 'casual-chat', attack: false, strategy: null },
    { id: 'research-lab', attack: false, strategy: null },
    { id: 'extraction-hydra', attack: true, strategy: 'hydra' },
    { id: 'extraction-burners', attack: true, strategy: 'burners' },
  ],
  campaigns: [
    {
      campaignId: 'h',
      strategy: 'hydra',
      cohort: 'extraction-hydra',
      startedAt: at(0),
      accounts: ['h1', 'h2'],
    },
    {
      campaignId: 'b',
      strategy: 'burners',
      cohort: 'extraction-burners',
      startedAt: at(0),
      accounts: ['b1', 'b2'],
    },
  ],
  accounts: [
    ...['l1', 'l2', 'l3', 'l4'].map((accountId) => ({
      accountId,
      cohort: 'casual-chat',
      attack: false,
      campaignId: null,
      strategy: null,
    })),
    { accountId: 'r1', cohort: 'research-lab', attack: false, campaignId: null, strategy: null },
    ...['h1', 'h2'].map((accountId) => ({
      accountId,
      cohort: 'extraction-hydra',
      attack: true,
      campaignId: 'h',
      strategy: 'hydra',
    })),
    ...['b1', 'b2'].map((accountId) => ({
      accountId,
      cohort: 'extraction-burners',
      attack: true,
      campaignId: 'b',
      strategy: 'burners',
    })),
  ],
};

const ids = truth.accounts.map((a) => a.accountId);
const events = ids.flatMap((accountId) => [0.5, 1, 3, 5].map((h) => ({ accountId, ts: at(h) })));

/** A world in which `suspended` accounts are suspended at the given hours. */
async function world(seed: number, suspended: Readonly<Record<string, number>>): Promise<WorldEvaluation> {
  const results: ResultAccount[] = ids.map((accountId) =>
    suspended[accountId] === undefined
      ? { accountId, status: 'ACTIVE', suspendedAt: null }
      : { accountId, status: 'SUSPENDED', suspendedAt: at(suspended[accountId] as number) },
  );
  const report: EvaluationReport = await evaluate({
    truth,
    results,
    events,
    cases: [{ caseId: `c${seed}`, action: 'review', accountIds: ['l1'] }],
  });
  return {
    seed,
    split: 'held-out',
    preset: 'random',
    scale: 1,
    days: 1,
    policyVersion: 'test',
    events: events.length,
    accounts: ids.length,
    seconds: { replay: 1, evaluate: 1, total: 2 },
    report,
  };
}

describe('Module: multi-world', () => {
  describe('Function: median', () => {
    it.each([
      [[], null],
      [[3], 3],
      [[3, 1, 2], 2],
      [[4, 1, 3, 2], 2.5],
    ])('of %j is %j', (values, expected) => {
      // Act / Assess
      expect(median(values)).toBe(expected);
    });
  });

  describe('Function: spread', () => {
    it('gives the median and the worst world, lowest or highest as asked, skipping worlds without a value', () => {
      // Prepare
      const values = [
        { seed: 1, value: 0.9 },
        { seed: 2, value: null },
        { seed: 3, value: 0.5 },
        { seed: 4, value: 1 },
      ];

      // Act
      const low = spread(values, true);
      const high = spread(values, false);

      // Assess
      expect(low).toEqual({ worlds: 3, median: 0.9, worst: 0.5, worstSeed: 3 });
      expect(high).toMatchObject({ worst: 1, worstSeed: 4 });
    });
  });

  describe('Function: summarizeWorlds', () => {
    it('reports each strategy and legitimate cohort over worlds, and fails the bars a world misses', async () => {
      // Prepare
      const worlds = [
        // Everything suspended a quarter hour after its first request.
        await world(9001, { h1: 0.75, h2: 0.75, b1: 0.75, b2: 0.75 }),
        // A burner never suspended, hydra late, a research lab member suspended.
        await world(9002, { h1: 4.5, h2: 4.5, b1: 0.75, r1: 2 }),
        await world(9003, { h1: 0.75, h2: 0.75, b1: 0.75, b2: 0.75 }),
      ];

      // Act
      const summary = summarizeWorlds(worlds);
      const verdicts = Object.fromEntries(summary.bars.map((b) => [b.id, b.verdict]));
      const hydra = summary.strategies.find((s) => s.strategy === 'hydra');
      const burners = summary.strategies.find((s) => s.strategy === 'burners');
      const lab = summary.cohorts.find((c) => c.cohort === 'research-lab');

      // Assess
      expect(hydra?.recall).toEqual({ worlds: 3, median: 1, worst: 1, worstSeed: 9001 });
      expect(hydra?.hoursToFirstSuspension).toMatchObject({ median: 0.25, worst: 4, worstSeed: 9002 });
      expect(burners?.recall).toMatchObject({ median: 1, worst: 0.5, worstSeed: 9002 });
      expect(burners?.worldsNeverSuspended).toBe(0);
      expect(lab).toMatchObject({ hardNegative: true, accounts: 3, suspended: 1 });
      expect(lab?.suspendedShare).toMatchObject({ worst: 1, worstSeed: 9002 });
      expect(summary.overall.legitReviewCases).toBe(3);
      expect(verdicts).toEqual({
        'recall-median': 'PASS',
        'recall-worst-strategy': 'FAIL',
        'legit-suspended': 'FAIL',
        'legit-suspended-hard-negatives': 'FAIL',
        'legit-throttled-or-verified': 'PASS',
        'legit-review-cases': 'FAIL',
        'attacker-requests-served': 'FAIL',
        'first-suspension-within-2h': 'FAIL',
      });
      expect(summary.bars.find((b) => b.id === 'recall-worst-strategy')?.actual).toBe(
        'burners in world 9002: 50.0%',
      );
      expect(summary.worlds.map((w) => w.seed)).toEqual([9001, 9002, 9003]);
    });
  });
});
