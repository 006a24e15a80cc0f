import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { TransformParameterError } from '@aws-lambda-powertools/parameters';
import { AppConfigProvider } from '@aws-lambda-powertools/parameters/appconfig';
import type { AppConfigDataClient } from '@aws-sdk/client-appconfigdata';
import { PolicyValidationError, validatePolicy, type Policy } from '../core/policy/policy';
import { POLICY_METRICS, type PolicySource } from '../core/policy/policy-source';

export const POLICY_REJECTED_METRIC = POLICY_METRICS.rejected;
export const POLICY_FETCH_FAILED_METRIC = POLICY_METRICS.fetchFailed;

/** How long a fetched policy is used before AppConfig is asked again. */
export const DEFAULT_POLICY_MAX_AGE_SECONDS = 60;

export interface AppConfigPolicySourceOptions {
  /** AppConfig application id (or name). */
  readonly application: string;
  /** AppConfig environment id (or name). */
  readonly environment: string;
  /** Configuration profile id (or name) holding the policy as JSON. */
  readonly profile: string;
  readonly logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Counts rejected versions and failed fetches. @default - not counted */
  readonly metrics?: Pick<Metrics, 'addMetric'>;
  /** @default DEFAULT_POLICY_MAX_AGE_SECONDS (60) */
  readonly maxAgeSeconds?: number;
  /**
   * Served while AppConfig has no deployed version at all: the first rollout of a new stack. Not
   * for a rejected version or a failed fetch, which fail loudly at cold start.
   * @default - none: no deployed version fails like any other missing policy
   */
  readonly bootstrapPolicy?: Policy;
  /** The AppConfigData client. @default - a client from the environment (AWS_ENDPOINT_URL_APPCONFIGDATA, region) */
  readonly client?: AppConfigDataClient;
  /** Wall clock in milliseconds (the retry delay after a failed fetch). @default Date.now */
  readonly now?: () => number;
}

/** Thrown when there is no valid policy to score under: nothing fetched yet, or only bad versions. */
export class PolicyUnavailableError extends Error {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PolicyUnavailableError';
  }
}

/**
 * The policy from AWS AppConfig, through Powertools' AppConfigProvider (JSON transform, cached for
 * `maxAgeSeconds`), so a deployed change takes effect within a minute without a code deploy.
 *
 * Each new version is validated with the policy schema. A version that fails is rejected with the
 * key, the value and the rule: logged and counted once, while the last good policy stays in use.
 * AppConfig rolls the deployment back on that count's alarm. With no good policy at all (a cold
 * start that cannot fetch one, or only gets bad ones), `current()` throws: the batch fails and is
 * retried, loudly, rather than being scored under a guess.
 */
export class AppConfigPolicySource implements PolicySource {
  private readonly provider: AppConfigProvider;
  private readonly maxAgeSeconds: number;
  private readonly now: () => number;
  private lastGood: { readonly policy: Policy; readonly json: string } | undefined;
  /** The last problem reported, so a bad version is logged and counted once, not per invocation. */
  private lastProblem: string | undefined;
  /** After a failed or empty fetch, AppConfig is not asked again before this time. */
  private retryAt = 0;
  /** The last version rejected, so it is not validated again at every invocation. */
  private rejected: { readonly json: string; readonly problems: readonly string[] } | undefined;
  /** Serving the bootstrap policy: AppConfig had no deployed version at the last fetch. */
  private bootstrapping = false;

  public constructor(private readonly options: AppConfigPolicySourceOptions) {
    this.maxAgeSeconds = options.maxAgeSeconds ?? DEFAULT_POLICY_MAX_AGE_SECONDS;
    if (!Number.isFinite(this.maxAgeSeconds) || this.maxAgeSeconds <= 0) {
      throw new RangeError(`maxAgeSeconds must be a number of seconds > 0, got ${this.maxAgeSeconds}`);
    }
    this.now = options.now ?? Date.now;
    this.provider = new AppConfigProvider({
      application: options.application,
      environment: options.environment,
      ...(options.client ? { awsSdkV3Client: options.client } : {}),
    });
  }

