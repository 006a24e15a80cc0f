import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { AppConfigPolicySource, DEFAULT_POLICY_MAX_AGE_SECONDS } from '../adapters/appconfig-policy-source';
import { parsePolicy } from '../core/policy/policy';
import { POLICY_APPCONFIG_ENV, staticPolicySource, type PolicySource } from '../core/policy/policy-source';

export { POLICY_APPCONFIG_ENV };

/**
 * The scorer's policy source: AWS AppConfig when the stack set the POLICY_APPCONFIG_* variables,
 * else POLICY_JSON (local runs). POLICY_JSON, validated here so a bad one fails the cold start
 * naming the key, also bridges the first rollout of a new stack, before AppConfig has a version.
 */
export function policySourceFromEnv(
  deps: { readonly logger: Logger; readonly metrics?: Metrics },
  env: NodeJS.ProcessEnv = process.env,
): PolicySource {
  const names = [
    POLICY_APPCONFIG_ENV.application,
    POLICY_APPCONFIG_ENV.environment,
    POLICY_APPCONFIG_ENV.profile,
  ];
  const present = names.filter((name) => (env[name] ?? '') !== '');
  const policyJson = env.POLICY_JSON ?? '';
  const bundled = policyJson === '' ? undefined : parsePolicy(policyJson, 'POLICY_JSON');
  if (present.length === 0) {
    if (!bundled) {
      throw new Error(
        'environment variable POLICY_JSON is not set, nor are the POLICY_APPCONFIG_* identifiers: the stack sets ' +
          'them; locally, export POLICY_JSON',
      );
    }
    return staticPolicySource(bundled);
  }
  if (present.length < names.length) {
    const missing = names.filter((name) => !present.includes(name));
    throw new Error(
      `environment variables ${missing.join(', ')} are not set but ${present.join(', ')} are: ` +
        'set all three to read the policy from AppConfig, or none to use POLICY_JSON',
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
