import type { CloudFormationResource } from './cloudformation-template';
import { LOCAL_ACCOUNT_ID, LOCAL_PARTITION, localArn } from '../emulators/local-aws-identity';

/** Thrown when a Ref or Fn::GetAtt names a resource or attribute the local runtime does not know. */
export class UnresolvableReferenceError extends Error {
  public constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UnresolvableReferenceError';
  }
}

/** A template resource as it exists locally: its physical name, ARN and attribute values. */
export interface LocalResource {
  readonly logicalId: string;
  readonly type: string;
  /** Local physical name: the literal name property if the template sets one, else the logical id. */
  readonly name: string;
  readonly arn: string;
  /** What `{ Ref: logicalId }` returns for this type (a name, an ARN or a URL, as in CloudFormation). */
  readonly ref: string;
  /** Values of `Fn::GetAtt [logicalId, attribute]`. */
  readonly attributes: Readonly<Record<string, string>>;
}

/** The property that holds each type's physical name, when the template fixes one. */
const NAME_PROPERTIES: Readonly<Record<string, string>> = {
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::DynamoDB::GlobalTable': 'TableName',
  'AWS::Kinesis::Stream': 'Name',
  'AWS::StepFunctions::StateMachine': 'StateMachineName',
  'AWS::Events::EventBus': 'Name',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::IAM::Role': 'RoleName',
  'AWS::S3::Bucket': 'BucketName',
};

/** The local physical name of a resource, and whether a name property had to be ignored. */
export function localPhysicalName(
  logicalId: string,
  resource: CloudFormationResource,
): { name: string; ignoredNameProperty?: string } {
  const property = NAME_PROPERTIES[resource.Type];
  if (!property) return { name: logicalId };
  const value = resource.Properties?.[property];
  if (typeof value === 'string') return { name: value };
  return value === undefined ? { name: logicalId } : { name: logicalId, ignoredNameProperty: property };
}

/**
 * Describes a resource the way CloudFormation would resolve references to it, in the local
 * account and region. `arnOverride` lets a service that mints its own ARNs (kinesalite) win.
 */
export function describeLocalResource(
  logicalId: string,
  resource: CloudFormationResource,
  region: string,
  arnOverride?: string,
): LocalResource {
  const { name } = localPhysicalName(logicalId, resource);
  const base = { logicalId, type: resource.Type, name };
  switch (resource.Type) {
    case 'AWS::DynamoDB::Table':
    case 'AWS::DynamoDB::GlobalTable': {
      const arn = arnOverride ?? localArn('dynamodb', region, `table/${name}`);
      return { ...base, arn, ref: name, attributes: { Arn: arn, StreamArn: `${arn}/stream/local` } };
    }
    case 'AWS::Kinesis::Stream': {
      const arn = arnOverride ?? localArn('kinesis', region, `stream/${name}`);
      return { ...base, arn, ref: name, attributes: { Arn: arn } };
    }
    case 'AWS::StepFunctions::StateMachine': {
      const arn = arnOverride ?? localArn('states', region, `stateMachine:${name}`);
      return { ...base, arn, ref: arn, attributes: { Arn: arn, Name: name } };
    }
    case 'AWS::Events::EventBus': {
      const arn = arnOverride ?? localArn('events', region, `event-bus/${name}`);
      return { ...base, arn, ref: name, attributes: { Arn: arn, Name: name } };
    }
    case 'AWS::SQS::Queue': {
      const arn = arnOverride ?? localArn('sqs', region, name);
      const url = `https://sqs.${region}.amazonaws.com/${LOCAL_ACCOUNT_ID}/${name}`;
      return { ...base, arn, ref: url, attributes: { Arn: arn, QueueName: name, QueueUrl: url } };
    }
    case 'AWS::SNS::Topic': {
      const arn = arnOverride ?? localArn('sns', region, name);
      return { ...base, arn, ref: arn, attributes: { TopicArn: arn, TopicName: name } };
    }
    case 'AWS::Lambda::Function': {
      const arn = arnOverride ?? localArn('lambda', region, `function:${name}`);
      return { ...base, arn, ref: name, attributes: { Arn: arn } };
    }
    case 'AWS::IAM::Role': {
      const arn = arnOverride ?? `arn:${LOCAL_PARTITION}:iam::${LOCAL_ACCOUNT_ID}:role/${name}`;
      return { ...base, arn, ref: name, attributes: { Arn: arn, RoleId: name } };
    }
    default: {
      // Anything else only needs a stable, recognisable string (for example an IAM policy name).
      const service = resource.Type.split('::')[1]?.toLowerCase() ?? 'local';
      const kind = resource.Type.split('::')[2]?.toLowerCase() ?? 'resource';
      const arn = arnOverride ?? localArn(service, region, `${kind}/${name}`);
      return { ...base, arn, ref: name, attributes: { Arn: arn } };
    }
  }
}

/** Resolves Ref / Fn::GetAtt against a set of local resources; unknown names throw. */
export function referenceResolver(
  resources: Readonly<Record<string, LocalResource>>,
): (logicalId: string, attribute?: string) => string {
  return (logicalId, attribute) => {
    const resource = resources[logicalId];
    if (!resource) {
      throw new UnresolvableReferenceError(`no resource with logical id '${logicalId}' in the template`);
    }
    if (attribute === undefined) return resource.ref;
    const value = resource.attributes[attribute];
    if (value === undefined) {
      throw new UnresolvableReferenceError(
        `attribute '${attribute}' of ${resource.type} '${logicalId}' is not emulated locally; ` +
          `known attributes: ${Object.keys(resource.attributes).join(', ')}`,
      );
    }
    return value;
  };
}
