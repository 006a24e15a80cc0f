import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { CreateStreamCommand, ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { startLocalServices, type LocalServices } from '../../../local/emulators/local-services';
import { createStringKeyTable } from '../../support/tables';

/** Creates a table and a stream through the clients and lists them back: the emulators answer. */
async function expectReachable(services: LocalServices): Promise<void> {
  await createStringKeyTable(services.dynamodb, 'probe', 'pk');
  await services.kinesis.send(new CreateStreamCommand({ StreamName: 'probe', ShardCount: 1 }));
  expect((await services.dynamodb.send(new ListTablesCommand({}))).TableNames).toEqual(['probe']);
  expect((await services.kinesis.send(new ListStreamsCommand({}))).StreamNames).toEqual(['probe']);
}

describe('Function: startLocalServices', () => {
  describe('Method: startLocalServices', () => {
    it('starts dynalite and kinesalite on loopback ports, with clients that reach them, and stops them', async () => {
      // Act
      const services = await startLocalServices();

      // Assess
      try {
        expect(services.dynamodbEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        expect(services.kinesisEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        expect(services.environment).toMatchObject({
          AWS_REGION: 'us-east-1',
          AWS_ENDPOINT_URL_DYNAMODB: services.dynamodbEndpoint,
          AWS_ENDPOINT_URL_KINESIS: services.kinesisEndpoint,
        });
        await expectReachable(services);
      } finally {
        await services.stop();
      }
      await expect(services.dynamodb.send(new ListTablesCommand({}))).rejects.toThrow();
      await services.stop();
    });

    it('runs the emulators in a child process when isolated, and ends it on stop', async () => {
      // Act
      const services = await startLocalServices({ isolated: true });

      // Assess
      try {
        await expectReachable(services);
      } finally {
        await services.stop();
      }
      await expect(services.kinesis.send(new ListStreamsCommand({}))).rejects.toThrow();
    });

    it('gives each call its own in-memory services', async () => {
      // Prepare
      const first = await startLocalServices();
      const second = await startLocalServices();

      // Act
      await first.kinesis.send(new CreateStreamCommand({ StreamName: 'only-in-first', ShardCount: 1 }));

      // Assess
      expect((await second.kinesis.send(new ListStreamsCommand({}))).StreamNames).toEqual([]);
      await Promise.all([first.stop(), second.stop()]);
    });
  });
});
