import { ratio, type Signal } from './signal';

export const volumeSignal: Signal = {
  id: 'volume',
  description: "Request volume in the window against the tier's daily norm",
  measure: (w, c) => ratio(w.requests, c.dailyRequestNorm * (c.windowHours / 24)),
  explain: (value) => `${value.toFixed(1)}x the tier's normal request volume`,
};
