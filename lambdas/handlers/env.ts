import type { SmallClusterRoute } from '../core/ports';

type Environment = Readonly<Record<string, string | undefined>>;

/** Reads a required environment variable, failing the cold start with the variable's name. */
export function requireEnv(name: string, env: Environment = process.env): string {
  const value = env[name];
  if (value === undefined || value === '') {
    throw new Error(`environment variable ${name} is not set: the stack sets it; locally, export it`);
  }
  return value;
}

/**
 * The small-cluster workflow from SMALL_CLUSTER_STATE_MACHINE_ARN and SMALL_CLUSTER_BELOW_MEMBERS
 * (both set by the stack, or neither): undefined when there is none. `env` is the process's, or
 * the scorer's environment as a local run resolves it from the template.
 */
export function smallClusterRouteFromEnv(
  env: Environment = process.env,
): SmallClusterRoute<string> | undefined {
  const arn = env.SMALL_CLUSTER_STATE_MACHINE_ARN;
  if (arn === undefined || arn === '') return undefined;
  const text = requireEnv('SMALL_CLUSTER_BELOW_MEMBERS', env);
  const belowMembers = Number(text);
  if (!Number.isInteger(belowMembers) || belowMembers < 2) {
    throw new Error(
      `environment variable SMALL_CLUSTER_BELOW_MEMBERS must be a whole number of at least 2, got ${JSON.stringify(text)}: ` +
        'the stack sets it from clusterDistributedMapThreshold',
    );
  }
  return { target: arn, belowMembers };
}
