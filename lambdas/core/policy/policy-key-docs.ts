/**
 * What every key of the policy means, for docs/policy.md and for editors' hover help (the JSON
 * Schema carries these texts). Keyed by dotted path; `*` stands for any one key and `[]` for the
 * items of a list. A `.describe()` text on the schema itself wins over an entry here.
 *
 * test/core/policy/policy-docs.test.ts fails when a key of the schema has no text: add one here (or a
 * `.describe()` in policy.ts) with the key, then run `npx cauterize policy docs --write`.
 */
export const POLICY_KEY_DOCS: Readonly<Record<string, string>> = {
  '': 'The policy security teams edit (config/policy.yaml).',
  version:
    'Names this policy. Every score, case and suspension records the version it was made under: bump it with every change.',
  mode: '`enforce`: accounts and clusters over the suspend thresholds are suspended. `shadow`: everything is scored, banded and recorded as under `enforce`, but no enforcement workflow is started.',

  thresholds: 'Account risk bands, on the 0-100 risk score.',
  'thresholds.review': 'An account scoring at least this is in the REVIEW band (flagged, not suspended).',
  'thresholds.suspend':
    'An account scoring at least this is suspended by the enforcement workflow (in `enforce` mode, unless allowlisted). Must be greater than `review`.',

  windows: 'Event-time windows of the account signals.',
  'windows.scoringHours': 'Sliding event-time window, in hours, the account signals are computed over.',
  'windows.minRequests':
    'Fewer requests than this in the window scale the score down proportionally (not enough evidence yet).',

  tiers: 'What an ordinary account of each plan does; one entry per tier of the usage event contract.',
  'tiers.*': 'Norms of this tier.',
  'tiers.*.dailyRequestNorm':
    'Requests per day an ordinary account of this tier makes; the volume and velocity signals are measured against it.',

  evidence:
    'Evidence counted, not averaged: points added to the account score on top of the signals, so that a large amount of extraction-shaped traffic is enough to act on, on any tier, however much ordinary traffic is mixed in.',
  'evidence.extractionRequests':
    'Extraction-shaped requests in the window: requests for reasoning, coding or agentic work showing three of a conversation opener, a topic new in the window, a template scaffold filled with a new question, chain-of-thought (three marks count half a request, four a whole one; an exact repeat of an earlier question counts nothing). Public prompts are discounted.',
  'evidence.extractionRequests.points': 'Points added at `high` and above (linearly from nothing at `low`).',
  'evidence.extractionRequests.low': 'Evidence at which points start to be added.',
  'evidence.extractionRequests.high':
    'Evidence at which the full `points` are added. Must be greater than `low`.',
  'evidence.extractionRequests.fullShare':
    'Below this share of the account’s requests, the points shrink in proportion: a reseller’s or a busy team’s occasional extraction-shaped request is not a campaign (a campaign diluting each account that far is caught by its cluster).',
  signals:
    'Account signals. Each adds nothing at `low` and its full `weight` at `high`, linearly in between (the "lower is riskier" signals `timingRegularity` and `accountAge` run the other way). The score is the weighted sum over the sum of weights, times 100.',
  'signals.volume': 'Requests in the window / the tier’s daily norm.',
  'signals.velocity': 'Requests in the busiest hour / the tier’s hourly norm (daily norm / 24).',
  'signals.capabilityConcentration': 'Share of requests for reasoning, coding or agentic capabilities.',
  'signals.reasoningElicitation':
    'Share of requests with `reasoningRequested` (chain-of-thought elicitation).',
  'signals.outputInputRatio': 'Output tokens / input tokens.',
  'signals.singleTurnShare': 'Share of conversations never followed up after their first request.',
  'signals.topicCoverage': 'Share of requests on a topic new in the window (a systematic topic sweep).',
  'signals.templateReuse': 'Share of conversation openers reusing one of the account’s own prompt templates.',
  'signals.timingRegularity':
    'Variation of the gaps between requests (sd / mean); lower is riskier (clockwork).',
  'signals.noDiurnalRest': 'Share of the hours of the window with activity: no sleep, no rest.',
  'signals.accountAge': 'Days from sign-up to first request; lower is riskier.',
  'signals.releaseChasing': 'Share of requests on a model released less than `models.freshHours` before.',
  'signals.*.weight':
    'Points (relative to the other weights) this signal adds at full strength; 0 turns it off.',
  'signals.*.low':
    'Value at which the signal starts to count (or, for lower-is-riskier signals, counts in full).',
  'signals.*.high':
    'Value at which the signal counts in full (or, for lower-is-riskier signals, stops counting). Must be greater than `low`.',

  models: 'Model releases, listed by the security team as they ship; the releaseChasing signal reads them.',
  'models.freshHours':
    'A request on a listed model less than this many hours after its release counts as release chasing.',
  'models.releases': 'Released models.',
  'models.releases[]': 'One release.',
  'models.releases[].model': 'Model id, as in the usage event’s `model`.',
  'models.releases[].releasedAt':
    'General availability time, ISO-8601 with an offset, e.g. `2026-02-05T17:00:00Z`.',

  allowlist:
    'Accounts and orgs never suspended automatically: they are still scored, banded and can be reviewed.',
  'allowlist.accounts': 'Account ids never suspended automatically.',
  'allowlist.accounts[]': 'An account id.',
  'allowlist.orgs': 'Org ids (`orgId` of the usage event) whose accounts are never suspended automatically.',
  'allowlist.orgs[]': 'An org id.',
  reasonFloor: 'A signal contributing less than this share of its weight is not listed among the reasons.',

  links: 'Linking: accounts sharing a card, device, IP or prompt template are joined by a weighted edge.',
  'links.weights': 'Edge weight (0-1) of two accounts sharing a key of each kind, before discounts.',
  'links.weights.pay': 'Sharing a payment instrument (`paymentFingerprint`).',
  'links.weights.dev': 'Sharing a device (`deviceFingerprint`).',
  'links.weights.ip': 'Sharing an IP address.',
  'links.weights.tpl': 'Sharing prompt templates (LSH bands of the prompt SimHash).',
  'links.sameOrgPaymentDiscount':
    'A card shared only inside one org is ordinary billing: its weight is multiplied by this.',
  'links.natMinAccounts':
    'An IP with at least this many accounts, mostly of one email domain, is a campus or corporate NAT...',
  'links.natDomainShare': '...where "mostly" means at least this share of its accounts.',
  'links.natDiscount': 'Weight multiplier for a NAT IP.',
  'links.publicPromptMinSenders':
    'A prompt sent by at least this many unrelated senders (distinct orgs, else cards, else devices, else accounts), mostly on one topic, is public (a benchmark item, a popular prompt, a homework problem), however risky its senders look. Its requests do not count as extraction evidence and its template key barely links.',
  'links.publicTemplateDiscount':
    'Weight multiplier for a template key that is a public prompt, or the same question (one topic) sent by several accounts rather than a template filled with new questions.',
  'links.publicRecheckHours':
    'Event-time hours between two checks of a heavy account’s share of public prompts (its census keys are read from the links table).',
  'links.minSharedTemplates':
    'Template keys (LSH bands) two accounts must share to be linked by templates; one alone happens by chance.',
  'links.membersReadPerKey': 'Accounts read per link key when clustering; a larger key counts as crowded.',
  'links.crowdedIpDiscount':
    'Weight multiplier for crowded keys no other rule explains (a shared card ring is never discounted).',

  clusters: 'Clusters: connected components over heavy edges, scored and enforced as a whole.',
  'clusters.edgeThreshold': 'Edges lighter than this do not join accounts into a cluster.',
  'clusters.candidateFloor': 'Accounts scoring at least this are expanded into their cluster each batch.',
  'clusters.seedShare':
    '...and so are accounts with at least one extraction-shaped request making up at least this share of their requests: a low-and-slow account shows its shape long before its count.',
  'clusters.seedEvidence':
    'Accounts with at least this much extraction evidence (extraction-shaped requests in the window, public prompts discounted) are expanded into their cluster too, however low their own score, and expose every template they use for linking (not only the reused ones): a campaign spread thin over many accounts shows in their combined traffic.',
  'clusters.reexplorePeakRise':
    'An account’s cluster is explored again when it gains links or its peak score rises by this much.',
  'clusters.maxHops': 'How many edges away from a risky account its cluster is explored.',
  'clusters.maxSize': 'Most accounts explored per cluster (bounds the reads of one batch).',
  'clusters.minSize': 'Clusters smaller than this are scored as single accounts.',
  'clusters.fullSize':
    'Clusters smaller than this have their score scaled by (size - 1) / (fullSize - 1): coordination needs numbers.',
  'clusters.review': 'A cluster scoring at least this is in review.',
  'clusters.suspend':
    'A cluster scoring at least this has its members suspended (see `memberFloor`). Must be greater than `review`.',
  'clusters.memberFloor':
    'Members of a cluster over `suspend` are suspended if their own score is at least this.',
  'clusters.signals': 'Parts of the cluster score, each from `low` (nothing) to `high` (full weight).',
  'clusters.signals.memberRisk': 'Median of the members’ peak account scores.',
  'clusters.signals.signupBurst': 'Share of members created within 72 hours of each other.',
  'clusters.signals.sharedInstruments': 'Share of members on a shared card or device.',
  'clusters.signals.sharedTemplates': 'Share of members reusing another member’s private templates.',
  'clusters.signals.topicSweep': 'Share of members sweeping topics (extraction rings cover a syllabus).',
  'clusters.signals.extractionVolume':
    'Extraction-shaped requests of all members together (public prompts discounted): a campaign spread thin over many accounts is still a campaign.',
  'clusters.signals.syllabus':
    'Distinct topics the members asked about together: a syllabus split over many accounts is still a syllabus, where a family or a team keeps to its few topics.',
  'clusters.signals.*.weight': 'Points (relative to the other weights) this part adds at full strength.',
  'clusters.signals.*.low': 'Value at which this part starts to count.',
  'clusters.signals.*.high': 'Value at which this part counts in full. Must be greater than `low`.',
  'clusters.regrowth': 'Anti-regrowth: a new account strongly linked to a suspended one is enforced early.',
  'clusters.regrowth.edgeWeight':
    'Edge weight to a suspended account that counts as strongly linked (a shared card or device).',
  'clusters.regrowth.minRequests': '...once the new account has made this many requests...',
  'clusters.regrowth.floor': '...and scores at least this on its own.',

  // Added with the network links, graduated actions and reinstatement protection.
  'links.weights.asn': 'Sharing a network footprint: the set of ASNs an account rotates over.',
  'links.weights.burst': 'Sharing a sign-up burst: created in the same hour on the same network.',
  'links.ordinaryNetworkRiskCeiling':
    'A footprint or sign-up burst shared by many accounts whose median score is below this is ordinary (a popular ISP mix, a busy hour): its weight is multiplied by `crowdedIpDiscount`.',
  'clusters.weakEdgeFloor':
    'Weak edges (address, network footprint, sign-up burst) at least this heavy combine: an account whose weak edges to the cluster reach `edgeThreshold` together (1 - product of (1 - weight)) joins it.',
  'clusters.regrowth.maxRequests':
    'New accounts are checked while they have made at most this many requests, and again when they pick up a new card, device or template.',
  'actions.verify.checks[]': 'A step-up check: `identity` or `payment`.',
  'reinstatement.reenforceMargin':
    'Points a reinstated account’s peak score must rise above the score it was cleared at before it can be enforced again.',
  'reinstatement.newInstrumentLifts':
    'A card or device the account did not have when cleared lifts the protection too.',
  compliance: 'Compliance records: closed cases are archived to S3 under Object Lock (COMPLIANCE mode).',
  'compliance.archiveRetentionDays':
    'Days each archived case is retained and cannot be deleted or altered, by anyone.',
};

/** The text for a key path (`signals.volume.weight`, `models.releases[].model`), or undefined. */
export function policyKeyDoc(path: string): string | undefined {
  const exact = POLICY_KEY_DOCS[path];
  if (exact !== undefined) return exact;
  const segments = path.split('.');
  let best: { text: string; wildcards: number } | undefined;
  for (const [pattern, text] of Object.entries(POLICY_KEY_DOCS)) {
    const parts = pattern.split('.');
    if (parts.length !== segments.length || !parts.includes('*')) continue;
    if (!parts.every((part, i) => part === '*' || part === segments[i])) continue;
    const wildcards = parts.filter((part) => part === '*').length;
    if (!best || wildcards < best.wildcards) best = { text, wildcards };
  }
  return best?.text;
}
