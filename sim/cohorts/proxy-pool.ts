import type { Presence } from '../behaviour/account-runtime';
import { type AttackerAccount, attackerRuntime, extractionStream } from '../behaviour/campaign';
import { Extractor, TemplateBank, type ExtractionStyle } from '../behaviour/extraction';
import { attackTruth, campaignTruth, checkRange } from '../behaviour/plan-helpers';
import { poissonTimes } from '../behaviour/timing';
import { CONSUMER_EMAIL_DOMAINS, HOSTING_ASNS, ipv4On, networkByAsn, USER_AGENTS } from '../catalog';
import { extractionStyleSpace, SELF_SERVE_TIERS, tierChoice } from '../behaviour/spaces';
import { interval, int, num } from '../params';
import type { Rng } from '../rng';
import type { Tier } from '../../lambdas/core/contract/usage-event';
import type { AccountPlan, CampaignTruth, CohortDefinition, AccountStreamItem } from '../types';
import { DAY_MS, ModelChooser, SLOW_ADOPTER, type SimWorld } from '../world';

export interface ProxyPoolParams {
  /** Number of campaigns; not scaled (`scale` grows each campaign instead). */
  readonly campaigns: number;
  readonly accountsPerCampaign: number;
  /** Exit addresses of the proxy pool all accounts share. */
  readonly proxies: number;
  /** Spoofed device fingerprints the accounts rotate through. */
  readonly devicePool: number;
  /** Each account uses this many pool devices, switching every few requests. */
  readonly devicesPerAccount: readonly [number, number];
  readonly requestsPerDay: readonly [number, number];
  /** Accounts were opened over this many days before the window, one fresh card each. */
  readonly createdOverDays: number;
  readonly tier: Tier;
  readonly templatesPerCapability: number;
  readonly style: ExtractionStyle;
}

const ID = 'extraction-proxy-pool';
const STRATEGY = 'proxy-pool';

interface Campaign {
  readonly campaignId: string;
  readonly proxies: readonly Omit<Presence, 'userAgent' | 'deviceFingerprint'>[];
  /** Device fingerprint with the browser user agent it spoofs. */
  readonly devices: readonly { readonly deviceFingerprint: string; readonly userAgent: string }[];
  readonly bank: TemplateBank;
}

function* proxyPoolStream(
  world: SimWorld,
  account: AttackerAccount,
  campaign: Campaign,
  params: ProxyPoolParams,
  rng: Rng,
): Generator<AccountStreamItem> {
  const rt = attackerRuntime(world, account, rng);
  const extractor = new Extractor(rt, world, params.style, campaign.bank);
  const models = new ModelChooser(world, rng, SLOW_ADOPTER);
  const devices = rng.sample(
    campaign.devices,
    rng.intBetween(params.devicesPerAccount[0], params.devicesPerAccount[1]),
  );
  let device = rng.pick(devices);
  let untilSwitch = rng.intBetween(1, 5);
  const presenceAt = (): Presence => {
    if (--untilSwitch <= 0) {
      device = rng.pick(devices);
      untilSwitch = rng.intBetween(1, 5);
    }
    return { ...rng.pick(campaign.proxies), ...device };
  };
  const perDay = rng.intBetween(params.requestsPerDay[0], params.requestsPerDay[1]);
  yield* extractionStream(
    rt,
    extractor,
    poissonTimes(rng, account.activeFromMs, account.activeToMs, perDay),
    presenceAt,
    (t) => models.model(t, rng),
  );
}

