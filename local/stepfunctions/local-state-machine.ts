import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { assertSupportedLocally } from './asl-definition';
import {
  assertLibraryPatched,
  ExecutionError,
  ExecutionTimeoutError,
  StateMachine,
  type EventLog,
  type JSONValue,
  type StateMachineDefinition,
} from './aws-local-stepfunctions';
import { createLimiter, type Limiter } from './concurrency-limiter';
import { isValidExecutionName } from './execution-name';
import { DEFAULT_LOCAL_REGION, localArn } from '../emulators/local-aws-identity';
import type { LocalEventBus } from '../eventbridge/local-event-bus';
import { buildTaskHandlers, type LocalTaskHandler } from './task-resource-handlers';

/** Step Functions' `ExecutionAlreadyExists`: the name is taken by a closed execution or another input. */
export class ExecutionAlreadyExistsError extends Error {
  public readonly executionArn: string;
  /** Whether the existing execution had the same input (it is then closed: a running one would be returned). */
  public readonly sameInput: boolean;
  public readonly existingStatus: ExecutionStatus;

  public constructor(executionArn: string, sameInput: boolean, existingStatus: ExecutionStatus) {
    super(`Execution Already Exists: '${executionArn}'`);
    this.name = 'ExecutionAlreadyExists';
    this.executionArn = executionArn;
    this.sameInput = sameInput;
    this.existingStatus = existingStatus;
  }
}

/** Step Functions' `InvalidName` and `InvalidExecutionInput`. */
export class InvalidExecutionRequestError extends Error {
  public constructor(
    name: 'InvalidName' | 'InvalidExecutionInput',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = name;
  }
}

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED';

/** A compact execution history entry (state transitions, retries, catches, failures). */
export interface ExecutionHistoryEvent {
  readonly type: string;
  readonly timestamp: Date;
  readonly stateName?: string;
  readonly error?: string;
  /** Bytes of the JSON input (StateEntered) or output (StateExited) the event carries. */
  readonly dataBytes?: number;
}

export interface LocalExecution {
  readonly name: string;
  readonly executionArn: string;
  readonly status: ExecutionStatus;
  readonly input: unknown;
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
  readonly startDate: Date;
  readonly stopDate?: Date;
  readonly history: readonly ExecutionHistoryEvent[];
}

export interface LocalStateMachineOptions {
  /** The resolved ASL definition (see resolveStateMachineDefinition). JSONPath only. */
  readonly definition: Record<string, unknown>;
  readonly dynamodb: DynamoDBClient;
  readonly eventBus: LocalEventBus;
  /**
   * ARN used in `$$.StateMachine.Id`, execution ARNs and EventBridge Resources.
   * @default arn:aws:states:<region>:000000000000:stateMachine:local
   */
  readonly stateMachineArn?: string;
  /** @default 'us-east-1' */
  readonly region?: string;
  /**
   * Executions running at once; later ones wait, already RUNNING, as Step Functions accepts them.
   * @default 8
   */
  readonly maxConcurrentExecutions?: number;
  /** Local handlers for particular Task states (e.g. `lambda:invoke`), keyed by state name. */
  readonly stateHandlers?: Readonly<Record<string, LocalTaskHandler>>;
  /** Milliseconds to wait before each retry, per state, instead of IntervalSeconds and backoff. */
  readonly retryIntervalOverrides?: Readonly<Record<string, number | number[]>>;
  /** Milliseconds each Wait state pauses, per state. */
  readonly waitTimeOverrides?: Readonly<Record<string, number>>;
  /** @default () => new Date() */
  readonly clock?: () => Date;
  /**
   * STANDARD: a name is unique per state machine (see the class). EXPRESS: as Step Functions
   * Express, every StartExecution starts a new execution whatever its name, with its own ARN
   * (`...:express:<machine>:<name>:<uuid>`), so exactly once must come from the definition's own
   * conditional writes.
   * @default 'STANDARD'
   */
  readonly workflowType?: 'STANDARD' | 'EXPRESS';
}

