import { percent, ratio, type Signal } from './signal';

/**
 * Conversation depth, counted per conversation rather than per request: the share of openers
 * (turn 1) that no second turn followed in the window. Counting follow-ups (turn-2 requests, one
 * per continued conversation) needs no per-conversation state; a follow-up whose opener left the
 * window is not matched, and an opener from the last minutes may still get its follow-up.
 */
export const singleTurnShareSignal: Signal = {
  id: 'singleTurnShare',
  description: 'Share of conversations that open and are never followed up (no turn 2 in the window)',
  measure: (w) => ratio(w.openers - Math.min(w.openers, w.followUps), w.openers),
  explain: (value) => `${percent(value)} of conversations end after their first request`,
};
