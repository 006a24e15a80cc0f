import type { Tier } from '../../lambdas/core/contract/usage-event';
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
import { choice, interval, int, share } from '../params';
import type { Rng } from '../rng';
import type { AccountPlan, AccountStreamItem, CampaignTruth, CohortDefinition } from '../types';
import { ModelChooser, SLOW_ADOPTER, type SimWorld } from '../world';

export interface MultiTurnParams {
  /** Number of campaigns; not scaled. */
  readonly campaigns: number;
  readonly accountsPerCampaign: number;
  readonly agedDays: readonly [number, number];
  /** Conversations started a day per account, [min, max]; each runs several turns. */
  readonly conversationsPerDay: readonly [number, number];
  readonly timing: TimingKind;
  readonly operatorUtcOffsetHours: number;
  /** Share of accounts on a device of the campaign's small pool (the rest their own). */
  readonly pooledDeviceShare: number;
  readonly devicePool: number;
  readonly tier: Tier;
  readonly templatesPerCapability: number;
  readonly style: ExtractionStyle;
}

const ID = 'extraction-multi-turn';
const STRATEGY = 'multi-turn';
const RESIDENTIAL = residentialNetworks();

interface Campaign {
  readonly campaignId: string;
  readonly bank: TemplateBank;
  readonly devices: readonly string[];
}

function* multiTurnStream(
  world: SimWorld,
  account: AttackerAccount,
  campaign: Campaign,
  params: MultiTurnParams,
  rng: Rng,
): Generator<AccountStreamItem> {
  const rt = attackerRuntime(world, account, rng);
  const extractor = new Extractor(rt, world, params.style, campaign.bank);
  const models = new ModelChooser(world, rng, SLOW_ADOPTER);
  const device = {
    userAgent: rng.pick(USER_AGENTS.desktopBrowsers),
    deviceFingerprint: rng.chance(params.pooledDeviceShare)
      ? rng.pick(campaign.devices)
      : randomDeviceId(rng),
  };
  const home = residentialExit(rng, RESIDENTIAL);
  const perDay = rng.intBetween(params.conversationsPerDay[0], params.conversationsPerDay[1]);
  yield* extractionStream(
    rt,
    extractor,
    scheduledTimes(rng, world, account.activeFromMs, account.activeToMs, {
      kind: params.timing,
      perDay,
      jitter: 0.6,
      utcOffsetHours: params.operatorUtcOffsetHours + rng.between(-1, 1),
    }),
    () => ({ ...home, ...device }),
    (t) => models.model(t, rng),
  );
}

export const multiTurn: CohortDefinition<MultiTurnParams> = {
  id: ID,
  description:
    'Extraction as conversations: an opener from the templates, then follow-ups at human pace ("why?", "prove step 2"), so little is single-turn; human hours with rest from home lines, aged accounts, a few shared devices.',
  attack: true,
  strategy: STRATEGY,
  traits: ['multi-turn conversations', 'human pacing and hours', 'home residential lines', 'aged accounts'],
  defaults: {
    campaigns: 1,
    accountsPerCampaign: 60,
    agedDays: [30, 400],
    conversationsPerDay: [6, 15],
    timing: 'diurnal',
    operatorUtcOffsetHours: 8,
    pooledDeviceShare: 0.3,
    devicePool: 6,
    tier: 'pro',
    templatesPerCapability: 8,
    style: {
      capabilityWeights: { reasoning: 45, coding: 40, agentic: 15 },
      reasoningRequestedShare: 0.5,
      paraphraseBits: [0, 3],
      benignShare: 0.15,
      statelessShare: 0.3,
      inputMedian: 260,
      outputMedian: 2_000,
      multiTurnShare: 0.8,
      multiTurnTurns: [2, 6],
      followUpSeconds: [30, 600],
    },
  },
  space: {
    accountsPerCampaign: int(20, 200, 'accounts per campaign at scale 1'),
    agedDays: interval(7, 600, 'accounts created (or bought) this many days before the window', {
      integer: true,
      log: true,
    }),
    conversationsPerDay: interval(2, 30, 'conversations started a day per account', { integer: true }),
    timing: timingChoice(['diurnal', 'office', 'poisson']),
    operatorUtcOffsetHours: choice(UTC_OFFSETS, "the operators' time zone"),
    pooledDeviceShare: share(0, 0.8, "share of accounts on a device of the campaign's pool"),
    devicePool: int(1, 20, 'devices in the pool'),
    tier: tierChoice(SELF_SERVE_TIERS),
    templatesPerCapability: int(2, 20, 'prompt templates per capability'),
    style: extractionStyleSpace({
      multiTurnShare: share(0.6, 1, 'share of extraction conversations followed up'),
      multiTurnTurns: interval(2, 8, 'turns of an extraction conversation', { integer: true }),
      followUpSeconds: interval(15, 1_200, 'seconds between turns (reading, typing)', { log: true }),
    }),
  },
  plan(ctx, params) {
    checkRange('conversationsPerDay', params.conversationsPerDay, 1);
    checkRange('agedDays', params.agedDays);
    const { world, rng } = ctx;
    const accounts: AccountPlan[] = [];
    const campaigns: CampaignTruth[] = [];
    for (let c = 0; c < params.campaigns; c++) {
      const campaign: Campaign = {
        campaignId: ctx.campaignId(STRATEGY),
        bank: new TemplateBank(rng, params.templatesPerCapability),
        devices: Array.from({ length: Math.max(1, params.devicePool) }, () => ctx.ids.device()),
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
          open: () => multiTurnStream(world, account, campaign, params, ctx.accountRng(i)),
        });
      }
      campaigns.push(
        campaignTruth(
          {
            campaignId: campaign.campaignId,
            strategy: STRATEGY,
            cohort: ID,
            description: `${n} accounts extracting in multi-turn conversations at human pace`,
            accounts: members,
            templates: campaign.bank,
            infrastructure: { paymentFingerprints: cards, deviceFingerprints: campaign.devices },
          },
          [world.startMs],
        ),
      );
    }
    return { accounts, campaigns };
  },
};
