import { percent, ratio, type Signal } from './signal';

export const singleTurnShareSignal: Signal = {
  id: 'singleTurnShare',
  description: 'Share of requests that open a conversation and are never followed up',
  measure: (w) => ratio(w.open, w.n),
  explain: (value) => `${percent(value)} of requests are single-turn`,
};
