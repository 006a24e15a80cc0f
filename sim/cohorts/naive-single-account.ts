import { type AttackerAccount, attackerRuntime, extractionStream } from '../behaviour/campaign';
import { BLATANT_STYLE, Extractor, TemplateBank, type ExtractionStyle } from '../behaviour/extraction';
import { attackTruth, campaignTruth, checkRange } from '../behaviour/plan-helpers';
import { poissonTimes } from '../behaviour/timing';
import { CONSUMER_EMAIL_DOMAINS, HOSTING_ASNS, ipv4On, MODELS, networkByAsn, USER_AGENTS } from '../catalog';
import { extractionStyleSpace, tierChoice } from '../behaviour/spaces';
import { interval, int, share } from '../params';
import type { Rng } from '../rng';
import type { Tier } from '../../lambdas/core/contract/usage-event';
import type { AccountPlan, CampaignTruth, CohortDefinition, AccountStreamItem } from '../types';
import { DAY_MS, type SimWorld } from '../world';

export interface NaiveSingleAccountParams {
  /** Campaigns (one account each) at scale 1. */
  readonly campaigns: number;
  readonly requestsPerDay: readonly [number, number];
  /** The account was created this many days before the window, [min, max]. */
  readonly createdDaysBefore: readonly [number, number];
  readonly tier: Tier;
  readonly templatesPerCapability: number;
  readonly style: ExtractionStyle;
}

const ID = 'extraction-naive-single';
const STRATEGY = 'naive-single-account';

function* naiveStream(
  world: SimWorld,
  account: AttackerAccount,
  bank: TemplateBank,
  params: NaiveSingleAccountParams,
  rng: Rng,
): Generator<AccountStreamItem> {
  const rt = attackerRuntime(world, account, rng);
  const extractor = new Extractor(rt, world, params.style, bank);
  const network = networkByAsn(rng.pick(HOSTING_ASNS));
  const presence = {
    ip: ipv4On(network, rng),
    asn: network.asn,
    country: network.country,
    userAgent: rng.pick(USER_AGENTS.scripts),
    deviceFingerprint: null,
  };
  const perDay = rng.between(params.requestsPerDay[0], params.requestsPerDay[1]);
  yield* extractionStream(
    rt,
    extractor,
    poissonTimes(rng, account.activeFromMs, account.activeToMs, perDay),
    () => presence,
    () => MODELS.baseline,
  );
}

export const naiveSingleAccount: CohortDefinition<NaiveSingleAccountParams> = {
  id: ID,
  description:
    'One new account hammering the API around the clock from a hosting IP with a script: thousands of templated chain-of-thought requests a day.',
  attack: true,
  strategy: STRATEGY,
  traits: ['very high volume', 'new account', 'hosting ASN', 'script user agent', 'verbatim templates'],
  defaults: {
    campaigns: 1,
    requestsPerDay: [2500, 4000],
    createdDaysBefore: [0.1, 2],
    tier: 'pro',
    templatesPerCapability: 5,
    style: BLATANT_STYLE,
  },
  space: {
    campaigns: int(1, 2, 'campaigns (one account each) at scale 1'),
    requestsPerDay: interval(800, 8_000, 'requests a day of the account', { log: true }),
    createdDaysBefore: interval(0, 30, 'account created this many days before the window'),
    tier: tierChoice(['free', 'pro', 'api']),
    templatesPerCapability: int(2, 20, 'prompt templates per capability'),
    style: extractionStyleSpace({
      reasoningRequestedShare: share(
        0.5,
        1,
        'share of extraction requests asking for visible chain-of-thought',
      ),
      benignShare: share(0, 0.15, 'share of request slots spent on ordinary (decoy) conversations'),
    }),
  },
  plan(ctx, params) {
    checkRange('requestsPerDay', params.requestsPerDay, 1);
    const { world, rng } = ctx;
    const accounts: AccountPlan[] = [];
    const campaigns: CampaignTruth[] = [];
    for (let c = 0; c < ctx.count(params.campaigns); c++) {
      const campaignId = ctx.campaignId(STRATEGY);
      const paymentFingerprint = ctx.ids.payment();
      const bank = new TemplateBank(rng, params.templatesPerCapability);
      const account: AttackerAccount = {
        accountId: ctx.ids.account(),
        createdMs:
          world.startMs - rng.between(params.createdDaysBefore[0], params.createdDaysBefore[1]) * DAY_MS,
        activeFromMs: world.startMs,
        activeToMs: world.endMs,
        tier: params.tier,
        paymentFingerprint,
        emailDomain: CONSUMER_EMAIL_DOMAINS.sample(rng),
      };
      const i = accounts.length;
      accounts.push({
        truth: attackTruth(account.accountId, ID, campaignId, STRATEGY),
        activeFromMs: account.activeFromMs,
        open: () => naiveStream(world, account, bank, params, ctx.accountRng(i)),
      });
      campaigns.push(
        campaignTruth(
          {
            campaignId,
            strategy: STRATEGY,
            cohort: ID,
            description: 'one account, very high volume',
            accounts: [account.accountId],
            templates: bank,
            infrastructure: { paymentFingerprints: [paymentFingerprint] },
          },
          [account.activeFromMs],
        ),
      );
    }
    return { accounts, campaigns };
  },
};
