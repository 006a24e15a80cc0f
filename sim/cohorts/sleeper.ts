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
import {
  agedAttackerAccount,
  type AttackerAccount,
  attackerRuntime,
  extractionStream,
} from '../behaviour/campaign';
import { Extractor, TemplateBank, type ExtractionStyle } from '../behaviour/extraction';
import { attackTruth, campaignTruth, checkRange } from '../behaviour/plan-helpers';
import { CASUAL_CAPABILITIES, humanTurnGapMs, ordinaryConversation } from '../behaviour/requests';
import { extractionStyleSpace, tierChoice, UTC_OFFSETS } from '../behaviour/spaces';
import { HUMAN_HOUR_WEIGHTS, USER_AGENTS } from '../catalog';
import { HourProfile, localMidnight } from '../behaviour/timing';
import { randomDeviceId } from '../ids';
import { choice, interval, int, num, share } from '../params';
import type { Rng } from '../rng';
import type { AccountPlan, AccountStreamItem, CampaignTruth, CohortDefinition } from '../types';
import { MINUTE_MS, ModelChooser, SLOW_ADOPTER, type SimWorld } from '../world';

export interface SleeperParams {
  /** Number of campaigns; not scaled. */
  readonly campaigns: number;
  readonly accountsPerCampaign: number;
  /** The accounts are old, with an ordinary history (bought, or taken over), [min, max] days. */
  readonly agedDays: readonly [number, number];
  /** Each account turns to extraction this far into the window, as a share of its length, [min, max]. */
  readonly switchAt: readonly [number, number];
  /** Ordinary sessions a day before the switch. */
  readonly sessionsPerDay: number;
  /** Request slots a day after the switch, [min, max]. */
  readonly requestsPerDay: readonly [number, number];
  readonly timing: TimingKind;
  readonly operatorUtcOffsetHours: number;
  /** Share of accounts whose new operator shows up on a new device and network after the switch. */
  readonly takeoverShare: number;
  readonly takeoverExits: number;
  readonly tier: Tier;
  readonly templatesPerCapability: number;
  readonly style: ExtractionStyle;
}

const ID = 'extraction-sleeper';
const percentOf = (share: number) => `${Math.round(share * 100)}%`;
const STRATEGY = 'sleeper';
const HUMAN_HOURS = new HourProfile(HUMAN_HOUR_WEIGHTS);
const RESIDENTIAL = residentialNetworks();

interface Campaign {
  readonly campaignId: string;
  readonly bank: TemplateBank;
  readonly exits: readonly Omit<Presence, 'userAgent' | 'deviceFingerprint'>[];
}

interface SleeperAccount extends AttackerAccount {
  readonly switchMs: number;
}

function* sleeperStream(
  world: SimWorld,
  account: SleeperAccount,
  campaign: Campaign,
  params: SleeperParams,
  rng: Rng,
): Generator<AccountStreamItem> {
  const rt = attackerRuntime(world, account, rng);
  const models = new ModelChooser(world, rng, SLOW_ADOPTER);
  const ownDevice = {
    userAgent: rng.pick(USER_AGENTS.desktopBrowsers),
    deviceFingerprint: randomDeviceId(rng),
  };
  const home: Presence = { ...residentialExit(rng, RESIDENTIAL), ...ownDevice };
  const homeOffset = rng.pick(UTC_OFFSETS);
  // Before the switch: its owner's ordinary chats.
  for (let day = -1; day <= world.days; day++) {
    const midnight = localMidnight(world, day, homeOffset);
    if (midnight >= account.switchMs) break;
    if (!rng.chance(0.6)) continue;
    for (const start of HUMAN_HOURS.sampleSorted(rng, midnight, 1 + rng.poisson(params.sessionsPerDay))) {
      if (start < account.activeFromMs || start >= account.switchMs) continue;
      const conversation = ordinaryConversation(rng, world, rt.newConversationId(), CASUAL_CAPABILITIES);
      const turns = Math.min(15, rng.geometric(0.35));
      let t = start;
      for (let turn = 0; turn < turns && t < account.switchMs; turn++) {
        if (!rt.open(t)) return;
        yield rt.reserve(t);
        yield rt.emit(t, home, conversation.next(rng, models.model(t, rng)));
        t = rt.nowMs + humanTurnGapMs(rng);
      }
    }
  }
  // After it: extraction, from the operator's machine and network or still from the old ones.
  const takenOver = rng.chance(params.takeoverShare);
  const operatorDevice = { userAgent: rng.pick(USER_AGENTS.sdks), deviceFingerprint: randomDeviceId(rng) };
  const extractor = new Extractor(rt, world, params.style, campaign.bank);
  const perDay = rng.intBetween(params.requestsPerDay[0], params.requestsPerDay[1]);
  yield* extractionStream(
    rt,
    extractor,
    scheduledTimes(rng, world, Math.max(account.switchMs, rt.nowMs), account.activeToMs, {
      kind: params.timing,
      perDay,
      jitter: 0.4,
      utcOffsetHours: params.operatorUtcOffsetHours,
    }),
    () => (takenOver ? { ...rng.pick(campaign.exits), ...operatorDevice } : home),
    (t) => models.model(t, rng),
  );
}

