import type { Presence } from '../behaviour/account-runtime';
import { type AttackerAccount, attackerRuntime, extractionStream } from '../behaviour/campaign';
import { Extractor, TemplateBank, type ExtractionStyle } from '../behaviour/extraction';
import { attackTruth, campaignTruth, checkRange } from '../behaviour/plan-helpers';
import { regularTimes } from '../behaviour/timing';
import {
  CONSUMER_EMAIL_DOMAINS,
  HOSTING_ASNS,
  ipv4On,
  networkByAsn,
  THROWAWAY_DOMAINS,
  USER_AGENTS,
} from '../catalog';
import { extractionStyleSpace, SELF_SERVE_TIERS, tierChoice } from '../behaviour/spaces';
import { interval, int, share } from '../params';
import type { Rng } from '../rng';
import type { Tier } from '../../lambdas/core/contract/usage-event';
import type { AccountPlan, CampaignTruth, CohortDefinition, AccountStreamItem } from '../types';
import { HOUR_MS, MINUTE_MS, ModelChooser, SLOW_ADOPTER, type SimWorld } from '../world';

export interface RotationParams {
  /** Number of campaigns; not scaled (`scale` grows each campaign instead). */
  readonly campaigns: number;
  /** Accounts alive at any moment (the "hydra" size). */
  readonly concurrentAccounts: number;
  /** How long an account lives before it is abandoned (in reality: banned), [min, max] hours. */
  readonly lifetimeHours: readonly [number, number];
  /** Delay before its replacement signs up, [min, max] minutes. */
  readonly replaceMinutes: readonly [number, number];
  /** Cards, devices and proxy exits recycled across generations: what links new accounts to old. */
  readonly cards: number;
  readonly devicePool: number;
  readonly proxies: number;
  /** Request rate while alive; short-lived accounts are pushed harder. */
  readonly requestsPerDay: readonly [number, number];
  /** Gap jitter of the request schedule, as a share of the gap. */
  readonly timingJitter: number;
  /** Share of accounts on the campaign's throwaway email domain (the rest consumer mail). */
  readonly throwawayDomainShare: number;
  readonly tier: Tier;
  readonly templatesPerCapability: number;
  readonly style: ExtractionStyle;
}

const ID = 'extraction-rotation';
const STRATEGY = 'rotation';

interface Campaign {
  readonly campaignId: string;
  readonly cards: readonly string[];
  readonly devices: readonly string[];
  readonly proxies: readonly Omit<Presence, 'userAgent' | 'deviceFingerprint'>[];
  readonly bank: TemplateBank;
  readonly userAgent: string;
}

function* rotationStream(
  world: SimWorld,
  account: AttackerAccount,
  campaign: Campaign,
  params: RotationParams,
  rng: Rng,
): Generator<AccountStreamItem> {
  const rt = attackerRuntime(world, account, rng);
  const extractor = new Extractor(rt, world, params.style, campaign.bank);
  const models = new ModelChooser(world, rng, SLOW_ADOPTER);
  const device = rng.pick(campaign.devices);
  const perDay = rng.intBetween(params.requestsPerDay[0], params.requestsPerDay[1]);
  yield* extractionStream(
    rt,
    extractor,
    regularTimes(rng, account.activeFromMs, account.activeToMs, perDay, params.timingJitter),
    () => ({ ...rng.pick(campaign.proxies), userAgent: campaign.userAgent, deviceFingerprint: device }),
    (t) => models.model(t, rng),
  );
}

