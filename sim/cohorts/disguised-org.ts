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
import { extractionStyleSpace, tierChoice, UTC_OFFSETS } from '../behaviour/spaces';
import { USER_AGENTS } from '../catalog';
import { randomDeviceId } from '../ids';
import { choice, interval, int } from '../params';
import type { Rng } from '../rng';
import type { AccountPlan, AccountStreamItem, CampaignTruth, CohortDefinition } from '../types';
import { DAY_MS, HOUR_MS, ModelChooser, SLOW_ADOPTER, type SimWorld } from '../world';

export interface DisguisedOrgParams {
  /** Number of campaigns; not scaled. */
  readonly campaigns: number;
  /** Fake organisations per campaign. */
  readonly orgs: number;
  /** Seats per organisation at scale 1, [min, max]. */
  readonly accountsPerOrg: readonly [number, number];
  /** The org was set up this many days before the window, [min, max]; its seats over the next days. */
  readonly orgAgeDays: readonly [number, number];
  readonly requestsPerDay: readonly [number, number];
  readonly timing: TimingKind;
  readonly operatorUtcOffsetHours: number;
  /** Where the org's traffic exits: a cloud VPN, a datacentre, or employees' home lines. */
  readonly egress: 'cloud' | 'hosting' | 'residential';
  readonly tier: Tier;
  readonly templatesPerCapability: number;
  readonly style: ExtractionStyle;
}

const ID = 'extraction-disguised-org';
const STRATEGY = 'disguised-org';

interface FakeOrg {
  readonly orgId: string;
  readonly card: string;
  readonly domain: string;
  readonly egress: readonly Omit<Presence, 'userAgent' | 'deviceFingerprint'>[];
  readonly createdMs: number;
}

function* orgSeatStream(
  world: SimWorld,
  account: AttackerAccount,
  org: FakeOrg,
  bank: TemplateBank,
  params: DisguisedOrgParams,
  rng: Rng,
): Generator<AccountStreamItem> {
  const rt = attackerRuntime(world, account, rng);
  const extractor = new Extractor(rt, world, params.style, bank);
  const models = new ModelChooser(world, rng, SLOW_ADOPTER);
  const device = {
    userAgent: rng.pick([...USER_AGENTS.desktopBrowsers, ...USER_AGENTS.sdks]),
    deviceFingerprint: rng.chance(0.5) ? randomDeviceId(rng) : null,
  };
  const residential = params.egress === 'residential' ? residentialExit(rng, residentialNetworks()) : null;
  const perDay = rng.intBetween(params.requestsPerDay[0], params.requestsPerDay[1]);
  yield* extractionStream(
    rt,
    extractor,
    scheduledTimes(rng, world, account.activeFromMs, account.activeToMs, {
      kind: params.timing,
      perDay,
      jitter: 0.4,
      utcOffsetHours: params.operatorUtcOffsetHours,
    }),
    () => ({ ...(residential ?? rng.pick(org.egress)), ...device }),
    (t) => models.model(t, rng),
  );
}

export const disguisedOrg: CohortDefinition<DisguisedOrgParams> = {
  id: ID,
  description:
    'Campaigns posing as organisations: an org id with org billing on one card shared by all its seats, a corporate-looking email domain, work-hours traffic from a company-like egress; the seats extract.',
  attack: true,
  strategy: STRATEGY,
  traits: [
    'org billing on a shared card',
    'corporate email domain',
    'team or api tier',
    'office-hours timing',
  ],
  defaults: {
    campaigns: 1,
    orgs: 2,
    accountsPerOrg: [6, 20],
    orgAgeDays: [10, 90],
    requestsPerDay: [20, 60],
    timing: 'office',
    operatorUtcOffsetHours: 1,
    egress: 'cloud',
    tier: 'team',
    templatesPerCapability: 8,
    style: {
      capabilityWeights: { reasoning: 45, coding: 40, agentic: 15 },
      reasoningRequestedShare: 0.7,
      paraphraseBits: [0, 3],
      benignShare: 0.15,
      statelessShare: 0.6,
      inputMedian: 300,
      outputMedian: 2_000,
    },
  },
  space: {
    orgs: int(1, 6, 'fake organisations per campaign'),
    accountsPerOrg: interval(3, 60, 'seats per organisation at scale 1', { integer: true }),
    orgAgeDays: interval(1, 365, 'the org was set up this many days before the window', { log: true }),
    requestsPerDay: interval(10, 200, 'requests a day per seat', { integer: true, log: true }),
    timing: timingChoice(),
    operatorUtcOffsetHours: choice(UTC_OFFSETS, "the operators' time zone"),
    egress: choice(['cloud', 'hosting', 'residential'] as const, "where the org's traffic exits"),
    tier: tierChoice(['pro', 'team', 'api']),
    templatesPerCapability: int(2, 20, 'prompt templates per capability'),
    style: extractionStyleSpace(),
  },
  plan(ctx, params) {
    checkRange('accountsPerOrg', params.accountsPerOrg, 1);
    checkRange('requestsPerDay', params.requestsPerDay, 1);
    const { world, rng } = ctx;
    const accounts: AccountPlan[] = [];
    const campaigns: CampaignTruth[] = [];
    for (let c = 0; c < params.campaigns; c++) {
      const campaignId = ctx.campaignId(STRATEGY);
      const bank = new TemplateBank(rng, params.templatesPerCapability);
      const members: string[] = [];
      const cards: string[] = [];
      const ips: string[] = [];
      for (let o = 0; o < Math.max(1, params.orgs); o++) {
        const org: FakeOrg = {
          orgId: ctx.ids.org(),
          card: ctx.ids.payment(),
          domain: corporateDomain(rng),
          egress:
            params.egress === 'residential' ? [] : datacentreExits(rng, rng.intBetween(1, 3), params.egress),
          createdMs: world.startMs - rng.between(params.orgAgeDays[0], params.orgAgeDays[1]) * DAY_MS,
        };
        cards.push(org.card);
        ips.push(...org.egress.map((e) => e.ip));
        const seats = ctx.count(rng.intBetween(params.accountsPerOrg[0], params.accountsPerOrg[1]), 2);
        for (let a = 0; a < seats; a++) {
          const createdMs = Math.min(world.endMs - HOUR_MS, org.createdMs + rng.exponential(2) * DAY_MS);
          const i = accounts.length;
          const account: AttackerAccount = {
            accountId: ctx.ids.account(),
            createdMs,
            activeFromMs: Math.max(world.startMs, createdMs),
            activeToMs: world.endMs,
            tier: params.tier,
            paymentFingerprint: org.card,
            emailDomain: org.domain,
            orgId: org.orgId,
          };
          members.push(account.accountId);
          accounts.push({
            truth: attackTruth(account.accountId, ID, campaignId, STRATEGY),
            activeFromMs: account.activeFromMs,
            open: () => orgSeatStream(world, account, org, bank, params, ctx.accountRng(i)),
          });
        }
      }
      campaigns.push(
        campaignTruth(
          {
            campaignId,
            strategy: STRATEGY,
            cohort: ID,
            description: `${members.length} seats in ${cards.length} fake orgs, org billing, corporate domains`,
            accounts: members,
            templates: bank,
            infrastructure: { paymentFingerprints: cards, ips },
          },
          accounts.slice(accounts.length - members.length).map((p) => p.activeFromMs),
        ),
      );
    }
    return { accounts, campaigns };
  },
};
