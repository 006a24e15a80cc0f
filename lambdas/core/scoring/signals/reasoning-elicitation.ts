import { percent, ratio, type Signal } from './signal';

export const reasoningElicitationSignal: Signal = {
  id: 'reasoningElicitation',
  description: 'Share of requests that ask for extended thinking or step-by-step reasoning',
  measure: (w) => ratio(w.reasoningRequests, w.requests),
  explain: (value) => `${percent(value)} of requests elicit chain-of-thought reasoning`,
};
