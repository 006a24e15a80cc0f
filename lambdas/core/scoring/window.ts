import type { UsageEvent } from '../contract/usage-event';
import type { Policy } from '../policy/policy';
import { TemplateMemory, topicTag, type TemplateBandCount } from './template-memory';
import { publicPromptIndex, type PublicPromptIndex } from './public-prompts';
import { TopicMemory, type TopicSeen } from './topic-memory';

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
const EXTRACTION_CAPABILITIES = new Set(['reasoning', 'coding', 'agentic']);
/** Requests closer than this to the previous one continue a burst: the gap is not timed. */
const BURST_GAP_MS = MINUTE_MS;

/** Counters for one event-time hour of one account. Short keys: this is stored per account. */
export interface HourBucket {
  /** Epoch hour (event time). */
  readonly h: number;
  /** Requests. */
  n: number;
  /** Requests for reasoning, coding or agentic work. */
  cap: number;
  /** Requests with reasoningRequested (chain-of-thought elicitation). */
  cot: number;
  inTok: number;
  outTok: number;
  /** Requests that open a conversation (turn 1). */
  open: number;
  /** Follow-ups: turn-2 requests, one per conversation that got past its opener. */
  fu: number;
  /** Gaps to the previous request that were timed (a minute or more; shorter ones are bursts). */
  gn: number;
  /**
   * Sum of the timed gaps' excess over that minute, in tenths of a minute (integers: no float
   * drift in the stored item). The excess, not the gap: Poisson traffic has exponential excesses
   * (variation 1) at any rate, where whole gaps of fast Poisson traffic, cut at a minute, would
   * look regular.
   */
  gs: number;
  /** Sum of their squares, in the same unit squared. */
  gq: number;
  /** Requests on a topic the account had not asked about earlier in the window. */
  nt: number;
  /** Conversation openers that reuse a prompt template the account used earlier in the window. */
  tpl: number;
  /** Requests on a model released less than the policy's `models.freshHours` before them. */
  rel: number;
  /**
   * Extraction evidence, in halves of a request: each extraction-shaped request adds 1 or 2 (see
   * extractionMarks). Counted, not averaged: ordinary traffic mixed in dilutes a share, never this.
   */
  ex: number;
}

/** Bucket counters in their stored order (append only: old items lack the later ones, read as 0). */
export const BUCKET_COUNTERS = [
  'n',
  'cap',
  'cot',
  'inTok',
  'outTok',
  'open',
  'fu',
  'gn',
  'gs',
  'gq',
  'nt',
  'tpl',
  'rel',
  'ex',
] as const satisfies ReadonlyArray<keyof Omit<HourBucket, 'h'>>;

export type BucketCounter = (typeof BUCKET_COUNTERS)[number];

/**
 * Each stored counter's name in WindowTotals. Complete by type: a counter added to the buckets
 * fails to compile until it has a name here and a sum in totals().
 */
export const WINDOW_TOTAL_OF = {
  n: 'requests',
  cap: 'capabilityRequests',
  cot: 'reasoningRequests',
  inTok: 'inputTokens',
  outTok: 'outputTokens',
  open: 'openers',
  fu: 'followUps',
  gn: 'timedGaps',
  gs: 'gapExcessSum',
  gq: 'gapExcessSquares',
  nt: 'novelTopicRequests',
  tpl: 'templateReuses',
  rel: 'freshModelRequests',
  ex: 'extractionHalves',
} as const satisfies Record<BucketCounter, keyof WindowTotals>;

/**
 * The window's counters summed, under the names of what they count (the hour buckets keep their
 * short stored names: see HourBucket), plus the shape of its hours. What signals read.
 */
export interface WindowTotals {
  /** Requests (n). */
  requests: number;
  /** Requests for reasoning, coding or agentic work (cap). */
  capabilityRequests: number;
  /** Requests that elicit chain-of-thought (cot). */
  reasoningRequests: number;
  /** Input tokens (inTok). */
  inputTokens: number;
  /** Output tokens (outTok). */
  outputTokens: number;
  /** Conversation openers (open). */
  openers: number;
  /** Conversations that got past their opener (fu). */
  followUps: number;
  /** Timed gaps between requests, a minute or more (gn). */
  timedGaps: number;
  /** Sum of the timed gaps' excess over a minute, in tenths of a minute (gs). */
  gapExcessSum: number;
  /** Sum of its squares (gq). */
  gapExcessSquares: number;
  /** Requests on a topic new to the account in the window (nt). */
  novelTopicRequests: number;
  /** Openers reusing one of the account's templates (tpl). */
  templateReuses: number;
  /** Requests on a freshly released model (rel). */
  freshModelRequests: number;
  /** Extraction evidence in halves of a request (ex): see extractionEvidence. */
  extractionHalves: number;
  /** Hours of the window with at least one request. */
  activeHours: number;
  /** Hours from the first active hour of the window to the latest, inclusive (0 when empty). */
  spanHours: number;
  /** Requests in the busiest hour. */
  peakHour: number;
}

