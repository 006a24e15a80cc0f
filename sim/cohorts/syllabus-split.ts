import type { Tier } from '../../lambdas/core/contract/usage-event';
import type { Presence } from '../behaviour/account-runtime';
import {
  datacentreExits,
  residentialExit,
  residentialNetworks,
  scheduledTimes,
  timingChoice,
  type TimingKind,
} from '../behaviour/attack-kit';
import { type AttackerAccount, attackerRuntime, extractionStream } from '../behaviour/campaign';
import {
  Extractor,
  TemplateBank,
  type ExtractionCapability,
  type ExtractionStyle,
} from '../behaviour/extraction';
import { attackTruth, campaignTruth, checkRange } from '../behaviour/plan-helpers';
import {
  EXTRACTION_CAPABILITY_KEYS,
  extractionStyleSpace,
  SELF_SERVE_TIERS,
  tierChoice,
  UTC_OFFSETS,
} from '../behaviour/spaces';
import { CONSUMER_EMAIL_DOMAINS, USER_AGENTS } from '../catalog';
import { randomDeviceId } from '../ids';
import { choice, interval, int, share } from '../params';
import type { Rng } from '../rng';
import { TOPICS_BY_CAPABILITY } from '../topics';
import type { AccountPlan, AccountStreamItem, CampaignTruth, CohortDefinition } from '../types';
import { DAY_MS, ModelChooser, SLOW_ADOPTER, type SimWorld } from '../world';

export interface SyllabusSplitParams {
  /** Number of campaigns; not scaled. */
  readonly campaigns: number;
  readonly accountsPerCampaign: number;
  /** Topics in each account's slice of the syllabus, [min, max]; slices are disjoint until the syllabus runs out. */
  readonly topicsPerAccount: readonly [number, number];
  readonly requestsPerDay: readonly [number, number];
  /** Accounts were opened over this many days before the window, [min, max]. */
  readonly createdDaysBefore: readonly [number, number];
  readonly timing: TimingKind;
  readonly timingJitter: number;
  readonly operatorUtcOffsetHours: number;
  /** How they reach the API: per-request residential exits, or a datacentre proxy pool of `proxyExits`. */
  readonly network: 'residential' | 'hosting';
  readonly proxyExits: number;
  readonly tier: Tier;
  readonly templatesPerCapability: number;
  readonly style: ExtractionStyle;
}

const ID = 'extraction-syllabus-split';
const STRATEGY = 'syllabus-split';
const RESIDENTIAL = residentialNetworks();

interface Campaign {
  readonly campaignId: string;
  readonly bank: TemplateBank;
  readonly exits: readonly Omit<Presence, 'userAgent' | 'deviceFingerprint'>[];
}

interface SliceAccount extends AttackerAccount {
  readonly slice: Readonly<Record<ExtractionCapability, readonly string[]>>;
}

function* sliceStream(
  world: SimWorld,
  account: SliceAccount,
  campaign: Campaign,
  params: SyllabusSplitParams,
  rng: Rng,
): Generator<AccountStreamItem> {
  const rt = attackerRuntime(world, account, rng);
  // Only the capabilities of its slice, weighted by how many of its topics each has.
  const weights = Object.fromEntries(
    EXTRACTION_CAPABILITY_KEYS.map((c) => [c, account.slice[c].length * params.style.capabilityWeights[c]]),
  ) as Record<ExtractionCapability, number>;
  const extractor = new Extractor(rt, world, { ...params.style, capabilityWeights: weights }, campaign.bank, {
    topics: account.slice,
  });
  const models = new ModelChooser(world, rng, SLOW_ADOPTER);
  const device = { userAgent: rng.pick(USER_AGENTS.desktopBrowsers), deviceFingerprint: randomDeviceId(rng) };
  const perDay = rng.intBetween(params.requestsPerDay[0], params.requestsPerDay[1]);
  yield* extractionStream(
    rt,
    extractor,
    scheduledTimes(rng, world, account.activeFromMs, account.activeToMs, {
      kind: params.timing,
      perDay,
      jitter: params.timingJitter,
      utcOffsetHours: params.operatorUtcOffsetHours,
    }),
    () => ({
      ...(params.network === 'residential' ? residentialExit(rng, RESIDENTIAL) : rng.pick(campaign.exits)),
      ...device,
    }),
    (t) => models.model(t, rng),
  );
}