interface ExecutionRecord {
  name: string;
  executionArn: string;
  status: ExecutionStatus;
  inputText: string;
  input: unknown;
  output?: unknown;
  error?: string;
  cause?: string;
  startDate: Date;
  stopDate?: Date;
  history: ExecutionHistoryEvent[];
  done: Promise<void>;
}

/**
 * Runs a synthesized state machine with aws-local-stepfunctions, its DynamoDB Tasks against the
 * real SDK client (dynalite locally) and its EventBridge Tasks on a LocalEventBus. Under STANDARD,
 * execution names behave as in Step Functions Standard: unique per state machine; the same name
 * and input while RUNNING returns the running execution (started=false); otherwise the name is
 * taken and StartExecution throws ExecutionAlreadyExists. Under EXPRESS no name is ever refused.
 * A failing execution never throws out of this class: it is recorded as FAILED with its error and
 * cause.
 */
export class LocalStateMachine {
  public readonly stateMachineArn: string;
  private readonly machine: StateMachine;
  private readonly handlers: ReadonlyMap<string, LocalTaskHandler>;
  /** By name under STANDARD, by execution ARN under EXPRESS (names repeat there). */
  private readonly records = new Map<string, ExecutionRecord>();
  public readonly workflowType: 'STANDARD' | 'EXPRESS';
  private readonly limit: Limiter;
  private readonly clock: () => Date;
  private readonly stateMachineName: string;

  public constructor(private readonly options: LocalStateMachineOptions) {
    assertSupportedLocally(options.definition);
    this.stateMachineArn =
      options.stateMachineArn ??
      localArn('states', options.region ?? DEFAULT_LOCAL_REGION, 'stateMachine:local');
    this.stateMachineName = this.stateMachineArn.split(':').pop() ?? 'local';
    this.handlers = buildTaskHandlers(options.definition, options);
    this.machine = new StateMachine(options.definition as unknown as StateMachineDefinition);
    this.limit = createLimiter(options.maxConcurrentExecutions ?? 8);
    this.clock = options.clock ?? (() => new Date());
    this.workflowType = options.workflowType ?? 'STANDARD';
  }

  /**
   * StartExecution. Resolves as soon as the execution is accepted; it runs in the background.
   * @param request.name execution name; a random UUID when absent
   * @param request.input a JSON value, or its text; compared as text, as Step Functions does
   * @throws ExecutionAlreadyExistsError (STANDARD only) if the name is taken by a closed execution or another input
   * @throws UnpatchedLocalStepFunctionsError if the library's States.Hash digests are wrong (patch not applied)
   */
  public async startExecution(request: {
    readonly name?: string;
    readonly input?: unknown;
  }): Promise<{ started: boolean; executionArn: string; startDate: Date }> {
    await assertLibraryPatched();
    const name = request.name ?? randomUUID();
    if (!isValidExecutionName(name)) {
      throw new InvalidExecutionRequestError('InvalidName', `Invalid Name: '${name}'`);
    }
    const inputText = typeof request.input === 'string' ? request.input : JSON.stringify(request.input ?? {});
    let input: unknown;
    try {
      input = JSON.parse(inputText);
    } catch (error) {
      throw new InvalidExecutionRequestError(
        'InvalidExecutionInput',
        `Invalid State Machine Execution Input`,
        {
          cause: error,
        },
      );
    }

    const express = this.workflowType === 'EXPRESS';
    // Check and claim the name synchronously, so concurrent calls cannot both start it.
    const existing = express ? undefined : this.records.get(name);
    if (existing) {
      const sameInput = existing.inputText === inputText;
      if (sameInput && existing.status === 'RUNNING') {
        return { started: false, executionArn: existing.executionArn, startDate: existing.startDate };
      }
      throw new ExecutionAlreadyExistsError(existing.executionArn, sameInput, existing.status);
    }
    const record: ExecutionRecord = {
      name,
      executionArn: express
        ? `${this.stateMachineArn.replace(':stateMachine:', ':express:')}:${name}:${randomUUID()}`
        : `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`,
      status: 'RUNNING',
      inputText,
      input,
      startDate: this.clock(),
      history: [],
      done: Promise.resolve(),
    };
    this.records.set(express ? record.executionArn : name, record);
    record.done = this.limit(() => this.run(record));
    return { started: true, executionArn: record.executionArn, startDate: record.startDate };
  }

