import type { Signal } from './signal';

export const accountAgeSignal: Signal = {
  id: 'accountAge',
  description:
    'Days from sign-up to the first request seen: a fresh account that goes straight to heavy, extraction-shaped use is typical of bought or farmed accounts',
  direction: 'lower-is-riskier',
  measure: (_w, c) => c.ageAtFirstRequestDays,
  explain: (value) => `first request ${value.toFixed(1)} days after the account was created`,
};
