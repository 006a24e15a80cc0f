import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { ChainProblem } from './audit-chain';
import type { CaseWithAudit } from './case-ports';
import { CASE_STATUSES, type CaseRecord } from './case-record';
import { canonicalJson } from './case-seal';

/**
 * Chain anchors: the heads of every case's audit chain (caseId, lastAuditSeq, lastAuditHash,
 * status), written periodically outside the cases table, to the archive bucket under S3 Object
 * Lock (COMPLIANCE). A hash chain alone cannot show that its newest entries were deleted together
 * with the case's pointers, or that the whole chain was recomputed; the table checked against an
 * anchor it cannot rewrite can: every anchored entry must still be there with its anchored hash.
 */

export const ANCHOR_FORMAT = 'cauterize-chain-anchor/v1';

/** Folder of the anchors in the archive bucket (or in a local stand-in folder). */
export const ANCHOR_PREFIX = 'anchors/';

/** The latest entry of one case's audit chain, as the CASE item points at it. */
export interface ChainHead {
  readonly caseId: string;
  readonly lastAuditSeq: number;
  readonly lastAuditHash: string;
  readonly status: CaseRecord['status'];
}

const headSchema = z
  .object({
    caseId: z.string().min(1),
    lastAuditSeq: z.number().int().min(0),
    lastAuditHash: z.string(),
    status: z.enum(CASE_STATUSES),
  })
  .strict();

const anchorSchema = z
  .object({
    format: z.literal(ANCHOR_FORMAT),
    /** When the read of the table started: every case opened and anchored before it is listed. */
    anchoredAt: z.iso.datetime({ offset: true }),
    anchoredBy: z.string(),
    /** The table the heads were read from. */
    table: z.string(),
    /** The anchor before this one, when there was one: its key and the SHA-256 of its bytes. */
    previous: z.object({ key: z.string(), sha256: z.string() }).strict().optional(),
    count: z.number().int().min(0),
    /** SHA-256 of the canonical JSON (RFC 8785) of `heads`. */
    headsDigest: z.string(),
    /** One per case, by caseId. */
    heads: z.array(headSchema),
  })
  .strict();

export type ChainAnchorDocument = z.infer<typeof anchorSchema>;

/** Thrown when an anchor document is not one, or its heads do not match its digest. */
export class InvalidAnchorError extends Error {
  public constructor(
    public readonly key: string,
    problem: string,
  ) {
    super(`anchor ${key} is not a valid ${ANCHOR_FORMAT} document: ${problem}`);
    this.name = 'InvalidAnchorError';
  }
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** The anchor document of these heads, read from `table` starting at `anchoredAt`. */
export function anchorDocument(options: {
  readonly heads: readonly ChainHead[];
  readonly anchoredAt: Date;
  readonly anchoredBy: string;
  readonly table: string;
  readonly previous?: { readonly key: string; readonly sha256: string };
}): ChainAnchorDocument {
  const heads = [...options.heads]
    .map(({ caseId, lastAuditSeq, lastAuditHash, status }) => ({
      caseId,
      lastAuditSeq,
      lastAuditHash,
      status,
    }))
    .sort((a, b) => (a.caseId < b.caseId ? -1 : a.caseId > b.caseId ? 1 : 0));
  return {
    format: ANCHOR_FORMAT,
    anchoredAt: options.anchoredAt.toISOString(),
    anchoredBy: options.anchoredBy,
    table: options.table,
    ...(options.previous ? { previous: { ...options.previous } } : {}),
    count: heads.length,
    headsDigest: sha256(canonicalJson(heads)),
    heads,
  };
}

/** The document's text as stored, and the SHA-256 the next anchor records of it. */
export function anchorText(document: ChainAnchorDocument): {
  readonly text: string;
  readonly sha256: string;
} {
  const text = `${JSON.stringify(document, null, 1)}\n`;
  return { text, sha256: sha256(text) };
}

/** Parses and checks a stored anchor (format, shape, count and heads digest). */
export function parseAnchor(key: string, text: string): ChainAnchorDocument {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new InvalidAnchorError(key, 'not JSON');
  }
  const parsed = anchorSchema.safeParse(json);
  if (!parsed.success) {
    throw new InvalidAnchorError(
      key,
      parsed.error.issues.map((i) => `${i.path.join('.') || '(document)'}: ${i.message}`).join('; '),
    );
  }
  const document = parsed.data;
  if (document.count !== document.heads.length) {
    throw new InvalidAnchorError(key, `count ${document.count} but ${document.heads.length} heads`);
  }
  if (sha256(canonicalJson(document.heads)) !== document.headsDigest) {
    throw new InvalidAnchorError(key, 'the heads do not match headsDigest (edited?)');
  }
  return document;
}

