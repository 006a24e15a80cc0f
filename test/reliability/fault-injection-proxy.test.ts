import { Agent } from 'node:http';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { FaultInjectionError, FaultInjectionProxy } from '../support/fault-injection-proxy';
import { startLocalServices, type LocalServices } from '../../local/emulators/local-services';
import { createStringKeyTable } from '../support/tables';

describe('Class: FaultInjectionProxy', () => {
  let services: LocalServices;
  let proxy: FaultInjectionProxy;
  let client: DynamoDBClient;

  beforeAll(async () => {
    services = await startLocalServices();
    await createStringKeyTable(services.dynamodb, 'faults', 'pk');
    proxy = await FaultInjectionProxy.start({ target: services.dynamodbEndpoint });
    client = new DynamoDBClient({
      endpoint: proxy.endpoint,
      region: services.region,
      credentials: services.credentials,
      maxAttempts: 1,
      requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true }) }),
    });
  });

  afterAll(async () => {
    client?.destroy();
    await proxy?.close();
    await services?.stop();
  });

  beforeEach(() => {
    proxy.setRules([]);
    proxy.resetCounts();
  });

  const put = (pk: string) =>
    client.send(new PutItemCommand({ TableName: 'faults', Item: { pk: { S: pk } } }));
  const get = async (pk: string) =>
    (await services.dynamodb.send(new GetItemCommand({ TableName: 'faults', Key: { pk: { S: pk } } }))).Item;

  describe('Method: start', () => {
    it('rejects a target that is not an http URL, naming it', async () => {
      await expect(FaultInjectionProxy.start({ target: 'dynalite:4567' })).rejects.toThrow(
        /target must use http:, got 'dynalite:'/,
      );
      await expect(FaultInjectionProxy.start({ target: 'not a url' })).rejects.toThrow(FaultInjectionError);
    });
  });

  describe('Method: setRules', () => {
    it('rejects a probability out of range, naming the rule and the field', () => {
      expect(() => proxy.setRules([{ fault: 'throttle', probability: 2 }])).toThrow(
        'rules[0].probability must be from 0 to 1, got 2',
      );
    });
  });

  describe('Method: handle', () => {
    it('passes requests through and counts items per operation', async () => {
      // Act
      await put('a');

      // Assess
      expect(await get('a')).toEqual({ pk: { S: 'a' } });
      expect(proxy.stats().byOperation.PutItem).toMatchObject({ requests: 1, forwarded: 1, items: 1 });
      expect(proxy.totals()).toMatchObject({ writes: 1, writesSucceeded: 1 });
    });

    it('answers ThrottlingException without forwarding, which the SDK retries with backoff', async () => {
      // Prepare
      proxy.setRules([{ fault: 'throttle', maxInjections: 1 }]);
      const retrying = new DynamoDBClient({
        endpoint: proxy.endpoint,
        region: services.region,
        credentials: services.credentials,
        maxAttempts: 3,
      });

      // Act
      const error = (await put('b').catch((e: unknown) => e)) as { name: string };
      proxy.setRules([{ fault: 'throttle', maxInjections: 1 }]);
      await retrying.send(new PutItemCommand({ TableName: 'faults', Item: { pk: { S: 'b2' } } }));
      retrying.destroy();

      // Assess
      expect(error.name).toBe('ThrottlingException');
      expect(await get('b')).toBeUndefined();
      expect(await get('b2')).toBeDefined();
      expect(proxy.stats().byOperation.PutItem).toMatchObject({ requests: 3, throttled: 2, forwarded: 1 });
    });

    it('lands the write and still answers 500 for server-error-after (a lost response)', async () => {
      // Prepare
      proxy.setRules([{ fault: 'server-error-after', operations: ['PutItem'], tableName: 'faults' }]);

      // Act
      const error = (await put('c').catch((e: unknown) => e)) as { name: string; $fault?: string };

      // Assess
      expect(error.name).toBe('InternalServerError');
      expect(error.$fault).toBe('server');
      expect(await get('c')).toEqual({ pk: { S: 'c' } });
      expect(proxy.stats().injectedPerRule).toEqual([1]);
    });
  });
});
