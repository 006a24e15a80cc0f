import type { Tier } from '../../lambdas/core/contract/usage-event';
import type { Presence } from '../behaviour/account-runtime';
import {
  corporateDomain,
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
import { ALL_TIERS, extractionStyleSpace } from '../behaviour/spaces';
import { CONSUMER_EMAIL_DOMAINS, USER_AGENTS } from '../catalog';
import { interval, int, share } from '../params';
import type { Rng } from '../rng';
import type { AccountPlan, AccountStreamItem, CampaignTruth, CohortDefinition } from '../types';
import { DAY_MS, ModelChooser, SLOW_ADOPTER, type SimWorld } from '../world';

export interface HighVolumeParams {
  /** One campaign of one account on each of these tiers. */
  readonly tiers: readonly Tier[];
  /** Requests a day of each account, drawn per account in [min, max]. */
  readonly requestsPerDay: readonly [number, number];
  /** Days each account is active, [min, max], starting somewhere in the window. */
  readonly activeDays: readonly [number, number];
  readonly timing: TimingKind;
  readonly timingJitter: number;
  /** Self-serve accounts (free, pro, api) were created this many days before they start, [min, max]. */
  readonly newAccountDays: readonly [number, number];
  /** Team and enterprise accounts belong to an org this old (bought, or compromised), [min, max] days. */
  readonly orgAgeDays: readonly [number, number];
  /** Share of accounts behind residential proxies (the rest on hosting or cloud machines). */
  readonly residentialShare: number;
  readonly templatesPerCapability: number;
  readonly style: ExtractionStyle;
}

const ID = 'extraction-high-volume';
const STRATEGY = 'high-volume';
const RESIDENTIAL = residentialNetworks();

interface VolumeAccount extends AttackerAccount {
  readonly egress: readonly Omit<Presence, 'userAgent' | 'deviceFingerprint'>[];
  readonly residential: boolean;
}

function* highVolumeStream(
  world: SimWorld,
  account: VolumeAccount,
  bank: TemplateBank,
  params: HighVolumeParams,
  rng: Rng,
): Generator<AccountStreamItem> {
  const rt = attackerRuntime(world, account, rng);
  const extractor = new Extractor(rt, world, params.style, bank);
  const models = new ModelChooser(world, rng, SLOW_ADOPTER);
  const userAgent = rng.pick([...USER_AGENTS.scripts, ...USER_AGENTS.sdks]);
  const perDay = rng.between(params.requestsPerDay[0], params.requestsPerDay[1]);
  yield* extractionStream(
    rt,
    extractor,
    scheduledTimes(rng, world, account.activeFromMs, account.activeToMs, {
      kind: params.timing,
      perDay,
      jitter: params.timingJitter,
      utcOffsetHours: 0,
    }),
    () => ({
      ...(account.residential ? residentialExit(rng, RESIDENTIAL) : rng.pick(account.egress)),
      userAgent,
      deviceFingerprint: null,
    }),
    (t) => models.model(t, rng),
  );
}

export const highVolume: CohortDefinition<HighVolumeParams> = {
  id: ID,
  description:
    'One account per tier (free, pro, team, enterprise, api) sending thousands of templated, single-turn, chain-of-thought requests a day over hundreds of topics; team and enterprise accounts sit in an org with org billing and a corporate domain (a fraudulent or compromised org).',
  attack: true,
  strategy: STRATEGY,
  traits: [
    'one account, thousands of requests a day',
    'every tier, api and enterprise included',
    'org billing and corporate domain on team and enterprise',
    'broad topic sweep',
  ],
  defaults: {
    tiers: ALL_TIERS,
    requestsPerDay: [2_000, 6_000],
    activeDays: [3, 7],
    timing: 'poisson',
    timingJitter: 0.3,
    newAccountDays: [0.5, 30],
    orgAgeDays: [30, 1_500],
    residentialShare: 0.2,
    templatesPerCapability: 8,
    style: {
      capabilityWeights: { reasoning: 45, coding: 40, agentic: 15 },
      reasoningRequestedShare: 0.9,
      paraphraseBits: [0, 2],
      benignShare: 0,
      statelessShare: 0.9,
      inputMedian: 220,
      outputMedian: 2_400,
    },
  },
  space: {
    requestsPerDay: interval(800, 12_000, 'requests a day, drawn per account in this range', { log: true }),
    activeDays: interval(1, 7, 'days each account is active'),
    timing: timingChoice(['regular', 'poisson']),
    timingJitter: share(0.05, 0.9, 'gap jitter of regular timing (share of the gap)'),
    newAccountDays: interval(0, 60, 'free, pro and api accounts created this many days before they start'),
    orgAgeDays: interval(
      5,
      2_000,
      'team and enterprise accounts: the org is this old (bought or compromised)',
      {
        log: true,
      },
    ),
    residentialShare: share(0, 0.6, 'share of accounts behind residential proxies'),
    templatesPerCapability: int(2, 25, 'prompt templates per capability'),
    style: extractionStyleSpace({
      reasoningRequestedShare: share(
        0.6,
        1,
        'share of extraction requests asking for visible chain-of-thought',
      ),
      benignShare: share(0, 0.2, 'share of request slots spent on ordinary (decoy) conversations'),
      statelessShare: share(
        0.5,
        1,
        'share of single-turn extraction requests sent without a conversation id',
      ),
      multiTurnShare: share(0, 0.05, 'share of extraction requests followed up in the same conversation'),
      templateShare: share(0.8, 1, "share of extraction requests built on the campaign's templates"),
      topicBreadth: share(0.8, 1, "share of each capability's topics an account sweeps"),
      publicShare: share(0, 0.05, 'share of request slots on public benchmark items and popular prompts'),
    }),
  },
  plan(ctx, params) {
    checkRange('requestsPerDay', params.requestsPerDay, 1);
    checkRange('activeDays', params.activeDays, 0.01);
    const { world, rng } = ctx;
    const accounts: AccountPlan[] = [];
    const campaigns: CampaignTruth[] = [];
    for (const tier of params.tiers) {
      const campaignId = ctx.campaignId(STRATEGY);
      const bank = new TemplateBank(rng, params.templatesPerCapability);
      const days = Math.min(world.days, rng.between(params.activeDays[0], params.activeDays[1]));
      const activeFromMs = world.startMs + rng.between(0, world.days - days) * DAY_MS;
      const inOrg = tier === 'team' || tier === 'enterprise';
      const orgId = inOrg ? ctx.ids.org() : null;
      const createdMs = inOrg
        ? world.startMs - rng.between(params.orgAgeDays[0], params.orgAgeDays[1]) * DAY_MS
        : activeFromMs - rng.between(params.newAccountDays[0], params.newAccountDays[1]) * DAY_MS;
      const account: VolumeAccount = {
        accountId: ctx.ids.account(),
        createdMs,
        activeFromMs,
        activeToMs: activeFromMs + days * DAY_MS,
        tier,
        // The free tier has no card; an org bills its seats to the org card.
        paymentFingerprint: tier === 'free' ? null : ctx.ids.payment(),
        emailDomain: inOrg ? corporateDomain(rng) : CONSUMER_EMAIL_DOMAINS.sample(rng),
        orgId,
        egress: datacentreExits(rng, rng.intBetween(1, 4), inOrg || rng.chance(0.5) ? 'cloud' : 'hosting'),
        residential: rng.chance(params.residentialShare),
      };
      const i = accounts.length;
      accounts.push({
        truth: attackTruth(account.accountId, ID, campaignId, STRATEGY),
        activeFromMs,
        open: () => highVolumeStream(world, account, bank, params, ctx.accountRng(i)),
      });
      campaigns.push(
        campaignTruth(
          {
            campaignId,
            strategy: STRATEGY,
            cohort: ID,
            description: `one ${tier}-tier account${orgId ? ' in an org' : ''}, thousands of requests a day for ${days.toFixed(1)} days`,
            accounts: [account.accountId],
            templates: bank,
            infrastructure: {
              paymentFingerprints: account.paymentFingerprint ? [account.paymentFingerprint] : [],
              ips: account.egress.map((e) => e.ip),
            },
          },
          [activeFromMs],
        ),
      );
    }
    return { accounts, campaigns };
  },
};
