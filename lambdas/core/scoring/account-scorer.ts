import { createHash } from 'node:crypto';
import type { AccountState, RiskBand } from '../account-state';
import type { UsageEvent } from '../contract/usage-event';
import { compareSequenceNumbers, eventIdFingerprint } from '../dedupe';
import type { Policy } from '../policy/policy';
import type { EnforcementRequest } from '../ports';
import { clearanceEvidence, reenforcementCheck } from '../lifecycle/protection';
import {
  censusKeysOf,
  eventLinkKeys,
  footprintLinkKey,
  MAX_FOOTPRINT_ASNS,
  senderEntity,
  signupBurstLinkKey,
  templateLinkKey,
  type EdgeKind,
  type LinkKind,
} from '../linking/link-keys';
import { topicTag } from './signals/template-reuse';
import { escalate } from './enforcement-action';
import { ageAtFirstRequestDays, assessRisk } from './risk';
import { epochHour, extractionEvidence, totals, WindowFolder, windowSettings } from './window';

/** A usage event with its place in the stream, which makes redelivery detectable. */
export interface SequencedEvent {
  readonly event: UsageEvent;
  readonly shardId: string;
  readonly sequenceNumber: string;
}

/** An attribute an account shares with others, e.g. a payment card: one edge endpoint. */
export interface LinkEdge {
  /** "<kind>#<value>": all accounts with the same key are linked (census keys: see link-keys.ts). */
  readonly linkKey: string;
  readonly accountId: string;
  readonly kind: EdgeKind;
  readonly firstSeenAt: string;
  /** Who is behind the account when it wrote the edge (senderEntity). */
  readonly entity?: string;
  /** Template and census keys: the topic tag of the prompt (see topicTag; '*' for many topics). */
  readonly tag?: string;
}

export type { LinkKind } from '../linking/link-keys';

export interface AccountUpdate {
  /** The state to persist (unchanged object identity is never reused). */
  readonly state: AccountState;
  /** The version the write must find; undefined when the account is new. */
  readonly expectedVersion: number | undefined;
  /** Events applied; 0 means every event was a redelivery or duplicate and nothing needs writing. */
  readonly applied: number;
  readonly duplicates: number;
  /** Set when this batch made the account cross the suspend threshold under an enforcing policy. */
  readonly enforcement: EnforcementRequest | undefined;
  /** Link edges first seen in this batch. */
  readonly newLinks: readonly LinkEdge[];
}

export interface ScorerLimits {
  /** Event-id fingerprints kept per account for duplicate detection. @default 64 */
  readonly recentEventIds?: number;
  /** Link keys recorded per account; more are not written (an account on hundreds of IPs is itself telling). @default 64 */
  readonly linkKeysPerAccount?: number;
  /** Sample event ids frozen into the evidence. @default 10 */
  readonly sampleEventIds?: number;
  /** Template link keys recorded per account (within linkKeysPerAccount). @default 24 */
  readonly templateLinksPerAccount?: number;
  /** Census keys remembered per account (see AccountState.censusKeys). @default 32 */
  readonly censusKeysKept?: number;
}

/** What the batch found out about an account before scoring it (see scoreBatch). */
export interface AccountCheck {
  /** Share of its sampled extraction-shaped prompts that are public, just checked. */
  readonly publicShare: number;
}

/** A stable, short, name-safe digest of an account id (ids may be 128 arbitrary characters). */
export function accountDigest(accountId: string): string {
  return createHash('sha256').update(accountId).digest('hex').slice(0, 24);
}

/**
 * Whether an account shows enough extraction evidence to be explored into its cluster and to
 * expose every template it uses for linking (policy clusters.seedEvidence and seedShare).
 */
export function isExtractionSeed(
  window: { readonly n: number; readonly ex: number },
  publicShare: number | undefined,
  policy: Policy,
): boolean {
  const evidence = extractionEvidence(window, publicShare);
  const { seedEvidence, seedShare } = policy.clusters;
  return evidence >= seedEvidence || (evidence >= 1 && evidence >= seedShare * window.n);
}

export function isAllowlisted(policy: Policy, accountId: string, orgId: string | null): boolean {
  return (
    policy.allowlist.accounts.includes(accountId) || (orgId !== null && policy.allowlist.orgs.includes(orgId))
  );
}

function newState(first: UsageEvent): AccountState {
  return {
    accountId: first.accountId,
    tier: first.tier,
    orgId: first.orgId,
    emailDomain: first.emailDomain,
    clusterId: null,
    accountCreatedAt: first.accountCreatedAt,
    status: 'ACTIVE',
    firstEventAt: first.ts,
    lastEventAt: first.ts,
    totalRequests: 0,
    buckets: [],
    recentTopics: [],
    templateBands: [],
    recurringTemplateBands: [],
    riskScore: 0,
    peakRiskScore: 0,
    band: 'NORMAL',
    reasons: [],
    policyVersion: '',
    crossings: 0,
    requestedCrossing: 0,
    watermarks: {},
    recentEventIds: [],
    linkKeys: [],
    asns: [],
    censusKeys: [],
    version: 0,
  };
}

