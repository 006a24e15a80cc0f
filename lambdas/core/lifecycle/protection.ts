import { createHash } from 'node:crypto';
import type { AccountState, Reinstatement } from '../account-state';
import type { Policy } from '../policy/policy';
import type { EnforcementRequest } from '../ports';

/**
 * Protection from re-suspension. An investigator who clears a case as a false positive has looked
 * at the evidence; the reinstatement workflow records on the account what was cleared (its score
 * when suspended, its peak score and its link keys when reinstated). Automatic enforcement may
 * come back only on new evidence: a risk clearly beyond what was cleared, or a new card or device.
 */

/** Link kinds that are payment instruments or devices: a new one is new evidence. */
const INSTRUMENT_PREFIXES = ['pay#', 'dev#'] as const;

/** Allowlisted accounts and organisations are never enforced automatically. */
export function isAllowlisted(policy: Policy, accountId: string, orgId: string | null): boolean {
  return (
    policy.allowlist.accounts.includes(accountId) || (orgId !== null && policy.allowlist.orgs.includes(orgId))
  );
}

export function isInstrumentLinkKey(linkKey: string): boolean {
  return INSTRUMENT_PREFIXES.some((prefix) => linkKey.startsWith(prefix));
}

export interface ReenforcementCheck {
  /** False while the account is protected by its clearance. */
  readonly allowed: boolean;
  /** Why enforcement is allowed again (evidence for the new case), or why it is not. */
  readonly because: string;
}

/** The score the account was cleared at: the case's score, or its peak when cleared if higher. */
export function clearedRisk(reinstatement: Reinstatement): number {
  return Math.max(reinstatement.clearedScore, reinstatement.clearedPeakScore);
}

/**
 * Whether a reinstated account may be enforced again. Undefined for an account never reinstated.
 *
 * @param heavyLinkKeys when given, only new instrument keys among these count (the cluster path
 *   passes the keys that actually tie the account to the cluster); otherwise any new card or device
 */
export function reenforcementCheck(
  state: Pick<AccountState, 'reinstatement' | 'riskScore' | 'peakRiskScore' | 'linkKeys'>,
  policy: Policy,
  heavyLinkKeys?: ReadonlySet<string>,
): ReenforcementCheck | undefined {
  const cleared = state.reinstatement;
  if (!cleared) return undefined;
  const { reenforceMargin, newInstrumentLifts } = policy.reinstatement;
  const risk = Math.max(state.riskScore, state.peakRiskScore ?? 0);
  const bar = clearedRisk(cleared) + reenforceMargin;
  if (risk >= bar) {
    return {
      allowed: true,
      because: `risk ${risk} rose ${reenforceMargin}+ points over the ${clearedRisk(cleared)} cleared in ${cleared.caseId}`,
    };
  }
  if (newInstrumentLifts) {
    const known = new Set(cleared.clearedLinkKeys);
    const fresh = state.linkKeys.find(
      (key) => isInstrumentLinkKey(key) && !known.has(key) && (!heavyLinkKeys || heavyLinkKeys.has(key)),
    );
    if (fresh) {
      return { allowed: true, because: `new ${fresh.slice(0, 3)} link since ${cleared.caseId} was cleared` };
    }
  }
  return {
    allowed: false,
    because: `cleared in ${cleared.caseId}: risk ${risk} is under ${bar} and no new card or device`,
  };
}

/**
 * The run tag of an enforcement after a clearance ("x" + a digest of the cleared case): at most one
 * enforcement execution per (account, cleared case), as "<crossing>" is one per crossing before.
 */
export function clearanceRun(reinstatement: Reinstatement): string {
  return `x${createHash('sha256').update(reinstatement.caseId).digest('hex').slice(0, 10)}`;
}

/** What a new case shows about the clearance it comes after. */
export function clearanceEvidence(reinstatement: Reinstatement, check: ReenforcementCheck) {
  return {
    clearedCaseId: reinstatement.caseId,
    clearedAt: reinstatement.clearedAt,
    clearedScore: clearedRisk(reinstatement),
    reenforcedBecause: check.because,
  };
}

/**
 * An account enforcement request renamed for a reinstated account: "<prefix>-<run>" becomes
 * "<prefix>-x<cleared case digest>" (execution and case alike), since the names of the run that
 * suspended it before may already be taken, and the clearance goes into the evidence.
 */
export function afterClearance(
  request: EnforcementRequest,
  reinstatement: Reinstatement,
  check: ReenforcementCheck,
): EnforcementRequest {
  const run = clearanceRun(reinstatement);
  const rename = (name: string) => `${name.slice(0, name.lastIndexOf('-'))}-${run}`;
  return {
    executionName: rename(request.executionName),
    input: {
      ...request.input,
      caseId: rename(request.input.caseId),
      evidence: { ...request.input.evidence, afterClearance: clearanceEvidence(reinstatement, check) },
    },
  };
}

/**
 * Reads the attributes the reinstatement workflow writes on an accounts-table item (reinstatedCaseId,
 * reinstatedAt, clearedAt, clearedScore, clearedPeakScore, clearedLinkKeys); undefined when absent.
 */
export function reinstatementFromItem(item: Readonly<Record<string, unknown>>): Reinstatement | undefined {
  const caseId = item.reinstatedCaseId;
  if (typeof caseId !== 'string' || caseId === '') return undefined;
  const text = (key: string) => (typeof item[key] === 'string' ? (item[key] as string) : '');
  const number = (key: string) => (typeof item[key] === 'number' ? (item[key] as number) : 0);
  const keys = item.clearedLinkKeys;
  return {
    caseId,
    reinstatedAt: text('reinstatedAt'),
    clearedAt: text('clearedAt'),
    clearedScore: number('clearedScore'),
    clearedPeakScore: number('clearedPeakScore'),
    clearedLinkKeys: Array.isArray(keys) ? keys.filter((k): k is string => typeof k === 'string') : [],
  };
}
