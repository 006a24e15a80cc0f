import type { ResolveRef } from './cloudformation-template';
import {
  DEFAULT_LOCAL_REGION,
  LOCAL_ACCOUNT_ID,
  LOCAL_PARTITION,
  LOCAL_URL_SUFFIX,
} from '../emulators/local-aws-identity';

/** Thrown when a template value uses an intrinsic function the local runtime cannot evaluate. */
export class UnsupportedIntrinsicError extends Error {
  public constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UnsupportedIntrinsicError';
  }
}

export interface PseudoParameters {
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default '000000000000' */
  readonly accountId?: string;
  /** @default 'local' */
  readonly stackName?: string;
}

/** Returns the value of a pseudo parameter (`AWS::Region`, ...), or undefined for anything else. */
export function pseudoParameterValue(name: string, pseudo: PseudoParameters = {}): string | undefined {
  switch (name) {
    case 'AWS::Partition':
      return LOCAL_PARTITION;
    case 'AWS::Region':
      return pseudo.region ?? DEFAULT_LOCAL_REGION;
    case 'AWS::AccountId':
      return pseudo.accountId ?? LOCAL_ACCOUNT_ID;
    case 'AWS::URLSuffix':
      return LOCAL_URL_SUFFIX;
    case 'AWS::StackName':
      return pseudo.stackName ?? 'local';
    default:
      return undefined;
  }
}

/**
 * Evaluates the intrinsic functions CDK emits in resource properties (Ref, Fn::GetAtt, Fn::Join,
 * Fn::Sub, Fn::Select, Fn::Split, pseudo parameters) anywhere inside `value`, returning plain JSON.
 * Conditions and imports (Fn::If, Fn::ImportValue, ...) cannot be evaluated locally and throw.
 */
export function resolveIntrinsics(
  value: unknown,
  resolveRef: ResolveRef,
  pseudo: PseudoParameters = {},
): unknown {
  if (Array.isArray(value)) return value.map((item) => resolveIntrinsics(item, resolveRef, pseudo));
  if (value === null || typeof value !== 'object') return value;

  const entries = Object.entries(value);
  const [first] = entries;
  if (entries.length === 1 && first && (first[0] === 'Ref' || first[0].startsWith('Fn::'))) {
    return evaluate(first[0], first[1], resolveRef, pseudo);
  }
  return Object.fromEntries(entries.map(([key, item]) => [key, resolveIntrinsics(item, resolveRef, pseudo)]));
}

function evaluate(fn: string, argument: unknown, resolveRef: ResolveRef, pseudo: PseudoParameters): unknown {
  const resolve = (item: unknown): unknown => resolveIntrinsics(item, resolveRef, pseudo);
  switch (fn) {
    case 'Ref': {
      const name = expectString(fn, argument);
      return pseudoParameterValue(name, pseudo) ?? resolveRef(name);
    }
    case 'Fn::GetAtt': {
      const [logicalId, attribute] =
        typeof argument === 'string' ? splitOnce(argument, '.') : (resolve(argument) as unknown[]);
      return resolveRef(expectString(fn, logicalId), expectString(fn, attribute));
    }
    case 'Fn::Join': {
      const [separator, items] = expectArray(fn, argument);
      return expectArray(fn, resolve(items))
        .map((item) => expectString(fn, item))
        .join(expectString(fn, separator));
    }
    case 'Fn::Select': {
      const [index, items] = expectArray(fn, resolve(argument));
      const selected = expectArray(fn, items)[Number(index)];
      if (selected === undefined)
        throw new UnsupportedIntrinsicError(`Fn::Select index ${String(index)} is out of range`);
      return selected;
    }
    case 'Fn::Split': {
      const [separator, source] = expectArray(fn, resolve(argument));
      return expectString(fn, source).split(expectString(fn, separator));
    }
    case 'Fn::Sub': {
      const [text, variables] =
        typeof argument === 'string' ? [argument, {}] : (expectArray(fn, argument) as [unknown, unknown]);
      const values = (resolve(variables ?? {}) ?? {}) as Record<string, unknown>;
      return expectString(fn, text).replace(/\$\{(!?)([^}]*)\}/g, (_match, bang: string, name: string) => {
        if (bang) return `\${${name}}`;
        if (name in values) return expectString(fn, values[name]);
        const pseudoValue = pseudoParameterValue(name, pseudo);
        if (pseudoValue !== undefined) return pseudoValue;
        const [logicalId, attribute] = name.includes('.') ? splitOnce(name, '.') : [name, undefined];
        return resolveRef(logicalId, attribute);
      });
    }
    default:
      throw new UnsupportedIntrinsicError(
        `${fn} cannot be evaluated by the local runtime; use a literal or Ref/Fn::GetAtt/Fn::Join/Fn::Sub`,
      );
  }
}

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, ''] : [text.slice(0, at), text.slice(at + 1)];
}

function expectString(fn: string, value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new UnsupportedIntrinsicError(`${fn} expected a string but got ${JSON.stringify(value)}`);
}

function expectArray(fn: string, value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  throw new UnsupportedIntrinsicError(`${fn} expected an array but got ${JSON.stringify(value)}`);
}
