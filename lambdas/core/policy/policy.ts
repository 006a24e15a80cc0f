import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { TIERS } from '../contract/usage-event';

/**
 * The policy security teams edit (config/policy.yaml). One schema validates it at `cdk synth`,
 * in CI (`cauterize policy validate`) and at Lambda cold start.
 */

const score = z.number().min(0).max(100);
const share = z.number().min(0).max(1);

/**
 * A signal counts from `low` (no risk) to `high` (full weight), linearly in between; a signal
 * whose risk grows as its value falls (account age, timing variability) counts from `high` down
 * to `low` instead. Either way `low` < `high`.
 */
const signalSettings = z
  .object({
    weight: z.number().min(0).max(100),
    low: z.number().min(0),
    high: z.number().min(0),
  })
  .strict()
  .refine((s) => s.high > s.low, { message: 'high must be greater than low', path: ['high'] });

const tierNorm = z
  .object({
    /** Requests per day an ordinary account of this tier makes; volume is scored against it. */
    dailyRequestNorm: z.number().positive(),
  })
  .strict();

/** How telling a shared attribute is, and when sharing is ordinary. */
const linkSettings = z
  .object({
    /** Edge weight (0-1) of two accounts sharing a key of this kind, before discounts. */
    weights: z.object({ pay: share, dev: share, ip: share, tpl: share }).strict(),
    /** A card shared only inside one orgId is ordinary billing: its weight is multiplied by this. */
    sameOrgPaymentDiscount: share,
    /** An IP with at least this many accounts, most of one email domain, is a campus or corporate NAT. */
    natMinAccounts: z.number().int().min(2),
    /** ...where "most" means at least this share of its accounts. */
    natDomainShare: share,
    natDiscount: share,
    /** A template key shared by at least this many accounts on distinct cards or orgs... */
    publicTemplateMinAccounts: z.number().int().min(2),
    /** ...whose median account risk is below this, is a public prompt (benchmark item, popular prompt). */
    publicTemplateRiskCeiling: score,
    publicTemplateDiscount: share,
    /** ...unless at least this share of its accounts is already suspended: then it is a campaign's. */
    publicTemplateMaxSuspendedShare: share,
    /** Template keys (LSH bands) two accounts must share to be linked by templates. */
    minSharedTemplates: z.number().int().min(1).max(4),
    /** Accounts read per link key when clustering; a larger key counts as crowded. */
    membersReadPerKey: z.number().int().min(2).max(1000),
    /** Weight multiplier for crowded keys that no other rule explains (a big proxy exit, a shared card ring is never discounted). */
    crowdedIpDiscount: share,
  })
  .strict();

/** Linked accounts form clusters; a risky cluster is enforced as a whole. */
const clusterSettings = z
  .object({
    /** Edges lighter than this do not join accounts into a cluster. */
    edgeThreshold: share,
    /** Accounts at or above this account score are expanded into their cluster each batch. */
    candidateFloor: score,
    /** An account's cluster is explored again when its peak score rose by this much (or it gained links). */
    reexplorePeakRise: z.number().min(0).max(100),
    /** How many edges away from a risky account its cluster is explored. */
    maxHops: z.number().int().min(1).max(5),
    /** Most accounts explored per cluster (bounds the reads of one batch). */
    maxSize: z.number().int().min(2).max(5000),
    /** Clusters smaller than this are scored as single accounts. */
    minSize: z.number().int().min(2),
    /**
     * Clusters smaller than this have their score scaled by (size - 1) / (fullSize - 1): a few
     * accounts on one card with common prompts is a small team; coordination needs numbers.
     */
    fullSize: z.number().int().min(2),
    review: score,
    suspend: score,
    /** Members of a cluster over `suspend` are suspended if their own score is at least this. */
    memberFloor: score,
    /** The cluster score's parts, each from `low` (nothing) to `high` (full weight). */
    signals: z
      .object({
        memberRisk: signalSettings,
        signupBurst: signalSettings,
        sharedInstruments: signalSettings,
        sharedTemplates: signalSettings,
        topicSweep: signalSettings,
      })
      .strict(),
    /** Anti-regrowth: a new account strongly linked to a suspended one is enforced early. */
    regrowth: z
      .object({
        /** Edge weight to a suspended account that counts as "strongly linked". */
        edgeWeight: share,
        /** ...once the new account has made this many requests... */
        minRequests: z.number().int().min(1),
        /** ...and scores at least this on its own. */
        floor: score,
      })
      .strict(),
  })
  .strict()
  .refine((c) => c.suspend > c.review, { message: 'suspend must be greater than review', path: ['suspend'] });

