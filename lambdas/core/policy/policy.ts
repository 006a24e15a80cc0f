import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { TIERS } from '../contract/usage-event';
import { FINGERPRINT, MAX_PUBLIC_PROMPT_DISTANCE } from '../scoring/public-prompts';

/**
 * The policy security teams edit (config/policy.yaml). One schema validates it at `cdk synth`,
 * in CI (`cauterize policy validate`) and at Lambda cold start.
 *
 * What each key means is said once, by its `.describe()` text: the JSON Schema for editors and
 * docs/policy.md (`npx cauterize policy docs --write`) are generated from these texts, and a test
 * fails on a key without one.
 */

/** Listed public prompts: about 19 bytes each in the policy's JSON, so the policy stays under 1 MiB. */
export const MAX_PUBLIC_PROMPTS = 40_000;

const score = z.number().min(0).max(100);
const share = z.number().min(0).max(1);

/** The texts of a band's three settings, which differ between account signals and cluster parts. */
interface BandTexts {
  readonly weight: string;
  readonly low: string;
  readonly high: string;
}

/**
 * A band counts from `low` (no risk) to `high` (full weight), linearly in between; a signal whose
 * risk grows as its value falls (account age, timing variability) counts from `high` down to
 * `low` instead. Either way `low` < `high`.
 */
function bandSettings(texts: BandTexts) {
  return z
    .object({
      weight: z.number().min(0).max(100).describe(texts.weight),
      low: z.number().min(0).describe(texts.low),
      high: z.number().min(0).describe(texts.high),
    })
    .strict()
    .refine((s) => s.high > s.low, { message: 'high must be greater than low', path: ['high'] });
}

const signalSettings = bandSettings({
  weight: 'Points (relative to the other weights) this signal adds at full strength; 0 turns it off.',
  low: 'Value at which the signal starts to count (or, for lower-is-riskier signals, counts in full).',
  high: 'Value at which the signal counts in full (or, for lower-is-riskier signals, stops counting). Must be greater than `low`.',
});

/** Points an amount of counted evidence adds on top of a score (accounts' and clusters'). */
const evidencePoints = z
  .number()
  .min(0)
  .max(100)
  .describe('Points added at `high` and above (linearly from nothing at `low`).');

const clusterPartSettings = bandSettings({
  weight: 'Points (relative to the other weights) this part adds at full strength.',
  low: 'Value at which this part starts to count.',
  high: 'Value at which this part counts in full. Must be greater than `low`.',
});

const tierNorm = z
  .object({
    dailyRequestNorm: z
      .number()
      .positive()
      .describe(
        'Requests per day an ordinary account of this tier makes; the volume and velocity signals are measured against it.',
      ),
  })
  .strict()
  .describe('Norms of this tier.');

