import type { CaseStatus } from './case-record';

/**
 * Where a case may go from each status. A case is resolved as CONFIRMED or FALSE_POSITIVE (an
 * appeal may still overturn a confirmation), and only a resolved case is CLOSED. CLOSED is final:
 * closed cases are archived under Object Lock.
 */
export const STATUS_TRANSITIONS: Readonly<Record<CaseStatus, readonly CaseStatus[]>> = {
  OPEN: ['UNDER_REVIEW', 'CONFIRMED', 'FALSE_POSITIVE'],
  UNDER_REVIEW: ['OPEN', 'CONFIRMED', 'FALSE_POSITIVE'],
  CONFIRMED: ['FALSE_POSITIVE', 'CLOSED'],
  FALSE_POSITIVE: ['CLOSED'],
  CLOSED: [],
};

export function canTransition(from: CaseStatus, to: CaseStatus): boolean {
  return STATUS_TRANSITIONS[from].includes(to);
}

export class InvalidTransitionError extends Error {
  public constructor(
    public readonly caseId: string,
    public readonly from: CaseStatus,
    public readonly to: CaseStatus,
  ) {
    const allowed = STATUS_TRANSITIONS[from];
    super(
      `case ${caseId} is ${from} and cannot become ${to}: ` +
        (allowed.length > 0 ? `allowed next statuses are ${allowed.join(', ')}` : `${from} is final`),
    );
    this.name = 'InvalidTransitionError';
  }
}
