/** Step Functions' naming rule for executions, for the local state machine and the memory engine alike. */

const INVALID_NAME_CHARACTERS = /[\s<>{}[\]?*"#%\\^|~`$&,;:/]/;

/** Step Functions execution names: 1-80 characters, no whitespace, brackets, wildcards or controls. */
export function isValidExecutionName(name: string): boolean {
  if (name.length < 1 || name.length > 80 || INVALID_NAME_CHARACTERS.test(name)) return false;
  return [...name].every((character) => {
    const code = character.charCodeAt(0);
    return code > 0x1f && (code < 0x7f || code > 0x9f);
  });
}
