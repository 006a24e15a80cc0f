import { percent, ratio, type Signal } from './signal';

export const capabilityConcentrationSignal: Signal = {
  id: 'capabilityConcentration',
  description: 'Share of requests for reasoning, coding or agentic work (the capabilities distillers target)',
  measure: (w) => ratio(w.capabilityRequests, w.requests),
  explain: (value) => `${percent(value)} of requests target reasoning, coding or agentic capabilities`,
};
