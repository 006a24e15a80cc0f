import type { UsageEvent } from '../contract/usage-event';

/**
 * What accounts can share. A link key is "<kind>#<value>"; every account with the same key is
 * linked to every other.
 * - pay, dev, ip: a payment fingerprint, a device fingerprint, an address, as requests carry them.
 * - tpl: an LSH band of the prompt SimHash, so paraphrases (a few bits apart) still share a key
 *   while exact-hash matching would miss them.
 * - asn: the set of networks (ASNs) an account rotates over, once it uses two or more. One ASN is
 *   shared by millions of subscribers and tells nothing; rotating over the same few hosting
 *   networks as other accounts is what a proxy pool looks like.
 * - burst: the hour an account was created in, with the network it first came from: a sign-up
 *   burst (a batch of accounts registered together from one place).
 */
export type LinkKind = 'pay' | 'dev' | 'ip' | 'tpl' | 'asn' | 'burst';

export const LINK_KINDS: readonly LinkKind[] = ['pay', 'dev', 'ip', 'tpl', 'asn', 'burst'];

/**
 * Census keys ("prm#<band>") are not links: they record who sends a prompt, so that a prompt
 * sent by many unrelated accounts is known to be public (a benchmark item, a popular prompt)
 * whoever sends it. They live in the links table beside the links but never join a cluster.
 */
export type EdgeKind = LinkKind | 'prm';

/** An attribute an account shares with others, e.g. a payment card: one edge endpoint. */
export interface LinkEdge {
  /** "<kind>#<value>": all accounts with the same key are linked (census keys: see below). */
  readonly linkKey: string;
  readonly accountId: string;
  readonly kind: EdgeKind;
  readonly firstSeenAt: string;
  /** Who is behind the account when it wrote the edge (senderEntity). */
  readonly entity?: string;
  /** Template and census keys: the topic tag of the prompt (see topicTag; '*' for many topics). */
  readonly tag?: string;
}

/**
 * Census keys are a consistent sample of prompts: a prompt is sampled at band position p when its
 * 16-bit band value there is a multiple of this, so every account that sends the prompt samples it
 * alike, and a public prompt's census key collects all of its senders. About 6% of prompts are
 * sampled: an account sending hundreds of extraction-shaped requests a day (the only accounts whose
 * public share matters) writes dozens of census keys, an ordinary account almost none. Changing it
 * orphans the census written so far: it is a constant, not a policy setting.
 */
export const CENSUS_SAMPLE_MODULUS = 64;

/**
 * The census keys of a prompt hash (16 hex characters): for each sampled band position p,
 * "prm#<p>:<band p><band p+1>". Two bands (32 bits) so that unrelated prompts do not meet under
 * one key, as they would under one 16-bit band once a platform's traffic is counted.
 */
export function censusKeysOf(promptHash: string): string[] {
  const keys: string[] = [];
  for (let p = 0; p < 4; p++) {
    const band = promptHash.slice(p * 4, p * 4 + 4);
    const value = parseInt(band, 16);
    if (!Number.isFinite(value) || value % CENSUS_SAMPLE_MODULUS !== 0) continue;
    const next = ((p + 1) % 4) * 4;
    keys.push(`prm#${p}:${band}${promptHash.slice(next, next + 4)}`);
  }
  return keys;
}

/**
 * Who is behind an account, for telling related senders from unrelated ones: its organization,
 * else its card, else its device, else the account itself. Accounts of one org or on one card are
 * one sender however many there are.
 */
export function senderEntity(account: {
  readonly accountId: string;
  readonly orgId: string | null;
  readonly paymentFingerprint?: string | null;
  readonly deviceFingerprint?: string | null;
}): string {
  if (account.orgId) return `o:${account.orgId}`;
  if (account.paymentFingerprint) return `p:${account.paymentFingerprint}`;
  if (account.deviceFingerprint) return `d:${account.deviceFingerprint}`;
  return `a:${account.accountId}`;
}

/** Distinct networks recorded per account for its network footprint. */
export const MAX_FOOTPRINT_ASNS = 4;

export function linkKind(linkKey: string): LinkKind {
  const kind = linkKey.slice(0, linkKey.indexOf('#')) as LinkKind;
  if (!LINK_KINDS.includes(kind)) throw new Error(`unknown link key kind in "${linkKey}"`);
  return kind;
}

export function isCensusKey(key: string): boolean {
  return key.startsWith('prm#');
}

/** The attribute keys one request carries (templates and networks are added per account). */
export function eventLinkKeys(event: UsageEvent): Array<[LinkKind, string]> {
  const keys: Array<[LinkKind, string]> = [];
  if (event.paymentFingerprint) keys.push(['pay', `pay#${event.paymentFingerprint}`]);
  if (event.deviceFingerprint) keys.push(['dev', `dev#${event.deviceFingerprint}`]);
  keys.push(['ip', `ip#${event.ip}`]);
  return keys;
}

export function templateLinkKey(band: string): string {
  return `tpl#${band}`;
}

/** The network footprint of an account that used these ASNs, or null below two networks. */
export function footprintLinkKey(asns: readonly number[]): string | null {
  if (asns.length < 2) return null;
  return `asn#${[...asns].sort((a, b) => a - b).join('+')}`;
}

/** The sign-up burst an account belongs to: its creation hour (UTC) on its first network. */
export function signupBurstLinkKey(accountCreatedAt: string, firstAsn: number | undefined): string | null {
  if (firstAsn === undefined) return null;
  return `burst#${firstAsn}#${accountCreatedAt.slice(0, 13)}`;
}

/**
 * Storage layout: the accounts of one key are spread over linkKeyShards(key) partitions
 * ("<key>@<shard>", the shard a hash of the account id), so a key shared by tens of thousands of
 * accounts (a campaign's card, a cloud network, a popular prompt's census key) is never one hot
 * partition. Readers query every shard of the key and take at most perShardLimit accounts from each.
 */
export const LINK_KEY_SHARDS = 4;

/**
 * Template bands keep one partition ("tpl#<band>@0"). They are 88% of the keys cluster exploration
 * reads (seed 1 of the default mix: 265,155 of 301,601), almost all with a handful of members, and
 * every shard costs a Query (at least half a read unit) whether it holds anyone or not: four shards
 * made most of the scorer's reads and most of the local replay's time. A template band is written
 * once per (band, account) and read 200 members at a time: one partition serves about 1,200 such
 * reads a second, which a key shared by many accounts is discounted long before it reaches.
 * Changing a kind's count moves where its edges are written: edges written under the old count
 * in other shards are no longer read (see CHANGELOG).
 */
export function linkKeyShards(linkKey: string): number {
  return linkKey.startsWith('tpl#') ? 1 : LINK_KEY_SHARDS;
}

/** FNV-1a of the account id, modulo the key's shard count: stable across processes and languages. */
export function linkShard(accountId: string, linkKey: string): number {
  const shards = linkKeyShards(linkKey);
  if (shards === 1) return 0;
  let hash = 0x811c9dc5;
  for (let i = 0; i < accountId.length; i++) {
    hash ^= accountId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % shards;
}

export function shardedLinkKey(linkKey: string, shard: number): string {
  return `${linkKey}@${shard}`;
}

export function perShardLimit(limitPerKey: number, linkKey: string): number {
  return Math.ceil(limitPerKey / linkKeyShards(linkKey));
}
