import type { Capability, Tier } from '../../lambdas/core/contract/usage-event';
import { AccountRuntime, type Presence } from '../behaviour/account-runtime';
import { iso, legitTruth } from '../behaviour/plan-helpers';
import { tokens } from '../behaviour/requests';
import { HourProfile, isWeekend, localMidnight, localWeekday } from '../behaviour/timing';
import {
  CLOUD_ASNS,
  COMPANY_NAMES,
  countryByCode,
  ipv4On,
  MODELS,
  networkByAsn,
  USER_AGENTS,
  WORK_HOUR_WEIGHTS,
} from '../catalog';
import { interval, int, share, weights } from '../params';
import { WeightedTable, type Rng } from '../rng';
import { paraphrase, randomSimHash, simHashToHex, type SimHash } from '../simhash';
import { TOPICS_BY_CAPABILITY } from '../topics';
import type { AccountPlan, CohortDefinition, AccountStreamItem } from '../types';
import { DAY_MS, HOUR_MS, MINUTE_MS, type SimWorld } from '../world';

export interface EnterpriseCiBotParams {
  /** Organisations at scale 1; each runs several bot accounts on one org card. */
  readonly orgs: number;
  readonly botsPerOrg: readonly [number, number];
  /** Share of orgs on the enterprise tier (the rest api). */
  readonly enterpriseShare: number;
  /** Egress IPs per org, [min, max]. */
  readonly egressIps: readonly [number, number];
  /** Org account age in days before the window, [min, max]. */
  readonly orgAgeDays: readonly [number, number];
  /** Prompt templates per bot, [min, max], and what they are about. */
  readonly templatesPerBot: readonly [number, number];
  readonly templateCapabilityWeights: Readonly<Record<'coding' | 'other' | 'reasoning', number>>;
  /** Share of templates asking for visible reasoning. */
  readonly reasoningTemplateShare: number;
  /** Median prompt and answer tokens of a template, each drawn in [min, max]. */
  readonly templateInputTokens: readonly [number, number];
  readonly templateOutputTokens: readonly [number, number];
  /** Files per cron tick, [min, max]. */
  readonly cronBatch: readonly [number, number];
  /** Share of bots with no commit-triggered jobs, and the others' jobs per working hour, [min, max]. */
  readonly noPushShare: number;
  readonly pushJobsPerHour: readonly [number, number];
  /** Bits a request's hash differs from its template by (file contents vary), [min, max]. */
  readonly paraphraseBits: readonly [number, number];
}

const ID = 'enterprise-ci-bot';
const WORK_HOURS = new HourProfile(WORK_HOUR_WEIGHTS);
const CRON_PERIOD_MINUTES = [5, 10, 15, 20, 30, 60];

interface Org {
  readonly orgId: string;
  readonly paymentFingerprint: string;
  readonly emailDomain: string;
  readonly tier: Tier;
  readonly egress: readonly Presence[];
  readonly utcOffsetHours: number;
  readonly createdMs: number;
}

interface BotTemplate {
  readonly hash: SimHash;
  readonly capability: Capability;
  readonly topic: string;
  readonly model: string;
  readonly reasoningRequested: boolean;
  readonly toolCalls: number;
  readonly inputMedian: number;
  readonly outputMedian: number;
}