  /** Where the policy comes from, as it appears in logs and errors. */
  public get location(): string {
    const { application, environment, profile } = this.options;
    return `appconfig:${application}/${environment}/${profile}`;
  }

  public async current(): Promise<Policy> {
    const { bootstrapPolicy } = this.options;
    if (this.now() < this.retryAt) {
      if (this.lastGood) return this.lastGood.policy;
      if (this.bootstrapping && bootstrapPolicy) return bootstrapPolicy;
    }
    let value: unknown;
    try {
      value = await this.provider.get(this.options.profile, {
        maxAge: this.maxAgeSeconds,
        transform: 'json',
      });
    } catch (error) {
      this.retryAt = this.now() + this.maxAgeSeconds * 1000;
      if (error instanceof TransformParameterError) {
        return this.keepLastGood(POLICY_REJECTED_METRIC, [`(root): not valid JSON: ${error.message}`], error);
      }
      return this.keepLastGood(
        POLICY_FETCH_FAILED_METRIC,
        [`cannot fetch: ${(error as Error).message}`],
        error,
      );
    }
    if (value === undefined) {
      if (!this.lastGood && bootstrapPolicy) {
        if (!this.bootstrapping) {
          this.options.logger.warn('no policy deployed in AppConfig yet: scoring under the bundled policy', {
            source: this.location,
            policyVersion: bootstrapPolicy.version,
          });
        }
        this.bootstrapping = true;
        this.retryAt = this.now() + this.maxAgeSeconds * 1000;
        return bootstrapPolicy;
      }
      return this.keepLastGood(POLICY_FETCH_FAILED_METRIC, [
        'the configuration profile has no deployed version',
      ]);
    }

    const json = JSON.stringify(value);
    if (this.lastGood?.json === json) return this.lastGood.policy;
    if (this.rejected?.json === json)
      return this.keepLastGood(POLICY_REJECTED_METRIC, this.rejected.problems);
    let policy: Policy;
    try {
      policy = validatePolicy(value, this.location);
    } catch (error) {
      if (!(error instanceof PolicyValidationError)) throw error;
      this.rejected = { json, problems: error.problems };
      return this.keepLastGood(POLICY_REJECTED_METRIC, error.problems, error);
    }
    const previous =
      this.lastGood?.policy.version ?? (this.bootstrapping ? bootstrapPolicy?.version : undefined);
    this.lastGood = { policy, json };
    this.bootstrapping = false;
    this.lastProblem = undefined;
    this.options.logger.info('policy loaded', {
      source: this.location,
      policyVersion: policy.version,
      previousVersion: previous ?? null,
      mode: policy.mode,
    });
    return policy;
  }

  private keepLastGood(metric: string, problems: readonly string[], cause?: unknown): Policy {
    const problem = `${metric}: ${problems.join('; ')}`;
    const fresh = problem !== this.lastProblem;
    this.lastProblem = problem;
    const { logger, metrics } = this.options;
    if (fresh) {
      metrics?.addMetric(metric, MetricUnit.Count, 1);
      const details = {
        source: this.location,
        problems,
        keptVersion:
          this.lastGood?.policy.version ??
          (this.bootstrapping ? (this.options.bootstrapPolicy?.version ?? null) : null),
      };
      if (metric === POLICY_REJECTED_METRIC) logger.error('policy version rejected', details);
      else logger.warn('policy not fetched', details);
    }
    if (this.lastGood) return this.lastGood.policy;
    if (this.bootstrapping && this.options.bootstrapPolicy) return this.options.bootstrapPolicy;
    throw new PolicyUnavailableError(
      `no valid policy from ${this.location}:\n  - ${problems.join('\n  - ')}\n` +
        'deploy a valid version (npx cauterize policy validate FILE checks one) or fix the access to AppConfig',
      { cause },
    );
  }
}
