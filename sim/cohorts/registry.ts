import type { CohortDefinition } from '../types';
import { benchmarkResearcher } from './benchmark-researcher';
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

/** Every cohort the simulator knows, legitimate first, each with its id and description. */
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
];

export function cohortById(id: string): CohortDefinition<unknown> {
  const found = COHORTS.find((c) => c.id === id);
  if (!found) throw new Error(`unknown cohort "${id}"; known: ${COHORTS.map((c) => c.id).join(', ')}`);
  return found;
}
