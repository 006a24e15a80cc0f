import type { Tier } from '../../lambdas/core/contract/usage-event';
import type { Presence } from '../behaviour/account-runtime';
import {
  residentialExit,
  residentialNetworks,
  scheduledTimes,
  timingChoice,
  type TimingKind,
} from '../behaviour/attack-kit';
import {
  agedAttackerAccount,
  type AttackerAccount,
  attackerRuntime,
  extractionStream,
} from '../behaviour/campaign';
import { Extractor, TemplateBank, type ExtractionStyle } from '../behaviour/extraction';
import { attackTruth, campaignTruth, checkRange } from '../behaviour/plan-helpers';
import { extractionStyleSpace, SELF_SERVE_TIERS, tierChoice, UTC_OFFSETS } from '../behaviour/spaces';
import { USER_AGENTS } from '../catalog';
import { randomDeviceId } from '../ids';
import { choice, interval, int, num, share } from '../params';
import type { Rng } from '../rng';
import type { AccountPlan, AccountStreamItem, CampaignTruth, CohortDefinition } from '../types';
import { MINUTE_MS, ModelChooser, SLOW_ADOPTER, type SimWorld } from '../world';

export interface CamouflagedLowAndSlowParams {
  /** Number of campaigns; not scaled (`scale` grows each campaign instead). */
  readonly campaigns: number;
  readonly accountsPerCampaign: number;
  /** Accounts were created (or bought) this many days before the window, [min, max]. */
  readonly agedDays: readonly [number, number];
  /** Request slots a day per account, [min, max]. */
  readonly requestsPerDay: readonly [number, number];
  readonly timing: TimingKind;
  readonly operatorUtcOffsetHours: number;
  /** Share of sessions from the account's own home line (the rest through the campaign's residential proxy pool). */
  readonly homeShare: number;
  /** Residential exits in the campaign's proxy pool, shared by its accounts. */
  readonly proxyExits: number;
  /** A proxy session keeps its exit until a pause longer than this. */
  readonly proxySessionMinutes: number;
  readonly tier: Tier;
  readonly templatesPerCapability: number;
  readonly style: ExtractionStyle;
}

const ID = 'extraction-camouflaged';
const STRATEGY = 'camouflaged-low-and-slow';
const POSING_COUNTRIES = ['US', 'GB', 'CA', 'DE', 'FR', 'AU'];

interface Campaign {
  readonly campaignId: string;
  readonly bank: TemplateBank;
  readonly pool: readonly Omit<Presence, 'userAgent' | 'deviceFingerprint'>[];
}

function* camouflagedStream(
  world: SimWorld,
  account: AttackerAccount,
  campaign: Campaign,
  params: CamouflagedLowAndSlowParams,
  rng: Rng,
): Generator<AccountStreamItem> {
  const rt = attackerRuntime(world, account, rng);
  const extractor = new Extractor(rt, world, params.style, campaign.bank);
  const models = new ModelChooser(world, rng, SLOW_ADOPTER);
  const device = { userAgent: rng.pick(USER_AGENTS.desktopBrowsers), deviceFingerprint: randomDeviceId(rng) };
  const home = residentialExit(rng, residentialNetworks(POSING_COUNTRIES));
  let session: Omit<Presence, 'userAgent' | 'deviceFingerprint'> | null = null;
  let lastMs = Number.NEGATIVE_INFINITY;
  const presenceAt = (t: number): Presence => {
    if (!session || t - lastMs > params.proxySessionMinutes * MINUTE_MS) {
      session = rng.chance(params.homeShare) ? home : rng.pick(campaign.pool);
    }
    lastMs = t;
    return { ...session, ...device };
  };
  const perDay = rng.intBetween(params.requestsPerDay[0], params.requestsPerDay[1]);
  yield* extractionStream(
    rt,
    extractor,
    scheduledTimes(rng, world, account.activeFromMs, account.activeToMs, {
      kind: params.timing,
      perDay,
      jitter: 0.5,
      utcOffsetHours: params.operatorUtcOffsetHours + rng.between(-1, 1),
    }),
    presenceAt,
    (t) => models.model(t, rng),
  );
}

