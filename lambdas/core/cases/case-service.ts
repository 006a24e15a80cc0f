import type { Clock } from '../ports';
import { chainEntry, GENESIS_HASH, verifyChain, type ChainVerification } from './audit-chain';
import { checkAgainstAnchor, type AnchorStanding, type LoadedAnchor } from './chain-anchor';
import { archiveDocument, archiveKey } from './case-archive-document';
import {
  AuditConflictError,
  CaseNotFoundError,
  StaleCaseError,
  type CaseArchive,
  type CaseChanges,
  type CaseEventPublisher,
  type CaseStore,
  type CaseWithAudit,
  type NewCase,
} from './case-ports';
import {
  assignmentSchema,
  caseFilterSchema,
  noteInputSchema,
  pageRequestSchema,
  parseInput,
  statusChangeSchema,
  type CaseFilter,
  type CasePage,
} from './case-query';
import {
  actorSchema,
  caseIdSchema,
  NO_STATUS,
  type ArchiveLocation,
  type AuditEntry,
  type CaseRecord,
} from './case-record';
import { caseSeal } from './case-seal';
import { canTransition, InvalidTransitionError } from './status-transitions';

export interface CaseServiceDependencies {
  readonly store: CaseStore;
  readonly clock: Clock;
  /** Receives CaseUpdated after every status change. @default - no events */
  readonly events?: CaseEventPublisher;
  /** Attempts of a change that loses a race with another writer. @default 5 */
  readonly maxAttempts?: number;
}

export interface CaseDetail extends CaseWithAudit {
  readonly verification: ChainVerification;
}

export interface AnchoredVerification extends ChainVerification {
  /** How the case stands against the anchor given; 'no-anchor' when none was. */
  readonly anchor: AnchorStanding | 'no-anchor';
}

export interface ChangeOutcome {
  readonly record: CaseRecord;
  readonly entry: AuditEntry;
  /** false when the same change had already been made (a retried request): nothing was written. */
  readonly changed: boolean;
}

export type ArchiveOutcome =
  | { readonly outcome: 'archived'; readonly location: ArchiveLocation; readonly verified: boolean }
  | { readonly outcome: 'already-archived'; readonly location: ArchiveLocation }
  | { readonly outcome: 'not-closed'; readonly status: CaseRecord['status'] };

/** A change to make, decided from the case as it is now. */
interface PlannedChange {
  readonly fields: Omit<AuditEntry, 'caseId' | 'seq' | 'prevHash' | 'hash' | 'at'>;
  readonly changes: CaseChanges;
}

/**
 * The case use cases, over ports: list and read cases, change status, assign, annotate, verify
 * the audit chain, archive. Every change is one hash-chained audit entry appended with a
 * conditional write; a lost race is retried from a fresh read.
 */
export class CaseService {
  private readonly maxAttempts: number;

  public constructor(private readonly deps: CaseServiceDependencies) {
    this.maxAttempts = deps.maxAttempts ?? 5;
  }

  /** One page of cases. `filter` and `page` are validated (CaseValidationError names the field). */
  public async list(filter: unknown, page: unknown = {}): Promise<CasePage> {
    return this.deps.store.list(parseInput(caseFilterSchema, filter), parseInput(pageRequestSchema, page));
  }

  /** Every matching case, page by page: memory stays bounded by the page size. */
  public async *iterate(filter: unknown, pageSize = 500): AsyncGenerator<CaseRecord> {
    const parsed: CaseFilter = parseInput(caseFilterSchema, filter);
    let nextToken: string | undefined;
    do {
      const page = await this.deps.store.list(parsed, { limit: pageSize, nextToken });
      yield* page.cases;
      nextToken = page.nextToken;
    } while (nextToken !== undefined);
  }

  /** A case with its audit trail and the trail's verification. */
  public async get(caseId: string): Promise<CaseDetail> {
    const stored = await this.load(caseId);
    return { ...stored, verification: verifyChain(stored.record.caseId, stored.audit, stored.record) };
  }