export const syllabusSplit: CohortDefinition<SyllabusSplitParams> = {
  id: ID,
  description:
    "A syllabus split across accounts: each covers a small slice of the extraction topics, disjoint from the others', so no account sweeps topics; together they cover the syllabus. Own cards and devices.",
  attack: true,
  strategy: STRATEGY,
  traits: [
    'no account sweeps topics',
    'the campaign covers the syllabus',
    'own cards and devices',
    'shared templates',
  ],
  defaults: {
    campaigns: 1,
    accountsPerCampaign: 80,
    topicsPerAccount: [2, 6],
    requestsPerDay: [15, 50],
    createdDaysBefore: [1, 30],
    timing: 'poisson',
    timingJitter: 0.3,
    operatorUtcOffsetHours: 8,
    network: 'residential',
    proxyExits: 20,
    tier: 'pro',
    templatesPerCapability: 8,
    style: {
      capabilityWeights: { reasoning: 45, coding: 40, agentic: 15 },
      reasoningRequestedShare: 0.75,
      paraphraseBits: [0, 3],
      benignShare: 0.1,
      statelessShare: 0.7,
      inputMedian: 240,
      outputMedian: 2_200,
    },
  },
  space: {
    accountsPerCampaign: int(25, 300, 'accounts per campaign at scale 1'),
    topicsPerAccount: interval(1, 10, "topics in each account's slice of the syllabus", { integer: true }),
    requestsPerDay: interval(5, 120, 'requests a day per account', { integer: true, log: true }),
    createdDaysBefore: interval(0, 120, 'accounts opened over this many days before the window', {
      log: true,
    }),
    timing: timingChoice(),
    timingJitter: share(0.05, 0.9, 'gap jitter of regular timing (share of the gap)'),
    operatorUtcOffsetHours: choice(UTC_OFFSETS, "the operators' time zone"),
    network: choice(
      ['residential', 'hosting'] as const,
      'per-request residential exits or a datacentre proxy pool',
    ),
    proxyExits: int(3, 80, 'datacentre proxy exits'),
    tier: tierChoice(SELF_SERVE_TIERS),
    templatesPerCapability: int(2, 20, 'prompt templates per capability'),
    // Each account's topics are its slice: the style's topic breadth does not apply.
    style: extractionStyleSpace({ topicBreadth: undefined }),
  },
  plan(ctx, params) {
    checkRange('topicsPerAccount', params.topicsPerAccount, 1);
    checkRange('requestsPerDay', params.requestsPerDay, 1);
    checkRange('createdDaysBefore', params.createdDaysBefore);
    const { world, rng } = ctx;
    const accounts: AccountPlan[] = [];
    const campaigns: CampaignTruth[] = [];
    const syllabus = EXTRACTION_CAPABILITY_KEYS.flatMap((c) =>
      TOPICS_BY_CAPABILITY[c].map((topic) => ({ capability: c, topic })),
    );
    for (let c = 0; c < params.campaigns; c++) {
      const campaign: Campaign = {
        campaignId: ctx.campaignId(STRATEGY),
        bank: new TemplateBank(rng, params.templatesPerCapability),
        exits: datacentreExits(rng, params.proxyExits, 'hosting'),
      };
      let deck = rng.shuffle([...syllabus]);
      let cursor = 0;
      const members: string[] = [];
      const cards: string[] = [];
      const n = ctx.count(params.accountsPerCampaign, 2);
      for (let a = 0; a < n; a++) {
        const size = rng.intBetween(params.topicsPerAccount[0], params.topicsPerAccount[1]);
        const slice: Record<ExtractionCapability, string[]> = { reasoning: [], coding: [], agentic: [] };
        for (let k = 0; k < size; k++) {
          if (cursor >= deck.length) {
            // The syllabus is dealt out: deal it again to the remaining accounts.
            deck = rng.shuffle([...syllabus]);
            cursor = 0;
          }
          const card = deck[cursor++];
          if (card) slice[card.capability].push(card.topic);
        }
        const i = accounts.length;
        const account: SliceAccount = {
          accountId: ctx.ids.account(),
          createdMs:
            world.startMs - rng.between(params.createdDaysBefore[0], params.createdDaysBefore[1]) * DAY_MS,
          activeFromMs: world.startMs,
          activeToMs: world.endMs,
          tier: params.tier,
          paymentFingerprint: params.tier === 'free' ? null : ctx.ids.payment(),
          emailDomain: CONSUMER_EMAIL_DOMAINS.sample(rng),
          slice,
        };
        members.push(account.accountId);
        if (account.paymentFingerprint) cards.push(account.paymentFingerprint);
        accounts.push({
          truth: attackTruth(account.accountId, ID, campaign.campaignId, STRATEGY),
          activeFromMs: account.activeFromMs,
          open: () => sliceStream(world, account, campaign, params, ctx.accountRng(i)),
        });
      }
      campaigns.push(
        campaignTruth(
          {
            campaignId: campaign.campaignId,
            strategy: STRATEGY,
            cohort: ID,
            description: `${n} accounts, each on ${params.topicsPerAccount[0]}-${params.topicsPerAccount[1]} of ${syllabus.length} topics`,
            accounts: members,
            templates: campaign.bank,
            infrastructure: {
              paymentFingerprints: cards,
              ips: params.network === 'hosting' ? campaign.exits.map((e) => e.ip) : [],
            },
          },
          [world.startMs],
        ),
      );
    }
    return { accounts, campaigns };
  },
};
