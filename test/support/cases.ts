import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import S3rver from 's3rver';
import { ensureLocalCasesTable } from '../../cli/commands/cases';
import { documentClient } from '../../lambdas/adapters/aws-clients';
import { DynamoDbCaseStore } from '../../lambdas/adapters/dynamodb-case-store';
import { newCase, type OpenCaseInput } from '../../lambdas/core/cases/case-service';
import {
  startLocalServices,
  type LocalServices,
  type LocalServicesOptions,
} from '../../local/emulators/local-services';

export const CASES_TABLE = 'CasesTable';

/** dynalite with the cases table as the stateful stack defines it, and a store over it. */
export async function startCasesTable(
  options: LocalServicesOptions = {},
): Promise<{ services: LocalServices; store: DynamoDbCaseStore }> {
  const services = await startLocalServices(options);
  await ensureLocalCasesTable(services.dynamodb);
  return { services, store: new DynamoDbCaseStore(documentClient(services.dynamodb), CASES_TABLE) };
}

/** s3rver on loopback with one bucket, and an S3 client (path-style) pointed at it. */
export async function startLocalS3(bucket: string): Promise<{ s3: S3Client; stop(): Promise<void> }> {
  const directory = mkdtempSync(join(tmpdir(), 'cauterize-s3-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    directory,
    silent: true,
    configureBuckets: [{ name: bucket }],
  });
  const { port } = await server.run();
  const s3 = new S3Client({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  return {
    s3,
    stop: async () => {
      s3.destroy();
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

let counter = 0;

/** An account case opened by enforcement, with overridable fields. */
export function caseInput(overrides: Partial<OpenCaseInput> = {}): OpenCaseInput {
  counter++;
  const openedAt = new Date(Date.parse('2026-02-01T00:00:00Z') + counter * 60_000).toISOString();
  return {
    caseId: `case-${counter.toString(16).padStart(24, '0')}-1`,
    kind: 'account',
    accountIds: [`acct_${counter}`],
    action: 'suspend',
    openedAt,
    riskScore: 70 + (counter % 30),
    policyVersion: '2026-11-26.2',
    triggeredAt: openedAt,
    evidence: {
      reasons: [{ signal: 'capabilityConcentration', value: 1, threshold: 0.6, points: 11.2 }],
      sampleEventIds: [`evt_${counter}_a`, `evt_${counter}_b`],
      scoreHistory: [{ at: openedAt, score: 70 }],
    },
    openedBy: 'cauterize-enforcement',
    ...overrides,
  };
}

export const seedCase = (overrides: Partial<OpenCaseInput> = {}) => newCase(caseInput(overrides));

export const ROLE_NAMES = {
  investigator: 'CauterizeCasesInvestigator',
  compliance: 'CauterizeCasesCompliance',
};
export const INVESTIGATOR = `arn:aws:sts::123456789012:assumed-role/${ROLE_NAMES.investigator}/alice`;
export const COMPLIANCE = `arn:aws:sts::123456789012:assumed-role/${ROLE_NAMES.compliance}/carol`;

/** An API Gateway REST proxy event, as API Gateway sends it with AWS_IAM authorization. */
export function apiEvent(options: {
  method: string;
  resource: string;
  caller: string;
  caseId?: string;
  query?: Record<string, string>;
  body?: unknown;
}): APIGatewayProxyEvent {
  const path = options.resource.replace('{caseId}', options.caseId ?? '');
  return {
    httpMethod: options.method,
    resource: options.resource,
    path,
    pathParameters: options.caseId !== undefined ? { caseId: options.caseId } : null,
    queryStringParameters: options.query ?? null,
    multiValueQueryStringParameters: null,
    headers: { 'content-type': 'application/json' },
    multiValueHeaders: {},
    body:
      options.body === undefined
        ? null
        : typeof options.body === 'string'
          ? options.body
          : JSON.stringify(options.body),
    isBase64Encoded: false,
    stageVariables: null,
    requestContext: {
      identity: { userArn: options.caller, caller: options.caller },
    } as unknown as APIGatewayProxyEvent['requestContext'],
  };
}