function* botStream(
  world: SimWorld,
  accountId: string,
  org: Org,
  createdMs: number,
  params: EnterpriseCiBotParams,
  templateKinds: WeightedTable<'coding' | 'other' | 'reasoning'>,
  rng: Rng,
): Generator<AccountStreamItem> {
  const presence = { ...rng.pick(org.egress), userAgent: rng.pick([...USER_AGENTS.sdks, 'curl/8.5.0']) };
  const rt = new AccountRuntime(
    {
      accountId,
      orgId: org.orgId,
      tier: org.tier,
      accountCreatedAt: iso(createdMs),
      paymentFingerprint: org.paymentFingerprint,
      emailDomain: org.emailDomain,
    },
    rng,
    world.startMs,
    world.endMs,
  );
  // Integrations pin a model version: no switching to the release within the window.
  const pinned = rng.chance(0.5) ? MODELS.mini : MODELS.baseline;
  const [minTemplates, maxTemplates] = params.templatesPerBot;
  const templates: BotTemplate[] = Array.from({ length: rng.intBetween(minTemplates, maxTemplates) }, () => {
    const capability = templateKinds.sample(rng);
    return {
      hash: randomSimHash(rng),
      capability,
      topic: rng.pick(TOPICS_BY_CAPABILITY[capability]),
      model: pinned,
      reasoningRequested: rng.chance(params.reasoningTemplateShare),
      toolCalls: rng.chance(0.2) ? rng.intBetween(1, 2) : 0,
      inputMedian: rng.between(params.templateInputTokens[0], params.templateInputTokens[1]),
      outputMedian: rng.between(params.templateOutputTokens[0], params.templateOutputTokens[1]),
    };
  });
  const periodMs = rng.pick(CRON_PERIOD_MINUTES) * MINUTE_MS;
  const cronBatch = rng.intBetween(params.cronBatch[0], params.cronBatch[1]);
  const phase = rng.next() * periodMs;
  const pushJobsPerHour = rng.chance(params.noPushShare)
    ? 0
    : rng.between(params.pushJobsPerHour[0], params.pushJobsPerHour[1]);

  for (let day = 0; day < world.days; day++) {
    const dayStart = world.startMs + day * DAY_MS;
    // Clockwork: cron ticks with a couple of seconds of scheduler jitter, then commit-triggered jobs.
    const jobs: { at: number; files: number }[] = [];
    for (let t = dayStart + phase; t < dayStart + DAY_MS; t += periodMs) {
      jobs.push({ at: t + rng.between(-2_000, 2_000), files: cronBatch });
    }
    const midnight = localMidnight(world, day, org.utcOffsetHours);
    if (pushJobsPerHour > 0 && !isWeekend(localWeekday(world, day))) {
      const pushes = rng.poisson(pushJobsPerHour * 9);
      for (let i = 0; i < pushes; i++) {
        const at = WORK_HOURS.sample(rng, midnight);
        // Keep each day's jobs inside that UTC day, so days do not overlap.
        if (at >= dayStart && at < dayStart + DAY_MS) jobs.push({ at, files: rng.intBetween(1, 8) });
      }
    }
    jobs.sort((a, b) => a.at - b.at);
    for (const job of jobs) {
      let t = job.at;
      for (let f = 0; f < job.files; f++) {
        if (!rt.open(t)) return;
        const template = rng.pick(templates);
        yield rt.reserve(t);
        yield rt.emit(t, presence, {
          model: template.model,
          capability: template.capability,
          inputTokens: tokens(rng, template.inputMedian, 0.6, 50),
          outputTokens: tokens(rng, template.outputMedian, 0.5, 5),
          promptHash: simHashToHex(
            paraphrase(
              template.hash,
              rng.intBetween(params.paraphraseBits[0], params.paraphraseBits[1]),
              rng,
            ),
          ),
          topic: template.topic,
          conversationId: null,
          turn: 1,
          toolCalls: template.toolCalls,
          reasoningRequested: template.reasoningRequested,
        });
        t = rt.nowMs + rng.between(800, 2_500);
      }
    }
  }
}

