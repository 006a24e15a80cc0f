import { type AttackerAccount, attackerRuntime, extractionStream } from '../behaviour/campaign';
import { Extractor, TemplateBank, type ExtractionStyle } from '../behaviour/extraction';
import { attackTruth, campaignTruth, checkRange } from '../behaviour/plan-helpers';
import { regularTimes } from '../behaviour/timing';
import { consumerNetworks, CONSUMER_EMAIL_DOMAINS, ipv4On, THROWAWAY_DOMAINS, USER_AGENTS } from '../catalog';
import { extractionStyleSpace, SELF_SERVE_TIERS, tierChoice } from '../behaviour/spaces';
import { interval, int, num, share } from '../params';
import type { Rng } from '../rng';
import type { Tier } from '../../lambdas/core/contract/usage-event';
import type { AccountPlan, CampaignTruth, CohortDefinition, AccountStreamItem } from '../types';
import { DAY_MS, HOUR_MS, ModelChooser, SLOW_ADOPTER, type SimWorld } from '../world';

export interface CardSharingParams {
  /** Number of campaigns; not scaled (`scale` grows each campaign instead). */
  readonly campaigns: number;
  /** Accounts per campaign at scale 1. */
  readonly accountsPerCampaign: number;
  /** Payment cards shared by all the campaign's accounts. */
  readonly cards: number;
  /** Device fingerprints shared by all the campaign's accounts. */
  readonly devices: number;
  readonly requestsPerDay: readonly [number, number];
  /** The sign-up burst lies this many days before the window start, [min, max]. */
  readonly createdDaysBefore: readonly [number, number];
  /** Gap jitter of the request schedule, as a share of the gap (0 = perfectly periodic). */
  readonly timingJitter: number;
  /** Hours over which the sign-up burst spreads (half-normal scale). */
  readonly burstSpreadHours: number;
  /** Share of requests sent from another device of the pool than the account's own. */
  readonly deviceSwitchShare: number;
  /** Share of accounts on the campaign's throwaway email domain (the rest consumer mail). */
  readonly throwawayDomainShare: number;
  readonly tier: Tier;
  readonly templatesPerCapability: number;
  readonly style: ExtractionStyle;
}

const ID = 'extraction-card-sharing';
const STRATEGY = 'card-sharing';

interface Campaign {
  readonly campaignId: string;
  readonly cards: readonly string[];
  readonly devices: readonly string[];
  readonly bank: TemplateBank;
  readonly country: string;
  readonly userAgent: string;
}

function* cardSharingStream(
  world: SimWorld,
  account: AttackerAccount,
  campaign: Campaign,
  primaryDevice: string,
  params: CardSharingParams,
  rng: Rng,
): Generator<AccountStreamItem> {
  const rt = attackerRuntime(world, account, rng);
  const extractor = new Extractor(rt, world, params.style, campaign.bank);
  const models = new ModelChooser(world, rng, SLOW_ADOPTER);
  // Each account sits on its own residential exit: the cards and devices are what link them.
  const network = rng.pick(consumerNetworks(campaign.country, 'residential'));
  const base = {
    ip: ipv4On(network, rng),
    asn: network.asn,
    country: campaign.country,
    userAgent: campaign.userAgent,
    deviceFingerprint: primaryDevice,
  };
  const perDay = rng.intBetween(params.requestsPerDay[0], params.requestsPerDay[1]);
  yield* extractionStream(
    rt,
    extractor,
    regularTimes(rng, account.activeFromMs, account.activeToMs, perDay, params.timingJitter),
    () =>
      rng.chance(params.deviceSwitchShare)
        ? { ...base, deviceFingerprint: rng.pick(campaign.devices) }
        : base,
    (t) => models.model(t, rng),
  );
}

