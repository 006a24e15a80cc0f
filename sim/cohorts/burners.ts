import type { Presence } from '../behaviour/account-runtime';
import { datacentreExits, residentialExit, residentialNetworks } from '../behaviour/attack-kit';
import { type AttackerAccount, attackerRuntime, extractionStream } from '../behaviour/campaign';
import { Extractor, TemplateBank, type ExtractionStyle } from '../behaviour/extraction';
import { attackTruth, campaignTruth, checkRange } from '../behaviour/plan-helpers';
import { extractionStyleSpace } from '../behaviour/spaces';
import { CONSUMER_EMAIL_DOMAINS, THROWAWAY_DOMAINS, USER_AGENTS } from '../catalog';
import { randomDeviceId } from '../ids';
import { choice, interval, int, share } from '../params';
import type { Rng } from '../rng';
import type { AccountPlan, AccountStreamItem, CampaignTruth, CohortDefinition } from '../types';
import { MINUTE_MS, ModelChooser, SLOW_ADOPTER, type SimWorld } from '../world';

export interface BurnersParams {
  /** Number of campaigns; not scaled (`scale` grows each campaign instead). */
  readonly campaigns: number;
  /** Burner accounts per campaign at scale 1. */
  readonly accountsPerCampaign: number;
  /** Requests each burner sends before it is dropped, [min, max]. */
  readonly requestsPerAccount: readonly [number, number];
  /** Sign-up waves over the window; each wave's burners sign up within `waveMinutes` and start at once. */
  readonly waves: number;
  readonly waveMinutes: readonly [number, number];
  /** A burner's requests are spread over this many minutes, [min, max]. */
  readonly lifetimeMinutes: readonly [number, number];
  /** Share of burners on a device of the campaign's pool (the rest a fresh device each). */
  readonly pooledDeviceShare: number;
  readonly devicePool: number;
  /** Share of burners paying with a card of the campaign's pool (pro); the rest are free, with no card. */
  readonly pooledCardShare: number;
  readonly cardPool: number;
  /** The proxy network they all exit through: residential or datacentre, and how many exits. */
  readonly proxyKind: 'residential' | 'hosting';
  readonly proxyExits: number;
  readonly throwawayDomainShare: number;
  readonly templatesPerCapability: number;
  readonly style: ExtractionStyle;
}

const ID = 'extraction-burners';
const STRATEGY = 'burners';

interface Campaign {
  readonly campaignId: string;
  readonly bank: TemplateBank;
  readonly devices: readonly { readonly deviceFingerprint: string; readonly userAgent: string }[];
  readonly cards: readonly string[];
  readonly exits: readonly Omit<Presence, 'userAgent' | 'deviceFingerprint'>[];
}

interface Burner extends AttackerAccount {
  readonly requests: number;
  readonly device: { readonly deviceFingerprint: string; readonly userAgent: string } | null;
}

function* burnerStream(
  world: SimWorld,
  account: Burner,
  campaign: Campaign,
  params: BurnersParams,
  rng: Rng,
): Generator<AccountStreamItem> {
  const rt = attackerRuntime(world, account, rng);
  const extractor = new Extractor(rt, world, params.style, campaign.bank);
  const models = new ModelChooser(world, rng, SLOW_ADOPTER);
  const device = account.device ?? {
    userAgent: rng.pick(USER_AGENTS.desktopBrowsers),
    deviceFingerprint: randomDeviceId(rng),
  };
  // A handful of requests, spread over the burner's short life.
  const span = account.activeToMs - account.activeFromMs;
  const times = Array.from({ length: account.requests }, () => account.activeFromMs + rng.next() * span).sort(
    (a, b) => a - b,
  );
  yield* extractionStream(
    rt,
    extractor,
    times,
    () => ({ ...rng.pick(campaign.exits), ...device }),
    (t) => models.model(t, rng),
  );
}

