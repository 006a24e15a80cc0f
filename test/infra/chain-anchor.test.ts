import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { CauterizeApp } from '../../lib/cauterize';
import { CaseArchiveBucket } from '../../lib/constructs/case-archive';
import { ChainAnchor } from '../../lib/constructs/chain-anchor';
import { synthesizeCauterize, unacknowledgedNagFindings } from '../support/synthesize';

interface PolicyStatement {
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: unknown;
}

describe('Construct: ChainAnchor (in Cauterize)', () => {
  let cauterize: CauterizeApp;
  let pipeline: Template;
  let statements: PolicyStatement[];

  beforeAll(() => {
    cauterize = synthesizeCauterize();
    pipeline = Template.fromStack(cauterize.pipeline);
    const anchor = cauterize.pipeline.chainAnchor!;
    const roleId = cauterize.pipeline.resolve(
      (anchor.function.role!.node.defaultChild as CfnRole).ref,
    ) as unknown;
    statements = Object.values(pipeline.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([roleId]))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as PolicyStatement[]);
  });

  it('runs the anchor function every hour, retried twice, with the table, bucket and retention', () => {
    // Assess
    pipeline.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 hour)',
      State: 'ENABLED',
      Targets: [
        Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 } }),
      ],
    });
    pipeline.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('anchors every case'),
      Timeout: 300,
      Environment: {
        Variables: Match.objectLike({
          CASES_TABLE: Match.anyValue(),
          ARCHIVE_BUCKET: Match.anyValue(),
          ANCHOR_RETENTION_DAYS: '2555',
          POWERTOOLS_SERVICE_NAME: 'cauterize-chain-anchor',
        }),
      },
    });
  });

  it('may write, read and list anchors/ in the archive bucket, and nothing else there', () => {
    // Assess
    const s3 = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('s3:')));
    expect(s3.map((s) => [s.Action].flat().sort())).toEqual([
      ['s3:GetObject', 's3:GetObjectVersion', 's3:PutObject', 's3:PutObjectRetention'],
      ['s3:ListBucket'],
    ]);
    expect(JSON.stringify(s3[0]!.Resource)).toMatch(/\/anchors\/\*"\]\]\}$/);
    expect(s3[1]!.Condition).toEqual({ StringLike: { 's3:prefix': 'anchors/*' } });
    expect(statements.flatMap((s) => [s.Action].flat())).not.toContain('s3:DeleteObject');
    expect(statements.flatMap((s) => [s.Action].flat())).toContain('dynamodb:Scan');
    expect(statements.flatMap((s) => [s.Action].flat())).not.toContain('dynamodb:PutItem');
  });

  it('leaves no unacknowledged cdk-nag finding on the anchor', () => {
    // Act
    const findings = unacknowledgedNagFindings(cauterize.pipeline).filter((f) =>
      f.paths.some((p) => /ChainAnchor/.test(p)),
    );

    // Assess
    expect(findings).toEqual([]);
  });

  it.each([
    [{ rateHours: 0 }, 'rateHours must be a whole number from 1 to 24, got 0'],
    [{ retentionDays: 0 }, 'retentionDays must be a whole number from 1 to 36500, got 0'],
  ])('rejects %j naming the prop and the value', (overrides, message) => {
    // Prepare
    const stack = new Stack(new App());
    const table = new dynamodb.Table(stack, 'Cases', {
      partitionKey: { name: 'caseId', type: dynamodb.AttributeType.STRING },
    });
    const archive = new CaseArchiveBucket(stack, 'Archive', { encryptionKey: new kms.Key(stack, 'Key') });

    // Act & Assess
    expect(
      () =>
        new ChainAnchor(stack, 'Anchor', {
          casesTable: table,
          archiveBucket: archive.bucket,
          retentionDays: 30,
          ...overrides,
        }),
    ).toThrow(message);
  });
});
