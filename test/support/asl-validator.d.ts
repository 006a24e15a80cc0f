/**
 * asl-validator 4 ships JavaScript only (its package.json has no "types"). Declared here as far
 * as the infrastructure tests use it; the signature follows its src/validator.ts.
 */
declare module 'asl-validator' {
  interface StateMachineError {
    readonly 'Error code': string;
    readonly Message: string;
  }

  interface ValidationOptions {
    /** Validate JSONPath expressions in InputPath, OutputPath, ResultPath, ... (default true). */
    readonly checkPaths: boolean;
    /** Validate the Resource ARN of Task states (default true). */
    readonly checkArn: boolean;
  }

  /** Note: it writes a default QueryLanguage into every state of `definition`; pass a copy. */
  function aslValidator(
    definition: object,
    options?: ValidationOptions,
  ): { isValid: boolean; errors: StateMachineError[]; errorsText: (separator?: string) => string };

  export = aslValidator;
}
