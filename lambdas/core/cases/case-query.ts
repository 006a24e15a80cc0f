import { createHash } from 'node:crypto';
import { z } from 'zod';
import {
  actorSchema,
  CASE_ACTIONS,
  caseKindSchema,
  caseStatusSchema,
  isoTimestampSchema,
  reasonSchema,
  type CaseRecord,
} from './case-record';

/** Thrown for bad input (query, body, token): names every bad field, its value and the fix. */
export class CaseValidationError extends Error {
  public constructor(public readonly problems: readonly string[]) {
    super(`invalid request:\n  - ${problems.join('\n  - ')}`);
    this.name = 'CaseValidationError';
  }
}

/** Parses with a zod schema, turning issues into `field: message (got value)` lines. */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new CaseValidationError(
    result.error.issues.map((issue) => {
      const field = issue.path.length > 0 ? issue.path.join('.') : '(body)';
      let got: unknown = value;
      for (const key of issue.path) got = (got as Record<PropertyKey, unknown> | undefined)?.[key];
      return `${field}: ${issue.message}${got === undefined ? '' : ` (got ${JSON.stringify(got)})`}`;
    }),
  );
}

const shortText = (what: string) =>
  z
    .string()
    .trim()
    .min(1, { message: `expected ${what}, not empty` })
    .max(128, { message: 'expected at most 128 characters' });

/** Normalized to the ISO form openedAt is stored in, so string comparison is time comparison. */
const timestamp = isoTimestampSchema.transform((text) => new Date(text).toISOString());

/** A risk score bound; query strings carry it as text. */
const score = z.coerce
  .number({ message: 'expected a score from 0 to 100' })
  .min(0, { message: 'expected a score from 0 to 100' })
  .max(100, { message: 'expected a score from 0 to 100' });

/** Filters of a case listing or export. Time range is on openedAt: from inclusive, to exclusive. */
export const caseFilterSchema = z
  .object({
    status: caseStatusSchema.optional(),
    kind: caseKindSchema.optional(),
    from: timestamp.optional(),
    to: timestamp.optional(),
    accountId: shortText('an account id').optional(),
    clusterId: shortText('a cluster id').optional(),
    policyVersion: shortText('a policy version').optional(),
    action: z.enum(CASE_ACTIONS, { message: `expected one of ${CASE_ACTIONS.join(', ')}` }).optional(),
    /** Risk score range at opening, both ends inclusive. */
    minScore: score.optional(),
    maxScore: score.optional(),
  })
  .strict()
  .refine((f) => f.from === undefined || f.to === undefined || f.from < f.to, {
    message: 'to must be later than from',
    path: ['to'],
  })
  .refine((f) => f.minScore === undefined || f.maxScore === undefined || f.minScore <= f.maxScore, {
    message: 'maxScore must be at least minScore',
    path: ['maxScore'],
  });
export type CaseFilter = z.output<typeof caseFilterSchema>;

export const MAX_PAGE_SIZE = 1000;

export const pageRequestSchema = z
  .object({
    limit: z.coerce
      .number({ message: 'expected a whole number' })
      .int({ message: 'expected a whole number' })
      .min(1, { message: 'expected at least 1' })
      .max(MAX_PAGE_SIZE, { message: `expected at most ${MAX_PAGE_SIZE}` })
      .default(50),
    nextToken: z
      .string()
      .min(1)
      .max(4096, { message: 'expected the nextToken of a previous page, unchanged' })
      .optional(),
  })
  .strict();
export type PageRequest = z.output<typeof pageRequestSchema>;

export interface CasePage {
  readonly cases: readonly CaseRecord[];
  /** Pass back to get the next page; absent on the last page. */
  readonly nextToken?: string;
}

/** Does a case satisfy a filter? The stores use it for what their indexes do not narrow. */
export function matchesFilter(record: CaseRecord, filter: CaseFilter): boolean {
  return (
    (filter.status === undefined || record.status === filter.status) &&
    (filter.kind === undefined || record.kind === filter.kind) &&
    (filter.from === undefined || record.openedAt >= filter.from) &&
    (filter.to === undefined || record.openedAt < filter.to) &&
    (filter.accountId === undefined || record.accountIds.includes(filter.accountId)) &&
    (filter.clusterId === undefined || record.clusterId === filter.clusterId) &&
    (filter.policyVersion === undefined || record.policyVersion === filter.policyVersion) &&
    (filter.action === undefined || record.action === filter.action) &&
    (filter.minScore === undefined || record.riskScore >= filter.minScore) &&
    (filter.maxScore === undefined || record.riskScore <= filter.maxScore)
  );
}

/** Short digest of a filter: a page token only continues the listing it came from. */
export function filterFingerprint(filter: CaseFilter): string {
  const canonical = Object.entries(filter)
    .filter(([, value]) => value !== undefined)
    .sort(([a], [b]) => a.localeCompare(b));
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex').slice(0, 16);
}

/** Body of a status change. */
export const statusChangeSchema = z
  .object({
    status: caseStatusSchema,
    reason: reasonSchema,
    /** Optimistic check: refuse if the case is no longer in this status. */
    expectedStatus: caseStatusSchema.optional(),
  })
  .strict();
export type StatusChange = z.output<typeof statusChangeSchema>;

export const assignmentSchema = z.object({ assignee: actorSchema, reason: reasonSchema.optional() }).strict();

export const noteInputSchema = z
  .object({
    text: z
      .string()
      .trim()
      .min(1, { message: 'expected the note text, not empty' })
      .max(4000, { message: 'expected at most 4000 characters' }),
  })
  .strict();