const linkSettings = z
  .object({
    weights: z
      .object({
        pay: share.describe('Sharing a payment instrument (`paymentFingerprint`).'),
        dev: share.describe('Sharing a device (`deviceFingerprint`).'),
        ip: share.describe('Sharing an IP address.'),
        tpl: share.describe('Sharing prompt templates (LSH bands of the prompt SimHash).'),
        asn: share.describe('Sharing a network footprint: the set of ASNs an account rotates over.'),
        burst: share.describe('Sharing a sign-up burst: created in the same hour on the same network.'),
      })
      .strict()
      .describe('Edge weight (0-1) of two accounts sharing a key of each kind, before discounts.'),
    sameOrgPaymentDiscount: share.describe(
      'A card shared only inside one org is ordinary billing: its weight is multiplied by this (see `orgBillingLimit`).',
    ),
    orgBillingLimit: z
      .object({
        extractionRequests: z
          .number()
          .min(1)
          .describe('Extraction-shaped requests of the accounts on the card together, in the window...'),
        topics: z.number().int().min(1).describe('...over at least this many distinct topics together.'),
      })
      .strict()
      .optional()
      .describe(
        'An org card stops counting as ordinary billing once the accounts on it together send this much extraction-shaped traffic over this many topics (a campaign posing as an org): it links them at full weight, and a cluster it joins enforces them all. Left out: an org card is always discounted.',
      ),
    natMinAccounts: z
      .number()
      .int()
      .min(2)
      .describe(
        'An IP with at least this many accounts, mostly of one email domain, is a campus or corporate NAT...',
      ),
    natDomainShare: share.describe('...where "mostly" means at least this share of its accounts.'),
    natDiscount: share.describe('Weight multiplier for a NAT IP.'),
    publicPromptMinSenders: z
      .number()
      .int()
      .min(2)
      .describe(
        'A prompt sent by at least this many unrelated senders (distinct orgs, else cards, else devices, else accounts), mostly on one topic, is public (a benchmark item, a popular prompt, a homework problem), however risky its senders look. Its requests do not count as extraction evidence and its template key barely links.',
      ),
    publicTemplateDiscount: share.describe(
      'Weight multiplier for a template key that is a public prompt, or the same question (one topic) sent by several accounts rather than a template filled with new questions.',
    ),
    publicRecheckHours: z
      .number()
      .min(0)
      .max(168)
      .describe(
        'Event-time hours between two checks of an account’s share of public prompts, for accounts with at least `clusters.seedEvidence` of extraction evidence (their census keys are read from the links table).',
      ),
    minSharedTemplates: z
      .number()
      .int()
      .min(1)
      .max(4)
      .describe(
        'Template keys (LSH bands) two accounts must share to be linked by templates; one alone happens by chance.',
      ),
    minTemplateHolders: z
      .number()
      .int()
      .min(2)
      .max(100)
      .optional()
      .describe(
        'A template key counts towards `minSharedTemplates` only when at least this many accounts hold it: a band only two accounts hold is as often two busy accounts meeting by chance as a shared template, and a campaign’s templates are held by many. Left out: 2 (every shared key counts).',
      ),
    membersReadPerKey: z
      .number()
      .int()
      .min(2)
      .max(1000)
      .describe('Accounts read per link key when clustering; a larger key counts as crowded.'),
    crowdedIpDiscount: share.describe(
      'Weight multiplier for crowded keys no other rule explains (a shared card ring is never discounted).',
    ),
    proxyExitShare: share
      .optional()
      .describe(
        'A burner wave: an address, network footprint or sign-up burst shared by many accounts (at least `natMinAccounts`, or more than were read) whose median member is thin (at most `clusters.regrowth.maxRequests` requests in all) and sends at least this share of them extraction-shaped is a campaign’s proxy exit or batch of sign-ups, not a NAT, a campus or a busy hour: it is not discounted, however low its members score. Busy members (a hackathon venue, an office) and one organization’s own accounts (while under `orgBillingLimit`) never make one. Campus NATs and hackathon venues on the tuning worlds: median member at most 4.5%; burner exits 16-21%. Left out: crowded keys are always discounted.',
      ),
    ordinaryNetworkRiskCeiling: score.describe(
      'A footprint or sign-up burst shared by many accounts (at least `natMinAccounts`, or more than were read) whose median score is below this is ordinary (a popular ISP mix, a busy hour): its weight is multiplied by `crowdedIpDiscount`.',
    ),
  })
  .strict()
  .describe('Linking: accounts sharing a card, device, IP or prompt template are joined by a weighted edge.');