export const sleeper: CohortDefinition<SleeperParams> = {
  id: ID,
  description:
    "Sleeper accounts: old accounts with an ordinary chat history (bought, or taken over) that turn to extraction partway through the window, some from a new device and network, others from the owner's own.",
  attack: true,
  strategy: STRATEGY,
  traits: [
    'old accounts with ordinary history',
    'behaviour changes mid-window',
    'own cards',
    'shared templates',
  ],
  defaults: {
    campaigns: 1,
    accountsPerCampaign: 50,
    agedDays: [90, 1_500],
    switchAt: [0.07, 0.57],
    sessionsPerDay: 1,
    requestsPerDay: [20, 60],
    timing: 'poisson',
    operatorUtcOffsetHours: 8,
    takeoverShare: 0.5,
    takeoverExits: 15,
    tier: 'pro',
    templatesPerCapability: 8,
    style: {
      capabilityWeights: { reasoning: 45, coding: 40, agentic: 15 },
      reasoningRequestedShare: 0.8,
      paraphraseBits: [0, 3],
      benignShare: 0.1,
      statelessShare: 0.7,
      inputMedian: 240,
      outputMedian: 2_200,
    },
  },
  space: {
    accountsPerCampaign: int(20, 200, 'accounts per campaign at scale 1'),
    agedDays: interval(30, 2_500, 'accounts this old, with an ordinary history', {
      integer: true,
      log: true,
    }),
    switchAt: interval(0, 0.7, 'when each account turns to extraction, as a share of the window'),
    sessionsPerDay: num(0.2, 3, 'ordinary sessions a day before the switch'),
    requestsPerDay: interval(8, 150, 'request slots a day after the switch', { integer: true, log: true }),
    timing: timingChoice(),
    operatorUtcOffsetHours: choice(UTC_OFFSETS, "the operators' time zone"),
    takeoverShare: share(0, 1, 'share of accounts used from a new device and network after the switch'),
    takeoverExits: int(2, 60, "the operators' proxy exits"),
    tier: tierChoice(['free', 'pro', 'api']),
    templatesPerCapability: int(2, 20, 'prompt templates per capability'),
    style: extractionStyleSpace(),
  },
  plan(ctx, params) {
    checkRange('switchAt', params.switchAt);
    checkRange('requestsPerDay', params.requestsPerDay, 1);
    const { world, rng } = ctx;
    const accounts: AccountPlan[] = [];
    const campaigns: CampaignTruth[] = [];
    for (let c = 0; c < params.campaigns; c++) {
      const campaign: Campaign = {
        campaignId: ctx.campaignId(STRATEGY),
        bank: new TemplateBank(rng, params.templatesPerCapability),
        exits: rng.chance(0.5)
          ? datacentreExits(rng, params.takeoverExits, 'hosting')
          : Array.from({ length: Math.max(1, params.takeoverExits) }, () =>
              residentialExit(rng, RESIDENTIAL),
            ),
      };
      const members: string[] = [];
      const cards: string[] = [];
      const switches: number[] = [];
      const n = ctx.count(params.accountsPerCampaign, 2);
      for (let a = 0; a < n; a++) {
        const i = accounts.length;
        const switchMs = Math.min(
          world.endMs - MINUTE_MS,
          world.startMs + rng.between(params.switchAt[0], params.switchAt[1]) * (world.endMs - world.startMs),
        );
        const account: SleeperAccount = {
          ...agedAttackerAccount(ctx, rng, params.agedDays, params.tier),
          switchMs,
        };
        members.push(account.accountId);
        switches.push(switchMs);
        if (account.paymentFingerprint) cards.push(account.paymentFingerprint);
        accounts.push({
          truth: attackTruth(account.accountId, ID, campaign.campaignId, STRATEGY),
          activeFromMs: account.activeFromMs,
          open: () => sleeperStream(world, account, campaign, params, ctx.accountRng(i)),
        });
      }
      campaigns.push(
        campaignTruth(
          {
            campaignId: campaign.campaignId,
            strategy: STRATEGY,
            cohort: ID,
            description: `${n} old accounts turning to extraction ${percentOf(params.switchAt[0])}-${percentOf(params.switchAt[1])} into the window`,
            accounts: members,
            templates: campaign.bank,
            infrastructure: { paymentFingerprints: cards, ips: campaign.exits.map((e) => e.ip) },
          },
          // The campaign starts when its first account turns, not with the owners' chats.
          switches,
        ),
      );
    }
    return { accounts, campaigns };
  },
};
