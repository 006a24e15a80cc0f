/**
 * Early prop validation for stacks and constructs: fail at construction, naming the prop, the
 * value and the allowed range, instead of failing minutes later in a CloudFormation deployment.
 */

/** Throws unless `value` is undefined or a whole number within [min, max]. */
export function checkInteger(name: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(
      `${name} must be a whole number from ${min} to ${max}, got ${value}: set it within that range`,
    );
  }
}