const clusterSettings = z
  .object({
    edgeThreshold: share.describe(
      'Edges lighter than this do not join accounts into a cluster on their own (weak edges can add up: see `weakEdgeFloor`).',
    ),
    weakEdgeFloor: share.describe(
      'Weak edges (address, network footprint, sign-up burst) at least this heavy combine: an account whose weak edges to the cluster reach `edgeThreshold` together (1 - product of (1 - weight)) joins it. Lighter (discounted) edges never add up.',
    ),
    candidateFloor: score.describe(
      'Accounts scoring at least this are expanded into their cluster each batch.',
    ),
    seedEvidence: z
      .number()
      .min(0)
      .describe(
        'Accounts with at least this much extraction evidence (extraction-shaped requests in the window, public prompts discounted) are expanded into their cluster too, however low their own score, and expose every template they use for linking (not only the reused ones): a campaign spread thin over many accounts shows in their combined traffic.',
      ),
    seedShare: share.describe(
      '...and so are accounts with at least one extraction-shaped request making up at least this share of their requests: a low-and-slow account shows its shape long before its count.',
    ),
    reexplorePeakRise: z
      .number()
      .min(0)
      .max(100)
      .describe(
        'An account’s cluster is explored again when it gains links or its peak score rises by this much.',
      ),
    maxHops: z
      .number()
      .int()
      .min(1)
      .max(5)
      .describe('How many edges away from a risky account its cluster is explored.'),
    maxSize: z
      .number()
      .int()
      .min(2)
      .max(5000)
      .describe('Most accounts explored per cluster (bounds the reads of one batch).'),
    minSize: z.number().int().min(2).describe('Clusters smaller than this are scored as single accounts.'),
    fullSize: z
      .number()
      .int()
      .min(2)
      .describe(
        'Clusters smaller than this have their score scaled by (size - 1) / (fullSize - 1): a few accounts on one card with common prompts is a small team; coordination needs numbers.',
      ),
    review: score.describe('A cluster scoring at least this is in review.'),
    suspend: score.describe(
      'A cluster scoring at least this has its members suspended (see `memberFloor`). Must be greater than `review`.',
    ),
    memberFloor: score.describe(
      'Members of a cluster over `suspend` tied to it only by networks (addresses, network footprint, sign-up burst) are suspended if their own score is at least this and they sent extraction-shaped traffic themselves (`seedEvidence`, or a topic sweep), or whatever their score if they did both with those requests making up `fullShare` of their traffic or more. Members on a shared card or device are suspended whatever their score; members tied by private templates once they sent extraction-shaped traffic themselves.',
    ),
    thinMembers: z
      .boolean()
      .optional()
      .describe(
        'Members tied only by networks with at most `regrowth.maxRequests` requests in all (burners: a handful of requests each, then dropped) are also suspended when their extraction-shaped requests make up `fullShare` of their traffic or more and number at least `seedEvidence` scaled by their size (requests / `regrowth.maxRequests`), and at least one. Left out or false: such members must meet `memberFloor` like any other.',
      ),
    signals: z
      .object({
        memberRisk: clusterPartSettings.describe('Median of the members’ peak account scores.'),
        signupBurst: clusterPartSettings.describe('Share of members created within 72 hours of each other.'),
        sharedInstruments: clusterPartSettings.describe('Share of members on a shared card or device.'),
        sharedTemplates: clusterPartSettings.describe(
          'Share of members reusing another member’s private templates.',
        ),
        topicSweep: clusterPartSettings.describe(
          'Share of members sweeping topics (extraction rings cover a syllabus).',
        ),
        extractionVolume: clusterPartSettings.describe(
          'Extraction-shaped requests of all members together (public prompts discounted): a campaign spread thin over many accounts is still a campaign.',
        ),
        syllabus: clusterPartSettings.describe(
          'Distinct topics the members asked about together: a syllabus split over many accounts is still a syllabus, where a family or a team keeps to its few topics.',
        ),
      })
      .strict()
      .describe('Parts of the cluster score, each from `low` (nothing) to `high` (full weight).'),
    fullShare: z
      .number()
      .gt(0)
      .max(1)
      .optional()
      .describe(
        'Below this share of the members’ requests together, the parts counting their extraction-shaped requests (`signals.extractionVolume`, `evidence`) shrink in proportion: a hackathon’s or a lab’s busy accounts send a few such requests among hundreds of others, a campaign’s are a tenth or more of what it sends. Left out: they count in full whatever the share.',
      ),
    evidence: z
      .object({
        points: evidencePoints,
        low: z
          .number()
          .min(0)
          .describe('Extraction-shaped requests of the members together at which points start.'),
        high: z
          .number()
          .min(0)
          .describe('...and at which the full `points` are added. Must be greater than `low`.'),
      })
      .strict()
      .refine((s) => s.high > s.low, { message: 'high must be greater than low', path: ['high'] })
      .optional()
      .describe(
        'Campaign evidence counted, not averaged: points added to the cluster score on top of its parts for the members’ extraction-shaped requests together (public prompts discounted), as `evidence.extractionRequests` adds them to an account’s. A campaign that shares no card, device, template or sign-up burst, only a proxy network, shows nothing but its traffic: spread over 60 accounts it is still the traffic of one extraction run. Left out: no points.',
      ),
    regrowth: z
      .object({
        edgeWeight: share.describe(
          'Edge weight to a suspended account that counts as strongly linked (a shared card or device).',
        ),
        minRequests: z
          .number()
          .int()
          .min(1)
          .describe('...once the new account has made this many requests...'),
        floor: score.describe('...and scores at least this on its own.'),
        maxRequests: z
          .number()
          .int()
          .min(1)
          .describe(
            'New accounts are checked while they have made at most this many requests, and again when they pick up a new card, device or template: an account with a history of its own is judged by it and by its cluster.',
          ),
      })
      .strict()
      .refine((r) => r.maxRequests >= r.minRequests, {
        message: 'maxRequests must be at least minRequests',
        path: ['maxRequests'],
      })
      .describe('Anti-regrowth: a new account strongly linked to a suspended one is enforced early.'),
  })
  .strict()
  .refine((c) => c.suspend > c.review, { message: 'suspend must be greater than review', path: ['suspend'] })
  .describe('Clusters: connected components over heavy edges, scored and enforced as a whole.');

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
    liftAt: score
      .optional()
      .describe(
        'From this risk score on, the cap does not apply: the account gets what its band asks for. Leave out to cap every score. Must be at least thresholds.suspend.',
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
          .array(z.enum(VERIFICATION_CHECKS).describe('A step-up check: `identity` or `payment`.'))
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
      .describe(
        'Per-tier limits, e.g. enterprise: { maxAction: review, liftAt: 90 } (only reviewed, unless the score reaches 90; never suspended with a cluster).',
      ),
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
    reenforceMargin: z
      .number()
      .min(1)
      .max(100)
      .describe(
        'Points a reinstated account’s peak score must rise above the score it was cleared at (its score when suspended, or its peak when cleared if higher) before it can be enforced again.',
      ),
    newInstrumentLifts: z
      .boolean()
      .describe('A card or device the account did not have when cleared lifts the protection too.'),
  })
  .strict()
  .default({ reenforceMargin: 10, newInstrumentLifts: true })
  .describe(
    'Protection of reinstated accounts from automatic re-enforcement on the evidence that was cleared.',
  );