export function epochHour(ts: string): number {
  return Math.floor(Date.parse(ts) / HOUR_MS);
}

export function emptyBucket(h: number): HourBucket {
  const bucket = { h } as HourBucket;
  for (const key of BUCKET_COUNTERS) bucket[key] = 0;
  return bucket;
}

/** What one event adds beyond its own fields: facts that need the account's memory. */
export interface EventObservation {
  /** Milliseconds since the account's previous request; undefined for its first or an out-of-order one. */
  readonly gapMs?: number;
  readonly novelTopic?: boolean;
  readonly reusedTemplate?: boolean;
  /** The opener reuses a template band the account filled with another topic before. */
  readonly scaffold?: boolean;
  /** The opener repeats an earlier prompt of the window exactly, on the same topic. */
  readonly repeatedPrompt?: boolean;
  readonly freshModel?: boolean;
  /** The answer ran to at least the policy's `evidence.longAnswerTokens` (asked for at length). */
  readonly longAnswer?: boolean;
  /** The opener is a prompt the policy lists as public (`publicPrompts`): a benchmark item. */
  readonly publicPrompt?: boolean;
}

/** Capabilities whose outputs a distillation campaign is after. */
export function isExtractionCapability(capability: string): boolean {
  return EXTRACTION_CAPABILITIES.has(capability);
}

/**
 * How extraction-shaped one request is, 0-2: a request for reasoning, coding or agentic work that
 * shows k of four marks (a conversation opener, a topic new to the account in the window, a
 * template scaffold filled with a new question, an elaborate answer: chain-of-thought asked for,
 * or an answer of at least the policy's `evidence.longAnswerTokens`) scores k - 2, unless it
 * repeats an earlier prompt exactly on the same topic (nothing new to extract). Ordinary use shows
 * two marks at most (a question on something new, now and then with reasoning); a campaign's
 * requests show three or four, however much ordinary traffic is mixed in around them. A benchmark
 * run shows two (new questions, chain-of-thought, but no scaffold and few new topics). A campaign
 * that writes every prompt afresh and never flags chain-of-thought still wants long answers: those
 * are what it trains on. Chain-of-thought and a long answer are one mark, not two, so an ordinary
 * reasoned answer (long because it reasons) counts no more than before. A prompt the policy lists
 * as public (`publicPrompts`) counts nothing.
 */
export function extractionMarks(event: UsageEvent, seen: EventObservation): number {
  // The same question asked again extracts nothing new (another sample of a benchmark item), and a
  // listed public prompt's answer is public already.
  if (!EXTRACTION_CAPABILITIES.has(event.capability) || seen.repeatedPrompt || seen.publicPrompt) return 0;
  let marks = 0;
  if (event.turn === 1) marks += 1;
  if (seen.novelTopic) marks += 1;
  if (seen.scaffold) marks += 1;
  if (event.reasoningRequested || seen.longAnswer) marks += 1;
  return Math.max(0, marks - 2);
}

/**
 * Extraction evidence in a window, in requests (the `ex` counter is in halves), less the share of
 * it that is public prompts (AccountState.publicShare).
 */
export function extractionEvidence(window: { readonly extractionHalves: number }, publicShare = 0): number {
  return (window.extractionHalves / 2) * (1 - publicShare);
}

