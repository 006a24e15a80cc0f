import { percent, ratio, type Signal } from './signal';

export const topicCoverageSignal: Signal = {
  id: 'topicCoverage',
  description:
    'Share of requests on a topic the account had not asked about earlier in the window: a systematic sweep of many topics, where people return to a few',
  measure: (w) => ratio(w.novelTopicRequests, w.requests),
  explain: (value) => `${percent(value)} of requests move to a topic not asked about earlier in the window`,
};
