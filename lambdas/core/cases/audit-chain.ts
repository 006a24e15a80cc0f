import { createHash } from 'node:crypto';
import type { AuditEntry, CaseRecord } from './case-record';

/** prevHash of the opening entry (seq 0). */
export const GENESIS_HASH = '0'.repeat(64);

export const AUDIT_HASH_VERSION = 'cauterize-audit-v1';

type HashedFields = Omit<AuditEntry, 'hash'>;

/**
 * The text an audit entry's hash covers. The Step Functions workflows build the same string with
 * States.Format and hash it with States.Hash(..., 'SHA-256'), so keep the two in step.
 */
export function auditHashInput(entry: HashedFields): string {
  return [
    AUDIT_HASH_VERSION,
    entry.caseId,
    String(entry.seq),
    entry.at,
    entry.actor,
    entry.action,
    entry.fromStatus,
    entry.toStatus,
    entry.reason,
    entry.prevHash,
  ].join('|');
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
  readonly problem: string;
}

export interface ChainVerification {
  readonly caseId: string;
  readonly ok: boolean;
  readonly entries: number;
  readonly lastHash: string;
  readonly problems: readonly ChainProblem[];
}

/**
 * Checks an audit trail: every hash recomputes, every entry points at its predecessor's hash, seq
 * runs 0, 1, 2, ... without gaps, each entry starts from the status the previous one ended in,
 * and (given the case item) the tail matches the case's lastAuditSeq / lastAuditHash / status, so
 * an edited, deleted or truncated entry is detected.
 */
export function verifyChain(
  caseId: string,
  entries: readonly AuditEntry[],
  record?: Pick<CaseRecord, 'lastAuditSeq' | 'lastAuditHash' | 'status'>,
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
    problems,
  };
}