/** Adds one event to its hour bucket, keeping buckets sorted by hour. Mutates `buckets`. */
export function addToBuckets(
  buckets: HourBucket[],
  event: UsageEvent,
  seen: EventObservation = {},
  h: number = epochHour(event.ts),
): void {
  // Events mostly land in the latest hour: look there first.
  const latest = buckets[buckets.length - 1];
  let bucket = latest?.h === h ? latest : buckets.find((b) => b.h === h);
  if (!bucket) {
    bucket = emptyBucket(h);
    buckets.push(bucket);
    if (latest && latest.h > h) buckets.sort((a, b) => a.h - b.h);
  }
  bucket.n += 1;
  if (EXTRACTION_CAPABILITIES.has(event.capability)) bucket.cap += 1;
  if (event.reasoningRequested) bucket.cot += 1;
  bucket.inTok += event.inputTokens;
  bucket.outTok += event.outputTokens;
  if (event.turn === 1) bucket.open += 1;
  if (event.turn === 2) bucket.fu += 1;
  if (seen.gapMs !== undefined && seen.gapMs >= BURST_GAP_MS) {
    const tenths = Math.round((seen.gapMs - BURST_GAP_MS) / (MINUTE_MS / 10));
    bucket.gn += 1;
    bucket.gs += tenths;
    bucket.gq += tenths * tenths;
  }
  if (seen.novelTopic) bucket.nt += 1;
  if (seen.reusedTemplate) bucket.tpl += 1;
  if (seen.freshModel) bucket.rel += 1;
  bucket.ex += extractionMarks(event, seen);
}

/** Drops buckets that fell out of the window ending at `latestHour` (inclusive). */
export function pruneBuckets(
  buckets: readonly HourBucket[],
  latestHour: number,
  windowHours: number,
): HourBucket[] {
  const oldest = latestHour - windowHours + 1;
  return buckets.filter((b) => b.h >= oldest);
}

export function totals(buckets: readonly HourBucket[]): WindowTotals {
  // Counter by counter, not over BUCKET_COUNTERS by name: this runs per account and batch, and
  // keyed access by a variable name was 2.5% of the scorer's time at 20 s batches (the object
  // literal below fails to compile when a WindowTotals field is left out).
  let n = 0;
  let cap = 0;
  let cot = 0;
  let inTok = 0;
  let outTok = 0;
  let open = 0;
  let fu = 0;
  let gn = 0;
  let gs = 0;
  let gq = 0;
  let nt = 0;
  let tpl = 0;
  let rel = 0;
  let ex = 0;
  let activeHours = 0;
  let peakHour = 0;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const b of buckets) {
    n += b.n;
    cap += b.cap;
    cot += b.cot;
    inTok += b.inTok;
    outTok += b.outTok;
    open += b.open;
    fu += b.fu;
    gn += b.gn;
    gs += b.gs;
    gq += b.gq;
    nt += b.nt;
    tpl += b.tpl;
    rel += b.rel;
    ex += b.ex;
    if (b.n > 0) {
      activeHours += 1;
      peakHour = Math.max(peakHour, b.n);
      first = Math.min(first, b.h);
      last = Math.max(last, b.h);
    }
  }
  const spanHours = activeHours > 0 ? last - first + 1 : 0;
  return {
    activeHours,
    spanHours,
    peakHour,
    requests: n,
    capabilityRequests: cap,
    reasoningRequests: cot,
    inputTokens: inTok,
    outputTokens: outTok,
    openers: open,
    followUps: fu,
    timedGaps: gn,
    gapExcessSum: gs,
    gapExcessSquares: gq,
    novelTopicRequests: nt,
    templateReuses: tpl,
    freshModelRequests: rel,
    extractionHalves: ex,
  };
}

/** A model release the security team listed in the policy. */
export interface ModelRelease {
  readonly model: string;
  readonly releasedAt: string;
}

export interface WindowSettings {
  readonly windowHours: number;
  readonly releases: readonly ModelRelease[];
  /** A request on a model less than this many hours after its release counts as chasing it. */
  readonly freshHours: number;
  /** Topics remembered per account. @default 64 */
  readonly topicsKept?: number;
  /** Template band keys remembered per account. @default 64 */
  readonly templateBandsKept?: number;
  /** Recurring band keys exposed for linking. @default 16 */
  readonly recurringBandsKept?: number;
  /** An answer of at least this many output tokens is an elaborate one (an extraction mark). */
  readonly longAnswerTokens?: number;
  /** Prompts known to be public (the policy's `publicPrompts`): no evidence, no template bands. */
  readonly publicPrompts?: PublicPromptIndex;
}

/** The parts of an account's state that the window folds events into. */
export interface WindowState {
  buckets: HourBucket[];
  lastEventAt: string;
  recentTopics: TopicSeen[];
  templateBands: TemplateBandCount[];
  recurringTemplateBands: string[];
}

/**
 * Folds an account's events into its window: hour counters plus the small bounded memories
 * (recent topics, template bands) that make "new topic" and "reused template" countable per
 * hour. Call `add` per event in stream order, before the account's `lastEventAt` moves on, then
 * `finish` once per batch: it prunes everything to the window and writes the memories back.
 */
