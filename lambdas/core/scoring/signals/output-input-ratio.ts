import { ratio, type Signal } from './signal';

export const outputInputRatioSignal: Signal = {
  id: 'outputInputRatio',
  description: 'Output tokens per input token: short prompts harvesting long answers',
  measure: (w) => ratio(w.outTok, Math.max(1, w.inTok)),
  explain: (value) => `${value.toFixed(1)} output tokens per input token`,
};
