import { StepFunctionsTaskError } from '../../local/stepfunctions/step-functions-task-error';
import type { LocalTaskHandler } from '../../local/stepfunctions/task-resource-handlers';

/**
 * Wraps a Task state's real local handler: runs it, then fails its first call with a retryable
 * DynamoDB error, as if the write landed and its response was lost. The retry finds its own write:
 * a conditional put fails (and the workflow must recognise its own case), a conditional update
 * passes with the same values. `calls.count` counts every call.
 */
export const failOnceAfterWrite =
  (calls: { count: number }) =>
  (real: LocalTaskHandler): LocalTaskHandler =>
  async (input, context) => {
    calls.count += 1;
    const result = await real(input, context);
    if (calls.count === 1) {
      throw new StepFunctionsTaskError(
        'DynamoDB.InternalServerErrorException',
        'the write succeeded but its response was lost (injected)',
      );
    }
    return result;
  };