export class WindowFolder {
  private readonly topics: TopicMemory;
  private readonly templates: TemplateMemory;
  private readonly releases: ReadonlyMap<string, number>;
  private readonly freshMs: number;
  /** `state.lastEventAt` and its epoch milliseconds, kept here so it is parsed once per batch. */
  private latestTs: string;
  private latestMs: number;

  public constructor(
    private readonly state: WindowState,
    private readonly settings: WindowSettings,
  ) {
    this.topics = new TopicMemory(state.recentTopics, settings.topicsKept ?? 64);
    this.templates = new TemplateMemory(state.templateBands, settings.templateBandsKept ?? 64);
    this.releases = releaseTimes(settings.releases);
    this.freshMs = settings.freshHours * HOUR_MS;
    this.latestTs = state.lastEventAt;
    this.latestMs = Date.parse(state.lastEventAt);
  }

  /**
   * Adds one event; `state.lastEventAt` must still be the latest time before this event. Returns
   * how extraction-shaped it was (extractionMarks).
   */
  public add(event: UsageEvent): number {
    const ms = Date.parse(event.ts);
    const h = Math.floor(ms / HOUR_MS);
    const oldest = h - this.settings.windowHours + 1;
    if (this.state.lastEventAt !== this.latestTs) {
      this.latestTs = this.state.lastEventAt;
      this.latestMs = Date.parse(this.latestTs);
    }
    const gap = ms - this.latestMs;
    const releasedAt = this.releases.get(event.model);
    // A listed public prompt is nobody's template: it neither reuses nor exposes a band.
    const opener = event.turn === 1;
    const publicPrompt = opener && this.settings.publicPrompts?.has(event.promptHash) === true;
    const template = opener && !publicPrompt;
    const seen: EventObservation = {
      // A gap longer than the window says no more than "idle the whole window".
      gapMs: gap > 0 ? Math.min(gap, this.settings.windowHours * HOUR_MS) : undefined,
      novelTopic: event.topic !== null && this.topics.observe(event.topic, h, oldest),
      reusedTemplate: template && this.templates.observe(event.promptHash, h, oldest, topicTag(event.topic)),
      scaffold: template && this.templates.scaffold,
      repeatedPrompt: template && this.templates.repeated,
      publicPrompt,
      freshModel: releasedAt !== undefined && ms >= releasedAt && ms - releasedAt < this.freshMs,
      longAnswer: event.outputTokens >= (this.settings.longAnswerTokens ?? Number.POSITIVE_INFINITY),
    };
    addToBuckets(this.state.buckets, event, seen, h);
    return extractionMarks(event, seen);
  }

  /** The topic tag a band key of this account carries ('' when unknown). */
  public templateTag(bandKey: string): string {
    return this.templates.tagOf(bandKey);
  }

  /**
   * Prunes the window to end at `latestHour` and stores the bounded memories on the state. An
   * account showing extraction evidence exposes its template bands for linking from their first
   * use (`everyTemplate`), so that burner accounts sending a handful of requests each still link
   * through the templates they share; others only the bands they reuse.
   */
  public finish(latestHour: number, everyTemplate = false): void {
    const oldest = latestHour - this.settings.windowHours + 1;
    this.state.buckets = pruneBuckets(this.state.buckets, latestHour, this.settings.windowHours);
    this.state.recentTopics = this.topics.entries(oldest);
    this.state.templateBands = this.templates.entries(oldest);
    this.state.recurringTemplateBands = this.templates.recurring(
      oldest,
      this.settings.recurringBandsKept ?? 16,
      everyTemplate ? 1 : 2,
    );
  }
}

const releaseTimesOf = new WeakMap<readonly ModelRelease[], ReadonlyMap<string, number>>();

/** Release time by model, worked out once per policy (a folder is made per account and batch). */
function releaseTimes(releases: readonly ModelRelease[]): ReadonlyMap<string, number> {
  let times = releaseTimesOf.get(releases);
  if (!times) {
    times = new Map(releases.map((r) => [r.model, Date.parse(r.releasedAt)]));
    releaseTimesOf.set(releases, times);
  }
  return times;
}

/** The window settings a policy implies (memory capacities at their defaults). */
export function windowSettings(policy: Policy): WindowSettings {
  return {
    windowHours: policy.windows.scoringHours,
    releases: policy.models.releases,
    freshHours: policy.models.freshHours,
    longAnswerTokens: policy.evidence.longAnswerTokens,
    publicPrompts: publicPromptIndex(policy.publicPrompts),
  };
}
