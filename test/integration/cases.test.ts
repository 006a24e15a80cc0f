import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { main } from '../../cli/main';
import { openLocalCases } from '../../cli/commands/cases';
import type { DynamoDbCaseStore } from '../../lambdas/adapters/dynamodb-case-store';
import { EventBridgeCaseEvents } from '../../lambdas/adapters/eventbridge-case-events';
import { S3CaseArchive } from '../../lambdas/adapters/s3-case-archive';
import type { NewCase } from '../../lambdas/core/cases/case-ports';
import type { CaseRecord } from '../../lambdas/core/cases/case-record';
import { CaseService } from '../../lambdas/core/cases/case-service';
import { systemClock } from '../../lambdas/core/ports';
import { createCaseArchiverHandler } from '../../lambdas/handlers/case-archiver';
import { createCasesApiHandler } from '../../lambdas/handlers/cases-api';
import { LocalEventBus } from '../../local/eventbridge/local-event-bus';
import type { LocalServices } from '../../local/emulators/local-services';
import {
  apiEvent,
  CASES_TABLE,
  COMPLIANCE,
  INVESTIGATOR,
  ROLE_NAMES,
  seedCase,
  startCasesTable,
  startLocalS3,
} from '../support/cases';
import { tempDirPerSuite } from '../support/temp-dir';

/** RFC 4180 reader for the assertions (csv-parse is not a dependency): quoted fields, "" escapes, CRLF. */
function parseCsv(text: string, _options: { columns: true }): Array<Record<string, string>> {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const endField = () => {
    row.push(field);
    field = '';
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted && ch === '"' && text[i + 1] === '"') {
      field += '"';
      i++;
    } else if (quoted && ch === '"') {
      quoted = false;
    } else if (quoted) {
      field += ch;
    } else if (ch === '"') {
      quoted = true;
    } else if (ch === ',') {
      endField();
    } else if (ch === '\r' && text[i + 1] === '\n') {
      endField();
      rows.push(row);
      row = [];
      i++;
    } else {
      field += ch;
    }
  }
  if (field !== '' || row.length > 0) {
    endField();
    rows.push(row);
  }
  const [header = [], ...body] = rows;
  return body.map((cells) => Object.fromEntries(header.map((name, i) => [name, cells[i] ?? ''])));
}

const logger = new Logger({ serviceName: 'cases-test', logLevel: 'SILENT' });

/**
 * The cases API handler, store and archiver against dynalite (the cases table as the stateful
 * stack defines it) and s3rver, through the real AWS SDK.
 */
