/**
 * The single place that loads aws-local-stepfunctions, as patched by patch-package
 * (patches/aws-local-stepfunctions+3.0.0.patch, applied by the `prepare` script on `npm ci`).
 *
 * The library declares Node >= 22 and calls `Promise.withResolvers` (Node 22) when a Task state
 * runs, so the method is polyfilled here on Node 20; nothing calls it while the module loads.
 */
import { createHash } from 'node:crypto';
import * as AwsLocalStepFunctions from 'aws-local-stepfunctions';

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

export const { StateMachine, ExecutionError, ExecutionAbortedError, ExecutionTimeoutError } =
  AwsLocalStepFunctions;
export type StateMachine = AwsLocalStepFunctions.StateMachine;
export type StateMachineDefinition = ConstructorParameters<typeof AwsLocalStepFunctions.StateMachine>[0];
export type RunOptions = NonNullable<Parameters<AwsLocalStepFunctions.StateMachine['run']>[1]>;
export type EventLog =
  ReturnType<AwsLocalStepFunctions.StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E>
    ? E
    : never;
export type JSONValue = Parameters<AwsLocalStepFunctions.StateMachine['run']>[0];

/** States.Hash's algorithms, with node:crypto's name for each. */
const HASH_ALGORITHMS = {
  MD5: 'md5',
  'SHA-1': 'sha1',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
};

/**
 * Thrown when aws-local-stepfunctions computes a States.Hash digest that node:crypto does not: its
 * patch is not applied (a `npm install` that skipped lifecycle scripts, or a new library version).
 */
export class UnpatchedLocalStepFunctionsError extends Error {
  public constructor(mismatches: readonly string[]) {
    super(
      `aws-local-stepfunctions computes wrong States.Hash digests (${mismatches.join(', ')}), so audit ` +
        'chain hashes would not match what AWS computes: its patch is not applied. Run `npx patch-package` ' +
        '(npm ci runs it through the prepare script); see patches/ and docs/upstream/.',
    );
    this.name = 'UnpatchedLocalStepFunctionsError';
  }
}

/**
 * Runs States.Hash with every algorithm over an input of several blocks (the unpatched 3.0.0 is
 * right for one block only) and compares each digest with node:crypto's.
 * @throws UnpatchedLocalStepFunctionsError naming the algorithms that differ
 */
export async function verifyStatesHash(
  stateMachine: typeof AwsLocalStepFunctions.StateMachine = StateMachine,
): Promise<void> {
  const text = 'cauterize-audit-v1|'.repeat(11);
  const machine = new stateMachine({
    StartAt: 'Hash',
    States: {
      Hash: {
        Type: 'Pass',
        Parameters: Object.fromEntries(
          Object.keys(HASH_ALGORITHMS).map((algorithm) => [
            `${algorithm}.$`,
            `States.Hash($.text, '${algorithm}')`,
          ]),
        ),
        End: true,
      },
    },
  });
  const digests = (await machine.run({ text }).result) as Record<string, unknown>;
  const mismatches = Object.entries(HASH_ALGORITHMS)
    .filter(
      ([algorithm, nodeName]) =>
        digests[algorithm] !== createHash(nodeName).update(text, 'utf8').digest('hex'),
    )
    .map(([algorithm]) => algorithm);
  if (mismatches.length > 0) throw new UnpatchedLocalStepFunctionsError(mismatches);
}

let verified: Promise<void> | undefined;

/** verifyStatesHash, run once per process; every local execution waits for it. */
export function assertLibraryPatched(): Promise<void> {
  verified ??= verifyStatesHash();
  return verified;
}
