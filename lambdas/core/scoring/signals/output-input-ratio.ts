import { ratio, type Signal } from './signal';

export const outputInputRatioSignal: Signal = {
  id: 'outputInputRatio',
  description: 'Output tokens per input token: short prompts harvesting long answers',
  measure: (w) => ratio(w.outputTokens, Math.max(1, w.inputTokens)),
  explain: (value) => `${value.toFixed(1)} output tokens per input token`,
};
