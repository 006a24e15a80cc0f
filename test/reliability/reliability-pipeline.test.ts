import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ReliabilityPipeline, stopPipelinesLeftRunning } from '../support/reliability-pipeline';

/** Lists the tables behind a pipeline's fault-injection proxy: resolves while the pipeline runs. */
const listTablesThroughProxy = async (pipeline: ReliabilityPipeline): Promise<string[]> => {
  const client = new DynamoDBClient({
    endpoint: pipeline.proxy.endpoint,
    region: pipeline.pipeline.services.region,
    credentials: pipeline.pipeline.services.credentials,
    maxAttempts: 1,
  });
  try {
    return (await client.send(new ListTablesCommand({}))).TableNames ?? [];
  } finally {
    client.destroy();
  }
};

describe('Function: stopPipelinesLeftRunning', () => {
  stopPipelinesLeftRunning();
  let shared: ReliabilityPipeline;
  let leftByTest: ReliabilityPipeline;

  beforeAll(async () => {
    shared = await ReliabilityPipeline.start();
  });

  it('lets a test leave its pipeline running (as a timed-out test does)', async () => {
    leftByTest = await ReliabilityPipeline.start();
    expect(await listTablesThroughProxy(leftByTest)).toContain(leftByTest.pipeline.names.AccountsTable);
  });

  it('stops the pipeline the previous test left, and keeps the one the describe shares', async () => {
    await expect(listTablesThroughProxy(leftByTest)).rejects.toThrow(/ECONNREFUSED/);
    expect(await listTablesThroughProxy(shared)).toContain(shared.pipeline.names.AccountsTable);
    // A second stop (the timed-out body's own `finally`) waits for the first and does not throw.
    await expect(leftByTest.stop()).resolves.toBeUndefined();
  });
});
