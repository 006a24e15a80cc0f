/**
 * The single place that loads aws-local-stepfunctions. It declares Node >= 22 and calls
 * `Promise.withResolvers` (Node 22) in every Task state, so the method is polyfilled here on Node 20
 * before the library's CommonJS build is required.
 */
import type * as AwsLocalStepFunctions from 'aws-local-stepfunctions';

interface PromiseWithResolvers {
  withResolvers?: <T>() => {
    promise: Promise<T>;
    resolve: (value: T) => void;
    reject: (reason?: unknown) => void;
  };
}

const promiseConstructor = Promise as unknown as PromiseWithResolvers;
if (typeof promiseConstructor.withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers<T>() {
      let resolve!: (value: T) => void;
      let reject!: (reason?: unknown) => void;
      const promise = new Promise<T>((onResolve, onReject) => {
        resolve = onResolve;
        reject = onReject;
      });
      return { promise, resolve, reject };
    },
  });
}

// The package's "require" export condition is its CommonJS build (main.node.cjs).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const library = require('aws-local-stepfunctions') as typeof AwsLocalStepFunctions;

export const { StateMachine, ExecutionError, ExecutionAbortedError, ExecutionTimeoutError } = library;
export type StateMachine = AwsLocalStepFunctions.StateMachine;
export type StateMachineDefinition = ConstructorParameters<typeof AwsLocalStepFunctions.StateMachine>[0];
export type RunOptions = NonNullable<Parameters<AwsLocalStepFunctions.StateMachine['run']>[1]>;
export type EventLog =
  ReturnType<AwsLocalStepFunctions.StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E>
    ? E
    : never;
export type JSONValue = Parameters<AwsLocalStepFunctions.StateMachine['run']>[0];