export const policySchema = z
  .object({
    version: z
      .string()
      .min(1)
      .max(64)
      .describe(
        'Names this policy. Every score, case and suspension records the version it was made under: bump it with every change.',
      ),
    mode: z
      .enum(['enforce', 'shadow'])
      .describe(
        '`enforce`: accounts and clusters over the suspend thresholds are suspended. `shadow`: everything is scored and banded as under `enforce`, and a band that would act opens a review case recording what would have been done; no account is touched.',
      ),
    thresholds: z
      .object({
        review: score.describe(
          'An account scoring at least this is in the REVIEW band (flagged, not suspended).',
        ),
        suspend: score.describe(
          'An account scoring at least this is suspended by the enforcement workflow (in `enforce` mode, unless allowlisted). Must be greater than `review`.',
        ),
      })
      .strict()
      .refine((t) => t.suspend > t.review, {
        message: 'suspend must be greater than review',
        path: ['suspend'],
      })
      .describe('Account risk bands, on the 0-100 risk score.'),
    windows: z
      .object({
        scoringHours: z
          .number()
          .int()
          .min(1)
          .max(24 * 14)
          .describe('Sliding event-time window, in hours, the account signals are computed over.'),
        minRequests: z
          .number()
          .int()
          .min(1)
          .describe(
            'Fewer requests than this in the window scale the score down proportionally (not enough evidence yet).',
          ),
      })
      .strict()
      .describe('Event-time windows of the account signals.'),
    tiers: z
      .object(
        Object.fromEntries(TIERS.map((t) => [t, tierNorm])) as Record<
          (typeof TIERS)[number],
          typeof tierNorm
        >,
      )
      .strict()
      .describe(
        'What an ordinary account of each plan does; one entry per tier of the usage event contract.',
      ),
    evidence: z
      .object({
        extractionRequests: z
          .object({
            points: evidencePoints,
            low: z.number().min(0).describe('Evidence at which points start to be added.'),
            high: z
              .number()
              .min(0)
              .describe('Evidence at which the full `points` are added. Must be greater than `low`.'),
            fullShare: z
              .number()
              .gt(0)
              .max(1)
              .describe(
                'Below this share of the account’s requests, the points shrink in proportion: a reseller’s or a busy team’s occasional extraction-shaped request is not a campaign (a campaign diluting each account that far is caught by its cluster).',
              ),
          })
          .strict()
          .refine((s) => s.high > s.low, { message: 'high must be greater than low', path: ['high'] })
          .describe(
            'Extraction-shaped requests in the window: requests for reasoning, coding or agentic work showing three of a conversation opener, a topic new in the window, a template scaffold filled with a new question, an elaborate answer (chain-of-thought, or at least `longAnswerTokens`) (three marks count half a request, four a whole one; an exact repeat of an earlier question counts nothing). Public prompts are discounted.',
          ),
        longAnswerTokens: z
          .number()
          .int()
          .min(1)
          .optional()
          .describe(
            'An answer of at least this many output tokens counts as an elaborate one, the same mark as chain-of-thought asked for (one mark for either): a campaign that writes every prompt afresh and never flags chain-of-thought still asks for long answers, since they are what it trains on. Left out: only chain-of-thought counts.',
          ),
      })
      .strict()
      .describe(
        'Evidence counted, not averaged: points added to the account score on top of the signals, so that a large amount of extraction-shaped traffic is enough to act on, on any tier, however much ordinary traffic is mixed in.',
      ),
    signals: z
      .object({
        volume: signalSettings.describe('Requests in the window / the tier’s daily norm.'),
        velocity: signalSettings.describe(
          'Requests in the busiest hour / the tier’s hourly norm (daily norm / 24).',
        ),
        capabilityConcentration: signalSettings.describe(
          'Share of requests for reasoning, coding or agentic capabilities.',
        ),
        reasoningElicitation: signalSettings.describe(
          'Share of requests with `reasoningRequested` (chain-of-thought elicitation).',
        ),
        outputInputRatio: signalSettings.describe('Output tokens / input tokens.'),
        singleTurnShare: signalSettings.describe(
          'Share of conversations never followed up after their first request.',
        ),
        topicCoverage: signalSettings.describe(
          'Share of requests on a topic new in the window (a systematic topic sweep).',
        ),
        templateReuse: signalSettings.describe(
          'Share of conversation openers reusing one of the account’s own prompt templates.',
        ),
        timingRegularity: signalSettings.describe(
          'Variation of the gaps between requests (sd / mean); lower is riskier (clockwork).',
        ),
        noDiurnalRest: signalSettings.describe(
          'Share of the hours of the window with activity: no sleep, no rest.',
        ),
        accountAge: signalSettings.describe('Days from sign-up to first request; lower is riskier.'),
        releaseChasing: signalSettings.describe(
          'Share of requests on a model released less than `models.freshHours` before.',
        ),
      })
      .strict()
      .describe(
        'Account signals. Each adds nothing at `low` and its full `weight` at `high`, linearly in between (the "lower is riskier" signals `timingRegularity` and `accountAge` run the other way). The score is the weighted sum over the sum of weights, times 100.',
      ),
    models: z
      .object({
        freshHours: z
          .number()
          .positive()
          .max(24 * 14)
          .describe(
            'A request on a listed model less than this many hours after its release counts as release chasing.',
          ),
        releases: z
          .array(
            z
              .object({
                model: z.string().min(1).max(128).describe('Model id, as in the usage event’s `model`.'),
                releasedAt: z.iso
                  .datetime({
                    offset: true,
                    message: 'expected an ISO-8601 timestamp, e.g. 2026-02-05T17:00:00Z',
                  })
                  .describe(
                    'General availability time, ISO-8601 with an offset, e.g. `2026-02-05T17:00:00Z`.',
                  ),
              })
              .strict()
              .describe('One release.'),
          )
          .default([])
          .describe('Released models.'),
      })
      .strict()
      .default({ freshHours: 24, releases: [] })
      .describe(
        'Model releases, listed by the security team as they ship; the releaseChasing signal reads them.',
      ),
    allowlist: z
      .object({
        accounts: z
          .array(z.string().min(1).describe('An account id.'))
          .default([])
          .describe('Account ids never suspended automatically.'),
        orgs: z
          .array(z.string().min(1).describe('An org id.'))
          .default([])
          .describe('Org ids (`orgId` of the usage event) whose accounts are never suspended automatically.'),
      })
      .strict()
      .default({ accounts: [], orgs: [] })
      .describe(
        'Accounts and orgs never suspended automatically: they are still scored, banded and can be reviewed.',
      ),
    publicPrompts: z
      .object({
        file: z
          .string()
          .min(1)
          .max(256)
          .optional()
          .describe(
            'The list of fingerprints, one per line (`#` starts a comment), relative to the policy file, e.g. `public-prompts.txt`. It is read whenever the policy file is (`cauterize policy validate`, `cdk synth`, `replay`) and replaced by `fingerprints`: the deployed policy carries the fingerprints themselves. `npx cauterize policy public-prompts --out config/public-prompts.txt` rebuilds the shipped list.',
          ),
        fingerprints: z
          .array(
            z
              .string()
              .regex(FINGERPRINT, {
                message:
                  'expected a prompt fingerprint: 16 lowercase hex digits, as the usage event’s `promptHash`',
              })
              .describe('One fingerprint, e.g. `a84ddffbb885a497`.'),
          )
          .max(MAX_PUBLIC_PROMPTS, {
            message: `expected at most ${MAX_PUBLIC_PROMPTS.toLocaleString('en-US')} fingerprints (the policy must stay under 1 MiB)`,
          })
          .default([])
          .describe(
            'Fingerprints of public prompts, as the gateway hashes them (`promptHash`): the items of public benchmarks. Filled from `file` when the policy file is read; list them here only in a policy written without a file.',
          ),
        maxDistance: z
          .number()
          .int()
          .min(0)
          .max(MAX_PUBLIC_PROMPT_DISTANCE)
          .default(MAX_PUBLIC_PROMPT_DISTANCE)
          .describe(
            `A prompt within this many bits of a listed fingerprint is that prompt (a harness that wraps the item differently moves a bit or two). At most ${MAX_PUBLIC_PROMPT_DISTANCE}: further, the lookup would miss some.`,
          ),
      })
      .strict()
      .refine((list) => list.file === undefined || list.fingerprints.length > 0, {
        message:
          'names a file but holds no fingerprints: the file is read only with the policy file (`cauterize policy validate`, `cdk synth`), so load the policy from its file, or list the fingerprints under `fingerprints`',
        path: ['file'],
      })
      .optional()
      .describe(
        'Public prompts known in advance: a request whose opener is one of these (a public benchmark item) counts no extraction evidence and exposes no template for linking, from its first send and whoever sends it. The census of public prompts (`links.publicPromptMinSenders`) learns the same only after several unrelated senders have sent an item, so a research lab running a benchmark first looked like a campaign sweeping topics. Left out: only the census applies.',
      ),
    reasonFloor: share
      .default(0.05)
      .describe('A signal contributing less than this share of its weight is not listed among the reasons.'),
    links: linkSettings,
    clusters: clusterSettings,
    actions: actionSettings,
    reinstatement: reinstatementSettings,
    compliance: z
      .object({
        archiveRetentionDays: z
          .number()
          .int({ message: 'expected a whole number of days' })
          .min(1, { message: 'expected at least 1 day' })
          .max(36_500, { message: 'expected at most 36500 days (100 years)' })
          .describe('Days each archived case is retained and cannot be deleted or altered, by anyone.'),
      })
      .strict()
      .default({ archiveRetentionDays: 2555 })
      .describe('Compliance records: closed cases are archived to S3 under Object Lock (COMPLIANCE mode).'),
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
    // A cap lifted below the suspend band would lift it for scores that never suspend.
    for (const [tier, override] of Object.entries(policy.actions.tierOverrides)) {
      if (override?.liftAt === undefined || override.liftAt >= policy.thresholds.suspend) continue;
      ctx.addIssue({
        code: 'custom',
        path: ['actions', 'tierOverrides', tier, 'liftAt'],
        message:
          `must be at least thresholds.suspend (${policy.thresholds.suspend}): the cap is lifted only for ` +
          'scores that suspend; raise it, or leave it out to cap every score',
      });
    }
    // A tier capped at throttle or verify needs that band's settings (the rate limit, the checks).
    for (const [tier, override] of Object.entries(policy.actions.tierOverrides)) {
      const action = override?.maxAction;
      if ((action === 'throttle' || action === 'verify') && policy.actions[action] === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['actions', 'tierOverrides', tier, 'maxAction'],
          message:
            `caps the tier at ${action}, but actions.${action} is not set, so there is nothing to apply: ` +
            `add actions.${action}, or cap the tier at review or suspend`,
        });
      }
    }
  })
  .describe('The policy security teams edit (config/policy.yaml).');

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
  return validatePolicy(parsePolicyText(yamlOrJson, source), source);
}