  public async verify(caseId: string): Promise<ChainVerification> {
    return (await this.get(caseId)).verification;
  }

  /**
   * The chain's verification, and the case checked against an anchor of the chain heads (the
   * newest one, kept outside the table): a truncated, rolled-back or rewritten trail, or a deleted
   * case, contradicts it. A case the anchor does not list is checked by its chain alone.
   */
  public async verifyAnchored(caseIdInput: string, anchor?: LoadedAnchor): Promise<AnchoredVerification> {
    const caseId = parseInput(caseIdSchema, caseIdInput);
    const stored = await this.deps.store.getWithAudit(caseId);
    const head = anchor?.heads.get(caseId);
    if (!stored) {
      if (!anchor || !head) throw new CaseNotFoundError(caseId);
      const check = checkAgainstAnchor(undefined, head, anchor.document);
      return {
        caseId,
        ok: false,
        entries: 0,
        lastHash: GENESIS_HASH,
        sealed: false,
        problems: check.problems,
        anchor: check.standing,
      };
    }
    const chain = verifyChain(stored.record.caseId, stored.audit, stored.record);
    if (!anchor) return { ...chain, anchor: 'no-anchor' };
    const check = checkAgainstAnchor(stored, head, anchor.document);
    const problems = [...chain.problems, ...check.problems];
    return { ...chain, ok: problems.length === 0, problems, anchor: check.standing };
  }

  public async changeStatus(caseId: string, input: unknown, actorInput: string): Promise<ChangeOutcome> {
    const change = parseInput(statusChangeSchema, input);
    const actor = parseInput(actorSchema, actorInput);
    const outcome = await this.applyChange(caseId, (current) => {
      const { record, audit } = current;
      if (change.expectedStatus !== undefined && record.status !== change.expectedStatus) {
        // A retry of a change that already went through sees its own result: not stale.
        if (!isRepeat(audit, change.status, actor, change.reason)) {
          throw new StaleCaseError(record.caseId, change.expectedStatus, record.status);
        }
      }
      if (record.status === change.status && isRepeat(audit, change.status, actor, change.reason)) {
        return undefined;
      }
      if (!canTransition(record.status, change.status)) {
        throw new InvalidTransitionError(record.caseId, record.status, change.status);
      }
      return {
        fields: {
          actor,
          action: 'STATUS_CHANGED',
          reason: change.reason,
          fromStatus: record.status,
          toStatus: change.status,
        },
        changes: { status: change.status },
      };
    });
    // Published on repeats too: the first attempt may have failed between the write and the event.
    if (this.deps.events && outcome.entry.action === 'STATUS_CHANGED') {
      await this.deps.events.caseUpdated({
        caseId: outcome.record.caseId,
        kind: outcome.record.kind,
        accountIds: outcome.record.accountIds,
        fromStatus: outcome.entry.fromStatus === 'NONE' ? outcome.entry.toStatus : outcome.entry.fromStatus,
        toStatus: outcome.entry.toStatus,
        actor: outcome.entry.actor,
        reason: outcome.entry.reason,
        at: outcome.entry.at,
        policyVersion: outcome.record.policyVersion,
      });
    }
    return outcome;
  }

  public async assign(caseId: string, input: unknown, actorInput: string): Promise<ChangeOutcome> {
    const { assignee, reason } = parseInput(assignmentSchema, input);
    const actor = parseInput(actorSchema, actorInput);
    return this.applyChange(caseId, ({ record }) => ({
      fields: {
        actor,
        action: 'ASSIGNED',
        // The assignee is in the hashed reason, so the trail alone says who held the case.
        reason: `assigned to ${assignee}${reason ? `: ${reason}` : ''}`,
        fromStatus: record.status,
        toStatus: record.status,
      },
      changes: { assignee },
    }));
  }

