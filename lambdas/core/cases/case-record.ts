import { z } from 'zod';

/**
 * The compliance case record: the contract with compliance teams, and with the enforcement
 * workflows that open cases (they write the CASE item and AUDIT#0000 directly, per this layout).
 *
 * Cases table, partition key caseId, sort key sk:
 * - sk 'CASE': the case (CaseRecord);
 * - sk 'MEMBER#<accountId>': one per member of a cluster case, so the byAccount index finds it;
 * - sk 'AUDIT#0000', 'AUDIT#0001', ...: the append-only, hash-chained audit trail (AuditEntry).
 */

export const CASE_STATUSES = ['OPEN', 'UNDER_REVIEW', 'CONFIRMED', 'FALSE_POSITIVE', 'CLOSED'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];
export const caseStatusSchema = z.enum(CASE_STATUSES, {
  message: `expected one of ${CASE_STATUSES.join(', ')}`,
});

export const CASE_KINDS = ['account', 'cluster'] as const;
export type CaseKind = (typeof CASE_KINDS)[number];
export const caseKindSchema = z.enum(CASE_KINDS, { message: `expected one of ${CASE_KINDS.join(', ')}` });

/** What enforcement did when it opened the case. */
export const CASE_ACTIONS = ['review', 'throttle', 'verify', 'suspend'] as const;
export type CaseAction = (typeof CASE_ACTIONS)[number];

/** `fromStatus` of the opening audit entry. */
export const NO_STATUS = 'NONE';

/** Case ids as the scorer makes them: `case-<account digest>-<crossing>` (also `-k<tag>`, `-r1`). */
export const CASE_ID_PATTERN = /^case-[0-9a-z][0-9a-z-]{0,126}$/;
export const caseIdSchema = z
  .string()
  .regex(CASE_ID_PATTERN, { message: 'expected a case id like case-4490f5da7d8bb21052e96527-1' });

/** Who did something: an IAM principal ARN, a user name or a workflow name. */
export const actorSchema = z
  .string()
  .trim()
  .min(1, { message: 'expected who is acting (a user or role name), not empty' })
  .max(256, { message: 'expected at most 256 characters' });

export const reasonSchema = z
  .string()
  .trim()
  .min(3, { message: 'expected a reason of at least 3 characters: say why, it goes into the audit trail' })
  .max(2000, { message: 'expected at most 2000 characters' });

export const isoTimestampSchema = z.iso.datetime({
  offset: true,
  message: 'expected an ISO-8601 timestamp, e.g. 2026-02-03T14:05:09Z',
});

export const noteSchema = z.object({ at: z.string(), actor: z.string(), text: z.string() }).strict();
export type CaseNote = z.infer<typeof noteSchema>;

/** Where a closed case was archived (set by the ARCHIVED audit entry). */
export const archiveLocationSchema = z
  .object({ bucket: z.string(), key: z.string(), versionId: z.string().optional(), retainUntil: z.string() })
  .strict();
export type ArchiveLocation = z.infer<typeof archiveLocationSchema>;

export interface CaseRecord {
  readonly caseId: string;
  readonly kind: CaseKind;
  /** Account cases: the account (the byAccount index key). Absent on cluster cases. */
  readonly accountId?: string;
  /** Every account involved. */
  readonly accountIds: readonly string[];
  /** Cluster cases only. */
  readonly clusterId?: string;
  readonly status: CaseStatus;
  readonly action?: CaseAction;
  readonly openedAt: string;
  readonly updatedAt: string;
  readonly riskScore: number;
  readonly policyVersion: string;
  /** Event time of the event that crossed the threshold. */
  readonly triggeredAt: string;
  /** Frozen at opening: signals with values and thresholds, cluster edges, sample event ids, score history. */
  readonly evidence: Record<string, unknown>;
  readonly openedBy: string;
  readonly assignee?: string;
  readonly notes: readonly CaseNote[];
  /** Sequence number of the latest audit entry (0: only the opening entry). */
  readonly lastAuditSeq: number;
  readonly lastAuditHash: string;
  readonly archive?: ArchiveLocation;
}

/** What an opening audit entry seals of its case (see case-seal.ts). */
export interface OpeningSeal {
  /** SHA-256 of the canonical `fields` map: part of the opening entry's hash (chain v2). */
  readonly digest: string;
  /** SHA-256 of each sealed CASE field's canonical JSON, by field name. */
  readonly fields: Readonly<Record<string, string>>;
}

export interface AuditEntry {
  readonly caseId: string;
  readonly seq: number;
  readonly at: string;
  readonly actor: string;
  /** OPENED, STATUS_CHANGED, ASSIGNED, NOTE_ADDED, REINSTATED, ARCHIVED, ... */
  readonly action: string;
  readonly reason: string;
  readonly fromStatus: CaseStatus | typeof NO_STATUS;
  readonly toStatus: CaseStatus;
  readonly prevHash: string;
  readonly hash: string;
  /**
   * Opening entries of chain v2 only: the seal of the case's frozen fields. Stored as
   * `seal: { digest, fields: <JSON string> }`; absent (or an empty map) on v1 openings and on every
   * later entry.
   */
  readonly seal?: OpeningSeal;
}

export const CASE_SK = 'CASE';
export const MEMBER_SK_PREFIX = 'MEMBER#';
export const AUDIT_SK_PREFIX = 'AUDIT#';

/** 'AUDIT#0000' for seq 0; wider numbers keep their digits (and their order up to 9999). */
export function auditSortKey(seq: number): string {
  return `${AUDIT_SK_PREFIX}${String(seq).padStart(4, '0')}`;
}

