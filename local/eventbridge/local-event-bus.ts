import { randomUUID } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import { matchesEventPattern, type EventPattern } from './event-pattern';
import { DEFAULT_LOCAL_REGION, LOCAL_ACCOUNT_ID } from '../emulators/local-aws-identity';

/** Thrown for a PutEvents call EventBridge itself would reject as a whole. */
export class LocalEventBusError extends Error {
  public constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LocalEventBusError';
  }
}

/** One PutEvents request entry, as the SDK and the Step Functions integration pass it. */
export interface PutEventsEntry {
  readonly Source?: string;
  readonly DetailType?: string;
  /** A JSON object, as text (SDK) or as an object (Step Functions optimized integration). */
  readonly Detail?: string | Record<string, unknown>;
  /** A bus name or ARN. @default 'default' */
  readonly EventBusName?: string;
  readonly Resources?: readonly string[];
  readonly Time?: string | Date;
}

export type PutEventsResultEntry = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

export interface PutEventsResult {
  readonly Entries: PutEventsResultEntry[];
  readonly FailedEntryCount: number;
}

/** An event as an EventBridge rule target receives it, plus the bus it was put on. */
export interface LocalBusEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: Record<string, unknown>;
  readonly eventBusName: string;
}

export interface LocalEventBusOptions {
  /** @default 'us-east-1' */
  readonly region?: string;
  /** Appends each accepted event as one JSON line to this file. */
  readonly jsonlPath?: string;
  /** Called with each accepted event, e.g. to print it. */
  readonly onEvent?: (event: LocalBusEvent) => void;
  /** @default () => new Date() */
  readonly clock?: () => Date;
}

/** A rule on the local bus: events matching its pattern go to its target, as EventBridge sends them. */
export interface LocalEventRule {
  readonly name: string;
  /** The bus the rule is on (a name or an ARN). */
  readonly eventBusName: string;
  readonly pattern: EventPattern;
  /**
   * Receives each matching event (without the local `eventBusName` field), after putEvents has
   * returned: delivery is asynchronous, as in EventBridge. A rejection is recorded as a failed
   * delivery (see deliveryFailures), never thrown at the publisher.
   */
  readonly target: (event: Omit<LocalBusEvent, 'eventBusName'>) => Promise<unknown>;
}

/** A delivery that failed: what EventBridge would retry and then send to the rule's dead-letter queue. */
export interface LocalDeliveryFailure {
  readonly rule: string;
  readonly eventId: string;
  readonly error: unknown;
}

const MAX_ENTRIES_PER_CALL = 10;
const MAX_ENTRY_BYTES = 256 * 1024;

/**
 * A stand-in for EventBridge (which has no local emulator): keeps every accepted event in memory,
 * in order, and optionally appends it to a JSON Lines file. Entries are validated as EventBridge
 * does; a bad entry fails alone, as in PutEvents.
 */
export class LocalEventBus {
  private readonly accepted: LocalBusEvent[] = [];
  private readonly region: string;
  private readonly clock: () => Date;
  private writes: Promise<void> = Promise.resolve();
  private writeError: unknown;
  private readonly rules: LocalEventRule[] = [];
  private readonly deliveries = new Set<Promise<void>>();
  private readonly failures: LocalDeliveryFailure[] = [];

  public constructor(private readonly options: LocalEventBusOptions = {}) {
    this.region = options.region ?? DEFAULT_LOCAL_REGION;
    this.clock = options.clock ?? (() => new Date());
  }

  /** Same contract as EventBridge PutEvents: per-entry results in request order. */
  public async putEvents(entries: readonly PutEventsEntry[]): Promise<PutEventsResult> {
    if (entries.length === 0 || entries.length > MAX_ENTRIES_PER_CALL) {
      throw new LocalEventBusError(
        `PutEvents takes 1 to ${MAX_ENTRIES_PER_CALL} entries, got ${entries.length}`,
      );
    }
    const results = entries.map((entry) => this.accept(entry));
    return {
      Entries: results,
      FailedEntryCount: results.filter((result) => 'ErrorCode' in result).length,
    };
  }

