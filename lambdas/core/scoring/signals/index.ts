import { accountAgeSignal } from './account-age';
import { capabilityConcentrationSignal } from './capability-concentration';
import { noDiurnalRestSignal } from './no-diurnal-rest';
import { outputInputRatioSignal } from './output-input-ratio';
import { reasoningElicitationSignal } from './reasoning-elicitation';
import { releaseChasingSignal } from './release-chasing';
import type { Signal } from './signal';
import { singleTurnShareSignal } from './single-turn-share';
import { templateReuseSignal } from './template-reuse';
import { timingRegularitySignal } from './timing-regularity';
import { topicCoverageSignal } from './topic-coverage';
import { velocitySignal } from './velocity';
import { volumeSignal } from './volume';

export type { Signal, SignalContext, SignalDirection } from './signal';

/** Every account signal, in the order reasons are tie-broken. */
export const ACCOUNT_SIGNALS: readonly Signal[] = [
  volumeSignal,
  velocitySignal,
  capabilityConcentrationSignal,
  reasoningElicitationSignal,
  outputInputRatioSignal,
  singleTurnShareSignal,
  topicCoverageSignal,
  templateReuseSignal,
  timingRegularitySignal,
  noDiurnalRestSignal,
  accountAgeSignal,
  releaseChasingSignal,
];
