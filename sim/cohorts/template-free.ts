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

export interface TemplateFreeParams {
  /** Number of campaigns; not scaled. */
  readonly campaigns: number;
  readonly accountsPerCampaign: number;
  readonly agedDays: readonly [number, number];
  readonly requestsPerDay: readonly [number, number];
  readonly timing: TimingKind;
  readonly operatorUtcOffsetHours: number;
  /** The one thing they share: a residential proxy network of this many exits. */
  readonly proxyExits: number;
  readonly proxySessionMinutes: number;
  readonly tier: Tier;
  readonly style: ExtractionStyle;
}

const ID = 'extraction-template-free';
const STRATEGY = 'template-free';

function* templateFreeStream(
  world: SimWorld,
  account: AttackerAccount,
  exits: readonly Omit<Presence, 'userAgent' | 'deviceFingerprint'>[],
  bank: TemplateBank,
  params: TemplateFreeParams,
  rng: Rng,
): Generator<AccountStreamItem> {
  const rt = attackerRuntime(world, account, rng);
  const extractor = new Extractor(rt, world, params.style, bank);
  const models = new ModelChooser(world, rng, SLOW_ADOPTER);
  const device = { userAgent: rng.pick(USER_AGENTS.desktopBrowsers), deviceFingerprint: randomDeviceId(rng) };
  let exit = rng.pick(exits);
  let lastMs = Number.NEGATIVE_INFINITY;
  const perDay = rng.intBetween(params.requestsPerDay[0], params.requestsPerDay[1]);
  yield* extractionStream(
    rt,
    extractor,
    scheduledTimes(rng, world, account.activeFromMs, account.activeToMs, {
      kind: params.timing,
      perDay,
      jitter: 0.6,
      // Each operator keeps their own hours around the team's.
      utcOffsetHours: params.operatorUtcOffsetHours + rng.between(-2, 2),
    }),
    (t) => {
      if (t - lastMs > params.proxySessionMinutes * MINUTE_MS) exit = rng.pick(exits);
      lastMs = t;
      return { ...exit, ...device };
    },
    (t) => models.model(t, rng),
  );
}

export const templateFree: CohortDefinition<TemplateFreeParams> = {
  id: ID,
  description:
    'Extraction written by a generator: every prompt unique (no template to match), no chain-of-thought flag but long answers, human hours with rest, aged accounts with own cards and devices, sharing nothing but a residential proxy network.',
  attack: true,
  strategy: STRATEGY,
  traits: [
    'no template reuse',
    'no chain-of-thought flag',
    'long outputs',
    'human-like diurnal timing',
    'shares only a proxy network',
  ],
  defaults: {
    campaigns: 1,
    accountsPerCampaign: 60,
    agedDays: [30, 300],
    requestsPerDay: [20, 60],
    timing: 'diurnal',
    operatorUtcOffsetHours: 8,
    proxyExits: 80,
    proxySessionMinutes: 30,
    tier: 'pro',
    style: {
      capabilityWeights: { reasoning: 45, coding: 40, agentic: 15 },
      reasoningRequestedShare: 0.03,
      paraphraseBits: [0, 0],
      benignShare: 0.15,
      statelessShare: 0.5,
      inputMedian: 350,
      outputMedian: 4_000,
      templateShare: 0,
      multiTurnShare: 0.2,
    },
  },
  space: {
    accountsPerCampaign: int(20, 200, 'accounts per campaign at scale 1'),
    agedDays: interval(7, 600, 'accounts created (or bought) this many days before the window', {
      integer: true,
      log: true,
    }),
    requestsPerDay: interval(8, 100, 'requests a day per account', { integer: true, log: true }),
    timing: timingChoice(['diurnal', 'office', 'poisson']),
    operatorUtcOffsetHours: choice(UTC_OFFSETS, "the operators' time zone"),
    proxyExits: int(10, 400, 'exits of the residential proxy network they share'),
    proxySessionMinutes: num(2, 180, 'a proxy session keeps its exit until a pause this long', { log: true }),
    tier: tierChoice(SELF_SERVE_TIERS),
    style: extractionStyleSpace({
      reasoningRequestedShare: share(0, 0.1, 'share of extraction requests flagged for chain-of-thought'),
      outputMedian: num(2_000, 9_000, 'median answer tokens (long, asked for in the prompt)', { log: true }),
      templateShare: share(0, 0, 'no templates: every prompt is written afresh'),
      paraphraseBits: undefined,
      multiTurnShare: share(0, 0.4, 'share of extraction requests followed up in the same conversation'),
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
      // No templates: the bank is empty, every prompt is a fresh hash.
      const bank = new TemplateBank(rng, 0);
      const networks = residentialNetworks();
      const exits = Array.from({ length: Math.max(1, params.proxyExits) }, () =>
        residentialExit(rng, networks),
      );
      const members: string[] = [];
      const cards: string[] = [];
      const n = ctx.count(params.accountsPerCampaign, 2);
      for (let a = 0; a < n; a++) {
        const i = accounts.length;
        const account: AttackerAccount = agedAttackerAccount(ctx, rng, params.agedDays, params.tier);
        members.push(account.accountId);
        if (account.paymentFingerprint) cards.push(account.paymentFingerprint);
        accounts.push({
          truth: attackTruth(account.accountId, ID, campaignId, STRATEGY),
          activeFromMs: account.activeFromMs,
          open: () => templateFreeStream(world, account, exits, bank, params, ctx.accountRng(i)),
        });
      }
      campaigns.push(
        campaignTruth(
          {
            campaignId,
            strategy: STRATEGY,
            cohort: ID,
            description: `${n} accounts, no templates, no chain-of-thought flag, sharing ${exits.length} residential exits`,
            accounts: members,
            templates: bank,
            infrastructure: { paymentFingerprints: cards, ips: exits.map((e) => e.ip) },
          },
          [world.startMs],
        ),
      );
    }
    return { accounts, campaigns };
  },
};