  public async addNote(caseId: string, input: unknown, actorInput: string): Promise<ChangeOutcome> {
    const { text } = parseInput(noteInputSchema, input);
    const actor = parseInput(actorSchema, actorInput);
    return this.applyChange(caseId, ({ record }) => ({
      // The note text is the entry's reason: notes are covered by the hash chain too.
      fields: {
        actor,
        action: 'NOTE_ADDED',
        reason: text,
        fromStatus: record.status,
        toStatus: record.status,
      },
      changes: { note: { at: '', actor, text } },
    }));
  }

  /**
   * Archives a CLOSED case: the case, its audit trail and the trail's verification as one JSON
   * document under Object Lock until now + retentionDays, then an ARCHIVED audit entry naming
   * the object. Safe to repeat: an archived case, or an object already in place, is not rewritten.
   */
  public async archive(
    caseId: string,
    archive: CaseArchive,
    retentionDays: number,
    actorInput: string,
  ): Promise<ArchiveOutcome> {
    const actor = parseInput(actorSchema, actorInput);
    const stored = await this.load(caseId);
    const { record } = stored;
    if (record.archive) return { outcome: 'already-archived', location: record.archive };
    if (record.status !== 'CLOSED') return { outcome: 'not-closed', status: record.status };
    const now = this.deps.clock.now();
    const retainUntil = new Date(now.getTime() + retentionDays * 86_400_000);
    const verification = verifyChain(record.caseId, stored.audit, record);
    const document = archiveDocument(stored, verification, now, actor, retainUntil);
    const put = await archive.put(archiveKey(record), JSON.stringify(document, null, 2), retainUntil);
    const location: ArchiveLocation = {
      bucket: put.bucket,
      key: put.key,
      ...(put.versionId !== undefined ? { versionId: put.versionId } : {}),
      retainUntil: retainUntil.toISOString(),
    };
    const appended = await this.applyChange(caseId, (current) =>
      current.record.archive
        ? undefined
        : {
            fields: {
              actor,
              action: 'ARCHIVED',
              reason:
                `archived to s3://${location.bucket}/${location.key}` +
                (location.versionId ? ` (version ${location.versionId})` : '') +
                `, retained until ${location.retainUntil}`,
              fromStatus: current.record.status,
              toStatus: current.record.status,
            },
            changes: { archive: location },
          },
    );
    if (!appended.changed) {
      return { outcome: 'already-archived', location: appended.record.archive ?? location };
    }
    return { outcome: 'archived', location, verified: verification.ok };
  }

  private async load(caseIdInput: string): Promise<CaseWithAudit> {
    const caseId = parseInput(caseIdSchema, caseIdInput);
    const stored = await this.deps.store.getWithAudit(caseId);
    if (!stored) throw new CaseNotFoundError(caseId);
    return stored;
  }

  /**
   * Reads the case, plans the change from what it finds and appends it; on a lost race, reads
   * again and re-plans. `plan` returning undefined means "already done".
   */
  private async applyChange(
    caseId: string,
    plan: (current: CaseWithAudit) => PlannedChange | undefined,
  ): Promise<ChangeOutcome> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.repaired(await this.load(caseId));
      const planned = plan(current);
      const last = current.audit[current.audit.length - 1];
      if (planned === undefined) {
        if (!last) throw new CaseNotFoundError(caseId);
        return { record: current.record, entry: last, changed: false };
      }
      const at = this.deps.clock.now().toISOString();
      const entry = chainEntry(last ? { seq: current.record.lastAuditSeq, hash: last.hash } : undefined, {
        caseId: current.record.caseId,
        at,
        ...planned.fields,
      });
      const changes: CaseChanges = planned.changes.note
        ? { ...planned.changes, note: { ...planned.changes.note, at } }
        : planned.changes;
      try {
        await this.deps.store.append(entry, changes);
      } catch (error) {
        if (error instanceof AuditConflictError && attempt < this.maxAttempts) continue;
        throw error;
      }
      return { record: applyChanges(current.record, entry, changes), entry, changed: true };
    }
  }

  /**
   * An entry written whose case update never landed (the writer stopped in between) is the
   * source of truth: roll the case forward to it before planning anything new.
   */
  private async repaired(current: CaseWithAudit): Promise<CaseWithAudit> {
    let { record } = current;
    for (const orphan of current.audit.filter((e) => e.seq > record.lastAuditSeq)) {
      if (orphan.seq !== record.lastAuditSeq + 1) break;
      const changes: CaseChanges = orphan.toStatus !== record.status ? { status: orphan.toStatus } : {};
      await this.deps.store.append(orphan, changes);
      record = applyChanges(record, orphan, changes);
    }
    return { record, audit: current.audit };
  }
}

