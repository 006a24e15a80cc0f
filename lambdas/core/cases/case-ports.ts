import type { CaseFilter, CasePage, PageRequest } from './case-query';
import type { ArchiveLocation, AuditEntry, CaseNote, CaseRecord, CaseStatus } from './case-record';
import type { PublishedDetail } from '../events';

/** A case with everything stored under it. */
export interface CaseWithAudit {
  readonly record: CaseRecord;
  /** Audit entries in seq order. */
  readonly audit: readonly AuditEntry[];
}

/** What an audit entry changes on the CASE item, besides lastAuditSeq / lastAuditHash / updatedAt. */
export interface CaseChanges {
  readonly status?: CaseStatus;
  readonly assignee?: string;
  readonly note?: CaseNote;
  readonly archive?: ArchiveLocation;
}

/** A new case: the CASE item, its opening entry and, for cluster cases, its member items. */
export interface NewCase {
  readonly record: CaseRecord;
  readonly opening: AuditEntry;
}

/** Case storage; implemented over DynamoDB and in memory. */
export interface CaseStore {
  /** The case item (strongly consistent), or undefined. */
  get(caseId: string): Promise<CaseRecord | undefined>;
  /** The case with its audit trail (strongly consistent), or undefined. */
  getWithAudit(caseId: string): Promise<CaseWithAudit | undefined>;
  /** One page of cases matching the filter. Pages may be short; only the last has no nextToken. */
  list(filter: CaseFilter, page: PageRequest): Promise<CasePage>;
  /**
   * Appends `entry` (seq n+1) and applies `changes` to the case, only if the case's latest entry
   * is still n: puts the entry if its seq is free, then updates the case on lastAuditSeq = n.
   * Throws AuditConflictError when another writer got there first.
   */
  append(entry: AuditEntry, changes: CaseChanges): Promise<void>;
  /**
   * Writes new cases with conditional puts (an existing case is left alone). The enforcement
   * workflows open cases themselves; this serves imports, tests and local seeding.
   */
  create(cases: readonly NewCase[]): Promise<void>;
}

/** Closed cases, as immutable documents (S3 with Object Lock). */
export interface CaseArchive {
  /**
   * Stores the document under `key`, retained until `retainUntil`, never overwriting: an object
   * already at `key` reports alreadyArchived.
   */
  put(key: string, document: string, retainUntil: Date): Promise<ArchivePutResult>;
}

export interface ArchivePutResult {
  readonly bucket: string;
  readonly key: string;
  readonly versionId?: string;
  readonly alreadyArchived: boolean;
}

/** detail of the CaseUpdated event, as its schema in events.ts says. */
export type CaseUpdatedDetail = PublishedDetail<'CaseUpdated'>;

export interface CaseEventPublisher {
  caseUpdated(detail: CaseUpdatedDetail): Promise<void>;
}

export class CaseNotFoundError extends Error {
  public constructor(public readonly caseId: string) {
    super(`case ${caseId} does not exist: check the id (cauterize cases list shows them)`);
    this.name = 'CaseNotFoundError';
  }
}

/** Another change was appended to the case between reading it and writing. */
export class AuditConflictError extends Error {
  public constructor(
    public readonly caseId: string,
    public readonly seq: number,
    options?: ErrorOptions,
  ) {
    super(
      `case ${caseId} changed while audit entry ${seq} was being written: read it again and retry`,
      options,
    );
    this.name = 'AuditConflictError';
  }
}

/** The case moved on since the caller looked (expectedStatus no longer holds). */
export class StaleCaseError extends Error {
  public constructor(
    public readonly caseId: string,
    public readonly expected: CaseStatus,
    public readonly actual: CaseStatus,
  ) {
    super(`case ${caseId} is ${actual}, not ${expected}: reload it and decide again`);
    this.name = 'StaleCaseError';
  }
}