const str = z.string();
const storedCaseSchema = z.object({
  caseId: str,
  sk: z.literal(CASE_SK),
  kind: caseKindSchema.default('account'),
  accountId: str.optional(),
  accountIds: z.array(str).optional(),
  clusterId: str.optional(),
  status: caseStatusSchema,
  action: z.enum(CASE_ACTIONS).optional(),
  openedAt: str,
  updatedAt: str.optional(),
  riskScore: z.number(),
  policyVersion: str,
  triggeredAt: str.default(''),
  evidence: z.union([str, z.record(z.string(), z.unknown())]).default('{}'),
  openedBy: str.default('unknown'),
  assignee: str.optional(),
  notes: z.array(noteSchema).default([]),
  lastAuditSeq: z.number().int().min(0).optional(),
  lastAuditHash: str.optional(),
  archive: archiveLocationSchema.optional(),
});

const storedAuditSchema = z.object({
  caseId: str,
  seq: z.number().int().min(0).optional(),
  sk: z.string().startsWith(AUDIT_SK_PREFIX),
  at: str,
  actor: str,
  action: str,
  reason: str.default(''),
  fromStatus: z.union([caseStatusSchema, z.literal(NO_STATUS)]),
  toStatus: caseStatusSchema,
  prevHash: str.default(''),
  hash: str.default(''),
  // An empty map: a workflow opening from an input without a seal (a scorer older than chain v2).
  seal: z
    .object({ digest: str.optional(), fields: z.union([str, z.record(str, str)]).optional() })
    .optional(),
});

const sealFieldsSchema = z.record(z.string(), z.string());

/** Thrown when a stored item does not have the contract's shape. */
export class MalformedCaseItemError extends Error {
  public constructor(
    public readonly caseId: string,
    public readonly sk: string,
    problems: readonly string[],
  ) {
    super(`case item ${caseId} ${sk} does not match the case record contract: ${problems.join('; ')}`);
    this.name = 'MalformedCaseItemError';
  }
}

function problemsOf(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.join('.') || '(item)'}: ${issue.message}`);
}

/**
 * Reads a CASE item. Fields the first enforcement workflows did not write get their contract
 * defaults (accountIds = [accountId], updatedAt = openedAt, no notes, lastAuditSeq 0).
 */
export function caseFromItem(item: Record<string, unknown>): CaseRecord {
  const parsed = storedCaseSchema.safeParse(item);
  if (!parsed.success) {
    throw new MalformedCaseItemError(String(item.caseId), String(item.sk), problemsOf(parsed.error));
  }
  const c = parsed.data;
  let evidence: Record<string, unknown>;
  if (typeof c.evidence === 'string') {
    try {
      evidence = JSON.parse(c.evidence) as Record<string, unknown>;
    } catch {
      throw new MalformedCaseItemError(c.caseId, c.sk, ['evidence: not valid JSON']);
    }
  } else {
    evidence = c.evidence;
  }
  return {
    caseId: c.caseId,
    kind: c.kind,
    ...(c.accountId !== undefined ? { accountId: c.accountId } : {}),
    accountIds: c.accountIds ?? (c.accountId !== undefined ? [c.accountId] : []),
    ...(c.clusterId !== undefined ? { clusterId: c.clusterId } : {}),
    status: c.status,
    ...(c.action !== undefined ? { action: c.action } : {}),
    openedAt: c.openedAt,
    updatedAt: c.updatedAt ?? c.openedAt,
    riskScore: c.riskScore,
    policyVersion: c.policyVersion,
    triggeredAt: c.triggeredAt,
    evidence,
    openedBy: c.openedBy,
    ...(c.assignee !== undefined ? { assignee: c.assignee } : {}),
    notes: c.notes,
    lastAuditSeq: c.lastAuditSeq ?? 0,
    lastAuditHash: c.lastAuditHash ?? '',
    ...(c.archive !== undefined ? { archive: c.archive } : {}),
  };
}

/** The CASE item as stored: evidence as a JSON string. */
export function caseToItem(record: CaseRecord): Record<string, unknown> {
  return { ...record, sk: CASE_SK, evidence: JSON.stringify(record.evidence) };
}

export function auditFromItem(item: Record<string, unknown>): AuditEntry {
  const parsed = storedAuditSchema.safeParse(item);
  if (!parsed.success) {
    throw new MalformedCaseItemError(String(item.caseId), String(item.sk), problemsOf(parsed.error));
  }
  const { sk, seq, seal, ...entry } = parsed.data;
  const resolvedSeq = seq ?? Number(sk.slice(AUDIT_SK_PREFIX.length));
  if (seal?.digest === undefined) return { ...entry, seq: resolvedSeq };
  let fields: unknown = seal.fields ?? {};
  if (typeof fields === 'string') {
    try {
      fields = JSON.parse(fields);
    } catch {
      throw new MalformedCaseItemError(entry.caseId, sk, ['seal.fields: not valid JSON']);
    }
  }
  const parsedFields = sealFieldsSchema.safeParse(fields);
  if (!parsedFields.success) {
    throw new MalformedCaseItemError(entry.caseId, sk, problemsOf(parsedFields.error));
  }
  return { ...entry, seq: resolvedSeq, seal: { digest: seal.digest, fields: parsedFields.data } };
}

/** The audit item as stored: a seal's field hashes as a JSON string, as the workflows write them. */
export function auditToItem(entry: AuditEntry): Record<string, unknown> {
  const { seal, ...rest } = entry;
  return {
    ...rest,
    sk: auditSortKey(entry.seq),
    ...(seal ? { seal: { digest: seal.digest, fields: JSON.stringify(seal.fields) } } : {}),
  };
}