export const rotation: CohortDefinition<RotationParams> = {
  id: ID,
  description:
    'A hydra cluster: a fixed number of live accounts, each abandoned after hours and replaced within minutes by a fresh sign-up reusing the same cards, devices and proxies, with resold benign traffic mixed in.',
  attack: true,
  strategy: STRATEGY,
  traits: [
    'short-lived accounts',
    'continuous sign-ups',
    'recycled cards, devices and proxies',
    'benign resold traffic mixed in',
  ],
  defaults: {
    campaigns: 1,
    concurrentAccounts: 40,
    lifetimeHours: [4, 24],
    replaceMinutes: [1, 10],
    cards: 8,
    devicePool: 15,
    proxies: 10,
    requestsPerDay: [40, 100],
    timingJitter: 0.4,
    throwawayDomainShare: 0.6,
    tier: 'pro',
    templatesPerCapability: 6,
    style: {
      capabilityWeights: { reasoning: 45, coding: 40, agentic: 15 },
      reasoningRequestedShare: 0.8,
      paraphraseBits: [0, 2],
      benignShare: 0.35,
      statelessShare: 0.8,
      inputMedian: 220,
      outputMedian: 2100,
    },
  },
  space: {
    concurrentAccounts: int(10, 120, 'accounts alive at any moment at scale 1'),
    lifetimeHours: interval(1, 48, 'hours an account lives before it is abandoned'),
    replaceMinutes: interval(0, 120, 'minutes before a replacement signs up'),
    cards: int(1, 25, 'cards recycled across generations'),
    devicePool: int(2, 50, 'devices recycled across generations'),
    proxies: int(2, 50, 'proxy exits recycled across generations'),
    requestsPerDay: interval(20, 400, 'requests a day while alive', { integer: true, log: true }),
    timingJitter: share(0.05, 0.9, 'gap jitter of the request schedule (share of the gap)'),
    throwawayDomainShare: share(0, 1, "share of accounts on the campaign's throwaway email domain"),
    tier: tierChoice(SELF_SERVE_TIERS),
    templatesPerCapability: int(2, 20, 'prompt templates per capability'),
    style: extractionStyleSpace({
      benignShare: share(0, 0.6, 'share of request slots spent on resold ordinary traffic'),
    }),
  },
  plan(ctx, params) {
    checkRange('lifetimeHours', params.lifetimeHours, 0.1);
    checkRange('replaceMinutes', params.replaceMinutes);
    checkRange('requestsPerDay', params.requestsPerDay, 1);
    const { world, rng } = ctx;
    const accounts: AccountPlan[] = [];
    const campaigns: CampaignTruth[] = [];
    for (let c = 0; c < params.campaigns; c++) {
      const networks = rng.sample(HOSTING_ASNS, 2).map((asn) => networkByAsn(asn));
      const campaign: Campaign = {
        campaignId: ctx.campaignId(STRATEGY),
        cards: Array.from({ length: Math.max(1, params.cards) }, () => ctx.ids.payment()),
        devices: Array.from({ length: Math.max(1, params.devicePool) }, () => ctx.ids.device()),
        proxies: Array.from({ length: Math.max(1, params.proxies) }, () => {
          const network = rng.pick(networks);
          return { ip: ipv4On(network, rng), asn: network.asn, country: network.country };
        }),
        bank: new TemplateBank(rng, params.templatesPerCapability),
        userAgent: rng.pick(USER_AGENTS.scripts),
      };
      const domain = rng.pick(THROWAWAY_DOMAINS);
      const members: string[] = [];
      const activeFrom: number[] = [];
      const [minLife, maxLife] = params.lifetimeHours;
      const slots = ctx.count(params.concurrentAccounts, 2);
      for (let slot = 0; slot < slots; slot++) {
        // The first generation is already mid-life when the window opens.
        let createdMs = world.startMs - rng.between(0, maxLife) * HOUR_MS;
        while (createdMs < world.endMs) {
          const diesMs = createdMs + rng.between(minLife, maxLife) * HOUR_MS;
          if (diesMs > world.startMs) {
            const i = accounts.length;
            const account: AttackerAccount = {
              accountId: ctx.ids.account(),
              createdMs,
              activeFromMs: Math.max(world.startMs, createdMs),
              activeToMs: Math.min(world.endMs, diesMs),
              tier: params.tier,
              paymentFingerprint: rng.pick(campaign.cards),
              emailDomain: rng.chance(params.throwawayDomainShare)
                ? domain
                : CONSUMER_EMAIL_DOMAINS.sample(rng),
            };
            members.push(account.accountId);
            activeFrom.push(account.activeFromMs);
            accounts.push({
              truth: attackTruth(account.accountId, ID, campaign.campaignId, STRATEGY),
              activeFromMs: account.activeFromMs,
              open: () => rotationStream(world, account, campaign, params, ctx.accountRng(i)),
            });
          }
          createdMs = diesMs + rng.between(params.replaceMinutes[0], params.replaceMinutes[1]) * MINUTE_MS;
        }
      }
      campaigns.push(
        campaignTruth(
          {
            campaignId: campaign.campaignId,
            strategy: STRATEGY,
            cohort: ID,
            description: `${members.length} accounts in ${slots} rotating slots, ${campaign.cards.length} recycled cards`,
            accounts: members,
            templates: campaign.bank,
            infrastructure: {
              paymentFingerprints: campaign.cards,
              deviceFingerprints: campaign.devices,
              ips: campaign.proxies.map((p) => p.ip),
            },
          },
          activeFrom,
        ),
      );
    }
    return { accounts, campaigns };
  },
};
