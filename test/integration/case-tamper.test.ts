import { createHash } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import {
  DeleteItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { documentClient } from '../../lambdas/adapters/aws-clients';
import { DynamoDbCaseStore } from '../../lambdas/adapters/dynamodb-case-store';
import { S3ChainAnchors } from '../../lambdas/adapters/s3-chain-anchors';
import { chainEntry } from '../../lambdas/core/cases/audit-chain';
import { auditFromItem, auditToItem, caseFromItem, caseToItem } from '../../lambdas/core/cases/case-record';
import { caseSeal } from '../../lambdas/core/cases/case-seal';
import { CaseService, type AnchoredVerification } from '../../lambdas/core/cases/case-service';
import { latestAnchor, type LoadedAnchor } from '../../lambdas/core/cases/chain-anchor';
import {
  clusterCaseFields,
  sealedClusterRequest,
  sealedRequest,
} from '../../lambdas/core/lifecycle/sealed-input';
import type { ClusterEnforcementRequest } from '../../lambdas/core/ports';
import { createChainAnchorHandler } from '../../lambdas/handlers/chain-anchor';
import { enforcementInput } from '../support/enforcement-harness';
import { startLocalS3 } from '../support/cases';
import {
  startLifecycleRuntime,
  synthesizeLifecycleStack,
  type LifecycleRuntime,
} from '../support/lifecycle-runtime';
import type { CloudFormationTemplate } from '../../local/cloudformation/cloudformation-template';

/**
 * Every forgery issue #15 names, and a few more, against cases opened by the synthesized account
 * and cluster workflows (aws-local-stepfunctions) in dynalite, changed through the cases service,
 * and anchored to a bucket (s3rver) by the chain-anchor handler: each forgery must fail
 * verification naming the case and the entry or field, and every untouched case must pass.
 */

const BUCKET = 'case-archive';
const ACCOUNT_CASE = 'case-tamper1-1';
const OTHER_ACCOUNT_CASE = 'case-tamper2-1';
const CLUSTER_CASE = 'case-clu-tamper';

function clusterRequest(): ClusterEnforcementRequest {
  return {
    executionName: 'clu-tamper',
    input: {
      clusterId: 'clu-tamper',
      caseId: CLUSTER_CASE,
      riskScore: 77,
      members: ['m1', 'm2', 'm3'].map((accountId, i) => ({ accountId, riskScore: 60 + i })),
      policyVersion: 'test-policy',
      triggeredAt: '2026-02-02T10:00:00.000Z',
      evidence: { trigger: 'cluster', cluster: { size: 3, score: 77.25, edges: [['m1', 'm2', 0.9]] } },
    },
  };
}

describe('Tamper evidence: cases sealed at opening and anchored outside the table', () => {
  let template: CloudFormationTemplate;
  let runtime: LifecycleRuntime;
  let s3: Awaited<ReturnType<typeof startLocalS3>>;
  let service: CaseService;
  let anchors: S3ChainAnchors;
  let anchor: LoadedAnchor;

  beforeAll(() => {
    template = synthesizeLifecycleStack();
  });

  beforeEach(async () => {
    runtime = await startLifecycleRuntime(template);
    s3 = await startLocalS3(BUCKET);
    const store = new DynamoDbCaseStore(documentClient(runtime.services.dynamodb), runtime.names.cases);
    service = new CaseService({ store, clock: { now: () => new Date() } });
    anchors = new S3ChainAnchors(s3.s3, BUCKET);

    // Opened by the workflows from sealed inputs, as the scorer starts them.
    await runtime.starter.start(
      sealedRequest({ executionName: 'acct-t1', input: enforcementInput('tamper1') }),
    );
    await runtime.starter.start(
      sealedRequest({
        executionName: 'acct-t2',
        input: enforcementInput('tamper2', {
          action: 'throttle',
          proposedAction: 'throttle',
          directive: { requestsPerHour: 30 },
        }),
      }),
    );
    await runtime.starter.startCluster(sealedClusterRequest(clusterRequest()));
    await runtime.drain();
    // Investigators work the cases: entries 1 and 2.
    for (const caseId of [ACCOUNT_CASE, OTHER_ACCOUNT_CASE, CLUSTER_CASE]) {
      await service.changeStatus(caseId, { status: 'UNDER_REVIEW', reason: 'taking a look' }, 'alice');
      await service.addNote(caseId, { text: 'card shared with two other accounts' }, 'alice');
    }
    // The hourly anchor, through the handler the stack schedules.
    const handler = createChainAnchorHandler({
      heads: store,
      anchors,
      table: runtime.names.cases,
      retentionDays: 30,
      clock: { now: () => new Date() },
      logger: new Logger({ logLevel: 'SILENT' }),
    });
    await handler();
    anchor = (await latestAnchor(anchors))!;
  });

  afterEach(async () => {
    await runtime.stop();
    await s3.stop();
  });

  /** `cases verify` over every case: what the table says, checked against the newest anchor. */
  async function verifyAll(): Promise<Map<string, AnchoredVerification>> {
    const newest = await latestAnchor(anchors);
    const results = new Map<string, AnchoredVerification>();
    for await (const record of service.iterate({})) {
      results.set(record.caseId, await service.verifyAnchored(record.caseId, newest));
    }
    for (const caseId of newest?.heads.keys() ?? []) {
      if (!results.has(caseId)) results.set(caseId, await service.verifyAnchored(caseId, newest));
    }
    return results;
  }

  function expectOnlyBroken(
    results: Map<string, AnchoredVerification>,
    caseId: string,
  ): AnchoredVerification {
    const broken = [...results.values()].filter((v) => !v.ok).map((v) => v.caseId);
    expect(broken).toEqual([caseId]);
    return results.get(caseId)!;
  }

  const key = (caseId: string, sk: string) => ({ caseId: { S: caseId }, sk: { S: sk } });
  const editCase = (caseId: string, set: string, values: Record<string, AttributeValue>) => {
    const names = ['status', 'action'].filter((n) => set.includes(`#${n}`)).map((n) => [`#${n}`, n]);
    return runtime.services.dynamodb.send(
      new UpdateItemCommand({
        TableName: runtime.names.cases,
        Key: key(caseId, 'CASE'),
        UpdateExpression: `SET ${set}`,
        ...(names.length > 0 ? { ExpressionAttributeNames: Object.fromEntries(names) } : {}),
        ExpressionAttributeValues: values,
      }),
    );
  };
  const items = async (caseId: string) =>
    (
      await runtime.services.dynamodb.send(
        new QueryCommand({
          TableName: runtime.names.cases,
          KeyConditionExpression: 'caseId = :c',
          ExpressionAttributeValues: { ':c': { S: caseId } },
          ConsistentRead: true,
        }),
      )
    ).Items!.map((i) => unmarshall(i));

  it('passes every untouched case: sealed (chain v2) by both workflows and matching the anchor', async () => {
    // Act
    const results = await verifyAll();

    // Assess
    expect([...results.values()].map((v) => [v.caseId, v.ok, v.sealed, v.anchor, v.entries])).toEqual(
      expect.arrayContaining([
        [ACCOUNT_CASE, true, true, 'anchored', 3],
        [OTHER_ACCOUNT_CASE, true, true, 'anchored', 3],
        [CLUSTER_CASE, true, true, 'anchored', 3],
      ]),
    );
    expect(results.size).toBe(3);
    // One head per case, by caseId.
    expect(anchor.document.heads.map((h) => [h.caseId, h.lastAuditSeq, h.status])).toEqual([
      [CLUSTER_CASE, 2, 'UNDER_REVIEW'],
      [ACCOUNT_CASE, 2, 'UNDER_REVIEW'],
      [OTHER_ACCOUNT_CASE, 2, 'UNDER_REVIEW'],
    ]);
  });

  it.each([
    ['evidence', 'evidence = :v', { ':v': { S: JSON.stringify({ reasons: [] }) } }],
    ['riskScore', 'riskScore = :v', { ':v': { N: '99' } }],
    ['policyVersion', 'policyVersion = :v', { ':v': { S: 'policy-that-never-was' } }],
    ['action', '#action = :v', { ':v': { S: 'review' } }],
    ['triggeredAt', 'triggeredAt = :v', { ':v': { S: '2026-01-01T00:00:00.000Z' } }],
  ] as Array<[string, string, Record<string, AttributeValue>]>)(
    'fails on %s edited in the CASE item, naming the case and the field',
    async (field, set, values) => {
      // Act
      await editCase(ACCOUNT_CASE, set, values);
      const v = expectOnlyBroken(await verifyAll(), ACCOUNT_CASE);

      // Assess
      expect(v.problems).toEqual([
        {
          seq: -1,
          field,
          problem: `${field} differs from what entry 0 sealed when the case was opened (edited?)`,
        },
      ]);
    },
  );

  it("fails on a cluster case's member list edited (an account quietly dropped)", async () => {
    // Act
    await editCase(CLUSTER_CASE, 'accountIds = :v', { ':v': { L: [{ S: 'm1' }, { S: 'm2' }] } });
    const v = expectOnlyBroken(await verifyAll(), CLUSTER_CASE);

    // Assess
    expect(v.problems).toEqual([expect.objectContaining({ seq: -1, field: 'accountIds' })]);
  });

  it('fails on the newest entry deleted with lastAuditSeq, lastAuditHash and status rolled back, naming the entry', async () => {
    // Prepare: what entry 1 left the case at.
    const entry1 = auditFromItem((await items(ACCOUNT_CASE)).find((i) => i.sk === 'AUDIT#0001')!);

    // Act
    await runtime.services.dynamodb.send(
      new DeleteItemCommand({ TableName: runtime.names.cases, Key: key(ACCOUNT_CASE, 'AUDIT#0002') }),
    );
    await editCase(ACCOUNT_CASE, 'lastAuditSeq = :s, lastAuditHash = :h, #status = :st', {
      ':s': { N: '1' },
      ':h': { S: entry1.hash },
      ':st': { S: entry1.toStatus },
    });
    const v = expectOnlyBroken(await verifyAll(), ACCOUNT_CASE);

    // Assess: the chain alone is consistent; the anchor is not.
    expect(v.anchor).toBe('contradicts-anchor');
    expect(v.problems).toEqual([
      {
        seq: 2,
        problem: `missing: the anchor of ${anchor.document.anchoredAt} has the trail up to entry 2, the table only up to 1 (truncated?)`,
      },
      {
        seq: -1,
        problem:
          `case points at entry 1 (status UNDER_REVIEW), but the anchor of ${anchor.document.anchoredAt} had it at ` +
          'entry 2 (status UNDER_REVIEW): rolled back?',
      },
    ]);
  });

  it('fails on a status rolled back together with a truncated trail back to the opening', async () => {
    // Act
    for (const sk of ['AUDIT#0001', 'AUDIT#0002']) {
      await runtime.services.dynamodb.send(
        new DeleteItemCommand({ TableName: runtime.names.cases, Key: key(OTHER_ACCOUNT_CASE, sk) }),
      );
    }
    const opening = auditFromItem((await items(OTHER_ACCOUNT_CASE)).find((i) => i.sk === 'AUDIT#0000')!);
    await editCase(OTHER_ACCOUNT_CASE, 'lastAuditSeq = :s, lastAuditHash = :h, #status = :st', {
      ':s': { N: '0' },
      ':h': { S: opening.hash },
      ':st': { S: 'OPEN' },
    });
    const v = expectOnlyBroken(await verifyAll(), OTHER_ACCOUNT_CASE);

    // Assess
    expect(v.problems.map((p) => p.seq)).toEqual([2, -1]);
    expect(v.problems[1]!.problem).toMatch(
      /case points at entry 0 \(status OPEN\), but the anchor .* entry 2 \(status UNDER_REVIEW\)/,
    );
  });

  it('fails on two entries swapped (reordered), naming both', async () => {
    // Prepare
    const all = await items(ACCOUNT_CASE);
    const one = all.find((i) => i.sk === 'AUDIT#0001')!;
    const two = all.find((i) => i.sk === 'AUDIT#0002')!;

    // Act
    for (const [item, sk, seq] of [
      [one, 'AUDIT#0002', 2],
      [two, 'AUDIT#0001', 1],
    ] as const) {
      await runtime.services.dynamodb.send(
        new PutItemCommand({ TableName: runtime.names.cases, Item: marshall({ ...item, sk, seq }) }),
      );
    }
    const v = expectOnlyBroken(await verifyAll(), ACCOUNT_CASE);

    // Assess
    expect(new Set(v.problems.map((p) => p.seq))).toEqual(new Set([1, 2, -1]));
    expect(v.problems).toEqual(
      expect.arrayContaining([
        { seq: 1, problem: 'hash does not match its fields (edited?)' },
        { seq: 2, problem: "prevHash does not match the previous entry's hash" },
      ]),
    );
  });

  it("fails on an audit entry's reason edited, naming the entry", async () => {
    // Act
    await runtime.services.dynamodb.send(
      new UpdateItemCommand({
        TableName: runtime.names.cases,
        Key: key(CLUSTER_CASE, 'AUDIT#0001'),
        UpdateExpression: 'SET reason = :r',
        ExpressionAttributeValues: { ':r': { S: 'closed at the customer’s request' } },
      }),
    );
    const v = expectOnlyBroken(await verifyAll(), CLUSTER_CASE);

    // Assess
    expect(v.problems).toEqual(
      expect.arrayContaining([{ seq: 1, problem: 'hash does not match its fields (edited?)' }]),
    );
  });

  it('fails on a whole chain rewritten over an edited score (every hash and the seal recomputed): the anchor names the entry', async () => {
    // Prepare: an attacker with write access recomputes everything the table holds.
    const all = await items(CLUSTER_CASE);
    const record = { ...caseFromItem(all.find((i) => i.sk === 'CASE')!), riskScore: 12 };
    const trail = all.filter((i) => String(i.sk).startsWith('AUDIT#')).map((i) => auditFromItem(i));
    const seal = caseSeal(clusterCaseFields({ ...clusterRequest().input, riskScore: 12 }));
    let previous: ReturnType<typeof chainEntry> | undefined;
    const rewritten = trail.map((entry) => {
      const { hash: _h, prevHash: _p, seq: _s, ...fields } = entry;
      previous = chainEntry(previous, entry.seq === 0 ? { ...fields, seal } : fields);
      return previous;
    });

    // Act
    for (const entry of rewritten) {
      await runtime.services.dynamodb.send(
        new PutItemCommand({ TableName: runtime.names.cases, Item: marshall(auditToItem(entry)) }),
      );
    }
    await runtime.services.dynamodb.send(
      new PutItemCommand({
        TableName: runtime.names.cases,
        Item: marshall(caseToItem({ ...record, lastAuditHash: previous!.hash }), {
          removeUndefinedValues: true,
        }),
      }),
    );
    const v = expectOnlyBroken(await verifyAll(), CLUSTER_CASE);

    // Assess: the chain and seal are self-consistent again; only the anchor disagrees.
    expect(v.sealed).toBe(true);
    expect(v.problems).toEqual([
      {
        seq: 2,
        problem: expect.stringMatching(
          new RegExp(
            `^differs from the anchor of ${anchor.document.anchoredAt}: its hash is .*the trail was rewritten up to here`,
          ),
        ),
      },
      {
        seq: -1,
        problem: `case's lastAuditHash differs from the anchor of ${anchor.document.anchoredAt} at entry 2`,
      },
    ]);
  });

  it('fails on the seal stripped (the opening rewritten as chain v1) with the trail rehashed', async () => {
    // Prepare
    const all = await items(ACCOUNT_CASE);
    const trail = all.filter((i) => String(i.sk).startsWith('AUDIT#')).map((i) => auditFromItem(i));
    let previous: ReturnType<typeof chainEntry> | undefined;
    const rewritten = trail.map((entry) => {
      const { hash: _h, prevHash: _p, seq: _s, seal: _seal, ...fields } = entry;
      previous = chainEntry(previous, fields);
      return previous;
    });

    // Act
    for (const entry of rewritten) {
      const item = auditToItem(entry);
      await runtime.services.dynamodb.send(
        new PutItemCommand({ TableName: runtime.names.cases, Item: marshall(item) }),
      );
    }
    await editCase(ACCOUNT_CASE, 'lastAuditHash = :h, riskScore = :r', {
      ':h': { S: previous!.hash },
      ':r': { N: '99' },
    });
    const v = expectOnlyBroken(await verifyAll(), ACCOUNT_CASE);

    // Assess
    expect(v.sealed).toBe(false);
    expect(v.problems.map((p) => p.seq)).toEqual([2, -1]);
  });

  it('fails on a whole case deleted from the table, naming it and its anchored entry', async () => {
    // Act
    for (const item of await items(OTHER_ACCOUNT_CASE)) {
      await runtime.services.dynamodb.send(
        new DeleteItemCommand({
          TableName: runtime.names.cases,
          Key: key(OTHER_ACCOUNT_CASE, String(item.sk)),
        }),
      );
    }
    const v = expectOnlyBroken(await verifyAll(), OTHER_ACCOUNT_CASE);

    // Assess
    expect(v.problems).toEqual([
      {
        seq: 2,
        problem: `the case is missing from the table, but the anchor of ${anchor.document.anchoredAt} has its trail up to entry 2 (deleted?)`,
      },
    ]);
  });

  it('checks a case opened after the newest anchor by its chain alone, and says so', async () => {
    // Act
    await runtime.starter.start(
      sealedRequest({ executionName: 'acct-t3', input: enforcementInput('tamper3') }),
    );
    await runtime.drain();
    const results = await verifyAll();

    // Assess
    expect(results.get('case-tamper3-1')).toMatchObject({ ok: true, sealed: true, anchor: 'after-anchor' });
  });

  it('links each anchor to the one before it by key and SHA-256 of its bytes', async () => {
    // Act
    const second = await createChainAnchorHandler({
      heads: new DynamoDbCaseStore(documentClient(runtime.services.dynamodb), runtime.names.cases),
      anchors,
      table: runtime.names.cases,
      retentionDays: 30,
      clock: { now: () => new Date(Date.parse(anchor.document.anchoredAt) + 3_600_000) },
      logger: new Logger({ logLevel: 'SILENT' }),
    })();
    const newest = await latestAnchor(anchors);
    const stored = await s3.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: anchor.key }));
    const previousText = await stored.Body!.transformToString('utf8');

    // Assess
    expect(newest?.key).toBe(second.key);
    expect(newest?.document.previous).toEqual({
      key: anchor.key,
      sha256: createHash('sha256').update(previousText, 'utf8').digest('hex'),
    });
  });
});
