import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { nestedDefinitions } from './asl-definition';
import {
  callDynamoDb,
  isSupportedDynamoDbAction,
  type DynamoDbIntegrationKind,
} from './dynamodb-task-integration';
import type { LocalEventBus, PutEventsEntry } from '../eventbridge/local-event-bus';
import { StepFunctionsTaskError, UnsupportedTaskResourceError } from './step-functions-task-error';

/** What a Task handler knows about the execution it runs in. */
export interface TaskExecutionContext {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly stateName: string;
}

/** Runs one Task locally: receives the effective input (after InputPath and Parameters). */
export type LocalTaskHandler = (input: unknown, context: TaskExecutionContext) => Promise<unknown>;

export interface TaskIntegrationDependencies {
  readonly dynamodb: DynamoDBClient;
  readonly eventBus: LocalEventBus;
  /** Handlers for particular states (e.g. a `lambda:invoke` Task), used instead of their Resource. */
  readonly stateHandlers?: Readonly<Record<string, LocalTaskHandler>>;
}

/** A Task state found in a definition, nested ones included. */
export interface TaskStateReference {
  readonly stateName: string;
  readonly resource: string;
  /** Where it is, e.g. `States.Members.ItemProcessor.States.PutMember`. */
  readonly path: string;
}

const DYNAMODB_OPTIMIZED = /^arn:aws[\w-]*:states:::dynamodb:(\w+)$/;
const DYNAMODB_SDK = /^arn:aws[\w-]*:states:::aws-sdk:dynamodb:(\w+)$/;
const EVENTS_OPTIMIZED = /^arn:aws[\w-]*:states:::events:putEvents$/;
const EVENTS_SDK = /^arn:aws[\w-]*:states:::aws-sdk:eventbridge:putEvents$/;

/** Every Task state of a definition: top level, Map ItemProcessor/Iterator and Parallel branches. */
export function collectTaskStates(definition: Record<string, unknown>, path = ''): TaskStateReference[] {
  const tasks: TaskStateReference[] = [];
  const states = (definition.States ?? {}) as Record<string, Record<string, unknown>>;
  for (const [stateName, state] of Object.entries(states)) {
    const statePath = `${path}States.${stateName}`;
    if (state.Type === 'Task') tasks.push({ stateName, resource: String(state.Resource), path: statePath });
    for (const [field, nested] of nestedDefinitions(state)) {
      tasks.push(...collectTaskStates(nested, `${statePath}.${field}.`));
    }
  }
  return tasks;
}

/**
 * Builds the local handler of every Task state, keyed by state name (aws-local-stepfunctions keys
 * its overrides by name, nested states included). Fails fast, naming the state and the resource,
 * if a Task has no local equivalent or two Tasks share a name.
 */
export function buildTaskHandlers(
  definition: Record<string, unknown>,
  dependencies: TaskIntegrationDependencies,
): ReadonlyMap<string, LocalTaskHandler> {
  const handlers = new Map<string, LocalTaskHandler>();
  const seen = new Map<string, string>();
  for (const task of collectTaskStates(definition)) {
    const previous = seen.get(task.stateName);
    if (previous !== undefined) {
      throw new UnsupportedTaskResourceError(
        `two Task states are named '${task.stateName}' (${previous} and ${task.path}); ` +
          'state names must be unique across the whole state machine',
      );
    }
    seen.set(task.stateName, task.path);
    handlers.set(
      task.stateName,
      dependencies.stateHandlers?.[task.stateName] ?? handlerForResource(task, dependencies),
    );
  }
  return handlers;
}

function handlerForResource(
  task: TaskStateReference,
  dependencies: TaskIntegrationDependencies,
): LocalTaskHandler {
  const { resource } = task;
  const dynamodb = DYNAMODB_OPTIMIZED.exec(resource) ?? DYNAMODB_SDK.exec(resource);
  if (dynamodb?.[1]) {
    const kind: DynamoDbIntegrationKind = DYNAMODB_OPTIMIZED.test(resource) ? 'optimized' : 'aws-sdk';
    const action = dynamodb[1];
    if (isSupportedDynamoDbAction(kind, action)) {
      return (input) => callDynamoDb(dependencies.dynamodb, kind, action, input);
    }
  }
  if (EVENTS_OPTIMIZED.test(resource)) {
    return (input, context) => putEvents(dependencies.eventBus, input, context, 'optimized');
  }
  if (EVENTS_SDK.test(resource))
    return (input, context) => putEvents(dependencies.eventBus, input, context, 'aws-sdk');
  throw new UnsupportedTaskResourceError(
    `Task state '${task.stateName}' (${task.path}) uses Resource '${resource}', which the local runtime ` +
      'does not emulate. Supported: states:::dynamodb:getItem|putItem|updateItem|deleteItem, ' +
      'states:::aws-sdk:dynamodb:<action>, states:::events:putEvents; pass a stateHandlers entry for others.',
  );
}

/**
 * The optimized EventBridge integration appends the execution and state machine ARNs to each
 * entry's Resources and fails the Task with `EventBridge.FailedEntry` if any entry failed; the AWS
 * SDK integration returns PutEvents' result as it is.
 */
async function putEvents(
  bus: LocalEventBus,
  input: unknown,
  context: TaskExecutionContext,
  kind: 'optimized' | 'aws-sdk',
): Promise<unknown> {
  const entries = entriesOf(input).map((entry) =>
    kind === 'optimized'
      ? { ...entry, Resources: [...(entry.Resources ?? []), context.stateMachineArn, context.executionArn] }
      : entry,
  );
  let result;
  try {
    result = await bus.putEvents(entries);
  } catch (error) {
    throw new StepFunctionsTaskError('EventBridge.ValidationException', (error as Error).message, {
      cause: error,
    });
  }
  if (kind === 'optimized' && result.FailedEntryCount > 0) {
    throw new StepFunctionsTaskError('EventBridge.FailedEntry', JSON.stringify(result));
  }
  return result;
}

function entriesOf(input: unknown): PutEventsEntry[] {
  const entries = (input as { Entries?: unknown } | null)?.Entries;
  if (!Array.isArray(entries)) {
    throw new StepFunctionsTaskError(
      'States.Runtime',
      'events:putEvents needs Parameters with an Entries array',
    );
  }
  return entries as PutEventsEntry[];
}
