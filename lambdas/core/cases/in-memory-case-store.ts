import {
  AuditConflictError,
  type CaseChanges,
  type CaseStore,
  type CaseWithAudit,
  type NewCase,
} from './case-ports';
import {
  CaseValidationError,
  matchesFilter,
  type CaseFilter,
  type CasePage,
  type PageRequest,
} from './case-query';
import type { AuditEntry, CaseRecord } from './case-record';
import { applyChanges } from './case-service';

/**
 * Cases in memory, with the DynamoDB store's semantics (conditional appends, opaque page tokens),
 * for unit tests of the core and for the in-memory engine.
 */
export class InMemoryCaseStore implements CaseStore {
  private readonly cases = new Map<string, CaseRecord>();
  private readonly audits = new Map<string, AuditEntry[]>();

  public async get(caseId: string): Promise<CaseRecord | undefined> {
    return this.cases.get(caseId);
  }

  public async getWithAudit(caseId: string): Promise<CaseWithAudit | undefined> {
    const record = this.cases.get(caseId);
    return record ? { record, audit: [...(this.audits.get(caseId) ?? [])] } : undefined;
  }

  public async list(filter: CaseFilter, page: PageRequest): Promise<CasePage> {
    const matching = [...this.cases.values()]
      .filter((c) => matchesFilter(c, filter))
      .sort((a, b) => a.openedAt.localeCompare(b.openedAt) || a.caseId.localeCompare(b.caseId));
    let start = 0;
    if (page.nextToken !== undefined) {
      start = Number(page.nextToken);
      if (!Number.isInteger(start) || start < 0) {
        throw new CaseValidationError(['nextToken: not a token from a previous page: start without it']);
      }
    }
    const cases = matching.slice(start, start + page.limit);
    const end = start + cases.length;
    return end < matching.length ? { cases, nextToken: String(end) } : { cases };
  }

  public async append(entry: AuditEntry, changes: CaseChanges): Promise<void> {
    const record = this.cases.get(entry.caseId);
    const audit = this.audits.get(entry.caseId) ?? [];
    const existing = audit.find((e) => e.seq === entry.seq);
    if (!record || (existing && existing.hash !== entry.hash)) {
      throw new AuditConflictError(entry.caseId, entry.seq);
    }
    if (!existing) audit.push(entry);
    this.audits.set(entry.caseId, audit);
    if (record.lastAuditSeq !== entry.seq - 1) throw new AuditConflictError(entry.caseId, entry.seq);
    this.cases.set(entry.caseId, applyChanges(record, entry, changes));
  }

  public async create(cases: readonly NewCase[]): Promise<void> {
    for (const { record, opening } of cases) {
      if (this.cases.has(record.caseId)) continue;
      this.cases.set(record.caseId, record);
      this.audits.set(record.caseId, [opening]);
    }
  }

  /** Replaces a stored audit entry as-is: lets tests play the part of someone tampering. */
  public tamper(caseId: string, seq: number, edit: (entry: AuditEntry) => AuditEntry | undefined): void {
    const audit = this.audits.get(caseId) ?? [];
    const index = audit.findIndex((e) => e.seq === seq);
    const entry = audit[index];
    if (!entry) throw new Error(`no audit entry ${seq} in case ${caseId}`);
    const edited = edit(entry);
    if (edited) audit[index] = edited;
    else audit.splice(index, 1);
  }
}
