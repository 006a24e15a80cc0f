import type { Tier } from '../../lambdas/core/contract/usage-event';
import type { Rng } from '../rng';
import { CONSUMER_EMAIL_DOMAINS } from '../catalog';
import type { AccountStreamItem, PlanContext } from '../types';
import type { SimWorld } from '../world';
import { AccountRuntime, type Presence } from './account-runtime';
import type { Extractor } from './extraction';
import { agedCreatedMs, iso } from './plan-helpers';

/** One attacker account as planned: identity and lifetime. */
export interface AttackerAccount {
  readonly accountId: string;
  readonly createdMs: number;
  readonly activeFromMs: number;
  /** End of the account's life (a rotation account is abandoned); the window end otherwise. */
  readonly activeToMs: number;
  readonly tier: Tier;
  readonly paymentFingerprint: string | null;
  readonly emailDomain: string;
  /** A campaign posing as an organisation bills its accounts to one org. @default null */
  readonly orgId?: string | null;
}

/**
 * An established account a campaign bought or aged itself: created `agedDays` before the window,
 * live all of it, a consumer e-mail, its own card on a paid tier (on the free tier too with
 * `cardOnFreeTier`). The draws happen in this order, the order the cohorts always drew them in.
 */
export function agedAttackerAccount(
  ctx: PlanContext,
  rng: Rng,
  agedDays: readonly [number, number],
  tier: Tier,
  options: { readonly cardOnFreeTier?: boolean } = {},
): AttackerAccount {
  const { world } = ctx;
  return {
    accountId: ctx.ids.account(),
    createdMs: agedCreatedMs(rng, world, agedDays[0], agedDays[1]),
    activeFromMs: world.startMs,
    activeToMs: world.endMs,
    tier,
    paymentFingerprint: tier === 'free' && !options.cardOnFreeTier ? null : ctx.ids.payment(),
    emailDomain: CONSUMER_EMAIL_DOMAINS.sample(rng),
  };
}

export function attackerRuntime(world: SimWorld, account: AttackerAccount, rng: Rng): AccountRuntime {
  return new AccountRuntime(
    {
      accountId: account.accountId,
      orgId: account.orgId ?? null,
      tier: account.tier,
      accountCreatedAt: iso(account.createdMs),
      paymentFingerprint: account.paymentFingerprint,
      emailDomain: account.emailDomain,
    },
    rng,
    account.activeFromMs,
    Math.min(world.endMs, account.activeToMs),
  );
}

/** Drives an extractor over a schedule of request slots. */
export function* extractionStream(
  rt: AccountRuntime,
  extractor: Extractor,
  times: Iterable<number>,
  presenceAt: (ms: number) => Presence,
  modelAt: (ms: number) => string,
): Generator<AccountStreamItem> {
  for (const t of times) {
    if (!rt.open(t)) return;
    yield rt.reserve(t);
    yield* extractor.at(t, presenceAt(t), modelAt(t));
  }
}
