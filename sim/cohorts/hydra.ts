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
import { Extractor, TemplateBank, type ExtractionStyle } from '../behaviour/extraction';
import { attackTruth, campaignTruth, checkRange } from '../behaviour/plan-helpers';
import { extractionStyleSpace, SELF_SERVE_TIERS, tierChoice, UTC_OFFSETS } from '../behaviour/spaces';
import { CONSUMER_EMAIL_DOMAINS, THROWAWAY_DOMAINS, USER_AGENTS } from '../catalog';
import { choice, interval, int, share } from '../params';
import type { Rng } from '../rng';
import type { AccountPlan, AccountStreamItem, CampaignTruth, CohortDefinition } from '../types';
import { DAY_MS, MINUTE_MS, ModelChooser, SLOW_ADOPTER, type SimWorld } from '../world';

export interface HydraParams {
  /** Number of campaigns; not scaled (`scale` grows each campaign instead). */
  readonly campaigns: number;
  /** Accounts alive at any moment, at scale 1. */
  readonly concurrentAccounts: number;
  /** How long an account lives before it is abandoned or banned, [min, max] days. */
  readonly lifetimeDays: readonly [number, number];
  /** Delay before its replacement signs up, [min, max] minutes. */
  readonly replaceMinutes: readonly [number, number];
  /** Each account mixes in ordinary resold traffic: its share of request slots, drawn per account in [min, max]. */
  readonly benignShare: readonly [number, number];
  /** Accounts run from one device before the next device is used, [min, max]. */
  readonly accountsPerDevice: readonly [number, number];
  /** Share of accounts paying with one of the campaign's shared cards (the rest a fresh card each). */
  readonly sharedCardShare: number;
  readonly sharedCards: number;
  /** Share of accounts on residential proxies (a new exit per request); the rest on hosting proxies. */
  readonly residentialShare: number;
  readonly hostingProxies: number;
  readonly requestsPerDay: readonly [number, number];
  readonly timing: TimingKind;
  readonly timingJitter: number;
  readonly operatorUtcOffsetHours: number;
  readonly throwawayDomainShare: number;
  readonly tier: Tier;
  readonly templatesPerCapability: number;
  readonly style: ExtractionStyle;
}

const ID = 'extraction-hydra';
const STRATEGY = 'hydra';
const RESIDENTIAL = residentialNetworks();

interface Campaign {
  readonly campaignId: string;
  readonly cards: readonly string[];
  readonly proxies: readonly Omit<Presence, 'userAgent' | 'deviceFingerprint'>[];
  readonly bank: TemplateBank;
}

interface HydraAccount extends AttackerAccount {
  readonly device: { readonly deviceFingerprint: string; readonly userAgent: string };
}

function* hydraStream(
  world: SimWorld,
  account: HydraAccount,
  campaign: Campaign,
  params: HydraParams,
  rng: Rng,
): Generator<AccountStreamItem> {
  const rt = attackerRuntime(world, account, rng);
  // The resold traffic each account carries varies: some are almost all extraction, some mostly chat.
  const benignShare = rng.between(params.benignShare[0], params.benignShare[1]);
  const extractor = new Extractor(rt, world, { ...params.style, benignShare }, campaign.bank);
  const models = new ModelChooser(world, rng, SLOW_ADOPTER);
  const residential = rng.chance(params.residentialShare);
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
      ...(residential ? residentialExit(rng, RESIDENTIAL) : rng.pick(campaign.proxies)),
      ...account.device,
    }),
    (t) => models.model(t, rng),
  );
}

