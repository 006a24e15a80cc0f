import type { Capability } from '../lambdas/core/contract/usage-event';

/**
 * A taxonomy of about 200 fine-grained topics, each under one capability. Extraction campaigns
 * sweep many of the reasoning, coding and agentic topics; legitimate users concentrate on a few.
 */

const LANGUAGES = [
  'python',
  'typescript',
  'javascript',
  'rust',
  'go',
  'java',
  'cpp',
  'csharp',
  'sql',
  'bash',
];
const LANGUAGE_ASPECTS = ['async', 'testing', 'debugging', 'performance', 'types', 'api', 'refactor'];

const REASONING = [
  'math.algebra.linear',
  'math.algebra.abstract',
  'math.algebra.polynomials',
  'math.arithmetic.word-problems',
  'math.calculus.limits',
  'math.calculus.integrals',
  'math.calculus.multivariable',
  'math.calculus.differential-equations',
  'math.probability.bayes',
  'math.probability.combinatorics',
  'math.probability.distributions',
  'math.number-theory.primes',
  'math.number-theory.modular',
  'math.geometry.euclidean',
  'math.geometry.analytic',
  'math.statistics.hypothesis-tests',
  'math.statistics.regression',
  'math.discrete.graphs',
  'math.discrete.recurrences',
  'math.proofs.induction',
  'math.proofs.contradiction',
  'math.competition.olympiad',
  'logic.puzzles',
  'logic.formal',
  'logic.deduction',
  'logic.constraint-satisfaction',
  'science.physics.mechanics',
  'science.physics.electromagnetism',
  'science.physics.thermodynamics',
  'science.physics.quantum',
  'science.chemistry.organic',
  'science.chemistry.stoichiometry',
  'science.chemistry.kinetics',
  'science.biology.genetics',
  'science.biology.cells',
  'science.biology.ecology',
  'science.medicine.diagnosis',
  'econ.micro',
  'econ.macro',
  'econ.game-theory',
  'planning.scheduling',
  'planning.optimization',
  'reasoning.causal',
  'reasoning.counterfactual',
  'reasoning.analogies',
];

const CODING = [
  ...LANGUAGES.flatMap((lang) => LANGUAGE_ASPECTS.map((aspect) => `code.${lang}.${aspect}`)),
  'code.algorithms.dynamic-programming',
  'code.algorithms.graphs',
  'code.algorithms.sorting',
  'code.algorithms.strings',
  'code.algorithms.trees',
  'code.systems.distributed',
  'code.systems.databases',
  'code.systems.networking',
  'code.systems.operating-systems',
  'code.security.cryptography',
  'code.security.web',
  'code.security.reverse-engineering',
  'code.ml.training',
  'code.ml.inference',
  'code.ml.data-pipelines',
  'code.devops.docker',
  'code.devops.ci',
  'code.devops.kubernetes',
  'code.devops.terraform',
  'code.frontend.css',
  'code.frontend.react',
];

const AGENTIC = [
  'agentic.browser.navigation',
  'agentic.browser.forms',
  'agentic.shell.files',
  'agentic.shell.git',
  'agentic.api.orchestration',
  'agentic.data.extraction',
  'agentic.planning.multi-step',
  'agentic.research.web',
  'agentic.code.repo-edit',
  'agentic.code.test-fix',
  'agentic.office.spreadsheet',
  'agentic.office.email-triage',
  'agentic.tools.calendar',
  'agentic.tools.database-query',
];

const CHAT = [
  'chat.smalltalk',
  'chat.advice.career',
  'chat.advice.relationships',
  'chat.health.general',
  'chat.travel.planning',
  'chat.cooking.recipes',
  'chat.fitness',
  'chat.personal-finance',
  'chat.parenting',
  'chat.pets',
  'chat.shopping',
  'chat.news',
  'chat.sports',
  'chat.movies',
  'chat.music',
  'chat.games',
  'chat.language-learning',
  'chat.philosophy',
  'chat.history',
  'chat.wellbeing',
];

const CREATIVE = [
  'creative.fiction.short-story',
  'creative.fiction.fantasy',
  'creative.fiction.mystery',
  'creative.poetry',
  'creative.screenwriting',
  'creative.worldbuilding',
  'creative.song-lyrics',
  'creative.jokes',
  'creative.marketing.copy',
  'creative.marketing.slogans',
  'creative.naming',
  'creative.roleplay',
];

const OTHER = [
  'other.translation.es',
  'other.translation.fr',
  'other.translation.de',
  'other.translation.ja',
  'other.translation.zh',
  'other.summarization.articles',
  'other.summarization.papers',
  'other.summarization.meetings',
  'other.writing.email',
  'other.writing.resume',
  'other.writing.cover-letter',
  'other.writing.essay-editing',
  'other.writing.grammar',
  'other.data.cleaning',
  'other.data.csv',
  'other.data.json',
  'other.classification',
  'other.extraction',
  'other.legal.contracts',
  'other.education.lesson-plans',
];

export const TOPICS_BY_CAPABILITY: Readonly<Record<Capability, readonly string[]>> = {
  reasoning: REASONING,
  coding: CODING,
  agentic: AGENTIC,
  chat: CHAT,
  creative: CREATIVE,
  other: OTHER,
};

export const ALL_TOPICS: readonly string[] = Object.values(TOPICS_BY_CAPABILITY).flat();

/** The topics an extraction campaign sweeps: everything under reasoning, coding and agentic. */
export const EXTRACTION_TOPICS: readonly string[] = [...REASONING, ...CODING, ...AGENTIC];

/** Coding topics for one language, e.g. `code.python.*`. */
export function languageTopics(language: string): readonly string[] {
  return CODING.filter((t) => t.startsWith(`code.${language}.`));
}

export const CODING_LANGUAGES: readonly string[] = LANGUAGES;
