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
    weights: z.object({ pay: share, dev: share, ip: share, tpl: share, asn: share, burst: share }).strict(),
    /** A card shared only inside one orgId is ordinary billing: its weight is multiplied by this. */
    sameOrgPaymentDiscount: share,
    /** An IP with at least this many accounts, most of one email domain, is a campus or corporate NAT. */
    natMinAccounts: z.number().int().min(2),
    /** ...where "most" means at least this share of its accounts. */
    natDomainShare: share,
    natDiscount: share,
    /**
     * A prompt sent by at least this many unrelated senders (distinct orgs, else cards, else
     * devices, else accounts), always on the same topic or two, is public (a benchmark item, a
     * popular prompt, a homework problem), whoever sends it.
     */
    publicPromptMinSenders: z.number().int().min(2),
    /** Weight multiplier of a template key that is a public prompt, or the same question sent by several accounts. */
    publicTemplateDiscount: share,
    /** How often (event-time hours) an account's share of public prompts is checked again while it shows extraction evidence. */
    publicRecheckHours: z.number().min(0).max(168),
    /** Template keys (LSH bands) two accounts must share to be linked by templates. */
    minSharedTemplates: z.number().int().min(1).max(4),
    /** Accounts read per link key when clustering; a larger key counts as crowded. */
    membersReadPerKey: z.number().int().min(2).max(1000),
    /** Weight multiplier for crowded keys that no other rule explains (a big proxy exit, a shared card ring is never discounted). */
    crowdedIpDiscount: share,
    /**
     * A network footprint or sign-up burst shared by many accounts (at least natMinAccounts, or
     * more than were read) whose median score is below this is ordinary: a popular ISP mix, a
     * busy hour. Its weight is multiplied by crowdedIpDiscount.
     */
    ordinaryNetworkRiskCeiling: score,
  })
  .strict();

/** Linked accounts form clusters; a risky cluster is enforced as a whole. */
const clusterSettings = z
  .object({
    /** Edges lighter than this do not join accounts into a cluster on their own. */
    edgeThreshold: share,
    /**
     * Weak edges (an address, a network footprint, a sign-up burst) at least this heavy combine:
     * an account whose weak edges to the cluster reach edgeThreshold together
     * (1 - product of (1 - weight)) joins it. Lighter (discounted) edges never add up.
     */
    weakEdgeFloor: share,
    /** Accounts at or above this account score are expanded into their cluster each batch. */
    candidateFloor: score,
    /**
     * ...and so are accounts with at least this much extraction evidence (extraction-shaped
     * requests in the window, public prompts discounted), however low their own score: a campaign
     * spread thin over many accounts shows in their combined traffic. Such accounts also expose
     * every template they use for linking, not only those they reuse.
     */
    seedEvidence: z.number().min(0),
    /**
     * ...and so are accounts with at least one extraction-shaped request that make up this share
     * of their requests: a low-and-slow account shows its shape long before its count.
     */
    seedShare: share,
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
        extractionVolume: signalSettings,
        syllabus: signalSettings,
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
        /**
         * Accounts are checked while they are new (at most this many requests), and again
         * whenever they pick up a new card, device or template: an account with a history of
         * its own is judged by it and by its cluster.
         */
        maxRequests: z.number().int().min(1),
      })
      .strict()
      .refine((r) => r.maxRequests >= r.minRequests, {
        message: 'maxRequests must be at least minRequests',
        path: ['maxRequests'],
      }),
  })
  .strict()
  .refine((c) => c.suspend > c.review, { message: 'suspend must be greater than review', path: ['suspend'] });

/** What enforcement may do to an account, weakest first: each is a policy band and an event. */
export const ENFORCEMENT_ACTIONS = ['review', 'throttle', 'verify', 'suspend'] as const;
export type EnforcementAction = (typeof ENFORCEMENT_ACTIONS)[number];

/** Step-up checks a VerificationRequired event may ask the platform for. */
export const VERIFICATION_CHECKS = ['identity', 'payment'] as const;
export type VerificationCheck = (typeof VERIFICATION_CHECKS)[number];

/**
 * Graduated enforcement: the bands between `thresholds.review` and `thresholds.suspend`, and the
 * strongest action each tier may receive without a person. The order of the bands is checked on
 * the whole policy (see policySchema), since it spans two sections.
 */