export const hydra: CohortDefinition<HydraParams> = {
  id: ID,
  description:
    'A hydra cluster as the February 2026 report describes it: accounts living days, each mixing a varying share of ordinary resold traffic with extraction, a handful per device, some on shared cards, one set of templates, each replaced as it dies.',
  attack: true,
  strategy: STRATEGY,
  traits: [
    'accounts live a few days and are replaced',
    'up to 90% ordinary traffic per account',
    'a handful of accounts per device',
    'some shared cards, most fresh',
    'shared templates',
  ],
  defaults: {
    campaigns: 1,
    concurrentAccounts: 60,
    lifetimeDays: [3, 7],
    replaceMinutes: [2, 30],
    benignShare: [0, 0.9],
    accountsPerDevice: [3, 6],
    sharedCardShare: 0.4,
    sharedCards: 5,
    residentialShare: 0.7,
    hostingProxies: 12,
    requestsPerDay: [30, 80],
    timing: 'poisson',
    timingJitter: 0.3,
    operatorUtcOffsetHours: 8,
    throwawayDomainShare: 0.3,
    tier: 'pro',
    templatesPerCapability: 8,
    style: {
      capabilityWeights: { reasoning: 45, coding: 40, agentic: 15 },
      reasoningRequestedShare: 0.8,
      paraphraseBits: [0, 3],
      benignShare: 0,
      statelessShare: 0.7,
      inputMedian: 240,
      outputMedian: 2200,
    },
  },
  space: {
    concurrentAccounts: int(15, 150, 'accounts alive at any moment at scale 1'),
    lifetimeDays: interval(2, 10, 'days an account lives before it is replaced'),
    replaceMinutes: interval(0, 240, 'minutes before a replacement signs up'),
    benignShare: interval(0, 0.95, 'share of ordinary resold traffic, drawn per account in this range'),
    accountsPerDevice: interval(1, 10, 'accounts run from one device', { integer: true }),
    sharedCardShare: share(0, 0.9, "share of accounts paying with one of the campaign's shared cards"),
    sharedCards: int(1, 15, 'shared cards'),
    residentialShare: share(0, 1, 'share of accounts on residential proxies (the rest hosting proxies)'),
    hostingProxies: int(2, 60, 'hosting proxy exits'),
    requestsPerDay: interval(10, 300, 'request slots a day per account', { integer: true, log: true }),
    timing: timingChoice(),
    timingJitter: share(0.05, 0.9, 'gap jitter of regular timing (share of the gap)'),
    operatorUtcOffsetHours: choice(UTC_OFFSETS, "the operators' time zone (diurnal and office timing)"),
    throwawayDomainShare: share(0, 1, "share of accounts on the campaign's throwaway email domain"),
    tier: tierChoice(SELF_SERVE_TIERS),
    templatesPerCapability: int(2, 20, 'prompt templates per capability'),
    // The decoy share is drawn per account (benignShare above), not per campaign.
    style: extractionStyleSpace({ benignShare: undefined }),
  },
  plan(ctx, params) {
    checkRange('lifetimeDays', params.lifetimeDays, 0.01);
    checkRange('replaceMinutes', params.replaceMinutes);
    checkRange('benignShare', params.benignShare);
    checkRange('accountsPerDevice', params.accountsPerDevice, 1);
    checkRange('requestsPerDay', params.requestsPerDay, 1);
    const { world, rng } = ctx;
    const accounts: AccountPlan[] = [];
    const campaigns: CampaignTruth[] = [];
    for (let c = 0; c < params.campaigns; c++) {
      const campaign: Campaign = {
        campaignId: ctx.campaignId(STRATEGY),
        cards: Array.from({ length: Math.max(1, params.sharedCards) }, () => ctx.ids.payment()),
        proxies: datacentreExits(rng, params.hostingProxies, 'hosting'),
        bank: new TemplateBank(rng, params.templatesPerCapability),
      };
      const domain = rng.pick(THROWAWAY_DOMAINS);
      const userAgents = rng.chance(0.5) ? USER_AGENTS.desktopBrowsers : USER_AGENTS.sdks;
      const members: string[] = [];
      const cards = new Set(campaign.cards);
      const devices: string[] = [];
      const activeFrom: number[] = [];
      let device = { deviceFingerprint: ctx.ids.device(), userAgent: rng.pick(userAgents) };
      devices.push(device.deviceFingerprint);
      let deviceLeft = rng.intBetween(params.accountsPerDevice[0], params.accountsPerDevice[1]);
      const [minLife, maxLife] = params.lifetimeDays;
      const slots = ctx.count(params.concurrentAccounts, 2);
      for (let slot = 0; slot < slots; slot++) {
        // The first generation is already mid-life when the window opens.
        let createdMs = world.startMs - rng.between(0, maxLife) * DAY_MS;
        while (createdMs < world.endMs) {
          const diesMs = createdMs + rng.between(minLife, maxLife) * DAY_MS;
          if (diesMs > world.startMs) {
            if (deviceLeft <= 0) {
              device = { deviceFingerprint: ctx.ids.device(), userAgent: rng.pick(userAgents) };
              devices.push(device.deviceFingerprint);
              deviceLeft = rng.intBetween(params.accountsPerDevice[0], params.accountsPerDevice[1]);
            }
            deviceLeft--;
            const card = rng.chance(params.sharedCardShare) ? rng.pick(campaign.cards) : ctx.ids.payment();
            cards.add(card);
            const i = accounts.length;
            const account: HydraAccount = {
              accountId: ctx.ids.account(),
              createdMs,
              activeFromMs: Math.max(world.startMs, createdMs),
              activeToMs: Math.min(world.endMs, diesMs),
              tier: params.tier,
              paymentFingerprint: card,
              emailDomain: rng.chance(params.throwawayDomainShare)
                ? domain
                : CONSUMER_EMAIL_DOMAINS.sample(rng),
              device,
            };
            members.push(account.accountId);
            activeFrom.push(account.activeFromMs);
            accounts.push({
              truth: attackTruth(account.accountId, ID, campaign.campaignId, STRATEGY),
              activeFromMs: account.activeFromMs,
              open: () => hydraStream(world, account, campaign, params, ctx.accountRng(i)),
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
            description: `${members.length} accounts in ${slots} slots living ${minLife}-${maxLife} days, ${devices.length} devices, ${campaign.cards.length} shared cards`,
            accounts: members,
            templates: campaign.bank,
            infrastructure: {
              paymentFingerprints: [...cards],
              deviceFingerprints: devices,
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
