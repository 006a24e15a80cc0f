import { percent, ratio, type Signal } from './signal';

export const templateReuseSignal: Signal = {
  id: 'templateReuse',
  description:
    'Share of conversation openers that reuse a prompt template (a prompt hash within a few bits) the account used earlier in the window',
  measure: (w) => ratio(w.templateReuses, w.openers),
  explain: (value) => `${percent(value)} of conversation openers reuse one of the account's prompt templates`,
};
