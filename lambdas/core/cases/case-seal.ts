import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { CaseRecord } from './case-record';

/**
 * The case seal: what the opening audit entry's hash covers of the case record itself, so that an
 * edit of the frozen CASE fields (evidence, score, policy version, accounts, action, ...) breaks
 * `verify` like an edit of an audit entry does.
 *
 * Each sealed field is serialized as canonical JSON (RFC 8785, JSON Canonicalization Scheme:
 * object keys sorted by UTF-16 code units, no whitespace, ECMAScript number form) and hashed with
 * SHA-256; the seal's digest is the SHA-256 of the canonical JSON of the `{ field: hash }` map.
 * Per-field hashes are kept in the opening entry, so that `verify` names the field that changed.
 * Values are taken as JSON sees them (the workflow input is JSON, the table stores evidence as a
 * JSON string): an evidence object re-serialized with other key order or spacing seals the same.
 */

/** The CASE fields frozen at opening, in the case record contract. Absent ones are not sealed. */
export const SEALED_CASE_FIELDS = [
  'caseId',
  'kind',
  'accountId',
  'accountIds',
  'clusterId',
  'action',
  'riskScore',
  'policyVersion',
  'triggeredAt',
  'evidence',
  'openedBy',
] as const satisfies ReadonlyArray<keyof CaseRecord>;

export type SealedCaseField = (typeof SEALED_CASE_FIELDS)[number];

/** The frozen fields of a case, as the workflow input or the CASE item has them. */
export type SealableCase = { readonly [K in SealedCaseField]?: unknown };

export interface CaseSeal {
  /** Lowercase hex SHA-256 of each present field's canonical JSON, by field name. */
  readonly fields: Readonly<Record<string, string>>;
  /** Lowercase hex SHA-256 of the canonical JSON of `fields`: what the opening entry's hash covers. */
  readonly digest: string;
}

/** RFC 8785 canonical JSON of `value` as JSON carries it (undefined members dropped, as JSON.stringify does). */
export function canonicalJson(value: unknown): string {
  const asJson = JSON.stringify(value);
  if (asJson === undefined) throw new Error('a sealed value must be representable as JSON');
  const canonical = canonicalize(JSON.parse(asJson));
  if (canonical === undefined) throw new Error('a sealed value must be representable as JSON');
  return canonical;
}

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** Digest of a `{ field: hash }` map (as stored in the opening entry). */
export function sealDigest(fields: Readonly<Record<string, string>>): string {
  return sha256(canonicalJson(fields));
}

/** Seals the frozen fields of a case. */
export function caseSeal(fields: SealableCase): CaseSeal {
  const hashes: Record<string, string> = {};
  for (const name of SEALED_CASE_FIELDS) {
    const value = fields[name];
    if (value !== undefined) hashes[name] = sha256(canonicalJson(value));
  }
  return { fields: hashes, digest: sealDigest(hashes) };
}

/**
 * The fields whose value in `record` no longer hashes to what `sealed` recorded (a field added or
 * removed since counts too), in SEALED_CASE_FIELDS order, then any unknown name `sealed` has.
 */
export function unsealedFields(record: SealableCase, sealed: Readonly<Record<string, string>>): string[] {
  const now = caseSeal(record).fields;
  const names = [...SEALED_CASE_FIELDS, ...Object.keys(sealed).filter((n) => !isSealedField(n))];
  return names.filter((name) => now[name] !== sealed[name]);
}

function isSealedField(name: string): name is SealedCaseField {
  return (SEALED_CASE_FIELDS as readonly string[]).includes(name);
}
