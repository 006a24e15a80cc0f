import type { Presence } from '../behaviour/account-runtime';
import {
  agedAttackerAccount,
  type AttackerAccount,
  attackerRuntime,
  extractionStream,
} from '../behaviour/campaign';
import { Extractor, TemplateBank, type ExtractionStyle } from '../behaviour/extraction';
import { attackTruth, campaignTruth, checkRange } from '../behaviour/plan-helpers';
import { diurnalTimes, HourProfile } from '../behaviour/timing';
import { HUMAN_HOUR_WEIGHTS, ipv4On, NETWORKS, USER_AGENTS } from '../catalog';
import { randomDeviceId } from '../ids';
import { extractionStyleSpace, SELF_SERVE_TIERS, tierChoice, UTC_OFFSETS } from '../behaviour/spaces';
import { choice, interval, int, num, share } from '../params';
import type { Rng } from '../rng';
import type { Tier } from '../../lambdas/core/contract/usage-event';
import type { AccountPlan, CampaignTruth, CohortDefinition, AccountStreamItem } from '../types';
import { ModelChooser, SLOW_ADOPTER, MINUTE_MS, type SimWorld } from '../world';

export interface LowAndSlowParams {
  /** Number of campaigns; not scaled (`scale` grows each campaign instead). */
  readonly campaigns: number;
  readonly accountsPerCampaign: number;
  /** Accounts were created (or bought) this many days before the window, [min, max]. */
  readonly agedDays: readonly [number, number];
  readonly requestsPerDay: readonly [number, number];
  /** The operators' own time zone: their "human" rhythm follows it, whatever the proxy's country. */
  readonly operatorUtcOffsetHours: number;
  /** A residential proxy session keeps its exit until a pause longer than this. */
  readonly proxySessionMinutes: number;
  readonly tier: Tier;
  readonly templatesPerCapability: number;
  readonly style: ExtractionStyle;
}

const ID = 'extraction-low-and-slow';
const STRATEGY = 'low-and-slow';
const HUMAN_HOURS = new HourProfile(HUMAN_HOUR_WEIGHTS);
/** Residential proxy exits in the countries the operators pose in. */
const RESIDENTIAL_EXITS = NETWORKS.filter(
  (n) => n.kind === 'residential' && ['US', 'GB', 'CA'].includes(n.country),
);

function* lowAndSlowStream(
  world: SimWorld,
  account: AttackerAccount,
  bank: TemplateBank,
  params: LowAndSlowParams,
  rng: Rng,
): Generator<AccountStreamItem> {
  const rt = attackerRuntime(world, account, rng);
  const extractor = new Extractor(rt, world, params.style, bank);
  const models = new ModelChooser(world, rng, SLOW_ADOPTER);
  const device = { userAgent: rng.pick(USER_AGENTS.desktopBrowsers), deviceFingerprint: randomDeviceId(rng) };
  // A sticky residential proxy session: a new exit after a pause of more than 20 minutes.
  let presence: Presence | null = null;
  let lastMs = Number.NEGATIVE_INFINITY;
  const presenceAt = (t: number): Presence => {
    if (!presence || t - lastMs > params.proxySessionMinutes * MINUTE_MS) {
      const network = rng.pick(RESIDENTIAL_EXITS);
      presence = { ip: ipv4On(network, rng), asn: network.asn, country: network.country, ...device };
    }
    lastMs = t;
    return presence;
  };
  const offset = params.operatorUtcOffsetHours + rng.between(-1, 1);
  const [min, max] = params.requestsPerDay;
  yield* extractionStream(
    rt,
    extractor,
    diurnalTimes(rng, world, account.activeFromMs, account.activeToMs, offset, HUMAN_HOURS, () =>
      rng.intBetween(min, max),
    ),
    presenceAt,
    (t) => models.model(t, rng),
  );
}

export const lowAndSlow: CohortDefinition<LowAndSlowParams> = {
  id: ID,
  description:
    'Aged accounts (created weeks earlier), each with its own card and device, human diurnal timing at 20-40 requests a day, rotating residential proxies, a third of the traffic benign-looking decoys.',
  attack: true,
  strategy: STRATEGY,
  traits: [
    'aged accounts',
    'human-like diurnal timing',
    'no shared card or device',
    'residential IPs',
    'decoy conversations',
  ],
  defaults: {
    campaigns: 1,
    accountsPerCampaign: 100,
    agedDays: [21, 60],
    // Request slots; a third become short decoy conversations, so events land at 20-40 a day.
    requestsPerDay: [16, 30],
    operatorUtcOffsetHours: 8,
    proxySessionMinutes: 20,
    tier: 'pro',
    templatesPerCapability: 10,
    style: {
      capabilityWeights: { reasoning: 45, coding: 40, agentic: 15 },
      reasoningRequestedShare: 0.6,
      paraphraseBits: [0, 3],
      benignShare: 0.3,
      statelessShare: 0.3,
      inputMedian: 300,
      outputMedian: 1800,
    },
  },
  space: {
    accountsPerCampaign: int(30, 250, 'accounts per campaign at scale 1'),
    agedDays: interval(7, 400, 'accounts created (or bought) this many days before the window', {
      integer: true,
      log: true,
    }),
    requestsPerDay: interval(5, 40, 'request slots a day per account', { integer: true }),
    operatorUtcOffsetHours: choice(UTC_OFFSETS, "the operators' time zone (their human rhythm)"),
    proxySessionMinutes: num(2, 180, 'a proxy session keeps its exit until a pause this long', { log: true }),
    tier: tierChoice(SELF_SERVE_TIERS),
    templatesPerCapability: int(3, 30, 'prompt templates per capability'),
    style: extractionStyleSpace({
      benignShare: share(0.1, 0.6, 'share of request slots spent on ordinary (decoy) conversations'),
    }),
  },
  plan(ctx, params) {
    checkRange('requestsPerDay', params.requestsPerDay, 1);
    checkRange('agedDays', params.agedDays);
    const { world, rng } = ctx;
    const accounts: AccountPlan[] = [];
    const campaigns: CampaignTruth[] = [];
    for (let c = 0; c < params.campaigns; c++) {
      const campaignId = ctx.campaignId(STRATEGY);
      const bank = new TemplateBank(rng, params.templatesPerCapability);
      const members: string[] = [];
      const cards: string[] = [];
      const n = ctx.count(params.accountsPerCampaign, 2);
      for (let a = 0; a < n; a++) {
        const i = accounts.length;
        const account: AttackerAccount = agedAttackerAccount(ctx, rng, params.agedDays, params.tier, {
          cardOnFreeTier: true,
        });
        members.push(account.accountId);
        cards.push(account.paymentFingerprint ?? '');
        accounts.push({
          truth: attackTruth(account.accountId, ID, campaignId, STRATEGY),
          activeFromMs: account.activeFromMs,
          open: () => lowAndSlowStream(world, account, bank, params, ctx.accountRng(i)),
        });
      }
      campaigns.push(
        campaignTruth(
          {
            campaignId,
            strategy: STRATEGY,
            cohort: ID,
            description: `${n} aged accounts, own cards and devices, linked only by templates and behaviour`,
            accounts: members,
            templates: bank,
            infrastructure: { paymentFingerprints: cards },
          },
          [world.startMs],
        ),
      );
    }
    return { accounts, campaigns };
  },
};
