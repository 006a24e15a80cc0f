import { createHash } from 'node:crypto';
import type { AuditEntry, CaseRecord } from './case-record';
import { sealDigest, unsealedFields, type SealableCase } from './case-seal';

/** prevHash of the opening entry (seq 0). */
export const GENESIS_HASH = '0'.repeat(64);

export const AUDIT_HASH_VERSION = 'cauterize-audit-v1';

/** Prefix of a sealed opening entry's hash input (chain v2): the v1 fields, then the seal digest. */
export const SEALED_AUDIT_HASH_VERSION = 'cauterize-audit-v2';

type HashedFields = Omit<AuditEntry, 'hash'>;

/**
 * The text an audit entry's hash covers. The Step Functions workflows build the same string with
 * States.Format and hash it with States.Hash(..., 'SHA-256'), so keep the two in step.
 *
 * v1: `cauterize-audit-v1|{caseId}|{seq}|{at}|{actor}|{action}|{fromStatus}|{toStatus}|{reason}|{prevHash}`;
 * an opening entry with a seal (v2): `cauterize-audit-v2|<the same nine fields>|{seal.digest}`.
 */
export function auditHashInput(entry: HashedFields): string {
  const seal = sealOf(entry);
  return [
    seal ? SEALED_AUDIT_HASH_VERSION : AUDIT_HASH_VERSION,
    entry.caseId,
    String(entry.seq),
    entry.at,
    entry.actor,
    entry.action,
    entry.fromStatus,
    entry.toStatus,
    entry.reason,
    entry.prevHash,
    ...(seal ? [seal.digest] : []),
  ].join('|');
}

/** The entry's seal when it has one (a digest); an empty seal map is a v1 opening. */
function sealOf(entry: Pick<AuditEntry, 'seal'>): AuditEntry['seal'] {
  return typeof entry.seal?.digest === 'string' ? entry.seal : undefined;
}

/** Lowercase hex SHA-256 of auditHashInput. */
export function auditHash(entry: HashedFields): string {
  return createHash('sha256').update(auditHashInput(entry), 'utf8').digest('hex');
}

/** Builds the entry that follows `previous` (or the opening entry), hash included. */
export function chainEntry(
  previous: Pick<AuditEntry, 'seq' | 'hash'> | undefined,
  fields: Omit<HashedFields, 'seq' | 'prevHash'>,
): AuditEntry {
  const unhashed: HashedFields = {
    ...fields,
    seq: previous ? previous.seq + 1 : 0,
    prevHash: previous ? previous.hash : GENESIS_HASH,
  };
  return { ...unhashed, hash: auditHash(unhashed) };
}

export interface ChainProblem {
  /** The entry at fault; -1 for the case item itself. */
  readonly seq: number;
  /** The CASE field at fault, when the case item's own fields no longer match their seal. */
  readonly field?: string;
  readonly problem: string;
}

export interface ChainVerification {
  readonly caseId: string;
  readonly ok: boolean;
  readonly entries: number;
  readonly lastHash: string;
  /**
   * Whether the opening entry seals the case's frozen fields (chain v2). A v1 case's own fields
   * (evidence, score, ...) are covered by nothing: only its audit entries are checked.
   */
  readonly sealed: boolean;
  readonly problems: readonly ChainProblem[];
}

/** The case item as verifyChain reads it: the chain tail, and (to check the seal) the frozen fields. */
export type VerifiedCase = Pick<CaseRecord, 'lastAuditSeq' | 'lastAuditHash' | 'status'> &
  Partial<Pick<CaseRecord, 'openedAt'>> &
  SealableCase;

/**
 * Checks an audit trail: every hash recomputes, every entry points at its predecessor's hash, seq
 * runs 0, 1, 2, ... without gaps, each entry starts from the status the previous one ended in,
 * and (given the case item) the tail matches the case's lastAuditSeq / lastAuditHash / status, so
 * an edited, deleted or truncated entry is detected. A sealed opening entry (chain v2) must match
 * its own seal digest, and the case item's frozen fields must still hash to what it sealed (each
 * field that does not is named), with openedAt equal to the opening entry's time.
 *
 * A chain rewritten whole (every hash recomputed) and a tail cut off together with the case's
 * pointers still pass here: only an anchor kept outside the table catches those (chain-anchor.ts).
 */
