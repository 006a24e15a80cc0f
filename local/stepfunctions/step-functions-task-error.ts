/**
 * An error a Task state fails with. aws-local-stepfunctions matches Retry and Catch `ErrorEquals`
 * against the thrown error's `name`, so `name` carries the Step Functions error name (for example
 * `DynamoDB.ConditionalCheckFailedException`) and `message` becomes the `Cause`.
 */
export class StepFunctionsTaskError extends Error {
  public constructor(errorName: string, cause: string, options?: { cause?: unknown }) {
    super(cause, options);
    this.name = errorName;
  }
}

/** Thrown when a Task's Resource has no local equivalent. */
export class UnsupportedTaskResourceError extends Error {
  public constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UnsupportedTaskResourceError';
  }
}