  /** Names of the definition's Task states (Map iterations' included). */
  public get taskStateNames(): ReadonlySet<string> {
    return new Set(this.handlers.keys());
  }

  /** Every execution started so far, in start order. */
  public executions(): LocalExecution[] {
    return [...this.records.values()].map((record) => this.view(record));
  }

  /** DescribeExecution by name (under EXPRESS, the first execution of that name); undefined if none. */
  public describeExecution(name: string): LocalExecution | undefined {
    const record =
      this.workflowType === 'EXPRESS'
        ? [...this.records.values()].find((r) => r.name === name)
        : this.records.get(name);
    return record ? this.view(record) : undefined;
  }

  /** Waits until no execution is running, including ones started while waiting. */
  public async drain(): Promise<void> {
    for (;;) {
      const running = [...this.records.values()].filter((record) => record.status === 'RUNNING');
      if (running.length === 0) return;
      await Promise.all(running.map((record) => record.done));
    }
  }

  private async run(record: ExecutionRecord): Promise<void> {
    const context = {
      executionArn: record.executionArn,
      stateMachineArn: this.stateMachineArn,
    };
    const taskResourceLocalHandlers = Object.fromEntries(
      [...this.handlers].map(([stateName, handler]) => [
        stateName,
        async (input: JSONValue) => (await handler(input, { ...context, stateName })) as JSONValue,
      ]),
    );
    try {
      const execution = this.machine.run(record.input as JSONValue, {
        overrides: {
          taskResourceLocalHandlers,
          retryIntervalOverrides: { ...this.options.retryIntervalOverrides },
          waitTimeOverrides: { ...this.options.waitTimeOverrides },
        },
        // Execution.Input and Execution.StartTime are always set by the library itself.
        context: {
          Execution: {
            Id: record.executionArn,
            Name: record.name,
            RoleArn: localArn('iam', '', 'role/local-state-machine'),
            RedriveCount: 0,
          },
          StateMachine: { Id: this.stateMachineArn, Name: this.stateMachineName },
        },
      });
      const history = this.recordHistory(record, execution.eventLogs);
      try {
        record.output = await execution.result;
        record.status = 'SUCCEEDED';
      } finally {
        await history;
      }
    } catch (error) {
      const { name, cause } = describeFailure(error);
      record.status = 'FAILED';
      record.error = name;
      record.cause = cause;
    } finally {
      record.stopDate = this.clock();
    }
  }

  private async recordHistory(record: ExecutionRecord, events: AsyncGenerator<EventLog>): Promise<void> {
    try {
      for await (const event of events) {
        const entry = event as {
          type: string;
          timestamp: number;
          state?: { name?: string; input?: unknown; output?: unknown };
          Error?: string;
        };
        const data = entry.type === 'StateExited' ? entry.state?.output : entry.state?.input;
        record.history.push({
          type: entry.type,
          timestamp: new Date(entry.timestamp),
          ...(entry.state?.name === undefined ? {} : { stateName: entry.state.name }),
          ...(entry.Error === undefined ? {} : { error: entry.Error }),
          ...(data === undefined ? {} : { dataBytes: Buffer.byteLength(JSON.stringify(data)) }),
        });
      }
    } catch {
      // The history is a debugging aid; the result promise reports the execution's outcome.
    }
  }

  private view(record: ExecutionRecord): LocalExecution {
    const { inputText: _inputText, done: _done, history, ...rest } = record;
    return { ...rest, history: [...history] };
  }
}

/** The Step Functions error name and cause of a failed run. */
function describeFailure(error: unknown): { name: string; cause: string } {
  if (error instanceof ExecutionTimeoutError) return { name: 'States.Timeout', cause: error.message };
  const failure = error instanceof ExecutionError ? (error.cause as Error | undefined) : (error as Error);
  return {
    name: failure?.name ?? 'States.Runtime',
    cause: failure?.message ?? String(error),
  };
}
