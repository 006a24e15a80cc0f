import type { Presence } from '../behaviour/account-runtime';
import { type AttackerAccount, attackerRuntime, extractionStream } from '../behaviour/campaign';
import { Extractor, TemplateBank, type ExtractionStyle } from '../behaviour/extraction';
import { attackTruth, campaignTruth, checkRange } from '../behaviour/plan-helpers';
import { regularTimes } from '../behaviour/timing';
import { CONSUMER_EMAIL_DOMAINS, HOSTING_ASNS, ipv4On, MODELS, networkByAsn, USER_AGENTS } from '../catalog';
import { extractionStyleSpace } from '../behaviour/spaces';
import { interval, int, num, share } from '../params';
import type { Rng } from '../rng';
import type { AccountPlan, CampaignTruth, CohortDefinition, AccountStreamItem } from '../types';
import { DAY_MS, HOUR_MS, type SimWorld } from '../world';

export interface ReleaseChasingParams {
  /** Number of campaigns; not scaled (`scale` grows each campaign instead). */
  readonly campaigns: number;
  readonly accountsPerCampaign: number;
  readonly cards: number;
  readonly proxies: number;
  /** Each account moves to the new model this long after its release, [min, max] hours. */
  readonly switchDelayHours: readonly [number, number];
  /** Request rate before the release; after the switch it rises by `postReleaseBoost`. */
  readonly requestsPerDay: readonly [number, number];
  readonly postReleaseBoost: number;
  readonly createdDaysBefore: readonly [number, number];
  /** Share of accounts on the api tier (the rest pro). */
  readonly apiShare: number;
  /** Share of requests on the new model once an account has switched. */
  readonly newModelShare: number;
  /** Gap jitter of the request schedule, as a share of the gap. */
  readonly timingJitter: number;
  readonly templatesPerCapability: number;
  readonly style: ExtractionStyle;
}

const ID = 'extraction-release-chasing';
const STRATEGY = 'release-chasing';

interface Campaign {
  readonly campaignId: string;
  readonly cards: readonly string[];
  readonly proxies: readonly Omit<Presence, 'userAgent' | 'deviceFingerprint'>[];
  readonly bank: TemplateBank;
}

function* releaseChasingStream(
  world: SimWorld,
  account: AttackerAccount,
  campaign: Campaign,
  params: ReleaseChasingParams,
  rng: Rng,
): Generator<AccountStreamItem> {
  const rt = attackerRuntime(world, account, rng);
  const extractor = new Extractor(rt, world, params.style, campaign.bank);
  const switchMs =
    world.releaseMs + rng.between(params.switchDelayHours[0], params.switchDelayHours[1]) * HOUR_MS;
  const device = { userAgent: rng.pick(USER_AGENTS.sdks), deviceFingerprint: null };
  const perDay = rng.intBetween(params.requestsPerDay[0], params.requestsPerDay[1]);
  const pivot = Math.min(Math.max(switchMs, account.activeFromMs), account.activeToMs);
  function* schedule(): Generator<number> {
    yield* regularTimes(rng, account.activeFromMs, pivot, perDay, params.timingJitter);
    yield* regularTimes(
      rng,
      pivot,
      account.activeToMs,
      perDay * params.postReleaseBoost,
      params.timingJitter,
    );
  }
  yield* extractionStream(
    rt,
    extractor,
    schedule(),
    () => ({ ...rng.pick(campaign.proxies), ...device }),
    (t) => (t >= switchMs && rng.chance(params.newModelShare) ? MODELS.released : MODELS.baseline),
  );
}

