import type { AccountState } from '../account-state';
import type { Policy } from '../policy/policy';
import { strength, type Reason } from '../scoring/risk';
import { combinedTraffic, median, type LinkEvidence } from './edge-weights';

const HOUR_MS = 3_600_000;
const SIGNUP_BURST_HOURS = 72;

export interface ClusterAssessment {
  readonly score: number;
  readonly reasons: readonly Reason[];
}

/** Largest share of members whose sign-ups fall within one 72-hour span. */
export function signupBurstShare(members: readonly AccountState[]): number {
  const times = members
    .map((m) => Date.parse(m.accountCreatedAt))
    .filter((t) => Number.isFinite(t))
    .sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while ((times[end] ?? 0) - (times[start] ?? 0) > SIGNUP_BURST_HOURS * HOUR_MS) start += 1;
    best = Math.max(best, end - start + 1);
  }
  return members.length > 0 ? best / members.length : 0;
}

/** Share of members on a card or device that links them to another member with full weight. */
export function sharedInstrumentShare(
  members: readonly AccountState[],
  links: readonly LinkEvidence[],
  edgeThreshold: number,
) {
  const strongKeys = new Set(
    links
      .filter((l) => (l.kind === 'pay' || l.kind === 'dev') && l.accounts > 1 && l.weight >= edgeThreshold)
      .map((l) => l.linkKey),
  );
  const sharing = members.filter((m) => m.linkKeys.some((k) => strongKeys.has(k))).length;
  return members.length > 0 ? sharing / members.length : 0;
}

/**
 * Scores a cluster the way accounts are scored: each part from the policy's `low` to `high`,
 * weighted, with reasons. Coordination (sign-up bursts, shared instruments) and the members' own
 * extraction-shaped behaviour both have to be there for a high score.
 */
export function assessCluster(
  members: readonly AccountState[],
  links: readonly LinkEvidence[],
  policy: Policy,
  /** Members linked to another member by private (undiscounted) prompt templates. */
  templateLinked = 0,
): ClusterAssessment {
  const settings = policy.clusters;
  const { requests, extractionRequests: evidence, topics } = combinedTraffic(members);
  // Below clusters.fullShare of the members' requests together, the parts counting their
  // extraction-shaped requests shrink in proportion: a hackathon's or a lab's busy accounts send
  // a few such requests among hundreds of others (1-3%), a campaign's are a tenth or more.
  const share = requests > 0 ? evidence / requests : 0;
  const shareFactor = settings.fullShare === undefined ? 1 : Math.min(1, share / settings.fullShare);
  const diluted =
    shareFactor < 1 ? `, ${(share * 100).toFixed(1)}% of their requests: counted in proportion` : '';
  const values = {
    extractionVolume: evidence,
    syllabus: topics.size,
    memberRisk: median(members.map((m) => Math.max(m.riskScore, m.peakRiskScore ?? 0))),
    signupBurst: signupBurstShare(members),
    sharedInstruments: sharedInstrumentShare(members, links, settings.edgeThreshold),
    sharedTemplates: members.length > 0 ? templateLinked / members.length : 0,
    topicSweep:
      members.length > 0
        ? members.filter((m) => m.reasons.some((r) => r.signal === 'topicCoverage')).length / members.length
        : 0,
  };
  const text = {
    extractionVolume: `${Math.round(evidence)} extraction-shaped requests from the members together (public prompts aside${diluted})`,
    syllabus: `the members asked about ${topics.size} distinct topics together`,
    memberRisk: `median member account score ${Math.round(values.memberRisk)} (peak over the window)`,
    signupBurst: `${Math.round(values.signupBurst * 100)}% of members signed up within ${SIGNUP_BURST_HOURS} hours of each other`,
    sharedInstruments: `${Math.round(values.sharedInstruments * 100)}% of members share a card or device with another member`,
    sharedTemplates: `${Math.round(values.sharedTemplates * 100)}% of members reuse prompt templates of another member`,
    topicSweep: `${Math.round(values.topicSweep * 100)}% of members sweep through topics`,
  };
  const ids = Object.keys(values) as Array<keyof typeof values>;
  const totalWeight = ids.reduce((sum, id) => sum + settings.signals[id].weight, 0);
  if (totalWeight === 0) return { score: 0, reasons: [] };
  let raw = 0;
  const reasons: Reason[] = [];
  for (const id of ids) {
    const s = strength(values[id], settings.signals[id]) * (id === 'extractionVolume' ? shareFactor : 1);
    const points = (100 * settings.signals[id].weight * s) / totalWeight;
    raw += points;
    if (s > 0) {
      reasons.push({
        signal: `cluster.${id}`,
        value: Number(values[id].toFixed(3)),
        threshold: settings.signals[id].low,
        saturation: settings.signals[id].high,
        points: Number(points.toFixed(1)),
        text: text[id],
      });
    }
  }
  // Campaign evidence counted, not averaged (clusters.evidence): the members' extraction-shaped
  // traffic together adds points of its own, as an account's does to its score.
  if (settings.evidence) {
    const s = strength(evidence, settings.evidence) * shareFactor;
    if (s > 0) {
      const points = settings.evidence.points * s;
      raw += points;
      reasons.push({
        signal: 'cluster.evidence',
        value: Number(evidence.toFixed(1)),
        threshold: settings.evidence.low,
        saturation: settings.evidence.high,
        points: Number(points.toFixed(1)),
        text: `counted as one extraction run: ${Math.round(evidence)} extraction-shaped requests together (points from ${settings.evidence.low}, in full at ${settings.evidence.high}${diluted})`,
      });
    }
  }
  const sizeFactor = Math.min(1, (members.length - 1) / Math.max(1, settings.fullSize - 1));
  if (sizeFactor < 1) {
    for (const [index, reason] of reasons.entries()) {
      reasons[index] = { ...reason, points: Number((reason.points * sizeFactor).toFixed(1)) };
    }
    reasons.push({
      signal: 'cluster.size',
      value: members.length,
      threshold: settings.minSize,
      saturation: settings.fullSize,
      points: Number((raw * (sizeFactor - 1)).toFixed(1)),
      text: `only ${members.length} linked accounts: cluster score scaled by ${sizeFactor.toFixed(2)}`,
    });
    raw *= sizeFactor;
  }
  reasons.sort((a, b) => b.points - a.points);
  return { score: Math.round(Math.min(100, raw)), reasons };
}