export const cardSharing: CohortDefinition<CardSharingParams> = {
  id: ID,
  description:
    'Many new accounts paid with a few shared cards and run from a small device pool, each making 20-40 templated chain-of-thought requests a day on a regular schedule.',
  attack: true,
  strategy: STRATEGY,
  traits: [
    'shared payment cards',
    'shared device pool',
    'sign-up burst',
    'regular timing',
    'templated prompts',
  ],
  defaults: {
    campaigns: 1,
    accountsPerCampaign: 60,
    cards: 3,
    devices: 6,
    requestsPerDay: [20, 40],
    createdDaysBefore: [1, 4],
    timingJitter: 0.2,
    burstSpreadHours: 2,
    deviceSwitchShare: 0.2,
    throwawayDomainShare: 0.5,
    tier: 'pro',
    templatesPerCapability: 6,
    style: {
      capabilityWeights: { reasoning: 50, coding: 35, agentic: 15 },
      reasoningRequestedShare: 0.85,
      paraphraseBits: [0, 2],
      benignShare: 0.05,
      statelessShare: 0.8,
      inputMedian: 220,
      outputMedian: 2200,
    },
  },
  space: {
    accountsPerCampaign: int(10, 160, 'accounts per campaign at scale 1'),
    cards: int(1, 12, 'payment cards the accounts share'),
    devices: int(1, 25, 'device fingerprints the accounts share'),
    requestsPerDay: interval(8, 150, 'requests a day per account', { integer: true, log: true }),
    createdDaysBefore: interval(0, 30, 'the sign-up burst lies this many days before the window'),
    timingJitter: share(0.05, 0.9, 'gap jitter of the request schedule (share of the gap)'),
    burstSpreadHours: num(0.2, 48, 'hours the sign-up burst spreads over', { log: true }),
    deviceSwitchShare: share(0, 0.5, "share of requests from another pool device than the account's own"),
    throwawayDomainShare: share(0, 1, "share of accounts on the campaign's throwaway email domain"),
    tier: tierChoice(SELF_SERVE_TIERS),
    templatesPerCapability: int(2, 20, 'prompt templates per capability'),
    style: extractionStyleSpace(),
  },
  plan(ctx, params) {
    checkRange('requestsPerDay', params.requestsPerDay, 1);
    checkRange('createdDaysBefore', params.createdDaysBefore);
    const { world, rng } = ctx;
    const accounts: AccountPlan[] = [];
    const campaigns: CampaignTruth[] = [];
    for (let c = 0; c < params.campaigns; c++) {
      const campaign: Campaign = {
        campaignId: ctx.campaignId(STRATEGY),
        cards: Array.from({ length: Math.max(1, params.cards) }, () => ctx.ids.payment()),
        devices: Array.from({ length: Math.max(1, params.devices) }, () => ctx.ids.device()),
        bank: new TemplateBank(rng, params.templatesPerCapability),
        country: rng.pick(['US', 'GB', 'CA']),
        userAgent: rng.pick(USER_AGENTS.sdks),
      };
      const domain = rng.pick(THROWAWAY_DOMAINS);
      const burstMs =
        world.startMs - rng.between(params.createdDaysBefore[0], params.createdDaysBefore[1]) * DAY_MS;
      const members: string[] = [];
      const activeFrom: number[] = [];
      const n = ctx.count(params.accountsPerCampaign, 2);
      for (let a = 0; a < n; a++) {
        const i = accounts.length;
        const createdMs = burstMs + Math.abs(rng.normal()) * params.burstSpreadHours * HOUR_MS;
        const account: AttackerAccount = {
          accountId: ctx.ids.account(),
          createdMs,
          activeFromMs: Math.max(world.startMs, createdMs),
          activeToMs: world.endMs,
          tier: params.tier,
          paymentFingerprint: campaign.cards[a % campaign.cards.length] ?? null,
          emailDomain: rng.chance(params.throwawayDomainShare) ? domain : CONSUMER_EMAIL_DOMAINS.sample(rng),
        };
        const primaryDevice =
          campaign.devices[a % campaign.devices.length] ?? campaign.devices[0] ?? 'dev_unknown';
        members.push(account.accountId);
        activeFrom.push(account.activeFromMs);
        accounts.push({
          truth: attackTruth(account.accountId, ID, campaign.campaignId, STRATEGY),
          activeFromMs: account.activeFromMs,
          open: () => cardSharingStream(world, account, campaign, primaryDevice, params, ctx.accountRng(i)),
        });
      }
      campaigns.push(
        campaignTruth(
          {
            campaignId: campaign.campaignId,
            strategy: STRATEGY,
            cohort: ID,
            description: `${n} accounts on ${campaign.cards.length} cards and ${campaign.devices.length} devices`,
            accounts: members,
            templates: campaign.bank,
            infrastructure: { paymentFingerprints: campaign.cards, deviceFingerprints: campaign.devices },
          },
          activeFrom,
        ),
      );
    }
    return { accounts, campaigns };
  },
};