const tierOverride = z
  .object({
    maxAction: z
      .enum(ENFORCEMENT_ACTIONS)
      .describe(
        'The strongest action taken automatically on this tier; a stronger band opens a case with this action instead.',
      ),
  })
  .strict()
  .optional()
  .describe('Limits on automatic enforcement of this tier.');

const actionSettings = z
  .object({
    throttle: z
      .object({
        score: score.describe('An account scoring at least this (below the next band) is throttled.'),
        requestsPerHour: z
          .number()
          .int()
          .min(1)
          .max(1_000_000)
          .describe('The rate limit the gateway applies to a throttled account, in requests per hour.'),
      })
      .strict()
      .optional()
      .describe(
        'Throttle band: the account is rate-limited (AccountThrottled) and a case is opened. Leave out to skip the band.',
      ),
    verify: z
      .object({
        score: score.describe(
          'An account scoring at least this (below thresholds.suspend) must re-verify before it is served again.',
        ),
        checks: z
          .array(z.enum(VERIFICATION_CHECKS))
          .min(1)
          .refine((checks) => new Set(checks).size === checks.length, {
            message: 'list each check once',
          })
          .describe('Step-up checks the platform asks for: identity and/or payment.'),
      })
      .strict()
      .optional()
      .describe(
        'Re-verification band: the account must pass step-up checks (VerificationRequired) and a case is opened. Leave out to skip the band.',
      ),
    tierOverrides: z
      .object(
        Object.fromEntries(TIERS.map((t) => [t, tierOverride])) as Record<
          (typeof TIERS)[number],
          typeof tierOverride
        >,
      )
      .strict()
      .default({})
      .describe('Per-tier limits, e.g. enterprise: { maxAction: review } (never automatically suspended).'),
  })
  .strict()
  .default({ tierOverrides: {} })
  .describe(
    'Graduated enforcement between thresholds.review and thresholds.suspend: review < throttle < verify < suspend.',
  );

/**
 * Protection after a false positive: an account reinstated by an investigator is not enforced
 * again on the evidence that was cleared, only on new evidence.
 */
const reinstatementSettings = z
  .object({
    /**
     * Points the account's peak score must rise above the score it was cleared at (its score
     * when suspended, or its peak when cleared if higher) before it can be enforced again.
     */
    reenforceMargin: z.number().min(1).max(100),
    /** A card or device the account did not have when cleared lifts the protection too. */
    newInstrumentLifts: z.boolean(),
  })
  .strict()
  .default({ reenforceMargin: 10, newInstrumentLifts: true })
  .describe(
    'Protection of reinstated accounts from automatic re-enforcement on the evidence that was cleared.',
  );

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
    /**
     * Evidence counted, not averaged: points added to the score on top of the signals, so that a
     * large amount of extraction-shaped traffic is enough to act on whatever else the account does.
     */
    evidence: z
      .object({
        extractionRequests: z
          .object({
            points: z.number().min(0).max(100),
            low: z.number().min(0),
            high: z.number().min(0),
            /** Below this share of the account's requests the points shrink in proportion. */
            fullShare: z.number().gt(0).max(1),
          })
          .strict()
          .refine((s) => s.high > s.low, { message: 'high must be greater than low', path: ['high'] }),
      })
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
    actions: actionSettings,
    reinstatement: reinstatementSettings,
    /** Compliance records: closed cases are archived to S3 under Object Lock (COMPLIANCE mode). */
    compliance: z
      .object({
        /** Days each archived case is retained and cannot be deleted or altered, by anyone. */
        archiveRetentionDays: z
          .number()
          .int({ message: 'expected a whole number of days' })
          .min(1, { message: 'expected at least 1 day' })
          .max(36_500, { message: 'expected at most 36500 days (100 years)' }),
      })
      .strict()
      .default({ archiveRetentionDays: 2555 }),
  })
  .strict()
  .superRefine((policy, ctx) => {
    // The action bands span two sections: thresholds.review < throttle < verify < thresholds.suspend.
    const bands = [
      { key: 'thresholds.review', value: policy.thresholds.review },
      { key: 'actions.throttle.score', value: policy.actions.throttle?.score },
      { key: 'actions.verify.score', value: policy.actions.verify?.score },
      { key: 'thresholds.suspend', value: policy.thresholds.suspend },
    ].filter((band): band is { key: string; value: number } => band.value !== undefined);
    for (let i = 1; i < bands.length; i += 1) {
      const lower = bands[i - 1]!;
      const band = bands[i]!;
      if (band.value > lower.value) continue;
      ctx.addIssue({
        code: 'custom',
        path: band.key.split('.'),
        message:
          `must be greater than ${lower.key} (${lower.value}): the action bands go ` +
          'review < throttle < verify < suspend; raise it or lower the other',
      });
    }
  });