export const policySchema = z
  .object({
    version: z.string().min(1).max(64),
    mode: z.enum(['enforce', 'shadow']),
    thresholds: z
      .object({ review: score, suspend: score })
      .strict()
      .refine((t) => t.suspend > t.review, {
        message: 'suspend must be greater than review',
        path: ['suspend'],
      }),
    windows: z
      .object({
        /** Sliding event-time window the account signals are computed over. */
        scoringHours: z
          .number()
          .int()
          .min(1)
          .max(24 * 14),
        /** Below this many requests in the window a score is scaled down (not enough evidence). */
        minRequests: z.number().int().min(1),
      })
      .strict(),
    tiers: z
      .object(
        Object.fromEntries(TIERS.map((t) => [t, tierNorm])) as Record<
          (typeof TIERS)[number],
          typeof tierNorm
        >,
      )
      .strict(),
    signals: z
      .object({
        volume: signalSettings,
        velocity: signalSettings,
        capabilityConcentration: signalSettings,
        reasoningElicitation: signalSettings,
        outputInputRatio: signalSettings,
        singleTurnShare: signalSettings,
        topicCoverage: signalSettings,
        templateReuse: signalSettings,
        timingRegularity: signalSettings,
        noDiurnalRest: signalSettings,
        accountAge: signalSettings,
        releaseChasing: signalSettings,
      })
      .strict(),
    /** Model releases, which the security team lists as they ship: the releaseChasing signal reads them. */
    models: z
      .object({
        /** A request on a model less than this many hours after its release counts as chasing it. */
        freshHours: z
          .number()
          .positive()
          .max(24 * 14),
        releases: z
          .array(
            z
              .object({
                model: z.string().min(1).max(128),
                releasedAt: z.iso.datetime({
                  offset: true,
                  message: 'expected an ISO-8601 timestamp, e.g. 2026-02-05T17:00:00Z',
                }),
              })
              .strict(),
          )
          .default([]),
      })
      .strict()
      .default({ freshHours: 24, releases: [] }),
    allowlist: z
      .object({
        accounts: z.array(z.string().min(1)).default([]),
        orgs: z.array(z.string().min(1)).default([]),
      })
      .strict()
      .default({ accounts: [], orgs: [] }),
    /** Share of a signal's weight below which it is not listed as a reason. */
    reasonFloor: share.default(0.05),
    links: linkSettings,
    clusters: clusterSettings,
  })
  .strict();

export type Policy = z.infer<typeof policySchema>;
export type SignalSettings = z.infer<typeof signalSettings>;
export type SignalId = keyof Policy['signals'];

export class PolicyValidationError extends Error {
  public constructor(
    public readonly source: string,
    public readonly problems: readonly string[],
    options?: ErrorOptions,
  ) {
    super(`invalid policy ${source}:\n  - ${problems.join('\n  - ')}`, options);
    this.name = 'PolicyValidationError';
  }
}

function describeValue(root: unknown, path: readonly PropertyKey[]): string {
  let node: unknown = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return 'missing';
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node === undefined ? 'missing' : JSON.stringify(node);
}

/** Validates an already-parsed policy object; throws PolicyValidationError naming key, value and rule. */
export function validatePolicy(value: unknown, source = '(inline)'): Policy {
  const result = policySchema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const key = issue.path.length > 0 ? issue.path.join('.') : '(root)';
    return `${key}: ${issue.message} (got ${describeValue(value, issue.path)})`;
  });
  throw new PolicyValidationError(source, problems);
}

export function parsePolicy(yamlOrJson: string, source = '(inline)'): Policy {
  let value: unknown;
  try {
    value = parseYaml(yamlOrJson);
  } catch (error) {
    throw new PolicyValidationError(source, [`not valid YAML: ${(error as Error).message}`], {
      cause: error,
    });
  }
  return validatePolicy(value, source);
}

export function loadPolicyFile(path: string): Policy {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new PolicyValidationError(path, [`cannot read the file: ${(error as Error).message}`], {
      cause: error,
    });
  }
  return parsePolicy(text, path);
}

/** The compact JSON form handed to the Lambdas. */
export function policyToJson(policy: Policy): string {
  return JSON.stringify(policy);
}
