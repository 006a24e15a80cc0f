import {
  AUDIT_HASH_VERSION,
  GENESIS_HASH,
  SEALED_AUDIT_HASH_VERSION,
  type ChainVerification,
} from './audit-chain';
import type { CaseWithAudit } from './case-ports';
import type { AuditEntry, CaseRecord } from './case-record';

export const ARCHIVE_FORMAT = 'cauterize-case-archive/v1';

const HASHED_FIELDS = '{caseId}|{seq}|{at}|{actor}|{action}|{fromStatus}|{toStatus}|{reason}|{prevHash}';

/** The JSON document a closed case is archived as (documented in docs/cases.md). */
export interface CaseArchiveDocument {
  readonly format: typeof ARCHIVE_FORMAT;
  readonly archivedAt: string;
  readonly archivedBy: string;
  readonly retainUntil: string;
  readonly case: Omit<CaseRecord, 'archive'>;
  readonly audit: readonly AuditEntry[];
  readonly chain: {
    readonly algorithm: 'SHA-256';
    readonly hashInput: string;
    /** The hash input of a sealed opening entry (chain v2); `sealed` says whether this case has one. */
    readonly sealedOpeningHashInput: string;
    readonly sealed: boolean;
    readonly genesisPrevHash: string;
    readonly verified: boolean;
    readonly entries: number;
    readonly lastHash: string;
    readonly problems: ChainVerification['problems'];
  };
}

/**
 * Object key of a case's archive: by the month the case was opened, so that S3 Inventory and
 * lifecycle reports group naturally, e.g. `cases/2026/02/case-4490f5da7d8bb21052e96527-1.json`.
 */
export function archiveKey(record: Pick<CaseRecord, 'caseId' | 'openedAt'>): string {
  const opened = new Date(record.openedAt);
  const valid = !Number.isNaN(opened.getTime());
  const year = valid ? String(opened.getUTCFullYear()) : 'unknown';
  const month = valid ? String(opened.getUTCMonth() + 1).padStart(2, '0') : 'unknown';
  return `cases/${year}/${month}/${record.caseId}.json`;
}

export function archiveDocument(
  stored: CaseWithAudit,
  verification: ChainVerification,
  archivedAt: Date,
  archivedBy: string,
  retainUntil: Date,
): CaseArchiveDocument {
  const { archive: _archive, ...record } = stored.record;
  return {
    format: ARCHIVE_FORMAT,
    archivedAt: archivedAt.toISOString(),
    archivedBy,
    retainUntil: retainUntil.toISOString(),
    case: record,
    audit: stored.audit,
    chain: {
      algorithm: 'SHA-256',
      hashInput: `${AUDIT_HASH_VERSION}|${HASHED_FIELDS}`,
      sealedOpeningHashInput: `${SEALED_AUDIT_HASH_VERSION}|${HASHED_FIELDS}|{seal.digest}`,
      sealed: verification.sealed,
      genesisPrevHash: GENESIS_HASH,
      verified: verification.ok,
      entries: verification.entries,
      lastHash: verification.lastHash,
      problems: verification.problems,
    },
  };
}
