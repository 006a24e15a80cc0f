/**
 * Who may do what with cases. The API's IAM policies enforce the same split (the compliance role
 * may only invoke the read methods); the handler checks again, as defense in depth.
 */

export const CASE_ROLES = ['compliance', 'investigator'] as const;
export type CaseRole = (typeof CASE_ROLES)[number];

export const CASE_OPERATIONS = ['list', 'get', 'changeStatus', 'assign', 'addNote'] as const;
export type CaseOperation = (typeof CASE_OPERATIONS)[number];

const GRANTS: Readonly<Record<CaseRole, readonly CaseOperation[]>> = {
  compliance: ['list', 'get'],
  investigator: ['list', 'get', 'changeStatus', 'assign', 'addNote'],
};

export function isAllowed(role: CaseRole | undefined, operation: CaseOperation): boolean {
  return role !== undefined && GRANTS[role].includes(operation);
}

/** The IAM role names (not ARNs) behind each case role. */
export interface CaseRoleNames {
  readonly investigator: string;
  readonly compliance: string;
}

/**
 * The role name in a caller ARN: `arn:aws:sts::<account>:assumed-role/<role>/<session>` (what API
 * Gateway reports for a caller using role credentials) or `arn:aws:iam::<account>:role/<path/><role>`.
 */
export function roleNameOfPrincipal(principalArn: string | null | undefined): string | undefined {
  if (!principalArn) return undefined;
  const assumed = /^arn:aws[a-z-]*:sts::\d{12}:assumed-role\/([^/]+)\/[^/]+$/.exec(principalArn);
  if (assumed) return assumed[1];
  const role = /^arn:aws[a-z-]*:iam::\d{12}:role\/(?:.*\/)?([^/]+)$/.exec(principalArn);
  return role?.[1];
}

export function roleOfPrincipal(
  principalArn: string | null | undefined,
  roles: CaseRoleNames,
): CaseRole | undefined {
  const name = roleNameOfPrincipal(principalArn);
  if (name === undefined) return undefined;
  if (name === roles.investigator) return 'investigator';
  if (name === roles.compliance) return 'compliance';
  return undefined;
}

export class AccessDeniedError extends Error {
  public constructor(
    public readonly principal: string,
    public readonly operation: CaseOperation,
  ) {
    super(
      `${principal || 'an unidentified caller'} may not ${operation}: ` +
        (operation === 'list' || operation === 'get'
          ? 'use the compliance or investigator role'
          : 'only the investigator role changes cases'),
    );
    this.name = 'AccessDeniedError';
  }
}
