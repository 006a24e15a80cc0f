import type { AccountState } from '../account-state';
import type { Tier } from '../contract/usage-event';
import type { EnforcementAction, Policy } from '../policy/policy';
import type { EnforcementDirective, EnforcementInput, EnforcementRequest } from '../ports';

/** Strength of each action: a workflow never replaces an action with a weaker one. */
export const ACTION_RANK: Readonly<Record<EnforcementAction, number>> = {
  review: 1,
  throttle: 2,
  verify: 3,
  suspend: 4,
};

/**
 * How long an account's enforcement claim holds against a new case of the same or a weaker
 * action: two crossings decided from the same events (a bisected, retried batch) lie well within
 * it; a genuinely new crossing much later does not. Not a policy setting: it must not change the
 * input of a crossing already started.
 */
export const CLAIM_WINDOW_HOURS = 6;

/** A crossing whose triggeredAt is not a timestamp: the workflow's claim cannot be dated. */
export class InvalidTriggeredAtError extends Error {
  public constructor(public readonly triggeredAt: string) {
    super(
      `triggeredAt '${triggeredAt}' is not an ISO-8601 timestamp: the enforcement claim cutoff ` +
        'is computed from it; pass the event time of the crossing, e.g. 2026-02-01T12:00:00Z',
    );
    this.name = 'InvalidTriggeredAtError';
  }
}

/** EnforcementInput.claimCutoff: triggeredAt minus CLAIM_WINDOW_HOURS, as ISO-8601 UTC. */
export function claimCutoffOf(triggeredAt: string): string {
  const at = Date.parse(triggeredAt);
  if (Number.isNaN(at)) throw new InvalidTriggeredAtError(triggeredAt);
  return new Date(at - CLAIM_WINDOW_HOURS * 3_600_000).toISOString();
}

/** The action fields of an enforcement workflow's input (see EnforcementInput). */
export type ActionDecision = Pick<
  EnforcementInput,
  'action' | 'proposedAction' | 'mode' | 'reason' | 'directive'
>;

/** The policy band a score falls in, with its lower bound; undefined below the review threshold. */
export function actionBandOf(
  score: number,
  policy: Policy,
): { readonly action: EnforcementAction; readonly from: number } | undefined {
  const { thresholds, actions } = policy;
  if (score >= thresholds.suspend) return { action: 'suspend', from: thresholds.suspend };
  if (actions.verify && score >= actions.verify.score)
    return { action: 'verify', from: actions.verify.score };
  if (actions.throttle && score >= actions.throttle.score) {
    return { action: 'throttle', from: actions.throttle.score };
  }
  if (score >= thresholds.review) return { action: 'review', from: thresholds.review };
  return undefined;
}

/** The weaker of two actions. */
function weaker(a: EnforcementAction, b: EnforcementAction): EnforcementAction {
  return ACTION_RANK[a] <= ACTION_RANK[b] ? a : b;
}

/**
 * The strongest action the tier's override lets a score get automatically: its maxAction, unless
 * the score reaches the override's liftAt (undefined: no cap).
 */
export function tierCap(tier: Tier, policy: Policy, score?: number): EnforcementAction | undefined {
  const override = policy.actions.tierOverrides[tier];
  if (!override) return undefined;
  if (override.liftAt !== undefined && score !== undefined && score >= override.liftAt) return undefined;
  return override.maxAction;
}

/**
 * Turns an action a band (or a cluster, or anti-regrowth) asks for into what the workflow does:
 * capped by the tier's override (lifted when `score` reaches its liftAt), reduced to review in
 * shadow mode, with the directive the gateway needs and the reason in words (it becomes the
 * case's actionReason and its first audit entry).
 */
export function decideAction(
  requested: EnforcementAction,
  tier: Tier,
  policy: Policy,
  because: string,
  score?: number,
): ActionDecision {
  const override = policy.actions.tierOverrides[tier];
  const cap = tierCap(tier, policy, score);
  const proposedAction = cap ? weaker(requested, cap) : requested;
  const shadow = policy.mode === 'shadow';
  const action: EnforcementAction = shadow ? 'review' : proposedAction;
  const parts = [because];
  if (proposedAction !== requested) {
    parts.push(`${tier} accounts get at most ${cap} automatically (actions.tierOverrides)`);
  } else if (override && !cap && ACTION_RANK[requested] > ACTION_RANK[override.maxAction]) {
    parts.push(
      `over ${tier}'s cap (${override.maxAction}): its score reached ${override.liftAt}, where the cap is lifted (actions.tierOverrides)`,
    );
  }
  if (shadow) parts.push(`shadow mode: a case only, the account is untouched (would ${proposedAction})`);
  return {
    action,
    proposedAction,
    mode: policy.mode,
    reason: parts.join('; '),
    directive: directiveFor(action, policy),
  };
}

