import type { Presence } from '../behaviour/account-runtime';
import { type AttackerAccount, attackerRuntime, extractionStream } from '../behaviour/campaign';
import { Extractor, TemplateBank, type ExtractionStyle } from '../behaviour/extraction';
import { attackTruth, campaignTruth, checkRange } from '../behaviour/plan-helpers';
import { regularTimes } from '../behaviour/timing';
import { CONSUMER_EMAIL_DOMAINS, ipv4On, NETWORKS, USER_AGENTS } from '../catalog';
import { extractionStyleSpace, SELF_SERVE_TIERS, tierChoice } from '../behaviour/spaces';
import { interval, int, num } from '../params';
import type { Rng } from '../rng';
import type { Tier } from '../../lambdas/core/contract/usage-event';
import type { AccountPlan, CampaignTruth, CohortDefinition, AccountStreamItem } from '../types';
import { DAY_MS, HOUR_MS, ModelChooser, SLOW_ADOPTER, type SimWorld } from '../world';

export interface ParaphraseTemplatesParams {
  /** Number of campaigns; not scaled (`scale` grows each campaign instead). */
  readonly campaigns: number;
  readonly accountsPerCampaign: number;
  /** Device fingerprints shared across the campaign. */
  readonly devicePool: number;
  readonly requestsPerDay: readonly [number, number];
  readonly createdDaysBefore: readonly [number, number];
  /** Hours the sign-up burst spreads over. */
  readonly burstSpreadHours: number;
  readonly tier: Tier;
  readonly templatesPerCapability: number;
  readonly style: ExtractionStyle;
}

const ID = 'extraction-paraphrase';
const STRATEGY = 'paraphrase-templates';
const RESIDENTIAL_EXITS = NETWORKS.filter((n) => n.kind === 'residential' && n.country === 'US');

function* paraphraseStream(
  world: SimWorld,
  account: AttackerAccount,
  bank: TemplateBank,
  devices: readonly string[],
  params: ParaphraseTemplatesParams,
  rng: Rng,
): Generator<AccountStreamItem> {
  const rt = attackerRuntime(world, account, rng);
  const extractor = new Extractor(rt, world, params.style, bank);
  const models = new ModelChooser(world, rng, SLOW_ADOPTER);
  const userAgent = rng.pick(USER_AGENTS.sdks);
  const device = rng.pick(devices);
  // A rotating residential proxy: a new exit per request.
  const presenceAt = (): Presence => {
    const network = rng.pick(RESIDENTIAL_EXITS);
    return {
      ip: ipv4On(network, rng),
      asn: network.asn,
      country: 'US',
      userAgent,
      deviceFingerprint: device,
    };
  };
  const perDay = rng.intBetween(params.requestsPerDay[0], params.requestsPerDay[1]);
  yield* extractionStream(
    rt,
    extractor,
    regularTimes(rng, account.activeFromMs, account.activeToMs, perDay, 0.3),
    presenceAt,
    (t) => models.model(t, rng),
  );
}

export const paraphraseTemplates: CohortDefinition<ParaphraseTemplatesParams> = {
  id: ID,
  description:
    'New accounts with distinct cards that paraphrase every templated prompt (3-6 bits from the template, never an exact repeat), behind rotating residential proxies, sharing a small device pool.',
  attack: true,
  strategy: STRATEGY,
  traits: [
    'no exact prompt-hash repeats',
    'distinct cards',
    'rotating residential IPs',
    'shared device pool',
    'sign-up burst',
  ],
  defaults: {
    campaigns: 1,
    accountsPerCampaign: 60,
    devicePool: 10,
    requestsPerDay: [20, 40],
    createdDaysBefore: [0, 3],
    burstSpreadHours: 6,
    tier: 'pro',
    templatesPerCapability: 8,
    style: {
      capabilityWeights: { reasoning: 50, coding: 35, agentic: 15 },
      reasoningRequestedShare: 0.85,
      paraphraseBits: [3, 6],
      benignShare: 0.05,
      statelessShare: 0.5,
      inputMedian: 230,
      outputMedian: 2300,
    },
  },
  space: {
    accountsPerCampaign: int(15, 160, 'accounts per campaign at scale 1'),
    devicePool: int(2, 50, 'device fingerprints the campaign shares'),
    requestsPerDay: interval(8, 150, 'requests a day per account', { integer: true, log: true }),
    createdDaysBefore: interval(0, 30, 'the sign-up burst lies this many days before the window'),
    burstSpreadHours: num(0.5, 72, 'hours the sign-up burst spreads over', { log: true }),
    tier: tierChoice(SELF_SERVE_TIERS),
    templatesPerCapability: int(2, 20, 'prompt templates per capability'),
    style: extractionStyleSpace({
      paraphraseBits: interval(2, 10, 'bits a request flips from its template (never an exact repeat)', {
        integer: true,
      }),
    }),
  },
  plan(ctx, params) {
    checkRange('requestsPerDay', params.requestsPerDay, 1);
    checkRange('createdDaysBefore', params.createdDaysBefore);
    const { world, rng } = ctx;
    const accounts: AccountPlan[] = [];
    const campaigns: CampaignTruth[] = [];
    for (let c = 0; c < params.campaigns; c++) {
      const campaignId = ctx.campaignId(STRATEGY);
      const bank = new TemplateBank(rng, params.templatesPerCapability);
      const devices = Array.from({ length: Math.max(1, params.devicePool) }, () => ctx.ids.device());
      const burstMs =
        world.startMs - rng.between(params.createdDaysBefore[0], params.createdDaysBefore[1]) * DAY_MS;
      const members: string[] = [];
      const cards: string[] = [];
      const n = ctx.count(params.accountsPerCampaign, 2);
      for (let a = 0; a < n; a++) {
        const i = accounts.length;
        const createdMs = burstMs + rng.between(0, params.burstSpreadHours) * HOUR_MS;
        const account: AttackerAccount = {
          accountId: ctx.ids.account(),
          createdMs,
          activeFromMs: Math.max(world.startMs, createdMs),
          activeToMs: world.endMs,
          tier: params.tier,
          paymentFingerprint: ctx.ids.payment(),
          emailDomain: CONSUMER_EMAIL_DOMAINS.sample(rng),
        };
        members.push(account.accountId);
        cards.push(account.paymentFingerprint ?? '');
        accounts.push({
          truth: attackTruth(account.accountId, ID, campaignId, STRATEGY),
          activeFromMs: account.activeFromMs,
          open: () => paraphraseStream(world, account, bank, devices, params, ctx.accountRng(i)),
        });
      }
      campaigns.push(
        campaignTruth(
          {
            campaignId,
            strategy: STRATEGY,
            cohort: ID,
            description: `${n} accounts paraphrasing ${bank.all().length} templates, ${devices.length} shared devices`,
            accounts: members,
            templates: bank,
            infrastructure: { paymentFingerprints: cards, deviceFingerprints: devices },
          },
          accounts.slice(accounts.length - n).map((p) => p.activeFromMs),
        ),
      );
    }
    return { accounts, campaigns };
  },
};
