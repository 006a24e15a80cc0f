import { percent, type Signal } from './signal';

/** Activity shorter than this is not yet evidence of going without rest. */
const MIN_SPAN_HOURS = 12;

export const noDiurnalRestSignal: Signal = {
  id: 'noDiurnalRest',
  description:
    'Share of the hours the account has been active across (first to latest request in the window, at least 12) that had requests: people sleep, schedulers do not',
  measure: (w, c) =>
    w.activeHours === 0 ? 0 : w.activeHours / Math.max(w.spanHours, Math.min(MIN_SPAN_HOURS, c.windowHours)),
  explain: (value) => `requests in ${percent(value)} of the hours it was active across: no diurnal rest`,
};
