import { dirname } from 'node:path';
import { PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { startLocalServices } from '../../../local/emulators/local-services';
import { createStringKeyTable } from '../../support/tables';

/** The iterator classes of the abstract-level that dynalite's memory-level uses (as the fix finds them). */
type IteratorClass = { prototype: { close: (...args: unknown[]) => unknown } };

function dynaliteIteratorClasses(): IteratorClass[] {
  const fromDir = (name: string, dir: string) => require.resolve(name, { paths: [dir] });
  const memoryLevel = dirname(fromDir('memory-level', dirname(require.resolve('dynalite'))));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const level = require(fromDir('abstract-level', memoryLevel)) as Record<string, IteratorClass>;
  return ['AbstractIterator', 'AbstractKeyIterator', 'AbstractValueIterator'].map((name) => {
    const Iterator = level[name];
    if (!Iterator) throw new Error(`abstract-level has no ${name}: the dynalite iterator fix needs a look`);
    return Iterator;
  });
}

describe('Function: closeDynaliteIterators (through startLocalServices)', () => {
  it('closes the storage iterator of every Query, so reads stop pinning table snapshots', async () => {
    // Prepare: count iterator closes, then start dynalite as the local services do
    let closed = 0;
    const restore = dynaliteIteratorClasses().map((Iterator) => {
      const close = Iterator.prototype.close;
      Iterator.prototype.close = function (this: unknown, ...args: unknown[]) {
        closed += 1;
        return close.apply(this, args);
      };
      return () => {
        Iterator.prototype.close = close;
      };
    });
    const services = await startLocalServices();
    try {
      await createStringKeyTable(services.dynamodb, 'links', 'pk', 'sk');
      for (let i = 0; i < 5; i++) {
        await services.dynamodb.send(
          new PutItemCommand({ TableName: 'links', Item: { pk: { S: 'key' }, sk: { S: `account-${i}` } } }),
        );
      }

      // Act
      const queries = 20;
      for (let i = 0; i < queries; i++) {
        const out = await services.dynamodb.send(
          new QueryCommand({
            TableName: 'links',
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': { S: 'key' } },
            Limit: 2,
          }),
        );
        expect(out.Items).toHaveLength(2);
      }

      // Assess: every Query closed its iterator (without the fix none did)
      expect(closed).toBeGreaterThanOrEqual(queries);
    } finally {
      await services.stop();
      for (const undo of restore) undo();
    }
  });
});