export const camouflagedLowAndSlow: CohortDefinition<CamouflagedLowAndSlowParams> = {
  id: ID,
  description:
    'Low-and-slow with camouflage: aged accounts, own cards and devices, 10-30 requests a day at human hours from home lines and a residential proxy pool, a share of public benchmark items and popular prompts, and extraction conversations followed up over 2-4 turns.',
  attack: true,
  strategy: STRATEGY,
  traits: [
    'aged accounts',
    'public benchmark and popular prompts mixed in',
    'multi-turn follow-ups',
    'home and residential proxy addresses',
    'no shared card or device',
  ],
  defaults: {
    campaigns: 1,
    accountsPerCampaign: 50,
    agedDays: [21, 120],
    requestsPerDay: [10, 30],
    timing: 'diurnal',
    operatorUtcOffsetHours: 8,
    homeShare: 0.4,
    proxyExits: 60,
    proxySessionMinutes: 30,
    tier: 'pro',
    templatesPerCapability: 10,
    style: {
      capabilityWeights: { reasoning: 45, coding: 40, agentic: 15 },
      reasoningRequestedShare: 0.6,
      paraphraseBits: [0, 3],
      benignShare: 0.2,
      statelessShare: 0.4,
      inputMedian: 300,
      outputMedian: 1_800,
      publicShare: 0.15,
      multiTurnShare: 0.25,
      multiTurnTurns: [2, 4],
      followUpSeconds: [30, 300],
    },
  },
  space: {
    accountsPerCampaign: int(20, 200, 'accounts per campaign at scale 1'),
    agedDays: interval(7, 400, 'accounts created (or bought) this many days before the window', {
      integer: true,
      log: true,
    }),
    requestsPerDay: interval(3, 40, 'request slots a day per account', { integer: true }),
    timing: timingChoice(['diurnal', 'office', 'poisson']),
    operatorUtcOffsetHours: choice(UTC_OFFSETS, "the operators' time zone"),
    homeShare: share(0, 0.9, "share of sessions from the account's own home line"),
    proxyExits: int(10, 400, "residential exits in the campaign's proxy pool"),
    proxySessionMinutes: num(2, 180, 'a proxy session keeps its exit until a pause this long', { log: true }),
    tier: tierChoice(SELF_SERVE_TIERS),
    templatesPerCapability: int(3, 30, 'prompt templates per capability'),
    style: extractionStyleSpace({
      benignShare: share(0.05, 0.5, 'share of request slots spent on ordinary (decoy) conversations'),
      publicShare: share(0.05, 0.35, 'share of request slots on public benchmark items and popular prompts'),
      multiTurnShare: share(0.1, 0.5, 'share of extraction requests followed up in the same conversation'),
      multiTurnTurns: interval(2, 4, 'turns of a followed-up extraction conversation', { integer: true }),
      followUpSeconds: interval(15, 900, 'seconds between the turns of a followed-up extraction', {
        log: true,
      }),
    }),
  },
  plan(ctx, params) {
    checkRange('requestsPerDay', params.requestsPerDay, 1);
    checkRange('agedDays', params.agedDays);
    const { world, rng } = ctx;
    const accounts: AccountPlan[] = [];
    const campaigns: CampaignTruth[] = [];
    const networks = residentialNetworks(POSING_COUNTRIES);
    for (let c = 0; c < params.campaigns; c++) {
      const campaign: Campaign = {
        campaignId: ctx.campaignId(STRATEGY),
        bank: new TemplateBank(rng, params.templatesPerCapability),
        pool: Array.from({ length: Math.max(1, params.proxyExits) }, () => residentialExit(rng, networks)),
      };
      const members: string[] = [];
      const cards: string[] = [];
      const n = ctx.count(params.accountsPerCampaign, 2);
      for (let a = 0; a < n; a++) {
        const i = accounts.length;
        const account: AttackerAccount = agedAttackerAccount(ctx, rng, params.agedDays, params.tier);
        members.push(account.accountId);
        if (account.paymentFingerprint) cards.push(account.paymentFingerprint);
        accounts.push({
          truth: attackTruth(account.accountId, ID, campaign.campaignId, STRATEGY),
          activeFromMs: account.activeFromMs,
          open: () => camouflagedStream(world, account, campaign, params, ctx.accountRng(i)),
        });
      }
      campaigns.push(
        campaignTruth(
          {
            campaignId: campaign.campaignId,
            strategy: STRATEGY,
            cohort: ID,
            description: `${n} aged accounts, own cards and devices, public prompts and follow-ups mixed in, ${campaign.pool.length} residential exits`,
            accounts: members,
            templates: campaign.bank,
            infrastructure: { paymentFingerprints: cards, ips: campaign.pool.map((p) => p.ip) },
          },
          [world.startMs],
        ),
      );
    }
    return { accounts, campaigns };
  },
};
