import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  EVENT_DETAIL_TYPES,
  EventContractError,
  eventJsonSchema,
  parseEnforcementEvent,
} from '../../lambdas/core/events';

const DOCS = join(__dirname, '..', '..', 'docs', 'events');

describe('Module: events', () => {
  describe('Function: eventJsonSchema', () => {
    it('matches the published docs/events/*.schema.json (regenerate: npx tsx bin/write-event-schemas.ts)', () => {
      // Act
      const published = Object.fromEntries(
        readdirSync(DOCS)
          .filter((file) => file.endsWith('.schema.json'))
          .map((file) => [
            file.replace('.schema.json', ''),
            JSON.parse(readFileSync(join(DOCS, file), 'utf8')),
          ]),
      );

      // Assess
      expect(Object.keys(published).sort()).toEqual([...EVENT_DETAIL_TYPES].sort());
      for (const detailType of EVENT_DETAIL_TYPES)
        expect(published[detailType]).toEqual(eventJsonSchema(detailType));
    });
  });

  describe('Function: parseEnforcementEvent', () => {
    const suspended = {
      accountId: 'acct-1',
      caseId: 'case-abc-1',
      riskScore: 82,
      policyVersion: '2026-11-27.1',
      reason: 'risk score 82 is in the suspend band (70 and over)',
      triggeredAt: '2026-02-05T18:00:00.000Z',
      suspendedAt: '2026-02-05T18:00:03.120Z',
    };

    it('accepts an event that matches its schema', () => {
      // Act
      const parsed = parseEnforcementEvent({
        source: 'cauterize',
        detailType: 'AccountSuspended',
        detail: suspended,
      });

      // Assess
      expect(parsed).toEqual({ detailType: 'AccountSuspended', detail: suspended });
    });

    it('names each field at fault', () => {
      // Act
      const parse = () =>
        parseEnforcementEvent({
          source: 'cauterize',
          detailType: 'AccountThrottled',
          detail: { ...suspended, requestsPerHour: 0, extra: true },
        });

      // Assess
      expect(parse).toThrow(EventContractError);
      expect(parse).toThrow(
        /detail\.throttledAt: .*detail\.requestsPerHour: .*detail\.\(root\): Unrecognized keys: "suspendedAt", "extra"/s,
      );
    });

    it('rejects an unknown detail-type or source with the fix', () => {
      // Act / Assess
      expect(() =>
        parseEnforcementEvent({ source: 'cauterize', detailType: 'AccountBanned', detail: {} }),
      ).toThrow(/detail-type: not one of AccountSuspended, .*add its schema to lambdas\/core\/events\.ts/);
      expect(() =>
        parseEnforcementEvent({ source: 'other', detailType: 'AccountSuspended', detail: suspended }),
      ).toThrow("source: expected 'cauterize', got 'other'");
    });

    it('tells account and cluster CaseOpened events apart by kind', () => {
      // Prepare
      const cluster = {
        caseId: 'case-k1',
        kind: 'cluster',
        clusterId: 'cl-1',
        accountIds: ['a', 'b', 'c'],
        riskScore: 71,
        policyVersion: 'p',
        triggeredAt: '2026-02-05T18:00:00.000Z',
        openedAt: '2026-02-05T18:00:01.000Z',
      };

      // Act / Assess
      expect(
        parseEnforcementEvent({ source: 'cauterize', detailType: 'CaseOpened', detail: cluster }).detail,
      ).toEqual(cluster);
      expect(() =>
        parseEnforcementEvent({
          source: 'cauterize',
          detailType: 'CaseOpened',
          detail: { ...cluster, kind: 'account' },
        }),
      ).toThrow(/detail\.accountId/);
    });
  });
});