/** Largest millisecond count a key can invert (year 2286): keys of newer anchors sort first. */
const KEY_EPOCH_MS = 9_999_999_999_999;

/**
 * Object key of an anchor: `anchors/<13 digits, newer smaller>-<ISO time>.json`, so the first key
 * a listing returns is the newest anchor (one ListObjectsV2 call with MaxKeys 1), e.g.
 * `anchors/8235167999999-2026-12-07T10:00:00.000Z.json`.
 */
export function anchorKey(anchoredAt: Date): string {
  const inverted = String(KEY_EPOCH_MS - anchoredAt.getTime()).padStart(13, '0');
  return `${ANCHOR_PREFIX}${inverted}-${anchoredAt.toISOString()}.json`;
}

/** Where anchors are kept: the archive bucket in AWS, a folder locally. */
export interface ChainAnchorStore {
  /** Writes a new anchor under `key`, never over an existing one; locked until `retainUntil` where the store can. */
  put(key: string, text: string, retainUntil: Date): Promise<{ readonly location: string }>;
  /** The newest anchor, or undefined when none was written yet. */
  latest(): Promise<{ readonly key: string; readonly text: string } | undefined>;
}

/** The heads of every case in the table (CASE items only). */
export interface ChainHeadSource {
  heads(): AsyncIterable<ChainHead & { readonly openedAt: string }>;
}

/** How a case stands against the newest anchor. */
export type AnchorStanding =
  /** The anchored entry is in the trail with the anchored hash, and the case has not moved back. */
  | 'anchored'
  /** Not in the anchor: opened after it (or just before it was taken); checked by its chain alone. */
  | 'after-anchor'
  /** The anchor says otherwise: see the problems. */
  | 'contradicts-anchor';

export interface AnchorCheck {
  readonly standing: AnchorStanding;
  readonly problems: readonly ChainProblem[];
}

/**
 * Checks a case in the table against its head in an anchor: the anchored entry must still be in
 * the trail with the anchored hash (else the trail was cut back or rewritten), and the case must
 * not point before it; at the anchored entry it must still have the anchored status and hash. A
 * case the anchor lists but the table lacks was deleted.
 */
