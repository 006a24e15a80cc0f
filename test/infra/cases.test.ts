import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import { CaseArchiveBucket, CaseArchiver } from '../../lib/constructs/case-archive';
import { CasesApi } from '../../lib/constructs/cases-api';
import type { CauterizeApp } from '../../lib/cauterize';
import { synthesizeCauterize, unacknowledgedNagFindings } from '../support/synthesize';

describe('Construct: CasesApi, CaseArchiveBucket, CaseArchiver (in Cauterize)', () => {
  let cauterize: CauterizeApp;
  let pipeline: Template;
  let stateful: Template;

  beforeAll(() => {
    cauterize = synthesizeCauterize();
    pipeline = Template.fromStack(cauterize.pipeline);
    stateful = Template.fromStack(cauterize.stateful);
  });

  it('leaves no unacknowledged cdk-nag finding on the cases constructs', () => {
    // Act
    const findings = [
      ...unacknowledgedNagFindings(cauterize.pipeline),
      ...unacknowledgedNagFindings(cauterize.stateful),
    ].filter((f) => f.paths.some((p) => /CasesApi|CaseArchive/.test(p)));

    // Assess
    expect(findings).toEqual([]);
  });

  it('requires IAM authorization on every method and validates requests', () => {
    // Assess
    const methods = pipeline.findResources('AWS::ApiGateway::Method');
    const real = Object.values(methods).filter((m) => m.Properties.HttpMethod !== 'OPTIONS');
    expect(real.map((m) => m.Properties.HttpMethod).sort()).toEqual(['GET', 'GET', 'POST', 'POST', 'PUT']);
    for (const method of real) {
      expect(method.Properties.AuthorizationType).toBe('AWS_IAM');
      expect(method.Properties.RequestValidatorId).toBeDefined();
    }
    pipeline.hasResourceProperties('AWS::ApiGateway::RequestValidator', {
      ValidateRequestBody: true,
      ValidateRequestParameters: true,
    });
    pipeline.hasResourceProperties('AWS::ApiGateway::Model', {
      Name: 'StatusChange',
      Schema: Match.objectLike({
        $schema: 'http://json-schema.org/draft-04/schema#',
        required: ['status', 'reason'],
        additionalProperties: false,
        properties: Match.objectLike({
          status: { type: 'string', enum: ['OPEN', 'UNDER_REVIEW', 'CONFIRMED', 'FALSE_POSITIVE', 'CLOSED'] },
        }),
      }),
    });
    pipeline.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'BAD_REQUEST_BODY',
      ResponseTemplates: { 'application/json': Match.stringLikeRegexp('validationErrorString') },
    });
  });

  it('lets the compliance role invoke only the read methods, the investigator all of them', () => {
    // Prepare
    const policies = pipeline.findResources('AWS::IAM::Policy');
    const invokeResources = (rolePrefix: string): string[] => {
      const policy = Object.values(policies).find((p) =>
        (p.Properties.Roles as Array<{ Ref: string }>).some((r) => r.Ref.startsWith(rolePrefix)),
      );
      const statement = (
        policy?.Properties.PolicyDocument.Statement as Array<{ Action: string; Resource: unknown[] }>
      ).find((s) => s.Action === 'execute-api:Invoke');
      return (statement?.Resource ?? []).map((r) => {
        const parts = (r as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
        return String(parts[parts.length - 1]);
      });
    };

    // Act
    const compliance = invokeResources('CasesApiComplianceRole');
    const investigator = invokeResources('CasesApiInvestigatorRole');

    // Assess
    expect(compliance).toEqual(['/v1/GET/cases', '/v1/GET/cases/*']);
    expect(investigator).toEqual([
      '/v1/GET/cases',
      '/v1/GET/cases/*',
      '/v1/POST/cases/*/status',
      '/v1/PUT/cases/*/assignee',
      '/v1/POST/cases/*/notes',
    ]);
  });

  it('archives to a KMS-encrypted, TLS-only bucket with COMPLIANCE Object Lock', () => {
    // Assess
    stateful.hasResource('AWS::S3::Bucket', {
      Properties: Match.objectLike({
        ObjectLockEnabled: true,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 2555 } },
        },
        VersioningConfiguration: { Status: 'Enabled' },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            Match.objectLike({
              ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }),
            }),
          ],
        },
      }),
      DeletionPolicy: 'Retain',
    });
    const bucketPolicy = JSON.stringify(stateful.findResources('AWS::S3::BucketPolicy'));
    expect(bucketPolicy).toContain('aws:SecureTransport');
    stateful.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: Match.absent(),
      StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
    });
  });

  it('triggers the archiver on CASE items that become CLOSED, with the policy retention', () => {
    // Assess
    pipeline.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FilterCriteria: {
        Filters: [
          {
            Pattern: JSON.stringify({
              dynamodb: { NewImage: { sk: { S: ['CASE'] }, status: { S: ['CLOSED'] } } },
            }),
          },
        ],
      },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
    });
    pipeline.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ ARCHIVE_RETENTION_DAYS: '2555' }) },
    });
  });
});

describe('Construct: CaseArchiver', () => {
  it('refuses a cases table without a stream, naming the fix', () => {
    // Prepare
    const stack = new Stack(new App());
    const key = new kms.Key(stack, 'Key');
    const table = new dynamodb.Table(stack, 'Cases', {
      partitionKey: { name: 'caseId', type: dynamodb.AttributeType.STRING },
    });
    const archive = new CaseArchiveBucket(stack, 'Archive', { encryptionKey: key });

    // Act & Assess
    expect(
      () =>
        new CaseArchiver(stack, 'Archiver', {
          casesTable: table,
          archiveBucket: archive.bucket,
          retentionDays: 30,
          queueEncryptionKey: key,
        }),
    ).toThrow(/casesTable has no stream: create it with stream: StreamViewType.NEW_IMAGE/);
    expect(
      () =>
        new CasesApi(stack, 'Api', {
          casesTable: table,
          enforcementBus: new events.EventBus(stack, 'Bus'),
          stageName: 'v 1',
        }),
    ).toThrow(/stageName must be 1-128 letters/);
  });
});