describe('Cases against the local services', () => {
  let services: LocalServices;
  let store: DynamoDbCaseStore;
  let bus: LocalEventBus;
  let service: CaseService;
  let api: ReturnType<typeof createCasesApiHandler>;
  let seeded: NewCase[];

  beforeAll(async () => {
    ({ services, store } = await startCasesTable());
    bus = new LocalEventBus();
    service = new CaseService({
      store,
      clock: systemClock,
      events: new EventBridgeCaseEvents(bus, 'cauterize-enforcement'),
    });
    api = createCasesApiHandler({ service, roles: ROLE_NAMES, logger });

    // 60 cases over two policy versions, 20 accounts, two clusters (with member items).
    seeded = Array.from({ length: 60 }, (_, i) => {
      if (i % 10 === 9) {
        return seedCase({
          kind: 'cluster',
          clusterId: `clu-${i % 20 === 9 ? 'a' : 'b'}`,
          accountIds: [`acct_m${i % 20}`, `acct_${i % 20}`, `acct_x${i}`],
          policyVersion: i < 30 ? 'p1' : 'p2',
        });
      }
      return seedCase({ accountIds: [`acct_${i % 20}`], policyVersion: i < 30 ? 'p1' : 'p2' });
    });
    await store.create(seeded);
    // Move some along, through the service (audited).
    for (const [i, c] of seeded.entries()) {
      if (i % 3 === 1)
        await service.changeStatus(c.record.caseId, { status: 'UNDER_REVIEW', reason: 'triage' }, 'lead');
      if (i % 6 === 2)
        await service.changeStatus(c.record.caseId, { status: 'CONFIRMED', reason: 'ring' }, 'lead');
    }
  });

  afterAll(async () => {
    await services?.stop();
  });

  async function listAll(
    query: Record<string, string>,
    limit: number,
  ): Promise<{ ids: string[]; pages: number }> {
    const ids: string[] = [];
    let pages = 0;
    let nextToken: string | undefined;
    do {
      const response = await api(
        apiEvent({
          method: 'GET',
          resource: '/cases',
          caller: COMPLIANCE,
          query: { ...query, limit: String(limit), ...(nextToken ? { nextToken } : {}) },
        }),
      );
      expect(response.statusCode).toBe(200);
      const page = JSON.parse(response.body) as { cases: CaseRecord[]; nextToken?: string };
      expect(page.cases.length).toBeLessThanOrEqual(limit);
      ids.push(...page.cases.map((c) => c.caseId));
      nextToken = page.nextToken;
      pages++;
    } while (nextToken);
    return { ids, pages };
  }

  describe('Method: GET /cases', () => {
    const statusOf = async (caseId: string) => (await store.get(caseId))!.status;

    it.each([
      ['no filter', {}, () => true],
      ['status', { status: 'UNDER_REVIEW' }, (_c: CaseRecord, s: string) => s === 'UNDER_REVIEW'],
      ['policy version', { policyVersion: 'p2' }, (c: CaseRecord) => c.policyVersion === 'p2'],
      [
        'account (cluster cases through members)',
        { accountId: 'acct_9' },
        (c: CaseRecord) => c.accountIds.includes('acct_9'),
      ],
      ['cluster', { clusterId: 'clu-a' }, (c: CaseRecord) => c.clusterId === 'clu-a'],
      [
        'kind + status',
        { kind: 'account', status: 'OPEN' },
        (c: CaseRecord, s: string) => c.kind === 'account' && s === 'OPEN',
      ],
    ] as Array<[string, Record<string, string>, (c: CaseRecord, status: string) => boolean]>)(
      'pages through exactly the matching cases: %s',
      async (_name, query, predicate) => {
        // Prepare
        const expected: string[] = [];
        for (const c of seeded)
          if (predicate(c.record, await statusOf(c.record.caseId))) expected.push(c.record.caseId);

        // Act
        const { ids, pages } = await listAll(query, 7);

        // Assess
        expect(new Set(ids).size).toBe(ids.length);
        expect([...ids].sort()).toEqual([...expected].sort());
        expect(pages).toBeGreaterThanOrEqual(Math.ceil(expected.length / 7));
      },
    );

    it('applies the openedAt time range, from inclusive and to exclusive', async () => {
      // Prepare
      const from = seeded[10]!.record.openedAt;
      const to = seeded[25]!.record.openedAt;
      const expected = seeded
        .filter((c) => c.record.openedAt >= from && c.record.openedAt < to)
        .map((c) => c.record.caseId);

      // Act
      const { ids } = await listAll({ from, to, policyVersion: 'p1' }, 4);

      // Assess
      expect(expected).toHaveLength(15);
      expect([...ids].sort()).toEqual([...expected].sort());
    });

    it('rejects bad filters and foreign tokens with the field and the fix', async () => {
      // Act
      const badStatus = await api(
        apiEvent({ method: 'GET', resource: '/cases', caller: COMPLIANCE, query: { status: 'open' } }),
      );
      const first = JSON.parse(
        (
          await api(
            apiEvent({
              method: 'GET',
              resource: '/cases',
              caller: COMPLIANCE,
              query: { status: 'OPEN', limit: '2' },
            }),
          )
        ).body,
      ) as { nextToken: string };
      const foreign = await api(
        apiEvent({
          method: 'GET',
          resource: '/cases',
          caller: COMPLIANCE,
          query: { status: 'CONFIRMED', nextToken: first.nextToken },
        }),
      );

      // Assess
      expect(badStatus.statusCode).toBe(400);
      expect(JSON.parse(badStatus.body).problems[0]).toMatch(
        /^status: expected one of OPEN, .* \(got "open"\)$/,
      );
      expect(foreign.statusCode).toBe(400);
      expect(JSON.parse(foreign.body).message).toMatch(/nextToken: belongs to a listing with other filters/);
    });
  });

  describe('Method: POST /cases/{caseId}/status', () => {
    it('refuses a status change by the compliance role and by an unknown caller', async () => {
      // Prepare
      const caseId = seeded[0]!.record.caseId;
      const before = await service.get(caseId);

      // Act
      const byCompliance = await api(
        apiEvent({
          method: 'POST',
          resource: '/cases/{caseId}/status',
          caseId,
          caller: COMPLIANCE,
          body: { status: 'CONFIRMED', reason: 'looks bad' },
        }),
      );
      const byStranger = await api(
        apiEvent({
          method: 'POST',
          resource: '/cases/{caseId}/status',
          caseId,
          caller: 'arn:aws:sts::123456789012:assumed-role/SomeoneElse/mallory',
          body: { status: 'FALSE_POSITIVE', reason: 'let me out' },
        }),
      );
      const strangerRead = await api(
        apiEvent({
          method: 'GET',
          resource: '/cases/{caseId}',
          caseId,
          caller: 'arn:aws:iam::123456789012:user/mallory',
        }),
      );

      // Assess
      expect(byCompliance.statusCode).toBe(403);
      expect(JSON.parse(byCompliance.body).message).toMatch(/only the investigator role changes cases/);
      expect(byStranger.statusCode).toBe(403);
      expect(strangerRead.statusCode).toBe(403);
      const after = await service.get(caseId);
      expect(after.audit).toEqual(before.audit);
      expect(after.record.status).toBe(before.record.status);
    });

    it('lets the investigator resolve a case, audited as the caller, and publishes CaseUpdated', async () => {
      // Prepare
      const caseId = seeded[3]!.record.caseId;

      // Act
      const response = await api(
        apiEvent({
          method: 'POST',
          resource: '/cases/{caseId}/status',
          caseId,
          caller: INVESTIGATOR,
          body: { status: 'FALSE_POSITIVE', reason: 'enterprise CI bot', expectedStatus: 'OPEN' },
        }),
      );
      const read = await api(
        apiEvent({ method: 'GET', resource: '/cases/{caseId}', caseId, caller: COMPLIANCE }),
      );

      // Assess
      expect(response.statusCode).toBe(200);
      const detail = JSON.parse(read.body);
      expect(detail.case.status).toBe('FALSE_POSITIVE');
      expect(detail.audit.at(-1)).toMatchObject({
        actor: INVESTIGATOR,
        fromStatus: 'OPEN',
        toStatus: 'FALSE_POSITIVE',
      });
      expect(detail.verification.ok).toBe(true);
      const events = bus.events({ detailType: 'CaseUpdated' }).filter((e) => e.detail.caseId === caseId);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        source: 'cauterize',
        eventBusName: 'cauterize-enforcement',
        detail: {
          caseId,
          kind: 'account',
          fromStatus: 'OPEN',
          toStatus: 'FALSE_POSITIVE',
          actor: INVESTIGATOR,
        },
      });
    });

    it('answers a bad body with 400 and an impossible transition with 409', async () => {
      // Prepare
      const caseId = seeded[4]!.record.caseId;
      const post = (body: unknown) =>
        api(
          apiEvent({
            method: 'POST',
            resource: '/cases/{caseId}/status',
            caseId,
            caller: INVESTIGATOR,
            body,
          }),
        );

      // Act
      const missingReason = await post({ status: 'CONFIRMED' });
      const notJson = await post('{"status":');
      const closeOpen = await post({ status: 'CLOSED', reason: 'closing early' });

      // Assess
      expect(missingReason.statusCode).toBe(400);
      expect(JSON.parse(missingReason.body).problems).toEqual([expect.stringMatching(/^reason: /)]);
      expect(JSON.parse(notJson.body).message).toMatch(/not valid JSON/);
      expect(closeOpen.statusCode).toBe(409);
    });
  });

  describe('Audit chain', () => {
    it('detects an audit entry edited in the table', async () => {
      // Prepare
      const caseId = seeded[7]!.record.caseId;
      await service.assign(caseId, { assignee: 'bob' }, INVESTIGATOR);
      expect((await service.verify(caseId)).ok).toBe(true);

      // Act: someone with table access rewrites who the case was assigned to.
      await services.dynamodb.send(
        new UpdateItemCommand({
          TableName: CASES_TABLE,
          Key: { caseId: { S: caseId }, sk: { S: 'AUDIT#0001' } },
          UpdateExpression: 'SET reason = :r',
          ExpressionAttributeValues: { ':r': { S: 'assigned to mallory' } },
        }),
      );

      // Assess
      const verification = await service.verify(caseId);
      expect(verification.ok).toBe(false);
      expect(verification.problems).toContainEqual({
        seq: 1,
        problem: 'hash does not match its fields (edited?)',
      });
    });
  });

  describe('Function: case archiver', () => {
    it('archives a closed case to S3 with COMPLIANCE Object Lock, once', async () => {
      // Prepare
      const local = await startLocalS3('case-archive');
      const requests: Array<Record<string, string>> = [];
      local.s3.middlewareStack.add(
        (next) => async (args) => {
          requests.push({ ...(args.request as { headers: Record<string, string> }).headers });
          return next(args);
        },
        { step: 'finalizeRequest', name: 'captureHeaders' },
      );
      const caseId = seeded[5]!.record.caseId;
      await service.changeStatus(caseId, { status: 'CONFIRMED', reason: 'ring' }, INVESTIGATOR);
      await service.changeStatus(caseId, { status: 'CLOSED', reason: 'enforced and done' }, INVESTIGATOR);
      const archived: string[] = [];
      const archiver = createCaseArchiverHandler({
        service,
        archive: new S3CaseArchive(local.s3, 'case-archive'),
        retentionDays: 2555,
        logger,
        onArchived: (id, outcome) => archived.push(`${id}:${outcome.outcome}`),
      });
      const streamEvent = async (): Promise<DynamoDBStreamEvent> => {
        const { Item } = await services.dynamodb.send(
          new GetItemCommand({ TableName: CASES_TABLE, Key: { caseId: { S: caseId }, sk: { S: 'CASE' } } }),
        );
        return {
          Records: [{ eventName: 'MODIFY', dynamodb: { NewImage: Item as never, SequenceNumber: '100' } }],
        };
      };

      try {
        // Act
        const first = await archiver(await streamEvent());
        const second = await archiver(await streamEvent());

        // Assess
        expect(first.batchItemFailures).toEqual([]);
        expect(second.batchItemFailures).toEqual([]);
        expect(archived).toEqual([`${caseId}:archived`]);
        const detail = await service.get(caseId);
        expect(detail.verification.ok).toBe(true);
        const last = detail.audit.at(-1)!;
        expect(last).toMatchObject({
          action: 'ARCHIVED',
          actor: 'cauterize-case-archiver',
          toStatus: 'CLOSED',
        });
        const key = detail.record.archive!.key;
        expect(key).toBe(`cases/2026/02/${caseId}.json`);
        const object = await local.s3.send(new GetObjectCommand({ Bucket: 'case-archive', Key: key }));
        const document = JSON.parse(await object.Body!.transformToString());
        expect(document).toMatchObject({
          format: 'cauterize-case-archive/v1',
          case: { caseId, status: 'CLOSED' },
        });
        expect(document.audit.map((e: { action: string }) => e.action)).toEqual([
          'OPENED',
          'STATUS_CHANGED',
          'STATUS_CHANGED',
        ]);
        expect(document.chain).toMatchObject({ verified: true, entries: 3, lastHash: last.prevHash });
        const put = requests.find((h) => h['x-amz-object-lock-mode']);
        expect(put?.['x-amz-object-lock-mode']).toBe('COMPLIANCE');
        const retainDays =
          (Date.parse(put!['x-amz-object-lock-retain-until-date']!) - Date.now()) / 86_400_000;
        expect(Math.round(retainDays)).toBe(2555);
        expect(put?.['if-none-match']).toBe('*');
      } finally {
        await local.stop();
      }
    });
  });
});

