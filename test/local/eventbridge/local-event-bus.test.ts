import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LocalEventBus, LocalEventBusError } from '../../../local/eventbridge/local-event-bus';
import { tempDirPerTest } from '../../support/temp-dir';

describe('Class: LocalEventBus', () => {
  const directoryOf = tempDirPerTest('local-event-bus-');

  describe('Method: putEvents', () => {
    it('accepts valid entries, fails bad ones individually and appends the accepted ones to the JSONL file', async () => {
      // Prepare
      const jsonlPath = join(directoryOf(), 'events.jsonl');
      const bus = new LocalEventBus({ jsonlPath, clock: () => new Date('2026-02-01T10:00:00.123Z') });

      // Act
      const result = await bus.putEvents([
        {
          Source: 'cauterize',
          DetailType: 'AccountSuspended',
          Detail: '{"accountId":"a1"}',
          EventBusName: 'arn:aws:events:us-east-1:000000000000:event-bus/cauterize',
        },
        { Source: 'cauterize', DetailType: 'CaseOpened', Detail: 'not json' },
        { Source: 'cauterize', Detail: { caseId: 'c1' } },
        { Source: 'cauterize', DetailType: 'CaseOpened', Detail: { caseId: 'c1' } },
      ]);
      await bus.flush();

      // Assess
      expect(result.FailedEntryCount).toBe(2);
      expect(result.Entries.map((entry) => ('ErrorCode' in entry ? entry.ErrorCode : 'ok'))).toEqual([
        'ok',
        'MalformedDetail',
        'InvalidArgument',
        'ok',
      ]);
      const events = bus.events();
      expect(events.map((event) => event['detail-type'])).toEqual(['AccountSuspended', 'CaseOpened']);
      expect(events[0]).toMatchObject({
        version: '0',
        source: 'cauterize',
        account: '000000000000',
        region: 'us-east-1',
        time: '2026-02-01T10:00:00Z',
        detail: { accountId: 'a1' },
        eventBusName: 'cauterize',
      });
      expect(events[1]?.eventBusName).toBe('default');
      expect(bus.events({ eventBusName: 'cauterize' })).toHaveLength(1);
      const lines = (await readFile(jsonlPath, 'utf8')).trim().split('\n');
      expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual(events);
      expect(result.Entries[0]).toEqual({ EventId: events[0]?.id });
    });

    it('rejects a call with more than 10 entries as a whole', async () => {
      // Prepare
      const bus = new LocalEventBus();
      const entry = { Source: 's', DetailType: 't', Detail: {} };

      // Act
      const put = bus.putEvents(Array.from({ length: 11 }, () => entry));

      // Assess
      await expect(put).rejects.toBeInstanceOf(LocalEventBusError);
      expect(bus.events()).toHaveLength(0);
    });
  });
});
