import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  MAX_POLICY_BYTES,
  MAX_PUBLIC_PROMPTS,
  parsePolicyText,
  parsePublicPromptList,
  PolicyValidationError,
  policyTooLarge,
  validatePolicy,
  type Policy,
} from '../lambdas/core/policy/policy';
import { PACKAGE_ROOT } from './package-files';

/**
 * The policy file: where it is found, and reading it (the core only parses and validates text).
 * Free of CDK imports, so that the CLI and the local runtime read the file as the stacks do.
 */

/** Relative policy paths start at the folder holding Cauterize's package.json (the clone, or the installed package). */
export const PROJECT_ROOT = PACKAGE_ROOT;

/** The policy security teams edit, relative to the project root (or to the CLI's working folder). */
export const DEFAULT_POLICY_FILE = 'config/policy.yaml';

/**
 * Reads and validates a policy file (YAML or JSON); a file over MAX_POLICY_BYTES is refused unread.
 * The list `publicPrompts.file` names is read relative to the policy file and its fingerprints put
 * into the policy, so the policy handed to the Lambdas carries them.
 */
export function loadPolicyFile(path: string): Policy {
  return policyFromText(readText(path, 'file', path), path);
}

/** Validates policy text as though it were the file at `path` (its public-prompt list read beside it). */
export function policyFromText(text: string, path: string): Policy {
  const value = parsePolicyText(text, path);
  const listProblems = readPublicPromptList(value, path);
  if (listProblems.length === 0) return validatePolicy(value, path);
  // One run names every problem: the list's, then the policy's (less "holds no fingerprints").
  let others: readonly string[] = [];
  try {
    validatePolicy(value, path);
  } catch (error) {
    if (!(error instanceof PolicyValidationError)) throw error;
    others = error.problems.filter((problem) => !problem.startsWith(UNREAD_LIST));
  }
  throw new PolicyValidationError(path, [...listProblems, ...others]);
}

/** The start of the schema's problem for a list that was not read (said better by the reading). */
const UNREAD_LIST = 'publicPrompts.file: names a file';

/**
 * Puts the fingerprints of the list `publicPrompts.file` names (relative to the policy file) into
 * the parsed policy in place of the file's name; returns the problems reading it, none when it was
 * read or none is named.
 */
function readPublicPromptList(value: unknown, policyPath: string): readonly string[] {
  const list = publicPromptsOf(value);
  if (!list || typeof list.file !== 'string' || list.fingerprints !== undefined) return [];
  const listPath = resolve(dirname(policyPath), list.file);
  try {
    list.fingerprints = parsePublicPromptList(readText(listPath, 'publicPrompts.file', policyPath), listPath);
    // The policy holds the list, not where it was read from: a copy of the policy elsewhere, naming
    // the same list by another path, is the same policy.
    delete list.file;
    return [];
  } catch (error) {
    if (error instanceof PolicyValidationError) return error.problems;
    throw error;
  }
}

/** A file's text, refused unread over MAX_POLICY_BYTES; errors name `source` (the policy file). */
function readText(path: string, what: 'file' | 'publicPrompts.file', source: string): string {
  try {
    // The size first: a file far too large is refused without being read.
    const { size } = statSync(path);
    if (size > MAX_POLICY_BYTES) {
      throw new PolicyValidationError(source, [
        what === 'file'
          ? policyTooLarge('file', size)
          : `${what}: ${path} is ${size} bytes, over 1 MiB: list at most ${MAX_PUBLIC_PROMPTS.toLocaleString('en-US')} fingerprints`,
      ]);
    }
    return readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof PolicyValidationError) throw error;
    const problem =
      what === 'file'
        ? `cannot read the file: ${(error as Error).message}`
        : `${what}: cannot read ${path}: ${(error as Error).message}`;
    throw new PolicyValidationError(source, [problem], { cause: error });
  }
}

function publicPromptsOf(value: unknown): Record<string, unknown> | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const list = (value as Record<string, unknown>).publicPrompts;
  return list !== null && typeof list === 'object' && !Array.isArray(list)
    ? (list as Record<string, unknown>)
    : undefined;
}
