import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_POLICY_FILE } from '../../lib/policy-file';
import { readTruthFile } from '../../sim/evaluation-files';
import { fastReplay, type FastReplaySummary } from './fast-replay';
import type { AccountSummary } from '../summaries';

export type DecisionStatus = AccountSummary['status'];

export interface BacktestOptions {
  /** JSON Lines file of usage events, in timestamp order (e.g. from `cauterize simulate`). */
  readonly eventsFile: string;
  /** The policy under test. */
  readonly policyFile: string;
  /** The policy it is compared with. @default config/policy.yaml */
  readonly baselineFile?: string;
  /** Ground truth (`cauterize-sim-truth/v1`) for per-cohort counts. @default - no cohorts */
  readonly truthFile?: string;
  /** Shards, as for replay. @default 2 */
  readonly shards?: number;
  /** Called as each run reads the file. */
  readonly onProgress?: (run: 'baseline' | 'candidate', bytesRead: number, totalBytes: number) => void;
}

export interface RunFigures {
  readonly policyFile: string;
  readonly policyVersion: string;
  readonly accounts: number;
  readonly review: number;
  readonly suspended: number;
  readonly seconds: number;
}

export interface Decision {
  readonly status: DecisionStatus;
  readonly riskScore: number;
}

export interface DecisionChange {
  readonly accountId: string;
  /** From the truth file; null without one or for an unlabelled account. */
  readonly cohort: string | null;
  readonly attack: boolean | null;
  readonly baseline: Decision;
  readonly candidate: Decision;
}

export interface CohortBacktest {
  readonly cohort: string;
  readonly attack: boolean;
  /** Accounts of the cohort that sent events. */
  readonly accounts: number;
  readonly baseline: { readonly review: number; readonly suspended: number };
  readonly candidate: { readonly review: number; readonly suspended: number };
  readonly newlySuspended: number;
  readonly noLongerSuspended: number;
  /** Accounts whose status differs between the two runs. */
  readonly changed: number;
}

export interface BacktestReport {
  readonly eventsFile: string;
  readonly engine: 'memory';
  readonly baseline: RunFigures;
  readonly candidate: RunFigures;
  /** How many accounts went from one status to another, e.g. `REVIEW -> SUSPENDED`. */
  readonly transitions: Readonly<Record<string, number>>;
  /** Accounts whose status differs: suspensions gained or lost first, then by account id. */
  readonly changes: readonly DecisionChange[];
  readonly cohorts?: readonly CohortBacktest[];
}

const STATUS_ORDER: Readonly<Record<DecisionStatus, number>> = { ACTIVE: 0, REVIEW: 1, SUSPENDED: 2 };

/**
 * Runs recorded events under a baseline and a candidate policy through the in-memory engine (the
 * same scoring core as the pipeline; test/integration/policy-backtest.test.ts holds it to the full
 * local pipeline's decisions under a non-default policy) and compares every account's decision.
 */
