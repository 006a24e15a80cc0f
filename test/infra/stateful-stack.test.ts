import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { StatefulStack } from '../../lib/stateful-stack';
import { synthesizeCauterize, unacknowledgedNagFindings } from '../support/synthesize';

const dataKeyArn = { 'Fn::GetAtt': ['DataKey', 'Arn'] };

describe('Class: StatefulStack', () => {
  let stack: StatefulStack;
  let template: Template;

  beforeAll(() => {
    ({ stateful: stack } = synthesizeCauterize());
    template = Template.fromStack(stack);
  });

  describe('Logical ids', () => {
    it('pins the logical ids of every stateful resource', () => {
      // Prepare
      const expected = {
        DataKey: 'AWS::KMS::Key',
        UsageStream: 'AWS::Kinesis::Stream',
        AccountsTable: 'AWS::DynamoDB::Table',
        LinksTable: 'AWS::DynamoDB::Table',
        CasesTable: 'AWS::DynamoDB::Table',
        EnforcementBus: 'AWS::Events::EventBus',
      };

      // Act
      const resources = template.toJSON().Resources as Record<string, { Type: string }>;

      // Assess
      for (const [logicalId, type] of Object.entries(expected)) {
        expect(resources[logicalId]?.Type).toBe(type);
      }
    });
  });

  describe('Data key', () => {
    it('is a customer-managed key with rotation, retained on stack deletion', () => {
      // Act & Assess
      template.hasResource('AWS::KMS::Key', {
        Properties: { EnableKeyRotation: true },
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
      template.resourceCountIs('AWS::KMS::Key', 1);
    });
  });

  describe('Usage stream', () => {
    it('is encrypted with the data key, on-demand, with 24 hours retention', () => {
      // Act & Assess
      template.hasResourceProperties('AWS::Kinesis::Stream', {
        StreamEncryption: { EncryptionType: 'KMS', KeyId: dataKeyArn },
        StreamModeDetails: { StreamMode: 'ON_DEMAND' },
        RetentionPeriodHours: 24,
        ShardCount: Match.absent(),
      });
    });

    it('switches to provisioned shards and a longer retention through props', () => {
      // Prepare
      const app = new App();

      // Act
      const provisioned = new StatefulStack(app, 'Provisioned', {
        streamShardCount: 4,
        streamRetentionHours: 168,
      });

      // Assess
      Template.fromStack(provisioned).hasResourceProperties('AWS::Kinesis::Stream', {
        StreamModeDetails: { StreamMode: 'PROVISIONED' },
        ShardCount: 4,
        RetentionPeriodHours: 168,
      });
    });

    it.each([
      [{ streamRetentionHours: 12 }, 'streamRetentionHours must be a whole number from 24 to 8760, got 12'],
      [{ streamShardCount: 0 }, 'streamShardCount must be a whole number from 1 to 10000, got 0'],
      [
        { enforcementBusName: 'no spaces' },
        "enforcementBusName must be 1-256 letters, digits, '.', '_' or '-'",
      ],
    ])('rejects %j naming the prop and the value', (props, message) => {
      // Prepare
      const app = new App();

      // Act & Assess
      expect(() => new StatefulStack(app, 'Invalid', props)).toThrow(message);
    });
  });

  describe('Tables', () => {
    it.each(['AccountsTable', 'LinksTable', 'CasesTable'])(
      '%s is on-demand, with PITR, encrypted with the data key, retained',
      (logicalId) => {
        // Act & Assess
        expect(template.toJSON().Resources[logicalId]).toMatchObject({
          Type: 'AWS::DynamoDB::Table',
          DeletionPolicy: 'Retain',
          UpdateReplacePolicy: 'Retain',
          Properties: {
            BillingMode: 'PAY_PER_REQUEST',
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
            SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: dataKeyArn },
          },
        });
      },
    );

    it('keys the accounts table by accountId', () => {
      // Act
      const table = template.toJSON().Resources.AccountsTable;

      // Assess
      expect(table.Properties.KeySchema).toEqual([{ AttributeName: 'accountId', KeyType: 'HASH' }]);
      expect(table.Properties.GlobalSecondaryIndexes).toBeUndefined();
    });

    it('keys the links table by linkKey and accountId, with no index (every edge written once)', () => {
      // Act
      const table = template.toJSON().Resources.LinksTable;

      // Assess
      expect(table.Properties.KeySchema).toEqual([
        { AttributeName: 'linkKey', KeyType: 'HASH' },
        { AttributeName: 'accountId', KeyType: 'RANGE' },
      ]);
      expect(table.Properties.GlobalSecondaryIndexes).toBeUndefined();
    });

    it('keys the cases table by caseId and sk, with byAccount and byStatus indexes', () => {
      // Act
      const table = template.toJSON().Resources.CasesTable;

      // Assess
      expect(table.Properties.KeySchema).toEqual([
        { AttributeName: 'caseId', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ]);
      expect(table.Properties.GlobalSecondaryIndexes).toEqual([
        {
          IndexName: 'byAccount',
          KeySchema: [
            { AttributeName: 'accountId', KeyType: 'HASH' },
            { AttributeName: 'openedAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
        {
          IndexName: 'byStatus',
          KeySchema: [
            { AttributeName: 'status', KeyType: 'HASH' },
            { AttributeName: 'openedAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ]);
    });

    it('protects the cases table against deletion', () => {
      // Act
      const resources = template.toJSON().Resources;

      // Assess
      expect(resources.CasesTable.Properties.DeletionProtectionEnabled).toBe(true);
    });
  });

  describe('Enforcement bus', () => {
    it('is named cauterize-enforcement and encrypted with the data key', () => {
      // Act & Assess
      template.hasResourceProperties('AWS::Events::EventBus', {
        Name: 'cauterize-enforcement',
        KmsKeyIdentifier: dataKeyArn,
      });
    });

    it('lets EventBridge, and only for this bus, use the data key', () => {
      // Prepare
      const busArn = {
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':events:',
            { Ref: 'AWS::Region' },
            ':',
            { Ref: 'AWS::AccountId' },
            ':event-bus/cauterize-enforcement',
          ],
        ],
      };
      const source = { 'aws:SourceAccount': { Ref: 'AWS::AccountId' }, 'aws:SourceArn': busArn };

      // Act
      const statements = eventBridgeStatements(template);

      // Assess: what the EventBridge guide lists, each under conditions its request carries.
      expect(statements).toEqual([
        {
          Sid: 'EventBridgeEncryptsEnforcementBus',
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
          Resource: '*',
          Condition: {
            StringEquals: { ...source, 'kms:EncryptionContext:aws:events:event-bus:arn': busArn },
          },
        },
        {
          Sid: 'EventBridgeDescribesKeyForEnforcementBus',
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: 'kms:DescribeKey',
          Resource: '*',
          Condition: { StringEquals: source },
        },
      ]);
    });

    it('never puts kms:DescribeKey under an encryption-context condition (DescribeKey has none)', () => {
      // Act
      const describing = eventBridgeStatements(template).filter((statement) =>
        ([] as unknown[]).concat(statement.Action).includes('kms:DescribeKey'),
      );

      // Assess
      expect(describing).toHaveLength(1);
      for (const statement of describing) {
        expect(JSON.stringify(statement.Condition)).not.toContain('kms:EncryptionContext');
      }
    });
  });

  describe('cdk-nag', () => {
    it('has no unacknowledged AwsSolutions errors or warnings', () => {
      // Act
      const findings = unacknowledgedNagFindings(stack);

      // Assess
      expect(findings).toEqual([]);
    });
  });
});

interface PolicyStatementJson {
  readonly Sid?: string;
  readonly Principal?: { readonly Service?: string };
  readonly Action: string | string[];
  readonly Condition?: unknown;
}

/** The data key's policy statements for the EventBridge service principal. */
function eventBridgeStatements(template: Template): PolicyStatementJson[] {
  const keys = template.findResources('AWS::KMS::Key') as Record<
    string,
    { Properties: { KeyPolicy: { Statement: PolicyStatementJson[] } } }
  >;
  return Object.values(keys).flatMap((key) =>
    key.Properties.KeyPolicy.Statement.filter((s) => s.Principal?.Service === 'events.amazonaws.com'),
  );
}