  /** Accepted events in the order they were put, optionally only those of one bus or detail type. */
  public events(filter: { eventBusName?: string; detailType?: string } = {}): readonly LocalBusEvent[] {
    return this.accepted.filter(
      (event) =>
        (filter.eventBusName === undefined || event.eventBusName === busName(filter.eventBusName)) &&
        (filter.detailType === undefined || event['detail-type'] === filter.detailType),
    );
  }

  /** Sends every later event that matches the rule's pattern to its target. */
  public addRule(rule: LocalEventRule): void {
    this.rules.push(rule);
  }

  /** Deliveries whose target threw, in order. */
  public deliveryFailures(): readonly LocalDeliveryFailure[] {
    return this.failures;
  }

  /**
   * Waits until every accepted event has reached the JSON Lines file and every rule delivery has
   * settled (deliveries started meanwhile included).
   */
  public async flush(): Promise<void> {
    while (this.deliveries.size > 0) await Promise.all([...this.deliveries]);
    await this.writes;
    if (this.writeError) {
      throw new LocalEventBusError(`could not write events to ${this.options.jsonlPath}`, {
        cause: this.writeError,
      });
    }
  }

  /** Hands the event to every matching rule of its bus, asynchronously. */
  private deliver(event: LocalBusEvent): void {
    const { eventBusName, ...delivered } = event;
    for (const rule of this.rules) {
      if (busName(rule.eventBusName) !== eventBusName || !matchesEventPattern(rule.pattern, delivered))
        continue;
      const delivery: Promise<void> = Promise.resolve()
        .then(() => rule.target(structuredClone(delivered)))
        .then(noop, (error: unknown) => {
          this.failures.push({ rule: rule.name, eventId: event.id, error });
        })
        .finally(() => this.deliveries.delete(delivery));
      this.deliveries.add(delivery);
    }
  }

  private accept(entry: PutEventsEntry): PutEventsResultEntry {
    if (!entry.Source || !entry.DetailType || entry.Detail === undefined) {
      return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Source, DetailType and Detail are required.' };
    }
    let detail: Record<string, unknown>;
    try {
      detail =
        typeof entry.Detail === 'string'
          ? (JSON.parse(entry.Detail) as Record<string, unknown>)
          : entry.Detail;
    } catch {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail must be a JSON object.' };
    }
    const time = entry.Time === undefined ? this.clock() : new Date(entry.Time);
    const event: LocalBusEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': entry.DetailType,
      source: entry.Source,
      account: LOCAL_ACCOUNT_ID,
      // EventBridge event times have second precision.
      time: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: this.region,
      resources: [...(entry.Resources ?? [])],
      detail,
      eventBusName: busName(entry.EventBusName ?? 'default'),
    };
    if (Buffer.byteLength(JSON.stringify(event)) > MAX_ENTRY_BYTES) {
      return { ErrorCode: 'ValidationException', ErrorMessage: 'Total size of the entry exceeds 256 KB.' };
    }
    this.accepted.push(event);
    this.options.onEvent?.(event);
    this.deliver(event);
    if (this.options.jsonlPath) {
      const path = this.options.jsonlPath;
      const line = `${JSON.stringify(event)}\n`;
      this.writes = this.writes
        .then(() => appendFile(path, line))
        .catch((error: unknown) => {
          this.writeError ??= error;
        });
    }
    return { EventId: event.id };
  }
}

function noop(): void {}

/** EventBusName may be a name or an ARN (`arn:aws:events:...:event-bus/<name>`). */
function busName(nameOrArn: string): string {
  const marker = ':event-bus/';
  const at = nameOrArn.indexOf(marker);
  return at >= 0 && nameOrArn.startsWith('arn:') ? nameOrArn.slice(at + marker.length) : nameOrArn;
}
