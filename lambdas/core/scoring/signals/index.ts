import { capabilityConcentrationSignal } from './capability-concentration';
import { outputInputRatioSignal } from './output-input-ratio';
import { reasoningElicitationSignal } from './reasoning-elicitation';
import type { Signal } from './signal';
import { singleTurnShareSignal } from './single-turn-share';
import { volumeSignal } from './volume';

export type { Signal, SignalContext } from './signal';

/** Every account signal, in the order reasons are tie-broken. */
export const ACCOUNT_SIGNALS: readonly Signal[] = [
  volumeSignal,
  capabilityConcentrationSignal,
  reasoningElicitationSignal,
  outputInputRatioSignal,
  singleTurnShareSignal,
];