function cloneState(state: AccountState): AccountState {
  return {
    ...state,
    buckets: state.buckets.map((b) => ({ ...b })),
    recentTopics: [...state.recentTopics],
    templateBands: [...state.templateBands],
    recurringTemplateBands: [...state.recurringTemplateBands],
    reasons: [...state.reasons],
    watermarks: { ...state.watermarks },
    recentEventIds: [...state.recentEventIds],
    linkKeys: [...state.linkKeys],
    asns: [...state.asns],
    censusKeys: [...(state.censusKeys ?? [])],
  };
}

function bandOf(score: number, policy: Policy): RiskBand {
  if (score >= policy.thresholds.suspend) return 'SUSPEND';
  if (score >= policy.thresholds.review) return 'REVIEW';
  return 'NORMAL';
}

/**
 * Applies one batch of an account's events (in stream order) to its state and re-scores it.
 * Pure: the same previous state and events always give the same update, which is what makes a
 * redelivered batch start the same enforcement execution (same name, same input) again.
 */
export function scoreAccount(
  previous: AccountState | undefined,
  events: readonly SequencedEvent[],
  policy: Policy,
  limits: ScorerLimits = {},
  check?: AccountCheck,
): AccountUpdate {
  const recentKept = limits.recentEventIds ?? 64;
  const linkKeysKept = limits.linkKeysPerAccount ?? 64;
  const templateLinksKept = limits.templateLinksPerAccount ?? 24;
  const censusKept = limits.censusKeysKept ?? 32;
  const samplesKept = limits.sampleEventIds ?? 10;
  const first = events[0];
  if (!first) throw new Error('scoreAccount needs at least one event');

  // An account the workflow suspended before the scorer's first write has only its status.
  const state =
    previous && previous.version > 0
      ? cloneState(previous)
      : { ...newState(first.event), status: previous?.status ?? 'ACTIVE' };
  // Most batches on AWS hold an account's request or two: scanning the ring is cheaper than
  // indexing it, until a batch brings many.
  const recent = events.length > 8 ? new Set(state.recentEventIds) : undefined;
  const knownLinks = new Set(state.linkKeys);
  // Addresses rotate (proxies, mobile networks) and templates churn: neither may crowd out cards
  // and devices, which anti-regrowth needs.
  let ipLinks = 0;
  let templateLinks = 0;
  for (const k of state.linkKeys) {
    if (k.startsWith('ip#')) ipLinks += 1;
    else if (k.startsWith('tpl#')) templateLinks += 1;
  }
  let entity: string | undefined;
  const addLink = (kind: LinkKind, linkKey: string, firstSeenAt: string, tag?: string) => {
    if (knownLinks.has(linkKey) || knownLinks.size >= linkKeysKept) return;
    if (kind === 'ip' && ipLinks >= Math.floor(linkKeysKept / 2)) return;
    if (kind === 'tpl' && templateLinks >= templateLinksKept) return;
    if (kind === 'ip') ipLinks += 1;
    if (kind === 'tpl') templateLinks += 1;
    knownLinks.add(linkKey);
    state.linkKeys.push(linkKey);
    newLinks.push({
      linkKey,
      accountId: state.accountId,
      kind,
      firstSeenAt,
      ...(entity !== undefined ? { entity } : {}),
      ...(tag !== undefined ? { tag } : {}),
    });
  };
  const census = state.censusKeys ?? [];
  state.censusKeys = census;
  const newLinks: LinkEdge[] = [];
  const samples: string[] = [];
  const folder = new WindowFolder(state, windowSettings(policy));
  let applied = 0;
  let duplicates = 0;
  let lastPayment: string | null | undefined;
  let lastDevice: string | null | undefined;
  let lastIp: string | undefined;

  for (const { event, shardId, sequenceNumber } of events) {
    const watermark = state.watermarks[shardId];
    const fingerprint = eventIdFingerprint(event.eventId);
    if (
      (watermark !== undefined && compareSequenceNumbers(sequenceNumber, watermark) <= 0) ||
      (recent ? recent.has(fingerprint) : state.recentEventIds.includes(fingerprint))
    ) {
      duplicates += 1;
      continue;
    }
    state.watermarks[shardId] = sequenceNumber;
    recent?.add(fingerprint);
    state.recentEventIds.push(fingerprint);
    entity = senderEntity(event);
    // Before lastEventAt moves: it times the gap since the previous request.
    const marks = folder.add(event);
    if (marks > 0 && event.turn === 1) {
      // A consistent sample of extraction-shaped prompts, for the census of public prompts.
      for (const key of censusKeysOf(event.promptHash)) {
        if (census.includes(key)) continue;
        census.push(key);
        if (census.length > censusKept) census.shift();
        newLinks.push({
          linkKey: key,
          accountId: state.accountId,
          kind: 'prm',
          firstSeenAt: event.ts,
          entity,
          tag: topicTag(event.topic),
        });
      }
    }
    state.totalRequests += 1;
    if (event.ts > state.lastEventAt) state.lastEventAt = event.ts;
    if (event.ts < state.firstEventAt) state.firstEventAt = event.ts;
    // Tier and org follow the account's latest known values (an upgrade changes its norm).
    state.tier = event.tier;
    state.orgId = event.orgId;
    state.emailDomain = event.emailDomain;
    samples.push(event.eventId);
    // An account's requests mostly carry the card, device and address of the one before.
    if (
      event.paymentFingerprint !== lastPayment ||
      event.deviceFingerprint !== lastDevice ||
      event.ip !== lastIp
    ) {
      lastPayment = event.paymentFingerprint;
      lastDevice = event.deviceFingerprint;
      lastIp = event.ip;
      for (const [kind, linkKey] of eventLinkKeys(event)) addLink(kind, linkKey, event.ts);
    }
    if (event.asn !== null && state.asns.length < MAX_FOOTPRINT_ASNS && !state.asns.includes(event.asn)) {
      state.asns.push(event.asn);
      const burst = signupBurstLinkKey(state.accountCreatedAt, state.asns[0]);
      if (burst) addLink('burst', burst, event.ts);
      const footprint = footprintLinkKey(state.asns);
      if (footprint) addLink('asn', footprint, event.ts);
    }
    applied += 1;
  }

  const expectedVersion = previous?.version;
  if (applied === 0) {
    return { state, expectedVersion, applied, duplicates, enforcement: undefined, newLinks };
  }

  state.recentEventIds = state.recentEventIds.slice(-recentKept);
  if (check) {
    state.publicShare = check.publicShare;
    state.publicCheckedAt = state.lastEventAt;
  }
  folder.finish(
    epochHour(state.lastEventAt),
    isExtractionSeed(totals(state.buckets), state.publicShare, policy),
  );
  // Templates the account keeps reusing become links, and every template of an account showing
  // extraction evidence: campaigns share their templates.
  for (const band of state.recurringTemplateBands)
    addLink('tpl', templateLinkKey(band), state.lastEventAt, folder.templateTag(band));
  const window = totals(state.buckets);
  const risk = assessRisk(window, state.tier, policy, {
    ageAtFirstRequestDays: ageAtFirstRequestDays(state),
    publicShare: state.publicShare,
  });
  const band = bandOf(risk.score, policy);
  state.band = band;
  state.riskScore = risk.score;
  state.peakRiskScore = Math.max(state.peakRiskScore ?? 0, risk.score);
  state.reasons = [...risk.reasons];
  state.policyVersion = policy.version;
  state.version = (previous?.version ?? 0) + 1;

  // A reinstated account is protected until there is new evidence (lifecycle/protection.ts). The
  // crossings after a clearance are new numbers, so their names need no renaming to be fresh.
  const clearance = reenforcementCheck(state, policy);
  const enforcement = escalate(state, policy, {
    digest: () => accountDigest(state.accountId),
    score: risk.score,
    eligible: !isAllowlisted(policy, state.accountId, state.orgId) && (clearance?.allowed ?? true),
    suspended: state.status === 'SUSPENDED',
    clearedCaseId: state.reinstatement?.caseId,
    evidence: () => ({
      reasons: risk.reasons,
      confidence: risk.confidence,
      windowHours: policy.windows.scoringHours,
      requestsInWindow: window.n,
      totalRequests: state.totalRequests,
      tier: state.tier,
      orgId: state.orgId,
      accountCreatedAt: state.accountCreatedAt,
      firstEventAt: state.firstEventAt,
      sampleEventIds: samples.slice(-samplesKept),
      // How the score got here: where it stood before this batch, its peak, and the requests
      // per event-time hour of the window it was computed over.
      scoreHistory: {
        before: previous?.version ? previous.riskScore : null,
        peak: state.peakRiskScore,
        now: risk.score,
        hourlyRequests: state.buckets.map((b) => [new Date(b.h * 3_600_000).toISOString(), b.n]),
      },
      ...(clearance && state.reinstatement
        ? { afterClearance: clearanceEvidence(state.reinstatement, clearance) }
        : {}),
    }),
  });
  return { state, expectedVersion, applied, duplicates, enforcement, newLinks };
}
