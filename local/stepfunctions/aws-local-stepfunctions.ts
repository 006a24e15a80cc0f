/**
 * The single place that loads aws-local-stepfunctions. It declares Node >= 22 and calls
 * `Promise.withResolvers` (Node 22) in every Task state, so the method is polyfilled here on Node 20
 * before the library's CommonJS build is required.
 */
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
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

/**
 * aws-local-stepfunctions 3.0.0 hashes (States.Hash: MD5, SHA-1, SHA-256, SHA-384, SHA-512) only
 * the first 64-byte block right: its block loop counts words but reads `dataView.getUint32(i + t * 4)`
 * as if `i` were a byte offset, so any input of 56 bytes or more gets a wrong digest (AWS computes the
 * right one). Audit chain hashes are always longer. Until the library is fixed, its CommonJS build is
 * loaded with the two offsets corrected; test/local/stepfunctions/aws-local-stepfunctions.test.ts checks the digests
 * against node:crypto, and if a release fixes the loop the text no longer matches and it loads as is.
 */
const HASH_BLOCK_OFFSET_FIXES: ReadonlyArray<readonly [string, string]> = [
  ['dataView.getUint32(i + t * 4', 'dataView.getUint32((i + t) * 4'],
  ['dataView.getBigUint64(i + t * 8', 'dataView.getBigUint64((i + t) * 8'],
];

function loadLibrary(): typeof AwsLocalStepFunctions {
  // The package's "require" export condition is its CommonJS build (main.node.cjs).
  const entry = require.resolve('aws-local-stepfunctions');
  const source = readFileSync(entry, 'utf8');
  if (!HASH_BLOCK_OFFSET_FIXES.some(([buggy]) => source.includes(buggy))) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(entry) as typeof AwsLocalStepFunctions;
  }
  const fixed = HASH_BLOCK_OFFSET_FIXES.reduce(
    (text, [buggy, right]) => text.split(buggy).join(right),
    source,
  );
  const libraryModule = { exports: {} as Record<string, unknown> };
  // Dependencies resolve from the library's folder, through this module's require (jest's in tests).
  const requireFromLibrary = (id: string): unknown =>
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(require.resolve(id, { paths: [dirname(entry)] }));
  // Compiled in this realm (jest's too), unlike vm or Module#_compile.
  const evaluate = new Function('exports', 'require', 'module', '__filename', '__dirname', fixed);
  evaluate(libraryModule.exports, requireFromLibrary, libraryModule, entry, dirname(entry));
  return libraryModule.exports as unknown as typeof AwsLocalStepFunctions;
}

const library = loadLibrary();

export const { StateMachine, ExecutionError, ExecutionAbortedError, ExecutionTimeoutError } = library;
export type StateMachine = AwsLocalStepFunctions.StateMachine;
export type StateMachineDefinition = ConstructorParameters<typeof AwsLocalStepFunctions.StateMachine>[0];
export type RunOptions = NonNullable<Parameters<AwsLocalStepFunctions.StateMachine['run']>[1]>;
export type EventLog =
  ReturnType<AwsLocalStepFunctions.StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E>
    ? E
    : never;
export type JSONValue = Parameters<AwsLocalStepFunctions.StateMachine['run']>[0];