function directiveFor(action: EnforcementAction, policy: Policy): EnforcementDirective {
  if (action === 'throttle' && policy.actions.throttle) {
    return { requestsPerHour: policy.actions.throttle.requestsPerHour };
  }
  if (action === 'verify' && policy.actions.verify) return { checks: [...policy.actions.verify.checks] };
  return {};
}

export interface EscalationContext {
  /**
   * Name-safe digest of the account id (executions and cases are named after it); asked for only
   * when a workflow is started.
   */
  readonly digest: () => string;
  readonly score: number;
  /** False for allowlisted and protected (reinstated) accounts: nothing is started or recorded. */
  readonly eligible: boolean;
  /**
   * The account is suspended already: nothing is started, but the crossing is recorded as if it
   * had been, so a batch redelivered after the workflow ran leaves the same state as the first try.
   */
  readonly suspended?: boolean;
  /** The case a reinstatement cleared, if any: actions requested before it no longer count. */
  readonly clearedCaseId?: string;
  /** The evidence frozen into the case; built only when a workflow is started. */
  readonly evidence: () => Record<string, unknown>;
}

/**
 * One enforcement workflow per crossing into a stronger action. An episode lasts while the score
 * stays at or above the review threshold; within it, a workflow is started when the proposed
 * action is stronger than any requested before (review -> suspend: a second workflow and case;
 * suspend -> review -> suspend: none). Below the review threshold the episode ends.
 *
 * Shadow-mode requests are counted apart: switching to enforce starts the real action at the next
 * batch of an account still in its band. A clearance (reinstatement after a false positive) starts
 * a new episode too; whether the account may be enforced again is the caller's `eligible`.
 *
 * Mutates the state's bookkeeping (crossings, requestedCrossing, requestedAction, shadowedAction,
 * requestedClearance),
 * which is saved with it: a redelivered batch sees the same previous state and so derives the same
 * execution name and input, which Step Functions refuses to run twice.
 */
export function escalate(
  state: AccountState,
  policy: Policy,
  context: EscalationContext,
): EnforcementRequest | undefined {
  const band = actionBandOf(context.score, policy);
  if (!band || state.requestedClearance !== context.clearedCaseId) {
    // The episode ends below the review threshold, and with a clearance (the account was reinstated).
    // Only what changes is written: adding an absent field to the state object is not free.
    if (state.requestedAction !== undefined) state.requestedAction = undefined;
    if (state.shadowedAction !== undefined) state.shadowedAction = undefined;
    if (state.requestedClearance !== context.clearedCaseId) state.requestedClearance = context.clearedCaseId;
  }
  if (!band) return undefined;
  if (!context.eligible) return undefined;
  // Most batches of an account in a band ask for nothing new: decide that before any wording.
  const cap = tierCap(state.tier, policy, context.score);
  const proposed = cap ? weaker(band.action, cap) : band.action;
  let strongestBefore = state.requestedAction ? ACTION_RANK[state.requestedAction] : 0;
  if (policy.mode === 'shadow' && state.shadowedAction) {
    strongestBefore = Math.max(strongestBefore, ACTION_RANK[state.shadowedAction]);
  }
  if (ACTION_RANK[proposed] <= strongestBefore) return undefined;
  const decision = decideAction(
    band.action,
    state.tier,
    policy,
    `risk score ${context.score} is in the ${band.action} band (${band.from} and over)`,
    context.score,
  );
  if (decision.mode === 'shadow') state.shadowedAction = decision.proposedAction;
  else state.requestedAction = decision.proposedAction;
  state.crossings += 1;
  state.requestedCrossing = state.crossings;
  if (context.suspended) return undefined;
  const digest = context.digest();
  return {
    executionName: `acct-${digest}-${state.crossings}`,
    input: {
      accountId: state.accountId,
      caseId: `case-${digest}-${state.crossings}`,
      riskScore: context.score,
      policyVersion: policy.version,
      triggeredAt: state.lastEventAt,
      claimCutoff: claimCutoffOf(state.lastEventAt),
      evidence: context.evidence(),
      ...decision,
    },
  };
}