export async function backtestPolicy(options: BacktestOptions): Promise<BacktestReport> {
  const truth = options.truthFile ? await readTruthFile(options.truthFile) : undefined;
  const dir = await mkdtemp(join(tmpdir(), 'cauterize-backtest-'));
  try {
    const run = async (which: 'baseline' | 'candidate', policyFile: string | undefined) => {
      const outDir = join(dir, which);
      const summary = await fastReplay({
        file: options.eventsFile,
        outDir,
        policyFile,
        shards: options.shards,
        onProgress: (read, total) => options.onProgress?.(which, read, total),
      });
      return { summary, accounts: await readAccounts(join(outDir, 'accounts.jsonl')) };
    };
    const baseline = await run('baseline', options.baselineFile);
    const labels = new Map(truth?.accounts.map((a) => [a.accountId, a]));
    if (options.truthFile) checkTruthCovers(options.truthFile, labels, options.eventsFile, baseline.accounts);
    const candidate = await run('candidate', options.policyFile);

    const ids = [...new Set([...baseline.accounts.keys(), ...candidate.accounts.keys()])].sort();
    const decision = (accounts: Map<string, AccountSummary>, id: string): Decision => {
      const account = accounts.get(id);
      return { status: account?.status ?? 'ACTIVE', riskScore: account?.riskScore ?? 0 };
    };
    const transitions: Record<string, number> = {};
    const changes: DecisionChange[] = [];
    for (const accountId of ids) {
      const before = decision(baseline.accounts, accountId);
      const after = decision(candidate.accounts, accountId);
      const transition = `${before.status} -> ${after.status}`;
      transitions[transition] = (transitions[transition] ?? 0) + 1;
      if (before.status === after.status) continue;
      const label = labels.get(accountId);
      changes.push({
        accountId,
        cohort: label?.cohort ?? null,
        attack: label?.attack ?? null,
        baseline: before,
        candidate: after,
      });
    }
    const suspensionFlip = (c: DecisionChange) =>
      (c.baseline.status === 'SUSPENDED') !== (c.candidate.status === 'SUSPENDED') ? 0 : 1;
    changes.sort(
      (a, b) =>
        suspensionFlip(a) - suspensionFlip(b) ||
        STATUS_ORDER[b.candidate.status] - STATUS_ORDER[a.candidate.status] ||
        a.accountId.localeCompare(b.accountId),
    );

    return {
      eventsFile: options.eventsFile,
      engine: 'memory',
      baseline: figures(baseline.summary, options.baselineFile ?? DEFAULT_POLICY_FILE),
      candidate: figures(candidate.summary, options.policyFile),
      transitions,
      changes,
      ...(truth ? { cohorts: cohortFigures(truth.accounts, baseline.accounts, candidate.accounts) } : {}),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Thrown when the backtest's inputs do not belong together. */
export class BacktestInputError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'BacktestInputError';
  }
}

/**
 * A truth file labels every account of the events it was written with: per-cohort counts from
 * one that labels only some (another run's, another seed's) would be silently wrong.
 */
function checkTruthCovers(
  truthFile: string,
  labels: ReadonlyMap<string, unknown>,
  eventsFile: string,
  accounts: ReadonlyMap<string, AccountSummary>,
): void {
  const unlabelled = [...accounts.keys()].filter((id) => !labels.has(id));
  if (unlabelled.length === 0) return;
  throw new BacktestInputError(
    `${truthFile} labels ${accounts.size - unlabelled.length} of the ${accounts.size} accounts in ` +
      `${eventsFile} (${unlabelled.length} unlabelled, e.g. ${unlabelled.slice(0, 3).join(', ')}): pass the ` +
      'truth file written with these events (cauterize simulate writes the two together), or leave out --truth',
  );
}

function figures(summary: FastReplaySummary, policyFile: string): RunFigures {
  return {
    policyFile,
    policyVersion: summary.policyVersion,
    accounts: summary.accounts,
    review: summary.review,
    suspended: summary.suspended,
    seconds: summary.seconds,
  };
}

function cohortFigures(
  labels: ReadonlyArray<{ accountId: string; cohort: string; attack: boolean }>,
  baseline: Map<string, AccountSummary>,
  candidate: Map<string, AccountSummary>,
): CohortBacktest[] {
  interface Counter {
    attack: boolean;
    accounts: number;
    baseline: { review: number; suspended: number };
    candidate: { review: number; suspended: number };
    newlySuspended: number;
    noLongerSuspended: number;
    changed: number;
  }
  const cohorts = new Map<string, Counter>();
  for (const label of labels) {
    const before = baseline.get(label.accountId);
    const after = candidate.get(label.accountId);
    if (!before && !after) continue; // sent no event
    let counter = cohorts.get(label.cohort);
    if (!counter) {
      counter = {
        attack: label.attack,
        accounts: 0,
        baseline: { review: 0, suspended: 0 },
        candidate: { review: 0, suspended: 0 },
        newlySuspended: 0,
        noLongerSuspended: 0,
        changed: 0,
      };
      cohorts.set(label.cohort, counter);
    }
    const was = before?.status ?? 'ACTIVE';
    const is = after?.status ?? 'ACTIVE';
    counter.accounts += 1;
    if (was === 'REVIEW') counter.baseline.review += 1;
    if (was === 'SUSPENDED') counter.baseline.suspended += 1;
    if (is === 'REVIEW') counter.candidate.review += 1;
    if (is === 'SUSPENDED') counter.candidate.suspended += 1;
    if (was !== 'SUSPENDED' && is === 'SUSPENDED') counter.newlySuspended += 1;
    if (was === 'SUSPENDED' && is !== 'SUSPENDED') counter.noLongerSuspended += 1;
    if (was !== is) counter.changed += 1;
  }
  return [...cohorts.entries()]
    .map(([cohort, c]) => ({ cohort, ...c }))
    .sort((a, b) => Number(a.attack) - Number(b.attack) || a.cohort.localeCompare(b.cohort));
}

async function readAccounts(file: string): Promise<Map<string, AccountSummary>> {
  const accounts = new Map<string, AccountSummary>();
  for (const line of (await readFile(file, 'utf8')).split('\n')) {
    if (line.trim() === '') continue;
    const account = JSON.parse(line) as AccountSummary;
    accounts.set(account.accountId, account);
  }
  return accounts;
}