function isRepeat(
  audit: readonly AuditEntry[],
  toStatus: CaseRecord['status'],
  actor: string,
  reason: string,
): boolean {
  const last = audit[audit.length - 1];
  return (
    last !== undefined &&
    last.action === 'STATUS_CHANGED' &&
    last.toStatus === toStatus &&
    last.actor === actor &&
    last.reason === reason
  );
}

/** The case as the store holds it after `append(entry, changes)`. */
export function applyChanges(record: CaseRecord, entry: AuditEntry, changes: CaseChanges): CaseRecord {
  return {
    ...record,
    ...(changes.status !== undefined ? { status: changes.status } : {}),
    ...(changes.assignee !== undefined ? { assignee: changes.assignee } : {}),
    ...(changes.archive !== undefined ? { archive: changes.archive } : {}),
    notes: changes.note ? [...record.notes, changes.note] : record.notes,
    updatedAt: entry.at,
    lastAuditSeq: entry.seq,
    lastAuditHash: entry.hash,
  };
}

export interface OpenCaseInput {
  readonly caseId: string;
  readonly kind: CaseRecord['kind'];
  readonly accountIds: readonly string[];
  readonly clusterId?: string;
  readonly action?: CaseRecord['action'];
  readonly openedAt: string;
  readonly riskScore: number;
  readonly policyVersion: string;
  readonly triggeredAt: string;
  readonly evidence: Record<string, unknown>;
  readonly openedBy: string;
  /** @default 'risk score crossed the suspend threshold' */
  readonly reason?: string;
}

/**
 * A new OPEN case with its opening audit entry, exactly as the enforcement workflows write them
 * (account cases carry accountId; cluster cases carry clusterId and get member items). The opening
 * entry seals the case's frozen fields (chain v2), unless `v1Opening` asks for the older form.
 */
export function newCase(input: OpenCaseInput & { readonly v1Opening?: boolean }): NewCase {
  const [first] = input.accountIds;
  const frozen = {
    caseId: input.caseId,
    kind: input.kind,
    ...(input.kind === 'account' && first !== undefined ? { accountId: first } : {}),
    accountIds: [...input.accountIds],
    ...(input.clusterId !== undefined ? { clusterId: input.clusterId } : {}),
    ...(input.action !== undefined ? { action: input.action } : {}),
    riskScore: input.riskScore,
    policyVersion: input.policyVersion,
    triggeredAt: input.triggeredAt,
    evidence: input.evidence,
    openedBy: input.openedBy,
  } satisfies Partial<CaseRecord>;
  const opening = chainEntry(undefined, {
    caseId: input.caseId,
    at: input.openedAt,
    actor: input.openedBy,
    action: 'OPENED',
    reason: input.reason ?? 'risk score crossed the suspend threshold',
    fromStatus: NO_STATUS,
    toStatus: 'OPEN',
    ...(input.v1Opening ? {} : { seal: caseSeal(frozen) }),
  });
  const record: CaseRecord = {
    ...frozen,
    status: 'OPEN',
    openedAt: input.openedAt,
    updatedAt: input.openedAt,
    notes: [],
    lastAuditSeq: 0,
    lastAuditHash: opening.hash,
  };
  return { record, opening };
}
