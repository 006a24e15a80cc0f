import type { Duration } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

export interface CauterizeFunctionProps {
  /** Path of the handler module (exporting `handler`). */
  readonly entry: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly role: iam.IRole;
  readonly logGroup: logs.ILogGroup;
  readonly description: string;
  readonly environment: Readonly<Record<string, string>>;
  /**
   * Identifiers esbuild replaces with these JavaScript expressions: data compiled into the code
   * asset (a change re-bundles and redeploys the code).
   * @default - none
   */
  readonly define?: Readonly<Record<string, string>>;
}

/**
 * A Cauterize Lambda function: Node 22 on ARM64, X-Ray tracing, bundled by the local esbuild with
 * the AWS SDK inside and source maps on. Every function of the app is built here, so they all
 * run the way they were tested.
 */
export function cauterizeFunction(
  scope: Construct,
  id: string,
  props: CauterizeFunctionProps,
): nodejs.NodejsFunction {
  return new nodejs.NodejsFunction(scope, id, {
    entry: props.entry,
    handler: 'handler',
    runtime: lambda.Runtime.NODEJS_22_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: props.memorySize,
    timeout: props.timeout,
    role: props.role,
    logGroup: props.logGroup,
    tracing: lambda.Tracing.ACTIVE,
    description: props.description,
    bundling: {
      minify: true,
      sourceMap: true,
      target: 'node22',
      // Bundle the AWS SDK too: the code runs against the SDK version it was tested with.
      externalModules: [],
      // These machines have no Docker: fail on a missing esbuild instead of falling back to it.
      forceDockerBundling: false,
      ...(props.define ? { define: { ...props.define } } : {}),
    },
    environment: { ...props.environment, NODE_OPTIONS: '--enable-source-maps' },
  });
}
