import type { Capability, Tier } from '../../lambdas/core/contract/usage-event';
import type { Rng } from '../rng';
import type { TimedEvent } from '../types';

/** The fields of an account that do not change from request to request. */
export interface AccountIdentity {
  readonly accountId: string;
  readonly orgId: string | null;
  readonly tier: Tier;
  /** ISO-8601. */
  readonly accountCreatedAt: string;
  readonly paymentFingerprint: string | null;
  readonly emailDomain: string | null;
}

/** Where a request came from: changes with the device and network in use. */
export interface Presence {
  readonly ip: string;
  readonly asn: number | null;
  readonly country: string | null;
  readonly userAgent: string | null;
  readonly deviceFingerprint: string | null;
}

/** What was asked. */
export interface RequestShape {
  readonly model: string;
  readonly capability: Capability;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly promptHash: string;
  readonly topic: string | null;
  readonly conversationId: string | null;
  readonly turn: number;
  readonly toolCalls: number;
  readonly reasoningRequested: boolean;
}

/**
 * Builds one account's contract events. Keeps the account's clock monotonic (a request planned
 * before the previous one is pushed to it), so every account stream is sorted by construction,
 * and bounds it to the window.
 */
export class AccountRuntime {
  private lastMs: number;
  private events = 0;
  private conversations = 0;
  private readonly stem: string;

  constructor(
    readonly identity: AccountIdentity,
    readonly rng: Rng,
    activeFromMs: number,
    readonly endMs: number,
  ) {
    this.lastMs = activeFromMs;
    this.stem = identity.accountId.slice(identity.accountId.indexOf('_') + 1);
  }

  /** Time of the latest event (or the start of activity). */
  get nowMs(): number {
    return this.lastMs;
  }

  /** Whether a request at `ms` (after clamping) would still fall in the window. */
  open(ms: number): boolean {
    return Math.max(ms, this.lastMs) < this.endMs;
  }

  /**
   * The time an event emitted at `ms` will carry. Yield it before building the request (see
   * AccountStreamItem), then emit at the same `ms`.
   */
  reserve(ms: number): number {
    return Math.floor(Math.max(ms, this.lastMs));
  }

  emit(ms: number, presence: Presence, request: RequestShape): TimedEvent {
    const at = Math.floor(Math.max(ms, this.lastMs));
    this.lastMs = at;
    this.events++;
    const id = this.identity;
    return {
      ms: at,
      event: {
        v: 1,
        eventId: `ev_${this.stem}${this.events.toString(16).padStart(6, '0')}`,
        ts: new Date(at).toISOString(),
        accountId: id.accountId,
        orgId: id.orgId,
        tier: id.tier,
        accountCreatedAt: id.accountCreatedAt,
        ip: presence.ip,
        asn: presence.asn,
        country: presence.country,
        userAgent: presence.userAgent,
        paymentFingerprint: id.paymentFingerprint,
        deviceFingerprint: presence.deviceFingerprint,
        emailDomain: id.emailDomain,
        model: request.model,
        capability: request.capability,
        inputTokens: request.inputTokens,
        outputTokens: request.outputTokens,
        promptHash: request.promptHash,
        topic: request.topic,
        conversationId: request.conversationId,
        turn: request.turn,
        toolCalls: request.toolCalls,
        reasoningRequested: request.reasoningRequested,
      },
    };
  }

  /** A conversation id unique across the simulation (the account stem plus a counter). */
  newConversationId(): string {
    this.conversations++;
    return `conv_${this.stem}${this.conversations.toString(16).padStart(5, '0')}`;
  }
}
