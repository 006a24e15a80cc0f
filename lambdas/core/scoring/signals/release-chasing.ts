import { percent, ratio, type Signal } from './signal';

export const releaseChasingSignal: Signal = {
  id: 'releaseChasing',
  description:
    "Share of requests on a model released only hours before (the policy's model releases and freshHours): campaigns move to a new model within a day of its release",
  measure: (w) => ratio(w.freshModelRequests, w.requests),
  explain: (value) => `${percent(value)} of requests went to a model within hours of its release`,
};