export const burners: CohortDefinition<BurnersParams> = {
  id: ID,
  description:
    'Burner accounts that each send a handful of extraction requests (3-15) and are dropped; they sign up in waves and are linkable only through what they share: some templates, a device or card pool, sign-up bursts and a proxy network, never by per-account volume.',
  attack: true,
  strategy: STRATEGY,
  traits: [
    'a handful of requests per account',
    'sign-up waves',
    'device and card pools',
    'shared proxy network',
    'shared templates',
  ],
  defaults: {
    campaigns: 1,
    accountsPerCampaign: 400,
    requestsPerAccount: [3, 15],
    waves: 8,
    waveMinutes: [10, 60],
    lifetimeMinutes: [10, 240],
    pooledDeviceShare: 0.5,
    devicePool: 12,
    pooledCardShare: 0.3,
    cardPool: 6,
    proxyKind: 'residential',
    proxyExits: 40,
    throwawayDomainShare: 0.5,
    templatesPerCapability: 6,
    style: {
      capabilityWeights: { reasoning: 50, coding: 35, agentic: 15 },
      reasoningRequestedShare: 0.85,
      paraphraseBits: [0, 3],
      benignShare: 0,
      statelessShare: 0.8,
      inputMedian: 220,
      outputMedian: 2_400,
      templateShare: 0.7,
    },
  },
  space: {
    accountsPerCampaign: int(100, 1_500, 'burner accounts per campaign at scale 1'),
    requestsPerAccount: interval(2, 20, 'requests each burner sends', { integer: true }),
    waves: int(2, 40, 'sign-up waves over the window'),
    waveMinutes: interval(2, 180, "minutes a wave's sign-ups spread over"),
    lifetimeMinutes: interval(2, 720, "minutes a burner's requests spread over", { log: true }),
    pooledDeviceShare: share(0, 1, "share of burners on a device of the campaign's pool"),
    devicePool: int(2, 60, 'devices in the pool'),
    pooledCardShare: share(
      0,
      1,
      "share of burners paying with a card of the campaign's pool (the rest free tier)",
    ),
    cardPool: int(1, 30, 'cards in the pool'),
    proxyKind: choice(['residential', 'hosting'] as const, 'the proxy network they all exit through'),
    proxyExits: int(3, 300, 'exits of the proxy network'),
    throwawayDomainShare: share(0, 1, "share of burners on the campaign's throwaway email domain"),
    templatesPerCapability: int(2, 20, 'prompt templates per capability'),
    style: extractionStyleSpace({
      templateShare: share(0.3, 1, "share of extraction requests built on the campaign's templates"),
      benignShare: share(0, 0.2, 'share of request slots spent on ordinary (decoy) conversations'),
      multiTurnShare: share(0, 0.1, 'share of extraction requests followed up in the same conversation'),
    }),
  },
  plan(ctx, params) {
    checkRange('requestsPerAccount', params.requestsPerAccount, 1);
    checkRange('waveMinutes', params.waveMinutes);
    checkRange('lifetimeMinutes', params.lifetimeMinutes, 0.1);
    const { world, rng } = ctx;
    const accounts: AccountPlan[] = [];
    const campaigns: CampaignTruth[] = [];
    for (let c = 0; c < params.campaigns; c++) {
      const campaign: Campaign = {
        campaignId: ctx.campaignId(STRATEGY),
        bank: new TemplateBank(rng, params.templatesPerCapability),
        devices: Array.from({ length: Math.max(1, params.devicePool) }, () => ({
          deviceFingerprint: ctx.ids.device(),
          userAgent: rng.pick(USER_AGENTS.desktopBrowsers),
        })),
        cards: Array.from({ length: Math.max(1, params.cardPool) }, () => ctx.ids.payment()),
        exits:
          params.proxyKind === 'residential'
            ? Array.from({ length: Math.max(1, params.proxyExits) }, () =>
                residentialExit(rng, residentialNetworks()),
              )
            : datacentreExits(rng, params.proxyExits, 'hosting'),
      };
      const domain = rng.pick(THROWAWAY_DOMAINS);
      const n = ctx.count(params.accountsPerCampaign, 2);
      const waves = Math.max(1, params.waves);
      const waveStarts = Array.from(
        { length: waves },
        () => world.startMs + rng.next() * (world.endMs - world.startMs),
      ).sort((a, b) => a - b);
      const members: string[] = [];
      const activeFrom: number[] = [];
      for (let a = 0; a < n; a++) {
        const wave = waveStarts[a % waves] ?? world.startMs;
        const createdMs =
          wave + rng.between(params.waveMinutes[0], params.waveMinutes[1]) * MINUTE_MS * rng.next();
        const lifeMs = rng.between(params.lifetimeMinutes[0], params.lifetimeMinutes[1]) * MINUTE_MS;
        const pooledCard = rng.chance(params.pooledCardShare);
        const i = accounts.length;
        const account: Burner = {
          accountId: ctx.ids.account(),
          createdMs,
          activeFromMs: Math.min(world.endMs - 1, createdMs + rng.exponential(3) * MINUTE_MS),
          activeToMs: Math.min(world.endMs, createdMs + lifeMs),
          tier: pooledCard ? 'pro' : 'free',
          paymentFingerprint: pooledCard ? rng.pick(campaign.cards) : null,
          emailDomain: rng.chance(params.throwawayDomainShare) ? domain : CONSUMER_EMAIL_DOMAINS.sample(rng),
          requests: rng.intBetween(params.requestsPerAccount[0], params.requestsPerAccount[1]),
          device: rng.chance(params.pooledDeviceShare) ? rng.pick(campaign.devices) : null,
        };
        if (account.activeToMs <= account.activeFromMs) continue;
        members.push(account.accountId);
        activeFrom.push(account.activeFromMs);
        accounts.push({
          truth: attackTruth(account.accountId, ID, campaign.campaignId, STRATEGY),
          activeFromMs: account.activeFromMs,
          open: () => burnerStream(world, account, campaign, params, ctx.accountRng(i)),
        });
      }
      campaigns.push(
        campaignTruth(
          {
            campaignId: campaign.campaignId,
            strategy: STRATEGY,
            cohort: ID,
            description: `${members.length} burners in ${waves} sign-up waves, ${campaign.devices.length} pooled devices, ${campaign.cards.length} pooled cards, ${campaign.exits.length} ${params.proxyKind} exits`,
            accounts: members,
            templates: campaign.bank,
            infrastructure: {
              paymentFingerprints: campaign.cards,
              deviceFingerprints: campaign.devices.map((d) => d.deviceFingerprint),
              ips: campaign.exits.map((e) => e.ip),
            },
          },
          activeFrom,
        ),
      );
    }
    return { accounts, campaigns };
  },
};
