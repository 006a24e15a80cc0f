import { z } from 'zod';

/**
 * The usage event, v1: one JSON object per model API request, put on Kinesis by the AI
 * platform's gateway with partition key = accountId. This schema is the single definition of
 * the contract; README documents it field by field. Unknown extra fields are ignored (stripped),
 * so the gateway may add fields before a new version is agreed.
 */

const isoUtc = z.iso.datetime({
  offset: true,
  message: 'expected an ISO-8601 timestamp, e.g. 2026-02-01T12:00:00Z',
});
const nullableString = (max: number) => z.string().min(1).max(max).nullable();

export const CAPABILITIES = ['reasoning', 'coding', 'agentic', 'chat', 'creative', 'other'] as const;
export const TIERS = ['free', 'pro', 'team', 'enterprise', 'api'] as const;

export const usageEventSchema = z.object({
  v: z.literal(1, { message: 'expected 1 (the only contract version this pipeline reads)' }),
  eventId: z.string().min(1).max(128),
  ts: isoUtc,
  accountId: z.string().min(1).max(128),
  orgId: nullableString(128),
  tier: z.enum(TIERS),
  accountCreatedAt: isoUtc,
  ip: z.union([z.ipv4(), z.ipv6()], { message: 'expected an IPv4 or IPv6 address' }),
  asn: z.number().int().min(0).max(4_294_967_295).nullable(),
  country: z
    .string()
    .regex(/^[A-Z]{2}$/, { message: 'expected an ISO 3166-1 alpha-2 code such as "US", or null' })
    .nullable(),
  userAgent: z.string().max(1024).nullable(),
  paymentFingerprint: nullableString(256),
  deviceFingerprint: nullableString(256),
  emailDomain: nullableString(253),
  model: z.string().min(1).max(128),
  capability: z.enum(CAPABILITIES),
  inputTokens: z.number().int().min(0),
  outputTokens: z.number().int().min(0),
  promptHash: z
    .string()
    .regex(/^[0-9a-f]{16}$/, { message: 'expected 16 lowercase hex characters (a 64-bit SimHash)' }),
  topic: z.string().min(1).max(256).nullable(),
  conversationId: nullableString(128),
  turn: z.number().int().min(1),
  toolCalls: z.number().int().min(0),
  reasoningRequested: z.boolean(),
});

export type UsageEvent = z.infer<typeof usageEventSchema>;
export type Capability = (typeof CAPABILITIES)[number];
export type Tier = (typeof TIERS)[number];

/** Why a record was rejected: the field at fault (dotted path, or "(record)") and what to fix. */
export interface Rejection {
  readonly field: string;
  readonly reason: string;
}

export type ParseResult = { ok: true; event: UsageEvent } | { ok: false; rejection: Rejection };

/** Parses an already-decoded JSON value against the contract. Never throws. */
export function parseUsageEvent(value: unknown): ParseResult {
  const result = usageEventSchema.safeParse(value);
  if (result.success) return { ok: true, event: result.data };
  const issue = result.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join('.') : '(record)';
  return { ok: false, rejection: { field, reason: issue?.message ?? 'invalid usage event' } };
}

/** Parses raw record bytes (UTF-8 JSON) against the contract. Never throws. */
export function parseUsageEventBytes(data: Uint8Array | string): ParseResult {
  const text = typeof data === 'string' ? data : Buffer.from(data).toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return {
      ok: false,
      rejection: { field: '(record)', reason: `not valid JSON: ${(error as Error).message}` },
    };
  }
  return parseUsageEvent(value);
}
