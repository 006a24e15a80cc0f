export { generateTraffic, DEFAULT_START, type GenerateOptions, type Simulation } from './generate';
export { writeSimulation, type WriteSimulationOptions } from './write';
export {
  SummaryCollector,
  type SimulationSummary,
  type SimulationProgress,
  type CohortCounts,
} from './summary';
export { COHORTS, cohortById } from './cohorts/registry';
export { PRESETS, use, type Preset, type CohortUse } from './presets';
export {
  randomSimHash,
  paraphrase,
  flipBits,
  xorSimHash,
  simHashToHex,
  simHashFromHex,
  hammingDistance,
  type SimHash,
} from './simhash';
export { Rng, seedFrom } from './rng';
export { MODELS } from './catalog';
export type {
  LabelledEvent,
  GroundTruth,
  AccountTruth,
  CampaignTruth,
  CampaignInfrastructure,
  CohortTruth,
  CohortDefinition,
  PresetName,
} from './types';
