/**
 * The identity the local runtime pretends to have: one fixed account, one region. kinesalite
 * builds its own ARNs from the same account (000000000000) and from AWS_REGION.
 */
export const LOCAL_ACCOUNT_ID = '000000000000';
export const LOCAL_PARTITION = 'aws';
export const LOCAL_URL_SUFFIX = 'amazonaws.com';
export const DEFAULT_LOCAL_REGION = 'us-east-1';

/** Local services accept any credentials, but the SDK insists on having some. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/** Builds an ARN in the local account: `arn:aws:<service>:<region>:000000000000:<resource>`. */
export function localArn(service: string, region: string, resource: string): string {
  return `arn:${LOCAL_PARTITION}:${service}:${region}:${LOCAL_ACCOUNT_ID}:${resource}`;
}
