import type { Rng } from '../rng';
import type { AccountStreamItem } from '../types';
import { DAY_MS, MINUTE_MS, type SimWorld } from '../world';
import type { AccountRuntime, Presence } from './account-runtime';
import type { Conversation } from './requests';
import { humanTurnGapMs } from './requests';
import { isWeekend, localMidnight, localWeekday, type HourProfile } from './timing';

/** How a person spreads sessions of conversations over their days. */
export interface SessionHabits {
  readonly hours: HourProfile;
  readonly utcOffsetHours: number;
  /** Chance the person is active on a given day. */
  readonly activeDayShare: number;
  /** Weekend activity as a share of a workday's. @default 1 */
  readonly weekendFactor?: number;
  /** Mean sessions on an active day (at least one). */
  readonly sessionsPerDay: number;
  /** Chance a session ends after each conversation (mean conversations: 1 / this). */
  readonly conversationEndChance: number;
}

/** One conversation to hold: what it is, how many turns at most, and from where. */
export interface ConversationStart {
  readonly conversation: Conversation;
  readonly turns: number;
  readonly presence: Presence;
  /** Gap before the next turn, ms. @default humanTurnGapMs */
  readonly gapMs?: (rng: Rng) => number;
}

/**
 * An ordinary person's stream: on active days, sessions placed by their hours; in each session a
 * few conversations, each of several turns at human pace. `start` builds each conversation (so
 * cohorts decide what is asked and from where), `model` picks the model of each request.
 */
export function* sessionStream(
  rt: AccountRuntime,
  world: SimWorld,
  rng: Rng,
  habits: SessionHabits,
  range: { readonly fromMs: number; readonly toMs: number },
  start: (t: number) => ConversationStart,
  model: (t: number) => string,
): Generator<AccountStreamItem> {
  for (let day = -1; day <= world.days; day++) {
    const midnight = localMidnight(world, day, habits.utcOffsetHours);
    if (midnight + DAY_MS <= range.fromMs) continue;
    if (midnight >= range.toMs) return;
    const weekend = isWeekend(localWeekday(world, day));
    const activeChance = habits.activeDayShare * (weekend ? (habits.weekendFactor ?? 1) : 1);
    if (!rng.chance(Math.min(1, activeChance))) continue;
    const sessions = 1 + rng.poisson(Math.max(0, habits.sessionsPerDay - 1));
    for (const sessionStart of habits.hours.sampleSorted(rng, midnight, sessions)) {
      if (sessionStart < range.fromMs || sessionStart >= range.toMs) continue;
      let t = Math.max(sessionStart, rt.nowMs);
      const conversations = rng.geometric(habits.conversationEndChance);
      for (let c = 0; c < conversations; c++) {
        const { conversation, turns, presence, gapMs } = start(t);
        for (let turn = 0; turn < turns; turn++) {
          if (!rt.open(t) || t >= range.toMs) return;
          yield rt.reserve(t);
          yield rt.emit(t, presence, conversation.next(rng, model(t)));
          t = rt.nowMs + (gapMs ?? humanTurnGapMs)(rng);
        }
        t += rng.exponential(5 * MINUTE_MS);
      }
    }
  }
}
