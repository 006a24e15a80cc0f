import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  DeleteItemCommand,
  GetItemCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { openLocalCases } from '../../cli/commands/cases';
import { main } from '../../cli/main';
import { tempDirPerTest } from '../support/temp-dir';
import { seedCase } from '../support/cases';

/**
 * `cauterize cases anchor|verify --local DIR` on a persisted local table (dynalite on LevelDB),
 * the anchors in DIR/anchors standing in for the archive bucket: the forgeries of issue #15 fail
 * verify with the case and the entry or field named, and the untouched case still passes.
 */
describe('CLI: cauterize cases verify against seals and anchors', () => {
  const dir = tempDirPerTest('cauterize-verify-cli-');
  const FORGED = 'case-a00000000000000000000001-1';
  const UNTOUCHED = 'case-a00000000000000000000002-1';
  let out: string[];
  let errors: string[];
  let spies: jest.SpyInstance[];

  beforeEach(async () => {
    const local = await openLocalCases(dir());
    await local.store.create([seedCase({ caseId: FORGED }), seedCase({ caseId: UNTOUCHED })]);
    await local.close();
    out = [];
    errors = [];
    spies = [
      jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
        out.push(String(chunk));
        return true;
      }),
      jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
        errors.push(String(chunk));
        return true;
      }),
    ];
  });

  afterEach(() => {
    for (const spy of spies) spy.mockRestore();
  });

  const run = async (...args: string[]) => {
    out.length = 0;
    return main(['node', 'cauterize', 'cases', ...args, '--local', dir()]);
  };
  const printed = () => out.join('');

  /** Confirms the case (entry 1) and adds a note (entry 2) through the CLI's service, then anchors. */
  async function workAndAnchor(): Promise<string> {
    expect(
      await run(
        'resolve',
        FORGED,
        '--as',
        'confirmed',
        '--reason',
        'shared card, extraction prompts',
        '--actor',
        'alice',
      ),
    ).toBe(0);
    const local = await openLocalCases(dir());
    await local.service.addNote(FORGED, { text: 'card issuer notified' }, 'alice');
    await local.close();
    expect(await run('anchor')).toBe(0);
    return printed();
  }

  async function editItem(
    sk: string,
    set: string,
    values: Record<string, AttributeValue>,
    names?: Record<string, string>,
  ) {
    const local = await openLocalCases(dir());
    await local.dynamodb.send(
      new UpdateItemCommand({
        TableName: 'CasesTable',
        Key: { caseId: { S: FORGED }, sk: { S: sk } },
        UpdateExpression: `SET ${set}`,
        ...(names ? { ExpressionAttributeNames: names } : {}),
        ExpressionAttributeValues: values,
      }),
    );
    await local.close();
  }

  it('anchors every case into DIR/anchors and verifies them all against it', async () => {
    // Act
    const anchored = await workAndAnchor();
    const code = await run('verify');

    // Assess
    expect(code).toBe(0);
    expect(anchored).toMatch(/^anchored 2 cases: .*anchors\/\d{13}-\S+\.json\n$/);
    expect(printed()).toMatch(/verified 2 cases: 2 OK, 0 broken\n/);
    expect(printed()).toMatch(
      /anchor anchors\/\d{13}-\S+\.json \(taken \S+\): 2 cases match it, 0 contradict it, 0 not in it/,
    );
    expect(readdirSync(join(dir(), 'anchors'))).toHaveLength(1);
  });

  it.each([
    ['evidence', 'evidence = :v', { ':v': { S: '{"reasons":[]}' } }],
    ['riskScore', 'riskScore = :v', { ':v': { N: '99' } }],
    ['policyVersion', 'policyVersion = :v', { ':v': { S: 'forged-policy' } }],
  ] as Array<[string, string, Record<string, AttributeValue>]>)(
    'fails on %s edited in the CASE item, naming the case and the field',
    async (field, set, values) => {
      // Prepare
      await workAndAnchor();

      // Act
      await editItem('CASE', set, values);
      const code = await run('verify');

      // Assess
      expect(code).toBe(1);
      expect(printed()).toContain(`${FORGED}: BROKEN (3 entries; matches the anchor of`);
      expect(printed()).toContain(
        `  case field ${field}: ${field} differs from what entry 0 sealed when the case was opened (edited?)\n`,
      );
      expect(printed()).toMatch(/verified 2 cases: 1 OK, 1 broken/);
      expect(printed()).not.toContain(`${UNTOUCHED}: BROKEN`);
      expect(errors.join('')).toMatch(/1 audit chain\(s\) broken/);
    },
  );

  it('fails on the newest entry deleted with lastAuditSeq, lastAuditHash and status rolled back', async () => {
    // Prepare
    await workAndAnchor();
    const local = await openLocalCases(dir());
    const entry1 = (
      await local.dynamodb.send(
        new GetItemCommand({
          TableName: 'CasesTable',
          Key: { caseId: { S: FORGED }, sk: { S: 'AUDIT#0001' } },
        }),
      )
    ).Item!;
    await local.dynamodb.send(
      new DeleteItemCommand({
        TableName: 'CasesTable',
        Key: { caseId: { S: FORGED }, sk: { S: 'AUDIT#0002' } },
      }),
    );
    await local.close();

    // Act: back to the state entry 1 left, status included (OPEN -> CONFIRMED undone to OPEN too).
    await editItem(
      'CASE',
      'lastAuditSeq = :s, lastAuditHash = :h, #status = :st',
      { ':s': { N: '1' }, ':h': entry1.hash!, ':st': { S: 'CONFIRMED' } },
      { '#status': 'status' },
    );
    const code = await run('verify', FORGED);

    // Assess
    expect(code).toBe(1);
    expect(printed()).toMatch(
      new RegExp(
        `${FORGED}: BROKEN \\(2 entries\\)\\n` +
          '  entry 2: missing: the anchor of \\S+ has the trail up to entry 2, the table only up to 1 \\(truncated\\?\\)\\n' +
          '  case: case points at entry 1 \\(status CONFIRMED\\), but the anchor of \\S+ had it at entry 2 \\(status CONFIRMED\\): rolled back\\?\\n',
      ),
    );
  });

  it('says a case opened after the newest anchor is checked by its chain only, and when there is no anchor at all', async () => {
    // Prepare
    const before = await run('verify', UNTOUCHED);
    const beforeOut = printed();
    await workAndAnchor();
    const local = await openLocalCases(dir());
    await local.store.create([seedCase({ caseId: 'case-a00000000000000000000003-1' })]);
    await local.close();

    // Act
    const after = await run('verify');

    // Assess
    expect([before, after]).toEqual([0, 0]);
    expect(beforeOut).toMatch(/no chain anchor in .*anchors yet: every case was checked by its chain alone/);
    expect(printed()).toMatch(
      /2 cases match it, 0 contradict it, 1 not in it \(opened after it: checked by their chains only\)/,
    );
  });
});