/** Parses policy text (YAML or JSON) without validating it; throws PolicyValidationError. */
export function parsePolicyText(yamlOrJson: string, source = '(inline)'): unknown {
  const bytes = Buffer.byteLength(yamlOrJson);
  if (bytes > MAX_POLICY_BYTES) throw new PolicyValidationError(source, [policyTooLarge('policy', bytes)]);
  try {
    return parseYaml(yamlOrJson);
  } catch (error) {
    throw new PolicyValidationError(source, [`not valid YAML: ${(error as Error).message}`], {
      cause: error,
    });
  }
}

/**
 * The fingerprints of a public-prompt list file's text (`publicPrompts.file`): one per line, `#`
 * starts a comment, blank lines are skipped. Throws PolicyValidationError naming each bad line.
 */
export function parsePublicPromptList(text: string, source: string): string[] {
  const fingerprints: string[] = [];
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const entry = line.replace(/#.*/, '').trim();
    if (entry === '') return;
    if (FINGERPRINT.test(entry)) fingerprints.push(entry);
    else {
      problems.push(
        `publicPrompts.file: line ${i + 1} of ${source} is not a prompt fingerprint (got ${truncate(JSON.stringify(entry), MAX_VALUE_CHARS)}): write 16 lowercase hex digits, as the usage event's promptHash`,
      );
    }
  });
  if (problems.length > 0) throw new PolicyValidationError(source, problems);
  if (fingerprints.length === 0) {
    throw new PolicyValidationError(source, [
      `publicPrompts.file: ${source} lists no fingerprint: add them, or leave publicPrompts out`,
    ]);
  }
  return fingerprints;
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
