import { createHash } from 'node:crypto';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { MEMORY_DICTIONARY_V1 } from '../../lambdas/adapters/account-memory-dictionary';
import { encodeMemory, MEMORY_FIELDS } from '../../lambdas/adapters/account-memory-codec';
import { DynamoDbAccountStore } from '../../lambdas/adapters/dynamodb-account-store';
import { dynamoDbItemBytes, readUnitsOf, writeUnitsOf } from '../../lambdas/adapters/dynamodb-item-size';
import type { AccountState } from '../../lambdas/core/account-state';
import { ConcurrentUpdateError } from '../../lambdas/core/ports';
import { scoreAccount } from '../../lambdas/core/batch/account-scorer';
import { BUCKET_COUNTERS } from '../../lambdas/core/scoring/window';
import { startLocalServices, type LocalServices } from '../../local/emulators/local-services';
import { extractionEvent, minutesAfter, openerEvent, sequenced } from '../support/events';
import { testPolicy } from '../support/policy';
import { createStringKeyTable } from '../support/tables';
import {
  accountItem,
  encodeBuckets,
  encodeTemplateBands,
  encodeTopics,
  fromItem,
  MEMORY_ATTRIBUTE,
  packMemoryV1,
  unpackAccountItem,
} from '../../lambdas/adapters/account-item-codec';

/** A state with every memory filled: hours, topics, template bands, reasons, an action pending. */
function scoredState(accountId: string): AccountState {
  const base = '2026-02-01T00:00:00.000Z';
  const events = Array.from({ length: 60 }, (_, i) =>
    (i % 3 === 0 ? openerEvent : extractionEvent)({
      accountId,
      eventId: `${accountId}-evt-${i}`,
      ts: minutesAfter(base, i * 37),
      topic: `math.topic-${i % 11}`,
      promptHash: (0x0123456789abcdefn + BigInt(i % 4)).toString(16).padStart(16, '0'),
      ip: `198.51.100.${i % 5}`,
      orgId: 'org-7',
    }),
  );
  const { state } = scoreAccount(undefined, sequenced(events), testPolicy());
  return { ...state, requestedAction: 'throttle', requestedClearance: 'case-1', clusterId: 'cluster-1' };
}

/** The item as the scorer wrote it before the memory was packed: one attribute per field. */
function legacyItem(state: AccountState): Record<string, unknown> {
  return {
    accountId: state.accountId,
    status: state.status,
    tier: state.tier,
    orgId: state.orgId,
    emailDomain: state.emailDomain,
    clusterId: state.clusterId,
    accountCreatedAt: state.accountCreatedAt,
    firstEventAt: state.firstEventAt,
    lastEventAt: state.lastEventAt,
    totalRequests: state.totalRequests,
    buckets: encodeBuckets(state.buckets),
    recentTopics: encodeTopics(state.recentTopics),
    templateBands: encodeTemplateBands(state.templateBands),
    recurringTemplateBands: state.recurringTemplateBands.join(','),
    riskScore: state.riskScore,
    peakRiskScore: state.peakRiskScore,
    band: state.band,
    reasons: state.reasons,
    policyVersion: state.policyVersion,
    crossings: state.crossings,
    requestedCrossing: state.requestedCrossing,
    requestedAction: state.requestedAction ?? null,
    shadowedAction: state.shadowedAction ?? null,
    requestedClearance: state.requestedClearance ?? null,
    watermarks: state.watermarks,
    recentEventIds: state.recentEventIds.join(','),
    linkKeys: state.linkKeys,
    asns: state.asns.join(','),
    version: state.version,
  };
}

