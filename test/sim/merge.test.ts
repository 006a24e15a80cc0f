import fc from 'fast-check';
import { mergeByTime } from '../../sim/merge';
import type { AccountPlan, TimedEvent } from '../../sim/types';
import type { UsageEvent } from '../../lambdas/core/contract/usage-event';

/** A plan whose stream yields the given (sorted) times; the event only carries the account id. */
function planOf(accountId: string, times: readonly number[], opened: string[]): AccountPlan {
  return {
    truth: { accountId, cohort: 'test', attack: false, campaignId: null, strategy: null },
    activeFromMs: times[0] ?? 0,
    open: function* (): Generator<TimedEvent> {
      opened.push(accountId);
      for (const ms of times) yield { ms, event: { accountId } as UsageEvent };
    },
  };
}

describe('Function: mergeByTime', () => {
  it('merges time-ordered account streams into one time-ordered stream without losing events', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.nat({ max: 1_000 }), { maxLength: 30 }), { maxLength: 20 }),
        (streams) => {
          // Prepare
          const opened: string[] = [];
          const plans = streams.map((times, i) =>
            planOf(
              `a${i}`,
              [...times].sort((x, y) => x - y),
              opened,
            ),
          );

          // Act
          const merged = [...mergeByTime(plans, (_, timed) => timed.ms)];

          // Assess
          expect(merged).toEqual(streams.flat().sort((x, y) => x - y));
        },
      ),
    );
  });

  it('opens an account stream only when the merge reaches its start', () => {
    // Prepare
    const opened: string[] = [];
    const plans = [planOf('early', [0, 10, 20, 30], opened), planOf('late', [25, 26], opened)];
    const merge = mergeByTime(plans, (_, timed) => timed.ms);

    // Act
    merge.next();
    merge.next();
    const openedAfterTwo = [...opened];
    const rest = [...merge];

    // Assess
    expect(openedAfterTwo).toEqual(['early']);
    expect(rest).toEqual([20, 25, 26, 30]);
  });

  it('rejects an account stream that goes back in time', () => {
    // Prepare
    const plans = [planOf('bad', [5, 3], [])];

    // Act / Assess
    expect(() => [...mergeByTime(plans, (_, timed) => timed)]).toThrow(
      'account streams must be time-ordered',
    );
  });
});
