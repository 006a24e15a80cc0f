import { Stack, Token } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { IConstruct } from 'constructs';

/**
 * The id of the cdk-nag finding AwsSolutions-IAM5 for `<table ARN>/index/*`, as it appears in
 * a policy of `consumer`. Table grants always cover all of a table's indexes, so every grant on
 * a table with a GSI produces this finding.
 *
 * cdk-nag names the finding after the resolved resource: `<LogicalId.Arn>` in the table's own
 * stack, the export name across stacks (`CauterizeStateful:ExportsOutputFnGetAtt...`). Deriving
 * it here keeps the acknowledgement exact without copying a generated export name into code.
 */
export function tableIndexWildcardFinding(consumer: IConstruct, table: dynamodb.ITable): string {
  const consumerStack = Stack.of(consumer);
  let arn: unknown = table.tableArn;
  if (Token.isUnresolved(table.tableArn)) {
    const producerStack = Stack.of(table);
    // exportValue returns the same Fn::ImportValue the automatic cross-stack reference uses.
    const reference =
      producerStack === consumerStack ? table.tableArn : producerStack.exportValue(table.tableArn);
    arn = consumerStack.resolve(reference);
  }
  return `AwsSolutions-IAM5[Resource::${flattenReference(arn)}/index/*]`;
}

/** Flattens a resolved reference the way cdk-nag does (its helper is not exported). */
function flattenReference(node: unknown): string {
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (node !== null && typeof node === 'object') {
    const fn = node as Record<string, unknown>;
    if ('Fn::ImportValue' in fn) return flattenReference(fn['Fn::ImportValue']);
    if ('Ref' in fn) return `<${flattenReference(fn.Ref)}>`;
    if ('Fn::GetAtt' in fn) {
      const [resource, attribute] = fn['Fn::GetAtt'] as [unknown, unknown];
      return `<${flattenReference(resource)}.${flattenReference(attribute)}>`;
    }
    if ('Fn::Join' in fn) {
      const [delimiter, parts] = fn['Fn::Join'] as [string, unknown[]];
      return parts.map(flattenReference).join(delimiter);
    }
  }
  return JSON.stringify(node);
}