export function checkAgainstAnchor(
  stored: CaseWithAudit | undefined,
  head: ChainHead | undefined,
  anchor: Pick<ChainAnchorDocument, 'anchoredAt'>,
): AnchorCheck {
  const when = `the anchor of ${anchor.anchoredAt}`;
  if (!head) return { standing: 'after-anchor', problems: [] };
  if (!stored) {
    return {
      standing: 'contradicts-anchor',
      problems: [
        {
          seq: head.lastAuditSeq,
          problem: `the case is missing from the table, but ${when} has its trail up to entry ${head.lastAuditSeq} (deleted?)`,
        },
      ],
    };
  }
  const problems: ChainProblem[] = [];
  const { record, audit } = stored;
  const anchored = audit.find((entry) => entry.seq === head.lastAuditSeq);
  if (!anchored) {
    const last = audit.reduce((max, entry) => Math.max(max, entry.seq), -1);
    problems.push({
      seq: head.lastAuditSeq,
      problem:
        last < head.lastAuditSeq
          ? `missing: ${when} has the trail up to entry ${head.lastAuditSeq}, the table only up to ${last} (truncated?)`
          : `missing: ${when} has entry ${head.lastAuditSeq} (hash ${head.lastAuditHash.slice(0, 12)}...) (deleted?)`,
    });
  } else if (anchored.hash !== head.lastAuditHash) {
    problems.push({
      seq: head.lastAuditSeq,
      problem:
        `differs from ${when}: its hash is ${anchored.hash.slice(0, 12)}..., the anchor has ` +
        `${head.lastAuditHash.slice(0, 12)}... (the trail was rewritten up to here)`,
    });
  }
  if (record.lastAuditSeq < head.lastAuditSeq) {
    problems.push({
      seq: -1,
      problem:
        `case points at entry ${record.lastAuditSeq} (status ${record.status}), but ${when} had it at ` +
        `entry ${head.lastAuditSeq} (status ${head.status}): rolled back?`,
    });
  } else if (record.lastAuditSeq === head.lastAuditSeq) {
    if (record.status !== head.status) {
      problems.push({
        seq: -1,
        problem: `case status ${record.status}, but ${when} had ${head.status} at entry ${head.lastAuditSeq} (rolled back?)`,
      });
    }
    if (record.lastAuditHash !== head.lastAuditHash) {
      problems.push({
        seq: -1,
        problem: `case's lastAuditHash differs from ${when} at entry ${head.lastAuditSeq}`,
      });
    }
  }
  return { standing: problems.length === 0 ? 'anchored' : 'contradicts-anchor', problems };
}

export interface TakeAnchorOptions {
  readonly heads: ChainHeadSource;
  readonly anchors: ChainAnchorStore;
  /** Name of the table the heads come from (recorded in the anchor). */
  readonly table: string;
  readonly anchoredBy: string;
  readonly now: Date;
  /** Days the anchor stays locked (Object Lock COMPLIANCE) from `now`. */
  readonly retentionDays: number;
}

export interface TakenAnchor {
  readonly key: string;
  readonly location: string;
  readonly document: ChainAnchorDocument;
}

/**
 * Writes an anchor of every case's head: reads the newest anchor (to link to it), then every CASE
 * item (strongly consistent), and writes the document under a key of its own, never over another.
 */
export async function takeAnchor(options: TakeAnchorOptions): Promise<TakenAnchor> {
  const before = await options.anchors.latest();
  const heads: ChainHead[] = [];
  for await (const head of options.heads.heads()) heads.push(head);
  const document = anchorDocument({
    heads,
    anchoredAt: options.now,
    anchoredBy: options.anchoredBy,
    table: options.table,
    // The SHA-256 of the previous anchor's bytes as stored: anchors form a chain of their own.
    ...(before ? { previous: { key: before.key, sha256: sha256(before.text) } } : {}),
  });
  const key = anchorKey(options.now);
  const retainUntil = new Date(options.now.getTime() + options.retentionDays * 86_400_000);
  const { location } = await options.anchors.put(key, anchorText(document).text, retainUntil);
  return { key, location, document };
}

/** An anchor read for verification, its heads by case. */
export interface LoadedAnchor {
  readonly key: string;
  readonly document: ChainAnchorDocument;
  readonly heads: ReadonlyMap<string, ChainHead>;
}

/** The newest anchor of a store, parsed and checked, or undefined when there is none. */
export async function latestAnchor(anchors: ChainAnchorStore): Promise<LoadedAnchor | undefined> {
  const found = await anchors.latest();
  if (!found) return undefined;
  const document = parseAnchor(found.key, found.text);
  return { key: found.key, document, heads: new Map(document.heads.map((head) => [head.caseId, head])) };
}
