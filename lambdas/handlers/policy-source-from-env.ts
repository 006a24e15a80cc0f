import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { AppConfigPolicySource, DEFAULT_POLICY_MAX_AGE_SECONDS } from '../adapters/appconfig-policy-source';
import { parsePolicy } from '../core/policy/policy';
import { POLICY_APPCONFIG_ENV, staticPolicySource, type PolicySource } from '../core/policy/policy-source';
import { bundledPolicyJson } from './bundled-policy';

export { POLICY_APPCONFIG_ENV };

/**
 * The scorer's policy source: AWS AppConfig when the stack set the POLICY_APPCONFIG_* variables,
 * else a fixed policy (local runs). The fixed or bootstrap policy is the one bundled into the code
 * at synth (see bundled-policy.ts), else POLICY_JSON (runs from source: `export POLICY_JSON`).
 * It is validated here, so a bad one fails the cold start naming the key; with AppConfig it only
 * bridges the first rollout of a new stack, before AppConfig has a version.
 */
export function policySourceFromEnv(
  deps: { readonly logger: Logger; readonly metrics?: Metrics },
  env: NodeJS.ProcessEnv = process.env,
  bundledJson: string | undefined = bundledPolicyJson(),
): PolicySource {
  const names = [
    POLICY_APPCONFIG_ENV.application,
    POLICY_APPCONFIG_ENV.environment,
    POLICY_APPCONFIG_ENV.profile,
  ];
  const present = names.filter((name) => (env[name] ?? '') !== '');
  const policyJson = env.POLICY_JSON ?? '';
  const bundled =
    bundledJson !== undefined
      ? parsePolicy(bundledJson, 'the policy bundled into the code')
      : policyJson === ''
        ? undefined
        : parsePolicy(policyJson, 'POLICY_JSON');
  if (present.length === 0) {
    if (!bundled) {
      throw new Error(
        'no policy was bundled into the code, and neither POLICY_JSON nor the POLICY_APPCONFIG_* identifiers ' +
          'are set: the stack bundles the policy and sets the identifiers; locally, export POLICY_JSON',
      );
    }
    return staticPolicySource(bundled);
  }
  if (present.length < names.length) {
    const missing = names.filter((name) => !present.includes(name));
    throw new Error(
      `environment variables ${missing.join(', ')} are not set but ${present.join(', ')} are: ` +
        'set all three to read the policy from AppConfig, or none to use the bundled policy or POLICY_JSON',
    );
  }
  const maxAgeText = env[POLICY_APPCONFIG_ENV.maxAgeSeconds];
  const maxAgeSeconds = maxAgeText ? Number(maxAgeText) : DEFAULT_POLICY_MAX_AGE_SECONDS;
  if (!Number.isFinite(maxAgeSeconds) || maxAgeSeconds <= 0) {
    throw new Error(
      `environment variable ${POLICY_APPCONFIG_ENV.maxAgeSeconds} must be a number of seconds > 0, got "${maxAgeText}"`,
    );
  }
  return new AppConfigPolicySource({
    application: env[POLICY_APPCONFIG_ENV.application] as string,
    environment: env[POLICY_APPCONFIG_ENV.environment] as string,
    profile: env[POLICY_APPCONFIG_ENV.profile] as string,
    maxAgeSeconds,
    bootstrapPolicy: bundled,
    logger: deps.logger,
    metrics: deps.metrics,
  });
}