export function verifyChain(
  caseId: string,
  entries: readonly AuditEntry[],
  record?: VerifiedCase,
): ChainVerification {
  const problems: ChainProblem[] = [];
  const sorted = [...entries].sort((a, b) => a.seq - b.seq);
  if (sorted.length === 0)
    problems.push({ seq: 0, problem: 'no audit entries: the opening entry is missing' });
  let expectedPrev = GENESIS_HASH;
  let previous: AuditEntry | undefined;
  sorted.forEach((entry, index) => {
    if (entry.caseId !== caseId) {
      problems.push({ seq: entry.seq, problem: `belongs to case ${entry.caseId}` });
    }
    if (entry.seq !== index) {
      problems.push({
        seq: entry.seq,
        problem: `expected seq ${index}: entries ${index}..${entry.seq - 1} are missing (deleted?)`,
      });
    }
    if (entry.prevHash !== expectedPrev) {
      problems.push({ seq: entry.seq, problem: "prevHash does not match the previous entry's hash" });
    }
    if (!entry.hash) {
      problems.push({ seq: entry.seq, problem: 'has no hash' });
    } else if (auditHash(entry) !== entry.hash) {
      problems.push({ seq: entry.seq, problem: 'hash does not match its fields (edited?)' });
    }
    if (index === 0 && (entry.fromStatus !== 'NONE' || entry.action !== 'OPENED')) {
      problems.push({ seq: entry.seq, problem: 'the first entry must be OPENED from NONE' });
    }
    if (sealOf(entry) && index !== 0) {
      problems.push({ seq: entry.seq, problem: 'only the opening entry may carry a seal' });
    }
    if (index === 0 && sealOf(entry)) problems.push(...sealProblems(entry, record));
    if (previous && entry.fromStatus !== previous.toStatus) {
      problems.push({
        seq: entry.seq,
        problem: `starts from ${entry.fromStatus} but entry ${previous.seq} ended in ${previous.toStatus}`,
      });
    }
    expectedPrev = entry.hash;
    previous = entry;
  });
  if (record && previous) {
    if (record.lastAuditSeq !== previous.seq) {
      problems.push({
        seq: -1,
        problem: `case says the last entry is ${record.lastAuditSeq}, the trail ends at ${previous.seq}`,
      });
    }
    if (record.lastAuditHash && record.lastAuditHash !== previous.hash) {
      problems.push({ seq: -1, problem: "case's lastAuditHash does not match the last entry" });
    }
    if (record.status !== previous.toStatus) {
      problems.push({
        seq: -1,
        problem: `case status ${record.status} differs from the trail's ${previous.toStatus}`,
      });
    }
  }
  return {
    caseId,
    ok: problems.length === 0,
    entries: sorted.length,
    lastHash: previous?.hash ?? GENESIS_HASH,
    sealed: sorted[0] !== undefined && sealOf(sorted[0]) !== undefined,
    problems,
  };
}

function sealProblems(opening: AuditEntry, record: VerifiedCase | undefined): ChainProblem[] {
  const seal = sealOf(opening);
  if (!seal) return [];
  const problems: ChainProblem[] = [];
  if (typeof seal.fields !== 'object' || seal.fields === null) {
    return [{ seq: opening.seq, problem: 'the seal has no field hashes (edited?)' }];
  }
  if (sealDigest(seal.fields) !== seal.digest) {
    problems.push({
      seq: opening.seq,
      problem: 'sealed field hashes do not match the seal digest (edited?)',
    });
  }
  // Only a whole case item can be compared (a caller may pass just the chain tail).
  if (!record || record.caseId === undefined) return problems;
  for (const field of unsealedFields(record, seal.fields)) {
    problems.push({
      seq: -1,
      field,
      problem: `${field} differs from what entry ${opening.seq} sealed when the case was opened (edited?)`,
    });
  }
  if (record.openedAt !== undefined && record.openedAt !== opening.at) {
    problems.push({
      seq: -1,
      field: 'openedAt',
      problem: `openedAt ${record.openedAt} differs from the opening entry's time ${opening.at} (edited?)`,
    });
  }
  return problems;
}
