import type { CohortDefinition } from '../types';
import { benchmarkResearcher } from './benchmark-researcher';
import { burners } from './burners';
import { camouflagedLowAndSlow } from './camouflaged-low-and-slow';
import { disguisedOrg } from './disguised-org';
import { evalPlatform } from './eval-platform';
import { familyPlan } from './family-plan';
import { hackathon } from './hackathon';
import { moocStudents } from './mooc-students';
import { researchLab } from './research-lab';
import { supportTeam } from './support-team';
import { tutoringPowerUser } from './tutoring-power-user';
import { highVolume } from './high-volume';
import { hydra } from './hydra';
import { multiTurn } from './multi-turn';
import { sleeper } from './sleeper';
import { syllabusSplit } from './syllabus-split';
import { templateFree } from './template-free';
import { campusNat } from './campus-nat';
import { cardSharing } from './card-sharing';
import { casualChat } from './casual-chat';
import { enterpriseCiBot } from './enterprise-ci-bot';
import { heavyCodingAgent } from './heavy-coding-agent';
import { lowAndSlow } from './low-and-slow';
import { naiveSingleAccount } from './naive-single-account';
import { paraphraseTemplates } from './paraphrase-templates';
import { proxyPool } from './proxy-pool';
import { releaseChasing } from './release-chasing';
import { reseller } from './reseller';
import { rotation } from './rotation';

/**
 * Every cohort the simulator knows, each with its id and description: the classic thirteen the
 * default preset runs (legitimate first), then the newer hard negatives and attack strategies that
 * only randomised worlds run (with the classic ones, every parameter drawn).
 */
export const COHORTS: readonly CohortDefinition<unknown>[] = [
  casualChat,
  heavyCodingAgent,
  enterpriseCiBot,
  benchmarkResearcher,
  campusNat,
  reseller,
  naiveSingleAccount,
  cardSharing,
  proxyPool,
  lowAndSlow,
  paraphraseTemplates,
  rotation,
  releaseChasing,
  moocStudents,
  hackathon,
  evalPlatform,
  tutoringPowerUser,
  supportTeam,
  familyPlan,
  researchLab,
  hydra,
  highVolume,
  camouflagedLowAndSlow,
  burners,
  disguisedOrg,
  syllabusSplit,
  templateFree,
  multiTurn,
  sleeper,
];

export function cohortById(id: string): CohortDefinition<unknown> {
  const found = COHORTS.find((c) => c.id === id);
  if (!found) throw new Error(`unknown cohort "${id}"; known: ${COHORTS.map((c) => c.id).join(', ')}`);
  return found;
}
