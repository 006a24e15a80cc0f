import { CfnResource } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Pins the CloudFormation logical id of a construct's main resource.
 *
 * Stateful resources keep their id whatever the construct tree looks like, so refactoring the
 * code never replaces (and never empties) a table, a stream, a key or a queue. The local runtime
 * also finds resources in the synthesized templates by these ids.
 */
export function pinLogicalId(construct: IConstruct, logicalId: string): void {
  const resource = construct.node.defaultChild;
  if (!CfnResource.isCfnResource(resource)) {
    throw new Error(
      `cannot pin logical id ${logicalId}: ${construct.node.path} has no CloudFormation resource`,
    );
  }
  resource.overrideLogicalId(logicalId);
}
