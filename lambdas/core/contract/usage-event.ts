import { z } from 'zod';

/**
 * The usage event, v1: one JSON object per model API request, put on Kinesis by the AI
 * platform's gateway with partition key = accountId. This schema is the single definition of
 * the contract; docs/usage-event.md documents it field by field. Unknown extra fields are ignored (stripped),
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

/** A usage event with its place in the stream, which makes redelivery detectable. */
export interface SequencedEvent {
  readonly event: UsageEvent;
  readonly shardId: string;
  readonly sequenceNumber: string;
}

/** Why a record was rejected: the field at fault (dotted path, or "(record)") and what to fix. */
export interface Rejection {
  readonly field: string;
  readonly reason: string;
}

export type ParseResult = { ok: true; event: UsageEvent } | { ok: false; rejection: Rejection };

// The fast path below checks with the schema's own patterns, so it can accept nothing zod refuses.
const TIMESTAMP = isoUtc._zod.pattern as RegExp;
const IPV4 = z.ipv4()._zod.pattern as RegExp;
// IPv6 is asked of the schema's own IPv6 member: zod checks it by parsing it as a URL host, not
// by a pattern (asking the whole union would check IPv4 again first).
const [, IPV6] = usageEventSchema.shape.ip.options;
const isIp = (x: unknown): x is string =>
  typeof x === 'string' && (IPV4.test(x) || (x.includes(':') && IPV6.safeParse(x).success));
const COUNTRY = /^[A-Z]{2}$/;
const PROMPT_HASH = /^[0-9a-f]{16}$/;
const TIER_SET: ReadonlySet<unknown> = new Set(TIERS);
const CAPABILITY_SET: ReadonlySet<unknown> = new Set(CAPABILITIES);

const isString = (x: unknown, min: number, max: number): x is string =>
  typeof x === 'string' && x.length >= min && x.length <= max;
const isNullableString = (x: unknown, min: number, max: number): x is string | null =>
  x === null || isString(x, min, max);
const isCount = (x: unknown, min: number): x is number => Number.isSafeInteger(x) && (x as number) >= min;
const isTimestamp = (x: unknown): x is string => typeof x === 'string' && TIMESTAMP.test(x);

/**
 * The scorer's hot path: a plain check of every field, with the schema's own patterns and bounds,
 * that builds the event as zod would (known fields only, in schema order). It returns undefined for
 * anything it does not accept outright (any error), and zod then decides and
 * explains. So the contract stays one zod schema; `test/core/contract/usage-event-fast-path.test.ts` checks
 * with fast-check that the two agree. Five to ten times cheaper than the zod parse.
 */
function acceptOrDefer(value: unknown): UsageEvent | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const o = value as Record<string, unknown>;
  const { eventId, ts, accountId, orgId, tier, accountCreatedAt, ip, asn, country, userAgent } = o;
  const { paymentFingerprint, deviceFingerprint, emailDomain, model, capability, inputTokens } = o;
  const { outputTokens, promptHash, topic, conversationId, turn, toolCalls, reasoningRequested } = o;
  if (
    o.v === 1 &&
    isString(eventId, 1, 128) &&
    isTimestamp(ts) &&
    isString(accountId, 1, 128) &&
    isNullableString(orgId, 1, 128) &&
    TIER_SET.has(tier) &&
    isTimestamp(accountCreatedAt) &&
    isIp(ip) &&
    (asn === null || (isCount(asn, 0) && asn <= 4_294_967_295)) &&
    (country === null || (typeof country === 'string' && COUNTRY.test(country))) &&
    isNullableString(userAgent, 0, 1024) &&
    isNullableString(paymentFingerprint, 1, 256) &&
    isNullableString(deviceFingerprint, 1, 256) &&
    isNullableString(emailDomain, 1, 253) &&
    isString(model, 1, 128) &&
    CAPABILITY_SET.has(capability) &&
    isCount(inputTokens, 0) &&
    isCount(outputTokens, 0) &&
    typeof promptHash === 'string' &&
    PROMPT_HASH.test(promptHash) &&
    isNullableString(topic, 1, 256) &&
    isNullableString(conversationId, 1, 128) &&
    isCount(turn, 1) &&
    isCount(toolCalls, 0) &&
    typeof reasoningRequested === 'boolean'
  ) {
    return {
      v: 1,
      eventId,
      ts,
      accountId,
      orgId,
      tier: tier as UsageEvent['tier'],
      accountCreatedAt,
      ip,
      asn,
      country,
      userAgent,
      paymentFingerprint,
      deviceFingerprint,
      emailDomain,
      model,
      capability: capability as UsageEvent['capability'],
      inputTokens,
      outputTokens,
      promptHash,
      topic,
      conversationId,
      turn,
      toolCalls,
      reasoningRequested,
    };
  }
  return undefined;
}

/** Parses an already-decoded JSON value against the contract. Never throws. */
export function parseUsageEvent(value: unknown): ParseResult {
  const event = acceptOrDefer(value);
  if (event) return { ok: true, event };
  return parseUsageEventWithSchema(value);
}

/** The contract's zod schema alone: what decides (and explains) whatever the fast path defers. */
export function parseUsageEventWithSchema(value: unknown): ParseResult {
  const result = usageEventSchema.safeParse(value);
  if (result.success) return { ok: true, event: result.data };
  const issue = result.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join('.') : '(record)';
  return { ok: false, rejection: { field, reason: issue?.message ?? 'invalid usage event' } };
}

/** Parses raw record bytes (UTF-8 JSON) against the contract. Never throws. */
export function parseUsageEventBytes(data: Uint8Array | string): ParseResult {
  // A view on the bytes, not a copy of them.
  const text =
    typeof data === 'string'
      ? data
      : Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8');
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