export const proxyPool: CohortDefinition<ProxyPoolParams> = {
  id: ID,
  description:
    'Accounts with distinct fresh cards, hidden behind one shared pool of hosting-provider proxies, rotating spoofed browser fingerprints; Poisson-timed extraction at 20-40 requests a day.',
  attack: true,
  strategy: STRATEGY,
  traits: [
    'distinct cards',
    'shared proxy IPs and ASNs',
    'rotating device fingerprints',
    'spoofed browser user agents',
  ],
  defaults: {
    campaigns: 1,
    accountsPerCampaign: 80,
    proxies: 12,
    devicePool: 40,
    devicesPerAccount: [4, 10],
    requestsPerDay: [20, 40],
    createdOverDays: 14,
    tier: 'pro',
    templatesPerCapability: 8,
    style: {
      capabilityWeights: { reasoning: 45, coding: 40, agentic: 15 },
      reasoningRequestedShare: 0.8,
      paraphraseBits: [0, 2],
      benignShare: 0.1,
      statelessShare: 0.7,
      inputMedian: 240,
      outputMedian: 2000,
    },
  },
  space: {
    accountsPerCampaign: int(20, 220, 'accounts per campaign at scale 1'),
    proxies: int(3, 80, 'hosting proxy exits the accounts share'),
    devicePool: int(5, 120, 'spoofed device fingerprints the accounts rotate through'),
    devicesPerAccount: interval(1, 12, 'pool devices each account uses', { integer: true }),
    requestsPerDay: interval(8, 150, 'requests a day per account', { integer: true, log: true }),
    createdOverDays: num(1, 90, 'accounts opened over this many days before the window', { log: true }),
    tier: tierChoice(SELF_SERVE_TIERS),
    templatesPerCapability: int(2, 20, 'prompt templates per capability'),
    style: extractionStyleSpace(),
  },
  plan(ctx, params) {
    checkRange('requestsPerDay', params.requestsPerDay, 1);
    checkRange('devicesPerAccount', params.devicesPerAccount, 1);
    const { world, rng } = ctx;
    const accounts: AccountPlan[] = [];
    const campaigns: CampaignTruth[] = [];
    for (let c = 0; c < params.campaigns; c++) {
      const networks = rng.sample(HOSTING_ASNS, 3).map((asn) => networkByAsn(asn));
      const campaign: Campaign = {
        campaignId: ctx.campaignId(STRATEGY),
        proxies: Array.from({ length: Math.max(1, params.proxies) }, () => {
          const network = rng.pick(networks);
          return { ip: ipv4On(network, rng), asn: network.asn, country: network.country };
        }),
        devices: Array.from({ length: Math.max(1, params.devicePool) }, () => ({
          deviceFingerprint: ctx.ids.device(),
          userAgent: rng.pick(USER_AGENTS.desktopBrowsers),
        })),
        bank: new TemplateBank(rng, params.templatesPerCapability),
      };
      const members: string[] = [];
      const cards: string[] = [];
      const activeFrom: number[] = [];
      const n = ctx.count(params.accountsPerCampaign, 2);
      for (let a = 0; a < n; a++) {
        const i = accounts.length;
        const createdMs = world.startMs - rng.between(0.5, params.createdOverDays) * DAY_MS;
        const account: AttackerAccount = {
          accountId: ctx.ids.account(),
          createdMs,
          activeFromMs: world.startMs,
          activeToMs: world.endMs,
          tier: params.tier,
          paymentFingerprint: ctx.ids.payment(),
          emailDomain: CONSUMER_EMAIL_DOMAINS.sample(rng),
        };
        members.push(account.accountId);
        cards.push(account.paymentFingerprint ?? '');
        activeFrom.push(account.activeFromMs);
        accounts.push({
          truth: attackTruth(account.accountId, ID, campaign.campaignId, STRATEGY),
          activeFromMs: account.activeFromMs,
          open: () => proxyPoolStream(world, account, campaign, params, ctx.accountRng(i)),
        });
      }
      campaigns.push(
        campaignTruth(
          {
            campaignId: campaign.campaignId,
            strategy: STRATEGY,
            cohort: ID,
            description: `${n} accounts with fresh cards behind ${campaign.proxies.length} proxies rotating ${campaign.devices.length} spoofed devices`,
            accounts: members,
            templates: campaign.bank,
            infrastructure: {
              paymentFingerprints: cards,
              deviceFingerprints: campaign.devices.map((d) => d.deviceFingerprint),
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
