import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openLocalCases } from '../../cli/commands/cases';
import { startConsole, type RunningConsole } from '../../cli/commands/console';
import { buildConsole } from '../../console/build';
import { CSRF_HEADER } from '../../console/shared/api';
import { newCase } from '../../lambdas/core/cases/case-service';
import { tempDirPerSuite } from '../support/temp-dir';

const CASE_ID = 'case-0123456789abcdef01234567-1';

describe('Class: ConsoleServer', () => {
  const dir = tempDirPerSuite('cauterize-console-server-');
  let running: RunningConsole;
  let csrf: string;
  const store = () => join(dir(), 'store');

  const call = async (path: string, init: RequestInit = {}) => {
    const response = await fetch(`${running.url}${path}`, init);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const decide = (body: unknown, headers: Record<string, string> = {}) =>
    call(`api/cases/${CASE_ID}/decision`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [CSRF_HEADER]: csrf, ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  beforeAll(async () => {
    await buildConsole();
    // A store `cases --local` made: a cases table, no accounts table (nothing to reinstate).
    const connection = await openLocalCases(store());
    await connection.store.create([
      newCase({
        caseId: CASE_ID,
        kind: 'account',
        accountIds: ['acct_0123456789ab'],
        action: 'verify',
        openedAt: '2026-02-03T10:00:00.000Z',
        riskScore: 64,
        policyVersion: 'v-test',
        triggeredAt: '2026-02-03T09:59:00.000Z',
        evidence: { reasons: [], sampleEventIds: ['ev_1'] },
        openedBy: 'cauterize-enforcement',
      }),
    ]);
    await connection.close();
    const truth = join(dir(), 'broken.truth.json');
    writeFileSync(truth, '{"format": "not a truth file"');
    writeFileSync(join(dir(), 'events.jsonl'), '');
    running = await startConsole({
      local: store(),
      role: 'investigator',
      actor: 'server-test',
      truth,
      results: dir(),
      events: join(dir(), 'events.jsonl'),
    });
    csrf = String((await call('api/session')).body.csrfToken);
  });

  afterAll(async () => {
    await running?.close();
  });

  describe('Method: GET', () => {
    it('lists cases through the API’s filters, without their evidence', async () => {
      const all = await call('api/cases?action=verify&minScore=60&maxScore=70&limit=10');
      expect(all.status).toBe(200);
      expect(
        (all.body.cases as Array<{ caseId: string; evidence: unknown }>).map((c) => [c.caseId, c.evidence]),
      ).toEqual([[CASE_ID, {}]]);
      const none = await call('api/cases?minScore=65');
      expect(none.body.cases).toEqual([]);
    });

    it('answers a bad filter 400 with the field, an unknown case 404, no accounts table 404', async () => {
      const bad = await call('api/cases?status=open');
      expect(bad.status).toBe(400);
      expect(bad.body.problems).toEqual([expect.stringMatching(/^status: expected one of OPEN/)]);
      const unknown = await call('api/cases/case-ffffffffffffffffffffffff-9');
      expect(unknown.status).toBe(404);
      expect((await call('api/accounts?ids=acct_0123456789ab')).status).toBe(404);
      expect((await call('api/nothing')).status).toBe(404);
    });

    it('answers an evaluation whose truth file is broken 422, naming the file', async () => {
      const answer = await call('api/evaluation');
      expect(answer.status).toBe(422);
      expect(String(answer.body.message)).toContain('broken.truth.json');
    });
  });

  describe('Method: POST decision', () => {
    it('refuses a body that is not JSON, too large, or of another type', async () => {
      expect((await decide('{not json')).status).toBe(400);
      expect((await decide({ decision: 'CONFIRMED', note: 'x'.repeat(20_000) })).status).toBe(413);
      expect(
        (await decide({ decision: 'CONFIRMED', note: 'ok' }, { 'content-type': 'text/plain' })).status,
      ).toBe(415);
      expect((await decide({ decision: 'CLOSED', note: 'straight to closed' })).status).toBe(400);
      expect((await decide({ decision: 'CONFIRMED', note: 'no' })).body.problems).toEqual([
        expect.stringMatching(/^reason: expected a reason of at least 3 characters/),
      ]);
    });

    it('records a false positive on a store with no accounts table, and publishes it', async () => {
      const answer = await decide({ decision: 'FALSE_POSITIVE', note: 'the customer’s own load test' });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ changed: true, case: { status: 'FALSE_POSITIVE' } });
      expect(answer.body.reinstatement).toBeUndefined();
      const again = await decide({ decision: 'CONFIRMED', note: 'changed my mind' });
      expect(again.status).toBe(409);
      const published = await call(`api/cases/${CASE_ID}/published`);
      expect((published.body.events as Array<Record<string, unknown>>).map((e) => e['detail-type'])).toEqual([
        'CaseUpdated',
      ]);
      const line = JSON.parse(readFileSync(join(store(), 'bus-events.jsonl'), 'utf8').trim()) as {
        detail: unknown;
      };
      expect(line.detail).toMatchObject({
        caseId: CASE_ID,
        toStatus: 'FALSE_POSITIVE',
        actor: 'server-test',
      });
    });
  });
});