export const enterpriseCiBot: CohortDefinition<EnterpriseCiBotParams> = {
  id: ID,
  description:
    'Service accounts of companies running CI and batch jobs: cron-clockwork plus commit bursts, templated single-turn prompts, cloud egress IPs, many accounts per org sharing one org card, enterprise/api tier.',
  attack: false,
  strategy: null,
  traits: [
    'clockwork timing',
    'templated near-duplicate prompts',
    'high volume',
    'cloud ASNs',
    'shared payment across accounts',
  ],
  hardNegative: true,
  defaults: {
    orgs: 10,
    botsPerOrg: [2, 10],
    enterpriseShare: 0.6,
    egressIps: [1, 3],
    orgAgeDays: [200, 1500],
    templatesPerBot: [2, 5],
    templateCapabilityWeights: { coding: 60, other: 30, reasoning: 10 },
    reasoningTemplateShare: 0.1,
    templateInputTokens: [1500, 5000],
    templateOutputTokens: [150, 500],
    cronBatch: [1, 4],
    noPushShare: 0.4,
    pushJobsPerHour: [2, 8],
    paraphraseBits: [0, 3],
  },
  space: {
    orgs: int(3, 16, 'organisations at scale 1'),
    botsPerOrg: interval(1, 12, 'bot accounts per organisation', { integer: true }),
    enterpriseShare: share(0.1, 0.95, 'share of orgs on the enterprise tier (the rest api)'),
    egressIps: interval(1, 6, 'cloud egress IPs per org', { integer: true }),
    orgAgeDays: interval(20, 3_000, 'org account age, days before the window', { integer: true, log: true }),
    templatesPerBot: interval(1, 12, 'prompt templates per bot', { integer: true }),
    templateCapabilityWeights: weights(
      ['coding', 'other', 'reasoning'],
      5,
      70,
      'what the templates are about',
    ),
    reasoningTemplateShare: share(0, 0.6, 'share of templates asking for visible reasoning'),
    templateInputTokens: interval(200, 12_000, 'median prompt tokens of a template', { log: true }),
    templateOutputTokens: interval(50, 3_000, 'median answer tokens of a template', { log: true }),
    cronBatch: interval(1, 5, 'files per cron tick', { integer: true }),
    noPushShare: share(0, 0.8, 'share of bots with no commit-triggered jobs'),
    pushJobsPerHour: interval(0.5, 25, 'commit-triggered jobs per working hour', { log: true }),
    paraphraseBits: interval(0, 6, "bits a request's hash differs from its template", { integer: true }),
  },
  plan(ctx, params) {
    const { world, rng } = ctx;
    const accounts: AccountPlan[] = [];
    const templateKinds = WeightedTable.fromRecord(params.templateCapabilityWeights);
    const nOrgs = ctx.count(params.orgs);
    let index = 0;
    for (let o = 0; o < nOrgs; o++) {
      const network = networkByAsn(rng.pick(CLOUD_ASNS));
      const name = COMPANY_NAMES[o % COMPANY_NAMES.length] ?? 'company';
      const suffix = o < COMPANY_NAMES.length ? '' : `-${Math.floor(o / COMPANY_NAMES.length)}`;
      const org: Org = {
        orgId: ctx.ids.org(),
        paymentFingerprint: ctx.ids.payment(),
        emailDomain: `${name}${suffix}.com`,
        tier: rng.chance(params.enterpriseShare) ? 'enterprise' : 'api',
        egress: Array.from({ length: rng.intBetween(params.egressIps[0], params.egressIps[1]) }, () => ({
          ip: ipv4On(network, rng),
          asn: network.asn,
          country: network.country,
          userAgent: null,
          deviceFingerprint: null,
        })),
        utcOffsetHours: countryByCode(rng.pick(['US', 'DE', 'GB', 'IN', 'JP'])).utcOffsetHours,
        createdMs: world.startMs - rng.between(params.orgAgeDays[0], params.orgAgeDays[1]) * DAY_MS,
      };
      const bots = rng.intBetween(params.botsPerOrg[0], params.botsPerOrg[1]);
      for (let b = 0; b < bots; b++) {
        const i = index++;
        const accountId = ctx.ids.account();
        const createdMs = org.createdMs + rng.between(0, 150) * DAY_MS + rng.next() * HOUR_MS;
        accounts.push({
          truth: legitTruth(accountId, ID),
          activeFromMs: world.startMs,
          open: () => botStream(world, accountId, org, createdMs, params, templateKinds, ctx.accountRng(i)),
        });
      }
    }
    return { accounts, campaigns: [] };
  },
};
