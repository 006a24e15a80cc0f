import { runWorlds } from '../../local/replay/world-evaluation';
import { COHORTS } from '../../sim/cohorts/registry';
import { HELD_OUT_BARS, summarizeWorlds, type MultiWorldSummary } from '../../sim/multi-world';
import { worldSeeds } from '../../sim/world-seeds';

/**
 * Issue 14's bars on randomised worlds the detector was never tuned on, scaled down for CI: two
 * held-out worlds (the split's last two seeds, 9998-9999, apart from the 9001-9010 quoted in the
 * README) at a tenth of the accounts over two days, generated in memory and replayed as on AWS
 * (event time, 60 s batching window). The full measure is `npx cauterize evaluate --worlds
 * held-out --count 10`. A failure here is diagnosed on tuning worlds (`--worlds tuning`), never
 * tuned on these seeds.
 *
 * At this scale a campaign has a few accounts and a world about 2,000 legitimate ones, so a single
 * wrongly suspended account fails the 0.02% bar: the bars are the issue's, not loosened for CI.
 */
const SEEDS = worldSeeds('held-out', 2, 997);
const SCALE = 0.1;
const DAYS = 2;
const STRATEGIES = COHORTS.filter((c) => c.attack).map((c) => c.strategy as string);

describe('Detection: held-out randomised worlds (CI scale)', () => {
  let summary: MultiWorldSummary;

  beforeAll(async () => {
    summary = summarizeWorlds(await runWorlds(SEEDS, { scale: SCALE, days: DAYS }));
  }, 600_000);

  it.each(barIds())('meets the bar %s', (id) => {
    // Act
    const bar = summary.bars.find((b) => b.id === id);

    // Assess: the whole bar in the failure message, so a red run says by how much.
    expect({ id, target: bar?.target, actual: bar?.actual, verdict: bar?.verdict }).toEqual({
      id,
      target: bar?.target,
      actual: bar?.actual,
      verdict: 'PASS',
    });
  });

  it.each(STRATEGIES)('suspends at least 90%% of the %s accounts in every world', (strategy) => {
    // Act
    const figures = summary.strategies.find((s) => s.strategy === strategy);

    // Assess
    expect(figures?.recall.worst).toBeGreaterThanOrEqual(HELD_OUT_BARS.recallWorstStrategy);
  });

  it('reports every bar this file checks', () => {
    // Assess
    expect(summary.bars.map((b) => b.id)).toEqual(barIds());
  });
});

/** The bars summarizeWorlds reports, known before the worlds run (it.each needs them up front). */
function barIds(): string[] {
  return [
    'recall-median',
    'recall-worst-strategy',
    'legit-suspended',
    'legit-suspended-hard-negatives',
    'legit-throttled-or-verified',
    'legit-review-cases',
    'attacker-requests-served',
    'first-suspension-within-2h',
  ];
}