export const releaseChasing: CohortDefinition<ReleaseChasingParams> = {
  id: ID,
  description:
    'A campaign that moves to a newly released model within hours of its release (and speeds up), while ordinary users adopt it over days.',
  attack: true,
  strategy: STRATEGY,
  traits: [
    'switches model within hours of release',
    'rate increase after release',
    'shared cards and proxies',
  ],
  defaults: {
    campaigns: 1,
    accountsPerCampaign: 80,
    cards: 10,
    proxies: 8,
    switchDelayHours: [0.5, 6],
    requestsPerDay: [20, 32],
    postReleaseBoost: 1.25,
    createdDaysBefore: [5, 20],
    apiShare: 0.5,
    newModelShare: 0.95,
    timingJitter: 0.25,
    templatesPerCapability: 6,
    style: {
      capabilityWeights: { reasoning: 50, coding: 35, agentic: 15 },
      reasoningRequestedShare: 0.85,
      paraphraseBits: [0, 2],
      benignShare: 0.1,
      statelessShare: 0.85,
      inputMedian: 220,
      outputMedian: 2400,
    },
  },
  space: {
    accountsPerCampaign: int(15, 160, 'accounts per campaign at scale 1'),
    cards: int(1, 30, 'cards the accounts share'),
    proxies: int(2, 40, 'hosting proxy exits the accounts share'),
    switchDelayHours: interval(0.1, 24, 'hours after the release each account moves to it', { log: true }),
    requestsPerDay: interval(8, 150, 'requests a day per account before the release', {
      integer: true,
      log: true,
    }),
    postReleaseBoost: num(1, 3, 'rate multiplier after the switch'),
    createdDaysBefore: interval(0, 60, 'accounts created this many days before the window'),
    apiShare: share(0, 1, 'share of accounts on the api tier (the rest pro)'),
    newModelShare: share(0.5, 1, 'share of requests on the new model after the switch'),
    timingJitter: share(0.05, 0.9, 'gap jitter of the request schedule (share of the gap)'),
    templatesPerCapability: int(2, 20, 'prompt templates per capability'),
    style: extractionStyleSpace(),
  },
  plan(ctx, params) {
    checkRange('switchDelayHours', params.switchDelayHours);
    checkRange('requestsPerDay', params.requestsPerDay, 1);
    checkRange('createdDaysBefore', params.createdDaysBefore);
    const { world, rng } = ctx;
    const accounts: AccountPlan[] = [];
    const campaigns: CampaignTruth[] = [];
    for (let c = 0; c < params.campaigns; c++) {
      const networks = rng.sample(HOSTING_ASNS, 2).map((asn) => networkByAsn(asn));
      const campaign: Campaign = {
        campaignId: ctx.campaignId(STRATEGY),
        cards: Array.from({ length: Math.max(1, params.cards) }, () => ctx.ids.payment()),
        proxies: Array.from({ length: Math.max(1, params.proxies) }, () => {
          const network = rng.pick(networks);
          return { ip: ipv4On(network, rng), asn: network.asn, country: network.country };
        }),
        bank: new TemplateBank(rng, params.templatesPerCapability),
      };
      const members: string[] = [];
      const n = ctx.count(params.accountsPerCampaign, 2);
      for (let a = 0; a < n; a++) {
        const i = accounts.length;
        const account: AttackerAccount = {
          accountId: ctx.ids.account(),
          createdMs:
            world.startMs - rng.between(params.createdDaysBefore[0], params.createdDaysBefore[1]) * DAY_MS,
          activeFromMs: world.startMs,
          activeToMs: world.endMs,
          tier: rng.chance(1 - params.apiShare) ? 'pro' : 'api',
          paymentFingerprint: rng.pick(campaign.cards),
          emailDomain: CONSUMER_EMAIL_DOMAINS.sample(rng),
        };
        members.push(account.accountId);
        accounts.push({
          truth: attackTruth(account.accountId, ID, campaign.campaignId, STRATEGY),
          activeFromMs: account.activeFromMs,
          open: () => releaseChasingStream(world, account, campaign, params, ctx.accountRng(i)),
        });
      }
      campaigns.push(
        campaignTruth(
          {
            campaignId: campaign.campaignId,
            strategy: STRATEGY,
            cohort: ID,
            description: `${n} accounts that switch to ${MODELS.released} within ${params.switchDelayHours[1]} h of its release`,
            accounts: members,
            templates: campaign.bank,
            infrastructure: { paymentFingerprints: campaign.cards, ips: campaign.proxies.map((p) => p.ip) },
          },
          [world.startMs],
        ),
      );
    }
    return { accounts, campaigns };
  },
};
