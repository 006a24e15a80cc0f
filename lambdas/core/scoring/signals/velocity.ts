import { ratio, type Signal } from './signal';

export const velocitySignal: Signal = {
  id: 'velocity',
  description: "Requests in the busiest hour of the window against the tier's hourly norm (daily norm / 24)",
  measure: (w, c) => ratio(w.peakHour, c.dailyRequestNorm / 24),
  explain: (value) => `${value.toFixed(1)}x the tier's normal hourly rate in its busiest hour`,
};
