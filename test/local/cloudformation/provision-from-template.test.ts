import { DescribeTableCommand, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamSummaryCommand, ListShardsCommand } from '@aws-sdk/client-kinesis';
import type { CloudFormationTemplate } from '../../../local/cloudformation/cloudformation-template';
import { startLocalServices, type LocalServices } from '../../../local/emulators/local-services';
import {
  ProvisioningError,
  provisionFromTemplate,
} from '../../../local/cloudformation/provision-from-template';
import { synthesizeEnforcementTestStack, TEST_STACK_IDS } from '../../support/enforcement-test-stack';

describe('Function: provisionFromTemplate', () => {
  let template: CloudFormationTemplate;
  let services: LocalServices;

  beforeAll(() => {
    template = synthesizeEnforcementTestStack();
  });

  beforeEach(async () => {
    services = await startLocalServices();
  });

  afterEach(async () => {
    await services.stop();
  });

  describe('Method: provisionFromTemplate', () => {
    it('creates the table with its key schema and GSI, queryable through the index', async () => {
      // Act
      const provisioned = await provisionFromTemplate(template, services);

      // Assess
      const tableName = provisioned.names[TEST_STACK_IDS.table]!;
      expect(tableName).toBe(TEST_STACK_IDS.table);
      const { Table } = await services.dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
      expect(Table?.TableStatus).toBe('ACTIVE');
      expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
      expect(Table?.KeySchema).toEqual([
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ]);
      expect(Table?.GlobalSecondaryIndexes?.map((index) => [index.IndexName, index.IndexStatus])).toEqual([
        ['byStatus', 'ACTIVE'],
      ]);
      await services.dynamodb.send(
        new PutItemCommand({
          TableName: tableName,
          Item: { pk: { S: 'ACCOUNT#a1' }, sk: { S: 'STATE' }, status: { S: 'SUSPENDED' } },
        }),
      );
      const { Items } = await services.dynamodb.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: 'byStatus',
          KeyConditionExpression: '#status = :s',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':s': { S: 'SUSPENDED' } },
        }),
      );
      expect(Items?.map((item) => item.pk?.S)).toEqual(['ACCOUNT#a1']);
    });

    it('creates the on-demand stream with the configured shard count and reports what it ignored', async () => {
      // Act
      const provisioned = await provisionFromTemplate(template, { ...services, shardCount: 3 });

      // Assess
      const streamName = provisioned.names[TEST_STACK_IDS.stream]!;
      const { Shards } = await services.kinesis.send(new ListShardsCommand({ StreamName: streamName }));
      expect(Shards).toHaveLength(3);
      const { StreamDescriptionSummary } = await services.kinesis.send(
        new DescribeStreamSummaryCommand({ StreamName: streamName }),
      );
      expect(StreamDescriptionSummary?.StreamStatus).toBe('ACTIVE');
      expect(provisioned.resources[TEST_STACK_IDS.stream]?.arn).toBe(StreamDescriptionSummary?.StreamARN);
      expect(provisioned.tables).toEqual([TEST_STACK_IDS.table]);
      expect(provisioned.streams).toEqual([TEST_STACK_IDS.stream]);
      const ignored = provisioned.ignored.map((setting) => `${setting.logicalId}.${setting.property}`);
      expect(ignored).toEqual(
        expect.arrayContaining([
          `${TEST_STACK_IDS.table}.PointInTimeRecoverySpecification`,
          `${TEST_STACK_IDS.table}.TimeToLiveSpecification`,
          `${TEST_STACK_IDS.stream}.StreamModeDetails`,
          `${TEST_STACK_IDS.stream}.StreamEncryption`,
        ]),
      );
      expect(
        provisioned.ignored.find((setting) => setting.property === 'StreamModeDetails')?.reason,
      ).toContain('3 shards');
    });

    it('resolves references as CloudFormation would, with local names and ARNs', async () => {
      // Act
      const { resolveRef, names } = await provisionFromTemplate(template, services);

      // Assess
      expect(resolveRef(TEST_STACK_IDS.table)).toBe('AccountsTable');
      expect(resolveRef(TEST_STACK_IDS.table, 'Arn')).toBe(
        'arn:aws:dynamodb:us-east-1:000000000000:table/AccountsTable',
      );
      expect(resolveRef(TEST_STACK_IDS.stream, 'Arn')).toBe(
        'arn:aws:kinesis:us-east-1:000000000000:stream/UsageStream',
      );
      // The bus sets a literal name; a state machine's Ref is its ARN.
      expect(names[TEST_STACK_IDS.bus]).toBe('cauterize-test');
      expect(resolveRef(TEST_STACK_IDS.bus, 'Arn')).toBe(
        'arn:aws:events:us-east-1:000000000000:event-bus/cauterize-test',
      );
      expect(resolveRef(TEST_STACK_IDS.stateMachine)).toBe(
        'arn:aws:states:us-east-1:000000000000:stateMachine:EnforcementStateMachine',
      );
      expect(() => resolveRef('NoSuchResource')).toThrow("no resource with logical id 'NoSuchResource'");
      expect(() => resolveRef(TEST_STACK_IDS.table, 'NoSuchAttribute')).toThrow(/not emulated locally/);
    });

    it('fails naming the resource when it already exists', async () => {
      // Prepare
      await provisionFromTemplate(template, services);

      // Act
      const again = provisionFromTemplate(template, services);

      // Assess
      await expect(again).rejects.toBeInstanceOf(ProvisioningError);
      await expect(again).rejects.toThrow(/^(AccountsTable|UsageStream): could not create (table|stream)/);
    });
  });
});
