import type { GroundTruth, LabelledEvent } from './types';

export interface CohortCounts {
  readonly accounts: number;
  /** Accounts that emitted at least one event in the window. */
  readonly activeAccounts: number;
  readonly events: number;
}

export interface SimulationSummary {
  readonly events: number;
  readonly accounts: number;
  readonly attackEvents: number;
  readonly attackAccounts: number;
  readonly firstTs: string | null;
  readonly lastTs: string | null;
  readonly elapsedMs: number;
  readonly eventsPerSecond: number;
  readonly byCohort: Readonly<Record<string, CohortCounts>>;
}

export interface SimulationProgress {
  readonly events: number;
  /** The latest event time reached. */
  readonly simulatedTs: string;
  /** Share of the simulated window covered so far, 0..1. */
  readonly fraction: number;
  readonly elapsedMs: number;
}

/** Counts events per cohort while passing them through; `finish()` gives the summary. */
export class SummaryCollector {
  private readonly started = performance.now();
  private readonly eventsByCohort = new Map<string, number>();
  private readonly active = new Set<string>();
  private events = 0;
  private attackEvents = 0;
  private firstTs: string | null = null;
  private lastTs: string | null = null;

  constructor(private readonly truth: GroundTruth) {}

  add(labelled: LabelledEvent): void {
    this.events++;
    if (labelled.attack) this.attackEvents++;
    this.eventsByCohort.set(labelled.cohort, (this.eventsByCohort.get(labelled.cohort) ?? 0) + 1);
    this.active.add(labelled.accountId);
    this.firstTs ??= labelled.event.ts;
    this.lastTs = labelled.event.ts;
  }

  get count(): number {
    return this.events;
  }

  progress(): SimulationProgress {
    const start = Date.parse(this.truth.start);
    const end = Date.parse(this.truth.end);
    const at = this.lastTs ? Date.parse(this.lastTs) : start;
    return {
      events: this.events,
      simulatedTs: this.lastTs ?? this.truth.start,
      fraction: Math.min(1, Math.max(0, (at - start) / (end - start))),
      elapsedMs: performance.now() - this.started,
    };
  }

  finish(): SimulationSummary {
    const elapsedMs = performance.now() - this.started;
    const byCohort: Record<string, CohortCounts> = {};
    const activeByCohort = new Map<string, number>();
    for (const account of this.truth.accounts) {
      if (this.active.has(account.accountId)) {
        activeByCohort.set(account.cohort, (activeByCohort.get(account.cohort) ?? 0) + 1);
      }
    }
    for (const cohort of this.truth.cohorts) {
      byCohort[cohort.id] = {
        accounts: cohort.accounts,
        activeAccounts: activeByCohort.get(cohort.id) ?? 0,
        events: this.eventsByCohort.get(cohort.id) ?? 0,
      };
    }
    return {
      events: this.events,
      accounts: this.truth.accounts.length,
      attackEvents: this.attackEvents,
      attackAccounts: this.truth.accounts.filter((a) => a.attack).length,
      firstTs: this.firstTs,
      lastTs: this.lastTs,
      elapsedMs,
      eventsPerSecond: elapsedMs > 0 ? (this.events / elapsedMs) * 1000 : 0,
      byCohort,
    };
  }
}