describe('CLI: cauterize cases', () => {
  const dir = tempDirPerSuite('cauterize-cases-cli-');
  let out: string[];
  let writeSpy: jest.SpyInstance;

  beforeAll(async () => {
    const local = await openLocalCases(dir());
    await local.store.create([
      seedCase({ caseId: 'case-cli000000000000000000001-1', policyVersion: 'cli' }),
      seedCase({
        caseId: 'case-cli000000000000000000002-1',
        policyVersion: 'cli',
        evidence: { note: 'quote " and, comma\nnewline' },
      }),
    ]);
    await local.close();
  });

  beforeEach(() => {
    out = [];
    writeSpy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out.push(String(chunk));
      return true;
    });
  });

  afterEach(() => writeSpy.mockRestore());

  const run = (...args: string[]) => main(['node', 'cauterize', 'cases', ...args, '--local', dir()]);

  it('resolves, verifies and exports RFC 4180 CSV from a persisted local table', async () => {
    // Act
    const resolved = await run(
      'resolve',
      'case-cli000000000000000000001-1',
      '--as',
      'false-positive',
      '--reason',
      'CI bot',
      '--actor',
      'alice',
    );
    const verified = await run('verify', '--policy-version', 'cli');
    const csvFile = join(dir(), 'cases.csv');
    const exported = await run(
      'export',
      '--from',
      '2026-01-01T00:00:00Z',
      '--to',
      '2027-01-01T00:00:00Z',
      '--policy-version',
      'cli',
      '--format',
      'csv',
      '--out',
      csvFile,
    );

    // Assess
    expect([resolved, verified, exported]).toEqual([0, 0, 0]);
    expect(out.join('')).toMatch(/OPEN -> FALSE_POSITIVE/);
    expect(out.join('')).toMatch(/verified 2 cases: 2 OK, 0 broken/);
    const rows = parseCsv(readFileSync(csvFile, 'utf8'), { columns: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => [r.caseId, r.status])).toEqual(
      expect.arrayContaining([
        ['case-cli000000000000000000001-1', 'FALSE_POSITIVE'],
        ['case-cli000000000000000000002-1', 'OPEN'],
      ]),
    );
    expect(JSON.parse(rows.find((r) => r.caseId === 'case-cli000000000000000000002-1')!.evidence!)).toEqual({
      note: 'quote " and, comma\nnewline',
    });
    const events = readFileSync(join(dir(), 'bus-events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events).toEqual([
      expect.objectContaining({
        'detail-type': 'CaseUpdated',
        detail: expect.objectContaining({ toStatus: 'FALSE_POSITIVE' }),
      }),
    ]);
  });

  it('fails verify with exit code 1 on a tampered case', async () => {
    // Prepare: edit an entry directly in the persisted table.
    const local = await openLocalCases(dir());
    await local.dynamodb.send(
      new UpdateItemCommand({
        TableName: 'CasesTable',
        Key: { caseId: { S: 'case-cli000000000000000000002-1' }, sk: { S: 'AUDIT#0000' } },
        UpdateExpression: 'SET actor = :a',
        ExpressionAttributeValues: { ':a': { S: 'someone-else' } },
      }),
    );
    await local.close();
    const errors: string[] = [];
    const errSpy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      errors.push(String(chunk));
      return true;
    });

    // Act
    const code = await run('verify', 'case-cli000000000000000000002-1');
    errSpy.mockRestore();

    // Assess
    expect(code).toBe(1);
    expect(out.join('')).toMatch(/BROKEN/);
    expect(errors.join('')).toMatch(/audit chain\(s\) broken/);
  });

  it('names the missing connection option (exit 2)', async () => {
    const errSpy = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const code = await main(['node', 'cauterize', 'cases', 'list']);
    const message = String(errSpy.mock.calls.map((c) => c[0]).join(''));
    errSpy.mockRestore();
    expect(code).toBe(2);
    expect(message).toMatch(/pass --local DIR for local cases, or --table NAME/);
  });
});