export type Policy = z.infer<typeof policySchema>;
export type SignalSettings = z.infer<typeof signalSettings>;
export type SignalId = keyof Policy['signals'];

/** Largest policy accepted, file or document: far above any real policy (a few KB), far below harm. */
export const MAX_POLICY_BYTES = 1024 * 1024;
/** Problems listed in a PolicyValidationError, and characters per problem: never the whole input. */
const MAX_PROBLEMS_LISTED = 20;
const MAX_PROBLEM_CHARS = 300;
const MAX_VALUE_CHARS = 80;

export class PolicyValidationError extends Error {
  public constructor(
    public readonly source: string,
    public readonly problems: readonly string[],
    options?: ErrorOptions,
  ) {
    const listed = problems.slice(0, MAX_PROBLEMS_LISTED).map((p) => truncate(p, MAX_PROBLEM_CHARS));
    if (problems.length > listed.length) listed.push(`... and ${problems.length - listed.length} more`);
    super(`invalid policy ${source}:\n  - ${listed.join('\n  - ')}`, options);
    this.name = 'PolicyValidationError';
  }
}

function truncate(text: string, max: number): string {
  return text.length <= max
    ? text
    : `${text.slice(0, max)}... (${text.length.toLocaleString('en-US')} characters)`;
}

function describeValue(root: unknown, path: readonly PropertyKey[]): string {
  let node: unknown = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return 'missing';
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  // The value as written, but never the whole input (an unknown key at the root is about the root).
  return node === undefined ? 'missing' : truncate(JSON.stringify(node), MAX_VALUE_CHARS);
}

/**
 * The path of a YAML alias that refers to a node containing it (`a: &a [*a]`): the parsed value
 * is then circular, which no policy can be. Undefined when there is none.
 */
function aliasLoop(value: unknown): string | undefined {
  const ancestors = new Set<object>();
  const visit = (node: unknown, path: readonly string[]): string | undefined => {
    if (node === null || typeof node !== 'object') return undefined;
    if (ancestors.has(node)) return path.join('.') || '(root)';
    ancestors.add(node);
    for (const [key, child] of Object.entries(node)) {
      const found = visit(child, [...path, key]);
      if (found) return found;
    }
    ancestors.delete(node);
    return undefined;
  };
  return visit(value, []);
}

/** Validates an already-parsed policy object; throws PolicyValidationError naming key, value and rule. */
export function validatePolicy(value: unknown, source = '(inline)'): Policy {
  const loop = aliasLoop(value);
  if (loop) {
    throw new PolicyValidationError(source, [
      `${loop}: a YAML alias refers to a node that contains it (an alias loop): write the value out instead`,
    ]);
  }
  const result = policySchema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const key = issue.path.length > 0 ? issue.path.join('.') : '(root)';
    return `${key}: ${issue.message} (got ${describeValue(value, issue.path)})`;
  });
  throw new PolicyValidationError(source, problems);
}

export function parsePolicy(yamlOrJson: string, source = '(inline)'): Policy {
  const bytes = Buffer.byteLength(yamlOrJson);
  if (bytes > MAX_POLICY_BYTES) throw new PolicyValidationError(source, [policyTooLarge('policy', bytes)]);
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

/** The problem of a policy (what = 'policy') or policy file (what = 'file') over MAX_POLICY_BYTES. */
export function policyTooLarge(what: 'policy' | 'file', bytes: number): string {
  return (
    `the ${what} is ${bytes.toLocaleString('en-US')} bytes; a ${what === 'file' ? 'policy file' : 'policy'} may be at most 1 MiB ` +
    `(${MAX_POLICY_BYTES.toLocaleString('en-US')} bytes)`
  );
}

/** The compact JSON form handed to the Lambdas. */
export function policyToJson(policy: Policy): string {
  return JSON.stringify(policy);
}