describe('Class: DynamoDbAccountStore', () => {
  let services: LocalServices;
  let client: DynamoDBDocumentClient;
  let store: DynamoDbAccountStore;
  const tableName = 'accounts-store-test';
  const stored = async (accountId: string) =>
    (await client.send(new GetCommand({ TableName: tableName, Key: { accountId } }))).Item ?? {};

  beforeAll(async () => {
    services = await startLocalServices();
    await createStringKeyTable(services.dynamodb, tableName, 'accountId');
    client = DynamoDBDocumentClient.from(services.dynamodb, {
      marshallOptions: { removeUndefinedValues: true },
    });
    store = new DynamoDbAccountStore(client, tableName);
  });

  afterAll(async () => {
    await services.stop();
  });

  it('loads back exactly the state it saved', async () => {
    // Prepare
    const state = { ...scoredState('acct-roundtrip'), version: 1 };

    // Act
    await store.save(state, undefined);
    const loaded = await store.load(['acct-roundtrip']);

    // Assess
    expect(state.buckets.length).toBeGreaterThan(10);
    expect(state.templateBands.length).toBeGreaterThan(0);
    expect(state.reasons.length).toBeGreaterThan(0);
    expect(loaded.get('acct-roundtrip')).toEqual(state);
  });

  it('keeps what the workflows and investigators read plain, and packs the rest into one binary attribute', async () => {
    // Prepare
    const state = { ...scoredState('acct-layout'), version: 1 };

    // Act
    await store.save(state, undefined);
    const item = await stored('acct-layout');

    // Assess
    expect(Object.keys(item).sort()).toEqual(
      [
        'accountId',
        'status',
        'clusterId',
        'lastEventAt',
        'riskScore',
        'peakRiskScore',
        'linkKeys',
        'band',
        MEMORY_ATTRIBUTE,
        'version',
      ].sort(),
    );
    expect(item).toMatchObject({
      status: 'ACTIVE',
      riskScore: state.riskScore,
      peakRiskScore: state.peakRiskScore,
      linkKeys: state.linkKeys,
      band: state.band,
    });
    expect(item[MEMORY_ATTRIBUTE]).toBeInstanceOf(Uint8Array);
    expect((item[MEMORY_ATTRIBUTE] as Uint8Array)[0]).toBe(2);
    expect(unpackAccountItem(item)).toMatchObject({ buckets: state.buckets, reasons: state.reasons });
    // What the bench bills (its sizes on the simulator's traffic: docs/performance.md).
    expect(dynamoDbItemBytes(item)).toBe(
      dynamoDbItemBytes({ accountId: state.accountId, status: 'ACTIVE', ...accountItem(state) }),
    );
  });

  it('reads a stored item of the deflated-JSON memory (format 1), and writes the binary one on the next save', async () => {
    // Prepare: the item as the scorer before the binary layout wrote it
    const state = { ...scoredState('acct-format-1'), version: 3 };
    const { [MEMORY_ATTRIBUTE]: _binary, ...plain } = accountItem(state);
    await client.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          accountId: state.accountId,
          status: 'ACTIVE',
          ...plain,
          [MEMORY_ATTRIBUTE]: packMemoryV1(state),
        },
      }),
    );

    // Act
    const loaded = (await store.load(['acct-format-1'])).get('acct-format-1');
    await store.save({ ...state, version: 4 }, 3);
    const rewritten = await stored('acct-format-1');

    // Assess
    expect(loaded).toEqual(state);
    expect((rewritten[MEMORY_ATTRIBUTE] as Uint8Array)[0]).toBe(2);
    expect((await store.load(['acct-format-1'])).get('acct-format-1')).toEqual({ ...state, version: 4 });
  });

  it('keeps a state field its layout does not name (a field added to AccountState later)', async () => {
    // Prepare
    const state = { ...scoredState('acct-new-field'), version: 1, evidence: { probes: 3, share: 0.25 } };

    // Act
    await store.save(state as AccountState, undefined);
    const loaded = (await store.load(['acct-new-field'])).get('acct-new-field');

    // Assess
    expect(loaded).toEqual(state);
  });

  it('reads what an older layout wrote: later memory fields absent, later bucket counters 0', () => {
    // Prepare: the layout up to asns (the fields after it left out), buckets up to tpl (the counters from it left out)
    const state = { ...scoredState('acct-older-layout'), version: 1 };
    const layout = MEMORY_FIELDS.slice(
      0,
      MEMORY_FIELDS.findIndex(([name]) => name === 'asns'),
    );
    const kept = BUCKET_COUNTERS.slice(0, BUCKET_COUNTERS.indexOf('tpl'));
    const older = encodeMemory(state, 2, layout, kept);
    const { [MEMORY_ATTRIBUTE]: _binary, ...plain } = accountItem(state);

    // Act
    const loaded = fromItem({
      accountId: state.accountId,
      status: 'ACTIVE',
      ...plain,
      [MEMORY_ATTRIBUTE]: older,
    });

    // Assess
    expect(state.asns.length).toBeGreaterThan(0);
    expect(state.buckets.some((b) => b.tpl !== 0)).toBe(true);
    const { publicShare: _share, publicCheckedAt: _checked, ...rest } = state;
    const zeroed = Object.fromEntries(BUCKET_COUNTERS.filter((c) => !kept.includes(c)).map((c) => [c, 0]));
    expect(loaded).toEqual({
      ...rest,
      asns: [],
      censusKeys: [],
      buckets: state.buckets.map((b) => ({ ...b, ...zeroed })),
    });
  });

  it('packs census keys into five bytes each, and keeps a key of another shape as text', () => {
    // Prepare
    const state = { ...scoredState('acct-census'), version: 1 };
    const census = Array.from({ length: 32 }, (_, i) => `prm#${i % 4}:${(0x9f3a0000 + i).toString(16)}`);
    const odd = [...census.slice(1), 'prm#x:unusual'];

    // Act
    const packed = encodeMemory({ ...state, censusKeys: census }, 2);
    const none = encodeMemory({ ...state, censusKeys: [] }, 2);
    const loaded = fromItem({
      accountId: state.accountId,
      status: 'ACTIVE',
      ...accountItem({ ...state, censusKeys: odd }),
    });

    // Assess
    expect(packed.length - none.length).toBe(32 * 5);
    expect(loaded.censusKeys).toEqual(odd);
  });

  it("re-derives reasons' texts from their signals, and keeps a text its signal does not give", () => {
    // Prepare
    const state = { ...scoredState('acct-reasons'), version: 1 };
    const [first, ...rest] = state.reasons;
    const edited = { ...state, reasons: [{ ...first!, text: 'written by hand' }, ...rest] };

    // Act
    const plainSize = encodeMemory(state, 2).length;
    const editedSize = encodeMemory(edited, 2).length;
    const loaded = fromItem({ accountId: state.accountId, status: 'ACTIVE', ...accountItem(edited) });

    // Assess
    expect(editedSize - plainSize).toBe('written by hand'.length + 1);
    expect(loaded.reasons).toEqual(edited.reasons);
  });

  it('reads an item written before the memory was packed, and drops its old attributes on the next save', async () => {
    // Prepare
    const state = { ...scoredState('acct-legacy'), version: 4 };
    await client.send(new PutCommand({ TableName: tableName, Item: legacyItem(state) }));

    // Act
    const loaded = (await store.load(['acct-legacy'])).get('acct-legacy');
    await store.save({ ...state, version: 5 }, 4);
    const migrated = await stored('acct-legacy');

    // Assess
    expect(loaded).toEqual(state);
    expect(migrated).not.toHaveProperty('buckets');
    expect(migrated).not.toHaveProperty('reasons');
    expect(migrated).not.toHaveProperty('tier');
    expect((await store.load(['acct-legacy'])).get('acct-legacy')).toEqual({ ...state, version: 5 });
  });

  it('never overwrites the status the enforcement workflow set', async () => {
    // Prepare
    const state = { ...scoredState('acct-suspended'), version: 1 };
    await store.save(state, undefined);
    await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { accountId: 'acct-suspended' },
        UpdateExpression: 'SET #status = :suspended',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':suspended': 'SUSPENDED' },
      }),
    );

    // Act
    await store.save({ ...state, version: 2 }, 1);

    // Assess
    expect((await store.load(['acct-suspended'])).get('acct-suspended')?.status).toBe('SUSPENDED');
  });

  it('refuses a save over a version it did not read', async () => {
    // Prepare
    const state = { ...scoredState('acct-race'), version: 1 };
    await store.save(state, undefined);

    // Act
    const stale = store.save({ ...state, version: 2 }, 7);

    // Assess
    await expect(stale).rejects.toBeInstanceOf(ConcurrentUpdateError);
  });

  it.each([
    [
      'bytes that do not inflate',
      new Uint8Array([1, 2, 3]),
      /is not a packed memory \(.*\); delete the attribute/,
    ],
    [
      'a layout this scorer does not know',
      new Uint8Array([9, 0]),
      /has layout 9, this scorer reads layouts 1 and 2; deploy/,
    ],
    [
      'a binary memory cut short',
      new Uint8Array([2, 20, 4]),
      /is not a layout-2 memory: a text runs past its end; delete the attribute/,
    ],
    [
      'a binary memory of a newer layout',
      new Uint8Array([2, 99]),
      /is not a layout-2 memory: it holds 99 fields, this scorer knows \d+; delete the attribute/,
    ],
    ['text instead of binary', 'buckets', /is a string, not a packed memory; delete the attribute/],
  ])('names the account and the fix when the memory attribute holds %s', async (_what, memory, message) => {
    // Prepare
    await client.send(
      new PutCommand({
        TableName: tableName,
        Item: { accountId: 'acct-corrupt', [MEMORY_ATTRIBUTE]: memory },
      }),
    );

    // Act
    const load = store.load(['acct-corrupt']);

    // Assess
    await expect(load).rejects.toThrow(/^account acct-corrupt: its "memory" attribute /);
    await expect(load).rejects.toThrow(message);
  });

  it('keeps the format-1 dictionary byte for byte: every item written with it needs it to be read', () => {
    // Act
    const digest = createHash('sha256').update(MEMORY_DICTIONARY_V1).digest('hex');

    // Assess
    expect(digest).toBe('4e9335fe32d3f529f6beb68e064e30996e4dce8eeb335f91646ef6e16ef76643');
  });
});

describe('Function: dynamoDbItemBytes', () => {
  it('counts names and values by the rules DynamoDB bills by', () => {
    // Prepare
    const item = {
      s: 'abc', // 1 + 3
      n: 12345, // 1 + ceil(5 / 2) + 1
      b: new Uint8Array(10), // 1 + 10
      z: null, // 1 + 1
      t: true, // 1 + 1
      l: ['ab', 7], // 1 + 3 + (1 + 2) + (1 + 2)
      m: { k: 'v' }, // 1 + 3 + (1 + 1 + 1)
      u: undefined, // not written
    };

    // Act
    const bytes = dynamoDbItemBytes(item);

    // Assess
    expect(bytes).toBe(4 + 5 + 11 + 2 + 2 + 10 + 7);
    expect(dynamoDbItemBytes({ n: 0.5 })).toBe(1 + 2);
    expect(dynamoDbItemBytes({ n: 1200 })).toBe(1 + 2);
    expect([writeUnitsOf(1024), writeUnitsOf(1025), readUnitsOf(4097), writeUnitsOf(0)]).toEqual([
      1, 2, 2, 1,
    ]);
  });
});
