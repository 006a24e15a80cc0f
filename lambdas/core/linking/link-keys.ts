import type { UsageEvent } from '../contract/usage-event';

/**
 * What accounts can share. A link key is "<kind>#<value>"; every account with the same key is
 * linked to every other. Templates are keyed by LSH bands of the prompt SimHash, so paraphrases
 * (a few bits apart) still share a key while exact-hash matching would miss them.
 */
export type LinkKind = 'pay' | 'dev' | 'ip' | 'tpl';

export const LINK_KINDS: readonly LinkKind[] = ['pay', 'dev', 'ip', 'tpl'];

export function linkKind(linkKey: string): LinkKind {
  const kind = linkKey.slice(0, linkKey.indexOf('#')) as LinkKind;
  if (!LINK_KINDS.includes(kind)) throw new Error(`unknown link key kind in "${linkKey}"`);
  return kind;
}

/** The attribute keys one request carries (templates are added per account, once they recur). */
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
