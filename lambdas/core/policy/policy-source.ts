import type { Policy } from './policy';

/**
 * Where the scorer gets its policy, asked once per invocation: a fixed policy (tests, the local
 * runtime, POLICY_JSON) or a store that can change it without a redeploy (AWS AppConfig).
 * An implementation returns the latest valid policy; it throws only when it has none at all.
 */
export interface PolicySource {
  current(): Promise<Policy>;
}

/** A policy that never changes. */
export function staticPolicySource(policy: Policy): PolicySource {
  return { current: async () => policy };
}

export function isPolicySource(value: Policy | PolicySource): value is PolicySource {
  return typeof (value as Partial<PolicySource>).current === 'function';
}

/**
 * Environment variables the stack sets when the policy is rolled out through AWS AppConfig: the
 * application, environment and profile identifiers (AppConfigData takes names or ids; the stack
 * passes names, known at synth, because the ids would make the scorer depend on the environment,
 * whose rollback alarm watches the scorer).
 */
export const POLICY_APPCONFIG_ENV = {
  application: 'POLICY_APPCONFIG_APPLICATION',
  environment: 'POLICY_APPCONFIG_ENVIRONMENT',
  profile: 'POLICY_APPCONFIG_PROFILE',
  /** Optional: seconds a fetched policy is used before AppConfig is asked again (default 60). */
  maxAgeSeconds: 'POLICY_MAX_AGE_SECONDS',
} as const;

/**
 * Metrics (namespace Cauterize, dimension service=cauterize-scorer) a policy source emits. The
 * PolicyConfig construct alarms on rejected versions and AppConfig rolls the deployment back.
 */
export const POLICY_METRICS = {
  rejected: 'PolicyVersionsRejected',
  fetchFailed: 'PolicyFetchFailures',
} as const;
