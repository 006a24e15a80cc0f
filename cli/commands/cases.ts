import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DescribeTableCommand, DynamoDBClient, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { Option, type Command } from 'commander';
import { stringify } from 'csv-stringify';
import { documentClient } from '../../lambdas/adapters/aws-clients';
import { DynamoDbCaseStore } from '../../lambdas/adapters/dynamodb-case-store';
import { EventBridgeCaseEvents, sdkPutEvents } from '../../lambdas/adapters/eventbridge-case-events';
import { S3Client } from '@aws-sdk/client-s3';
import { S3ChainAnchors } from '../../lambdas/adapters/s3-chain-anchors';
import {
  latestAnchor,
  takeAnchor,
  type ChainAnchorStore,
  type LoadedAnchor,
} from '../../lambdas/core/cases/chain-anchor';
import { DEFAULT_ENFORCEMENT_BUS_NAME } from '../../lambdas/core/events';
import { ANCHOR_ACTOR } from '../../lambdas/handlers/chain-anchor';
import { DirectoryChainAnchors } from '../../local/directory-chain-anchors';
import type { CaseEventPublisher } from '../../lambdas/core/cases/case-ports';
import type { CaseRecord } from '../../lambdas/core/cases/case-record';
import { CaseService, type AnchoredVerification } from '../../lambdas/core/cases/case-service';
import { systemClock } from '../../lambdas/core/ports';
import { caseFilterSchema, parseInput } from '../../lambdas/core/cases/case-query';
import { checkOutputPath, writeFileAtomic } from '../../local/atomic-file';
import { LocalEventBus } from '../../local/eventbridge/local-event-bus';
import { LocalReinstatement } from '../../local/local-reinstatement';
import {
  createStatefulTables,
  LOCAL_ACCOUNTS_TABLE,
  LOCAL_CASES_TABLE,
  LOCAL_STORE_DYNAMODB_FOLDER,
  localStoreExists,
  openLocalDynamoDb,
} from '../../local/local-store';
import { VerdictError } from '../exit-codes';
import { table } from '../format';
import { policyOption, positiveInt } from '../options';

/** Where the cases live: a persisted local table (--local DIR) or a table in AWS. */
interface ConnectionOptions {
  local?: string;
  table?: string;
  region?: string;
  bus: string;
}

/** Where the chain anchors live: DIR/anchors with --local DIR, else the archive bucket. */
interface AnchorOptions {
  anchorBucket?: string;
}

interface FilterOptions {
  status?: string;
  kind?: string;
  from?: string;
  to?: string;
  account?: string;
  cluster?: string;
  policyVersion?: string;
}

/** A case service over the chosen store, and how to let go of it. */
export interface CaseConnection {
  readonly service: CaseService;
  readonly store: DynamoDbCaseStore;
  readonly dynamodb: DynamoDBClient;
  /** Local stores with an accounts table: the reinstatement workflow, once a false positive started it. */
  readonly reinstatement?: () => LocalReinstatement | undefined;
  close(): Promise<void>;
}

/** The accounts table of a local store (a replay's), named by its logical id. */
export { LOCAL_ACCOUNTS_TABLE };

/** Thrown when `--local DIR` holds no cases store: names the folder and the fix. */
export class NoLocalStoreError extends Error {
  public constructor(dir: string, detail: string) {
    super(
      `no local cases store in ${dir} (${detail}): pass the --out folder of a replay ` +
        '(cauterize replay FILE --out DIR leaves one there), or check the path',
    );
    this.name = 'NoLocalStoreError';
  }
}

export interface OpenLocalCasesOptions {
  /**
   * Create the store (and its cases table, as the synthesized StatefulStack defines it) if it is
   * not there; else refuse a folder that holds no store (NoLocalStoreError). @default true
   */
  readonly create?: boolean;
  /** The policy the local reinstatement workflow is synthesized with. @default config/policy.yaml */
  readonly policyFile?: string;
}

/**
 * Opens the local cases store in `dir` (local/local-store.ts: dynalite on LevelDB files in
 * dir/dynamodb), such as a replay's --out folder. CaseUpdated events go to dir/bus-events.jsonl.
 */
export async function openLocalCases(
  dir: string,
  options: OpenLocalCasesOptions = {},
): Promise<CaseConnection> {
  const create = options.create ?? true;
  if (!create && !localStoreExists(dir)) {
    throw new NoLocalStoreError(dir, `${join(dir, LOCAL_STORE_DYNAMODB_FOLDER)} does not exist`);
  }
  if (create) mkdirSync(dir, { recursive: true });
  const db = await openLocalDynamoDb(dir);
  const client = db.client;
  try {
    if (!(await tableExists(client, LOCAL_CASES_TABLE))) {
      if (!create) throw new NoLocalStoreError(dir, `it has no ${LOCAL_CASES_TABLE}`);
      await createStatefulTables(client, [LOCAL_CASES_TABLE]);
    }
  } catch (error) {
    await db.close();
    throw error;
  }
  const store = new DynamoDbCaseStore(documentClient(client), LOCAL_CASES_TABLE);
  const bus = new LocalEventBus({ jsonlPath: join(dir, 'bus-events.jsonl') });
  const events = new EventBridgeCaseEvents(bus, DEFAULT_ENFORCEMENT_BUS_NAME);
  let hasAccounts: boolean;
  try {
    hasAccounts = await tableExists(client, LOCAL_ACCOUNTS_TABLE);
  } catch (error) {
    await db.close();
    throw error;
  }
  let reinstatement: LocalReinstatement | undefined;
  // As the stack's rule does on AWS, a false positive starts the reinstatement workflow, here run
  // against the store's own tables. Synthesized on first use: most commands never need it.
  const publisher: CaseEventPublisher = {
    caseUpdated: async (detail) => {
      if (hasAccounts && detail.toStatus === 'FALSE_POSITIVE') {
        reinstatement ??= LocalReinstatement.create({
          dynamodb: client,
          bus,
          policyFile: policyOption(options.policyFile),
        });
      }
      await events.caseUpdated(detail);
      await bus.flush();
      await reinstatement?.drain();
    },
  };
  return {
    store,
    dynamodb: client,
    service: new CaseService({ store, clock: systemClock, events: publisher }),
    reinstatement: () => reinstatement,
    close: async () => {
      await reinstatement?.drain();
      await bus.flush();
      await db.close();
    },
  };
}

async function tableExists(client: DynamoDBClient, tableName: string): Promise<boolean> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return true;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return false;
    throw error;
  }
}

/** Creates the cases table in a local DynamoDB as the stateful stack defines it, unless it exists. */
export async function ensureLocalCasesTable(client: DynamoDBClient): Promise<void> {
  if (!(await tableExists(client, LOCAL_CASES_TABLE)))
    await createStatefulTables(client, [LOCAL_CASES_TABLE]);
}

/** Cases in AWS: the table (and bus) by name, default credentials. */
export function openAwsCases(options: { table: string; region?: string; bus: string }): CaseConnection {
  const config = options.region ? { region: options.region } : {};
  const client = new DynamoDBClient(config);
  const eventBridge = new EventBridgeClient(config);
  const store = new DynamoDbCaseStore(documentClient(client), options.table);
  return {
    store,
    dynamodb: client,
    service: new CaseService({
      store,
      clock: systemClock,
      events: new EventBridgeCaseEvents(sdkPutEvents(eventBridge), options.bus),
    }),
    close: async () => {
      client.destroy();
      eventBridge.destroy();
    },
  };
}

async function connect(options: ConnectionOptions): Promise<CaseConnection> {
  if (options.local && options.table) throw new Error('pass either --local DIR or --table NAME, not both');
  // Every verb works on cases that exist: a mistyped folder must not read as an empty store.
  if (options.local) return openLocalCases(options.local, { create: false });
  const tableName = options.table ?? process.env.CAUTERIZE_CASES_TABLE;
  if (!tableName) {
    throw new Error(
      'no cases table: pass --local DIR for local cases, or --table NAME (or CAUTERIZE_CASES_TABLE) ' +
        'with the CasesTable name from the CauterizeStateful stack',
    );
  }
  return openAwsCases({ table: tableName, region: options.region, bus: options.bus });
}

async function withCases<T>(options: ConnectionOptions, run: (c: CaseConnection) => Promise<T>): Promise<T> {
  const connection = await connect(options);
  try {
    return await run(connection);
  } finally {
    await connection.close();
  }
}

function filterOf(options: FilterOptions): Record<string, string> {
  const filter = {
    status: options.status,
    kind: options.kind,
    from: options.from,
    to: options.to,
    accountId: options.account,
    clusterId: options.cluster,
    policyVersion: options.policyVersion,
  };
  return Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined)) as Record<
    string,
    string
  >;
}

/** Columns of the CSV export, in order. Lists and evidence are JSON inside their cell. */
export const CSV_COLUMNS = [
  'caseId',
  'kind',
  'status',
  'action',
  'accountId',
  'accountIds',
  'clusterId',
  'openedAt',
  'updatedAt',
  'riskScore',
  'policyVersion',
  'triggeredAt',
  'openedBy',
  'assignee',
  'lastAuditSeq',
  'lastAuditHash',
  'notes',
  'evidence',
] as const;

export function csvRow(c: CaseRecord): Record<(typeof CSV_COLUMNS)[number], string | number> {
  return {
    caseId: c.caseId,
    kind: c.kind,
    status: c.status,
    action: c.action ?? '',
    accountId: c.accountId ?? '',
    accountIds: JSON.stringify(c.accountIds),
    clusterId: c.clusterId ?? '',
    openedAt: c.openedAt,
    updatedAt: c.updatedAt,
    riskScore: c.riskScore,
    policyVersion: c.policyVersion,
    triggeredAt: c.triggeredAt,
    openedBy: c.openedBy,
    assignee: c.assignee ?? '',
    lastAuditSeq: c.lastAuditSeq,
    lastAuditHash: c.lastAuditHash,
    notes: JSON.stringify(c.notes),
    evidence: JSON.stringify(c.evidence),
  };
}

export interface ExportOptions {
  readonly filter: Record<string, string>;
  readonly format: 'csv' | 'jsonl';
  readonly out: string;
  /** Cases read per page. @default 500 */
  readonly pageSize?: number;
}

/**
 * Streams matching cases to a file, page by page with backpressure: memory is bounded by one
 * page whatever the number of cases. CSV is RFC 4180 (csv-stringify, CRLF, quoted as needed). The
 * file is written beside the target and renamed into place once complete (writeFileAtomic): a
 * failed export leaves the target as it was.
 */
export async function exportCases(service: CaseService, options: ExportOptions): Promise<number> {
  // Arguments first: a rejected filter must not cost the target file.
  parseInput(caseFilterSchema, options.filter);
  let count = 0;
  const source = Readable.from(service.iterate(options.filter, options.pageSize ?? 500));
  const counter = new Transform({
    objectMode: true,
    transform(record: CaseRecord, _encoding, callback) {
      count++;
      callback(null, options.format === 'csv' ? csvRow(record) : `${JSON.stringify(record)}\n`);
    },
  });
  const encoder =
    options.format === 'csv'
      ? stringify({
          header: true,
          columns: [...CSV_COLUMNS],
          record_delimiter: '\r\n',
          quoted_match: /^[\s=+\-@]/,
        })
      : new Transform({ writableObjectMode: true, transform: (line: string, _e, cb) => cb(null, line) });
  await writeFileAtomic(options.out, (out) => pipeline(source, counter, encoder, out));
  return count;
}

/**
 * The anchor store of a connection: DIR/anchors beside a local table; the archive bucket
 * (--anchor-bucket or CAUTERIZE_ARCHIVE_BUCKET) for a table in AWS; undefined when neither is given.
 */
function anchorStore(options: ConnectionOptions & AnchorOptions): ChainAnchorStore | undefined {
  if (options.local) return new DirectoryChainAnchors(options.local);
  const bucket = options.anchorBucket ?? process.env.CAUTERIZE_ARCHIVE_BUCKET;
  if (!bucket) return undefined;
  return new S3ChainAnchors(new S3Client(options.region ? { region: options.region } : {}), bucket);
}

function noAnchorLine(options: ConnectionOptions & AnchorOptions): string {
  const where = options.local
    ? `${join(options.local, 'anchors')}`
    : options.anchorBucket || process.env.CAUTERIZE_ARCHIVE_BUCKET
      ? 'the archive bucket'
      : undefined;
  return where
    ? `no chain anchor in ${where} yet: every case was checked by its chain alone (cauterize cases anchor writes one)`
    : 'no chain anchors given (--anchor-bucket NAME): every case was checked by its chain alone';
}

/** `1 case matches`, `2 cases match`. */
function countCases(count: number, one: string, many: string): string {
  return count === 1 ? `1 case ${one}` : `${count} cases ${many}`;
}

function anchorName(anchor: LoadedAnchor): string {
  return `${anchor.key} (taken ${anchor.document.anchoredAt})`;
}

/** One case's line, then one line per problem naming the entry (or the case item) and the field. */
export function verificationLines(v: AnchoredVerification, anchor?: LoadedAnchor): string[] {
  const notes = [`${v.entries} entries`];
  if (v.entries > 0 && !v.sealed) notes.push('chain v1: the case fields are not sealed');
  if (anchor && v.anchor === 'anchored') notes.push(`matches the anchor of ${anchor.document.anchoredAt}`);
  if (anchor && v.anchor === 'after-anchor') {
    notes.push(`not in the newest anchor (${anchor.document.anchoredAt}): checked by its chain only`);
  }
  return [
    `${v.caseId}: ${v.ok ? 'OK' : 'BROKEN'} (${notes.join('; ')})`,
    ...v.problems.map(
      (p) => `  ${p.seq < 0 ? 'case' : `entry ${p.seq}`}${p.field ? ` field ${p.field}` : ''}: ${p.problem}`,
    ),
  ];
}

function printVerification(v: AnchoredVerification, anchor?: LoadedAnchor): void {
  process.stdout.write(`${verificationLines(v, anchor).join('\n')}\n`);
}

export function registerCasesCommands(program: Command): void {
  const cases = program
    .command('cases')
    .description('Compliance case records: list, show, export, resolve, verify the audit chain');

  const connection = (command: Command) =>
    command
      .option('--local <dir>', 'local cases store in this folder (e.g. the --out folder of a replay)')
      .option('--table <name>', 'cases table in AWS (default: $CAUTERIZE_CASES_TABLE); default credentials')
      .option('--region <region>', 'AWS region of the table (default: the SDK default)')
      .option('--bus <name>', 'event bus receiving CaseUpdated', DEFAULT_ENFORCEMENT_BUS_NAME);
  const filters = (command: Command) =>
    command
      .addOption(
        new Option('--status <status>', 'only this status').choices([
          'OPEN',
          'UNDER_REVIEW',
          'CONFIRMED',
          'FALSE_POSITIVE',
          'CLOSED',
        ]),
      )
      .addOption(new Option('--kind <kind>', 'account or cluster cases').choices(['account', 'cluster']))
      .option('--from <time>', 'opened at or after (ISO-8601)')
      .option('--to <time>', 'opened before (ISO-8601)')
      .option('--account <accountId>', 'cases involving this account')
      .option('--cluster <clusterId>', 'cases of this cluster')
      .option('--policy-version <version>', 'cases opened under this policy version');

  filters(connection(cases.command('list').description('One page of cases, oldest first within each status')))
    .option('--limit <n>', 'cases per page (1-1000)', positiveInt, 50)
    .option('--next-token <token>', 'continue from a previous page')
    .option('--json', 'print the page as JSON')
    .action(
      async (
        options: ConnectionOptions & FilterOptions & { limit: number; nextToken?: string; json?: boolean },
      ) => {
        await withCases(options, async ({ service }) => {
          const page = await service.list(filterOf(options), {
            limit: options.limit,
            ...(options.nextToken ? { nextToken: options.nextToken } : {}),
          });
          if (options.json) {
            process.stdout.write(`${JSON.stringify(page, null, 2)}\n`);
            return;
          }
          process.stdout.write(
            `${table(
              ['case', 'kind', 'status', 'accounts', 'opened', 'score', 'policy'],
              page.cases.map((c) => [
                c.caseId,
                c.kind,
                c.status,
                c.accountIds.length,
                c.openedAt,
                c.riskScore,
                c.policyVersion,
              ]),
            )}\n`,
          );
          if (page.nextToken) process.stdout.write(`\nmore: --next-token ${page.nextToken}\n`);
        });
      },
    );

  connection(cases.command('show').description('A case with its evidence and audit trail'))
    .argument('<caseId>')
    .option('--json', 'print as JSON')
    .action(async (caseId: string, options: ConnectionOptions & { json?: boolean }) => {
      await withCases(options, async ({ service }) => {
        const detail = await service.get(caseId);
        if (options.json) {
          process.stdout.write(`${JSON.stringify(detail, null, 2)}\n`);
          return;
        }
        const r = detail.record;
        process.stdout.write(
          `Case ${r.caseId} (${r.kind}, ${r.status}${r.assignee ? `, assigned to ${r.assignee}` : ''})\n` +
            `  accounts: ${r.accountIds.join(', ')}${r.clusterId ? `  cluster: ${r.clusterId}` : ''}\n` +
            `  opened ${r.openedAt} by ${r.openedBy}, score ${r.riskScore}, policy ${r.policyVersion}\n` +
            `  evidence: ${JSON.stringify(r.evidence)}\n\n`,
        );
        process.stdout.write(
          `${table(
            ['seq', 'at', 'actor', 'action', 'from', 'to', 'reason'],
            detail.audit.map((e) => [e.seq, e.at, e.actor, e.action, e.fromStatus, e.toStatus, e.reason]),
          )}\n\naudit chain: ${detail.verification.ok ? 'OK' : 'BROKEN'}\n`,
        );
        for (const p of detail.verification.problems) process.stdout.write(`  ${p.seq}: ${p.problem}\n`);
      });
    });

  filters(
    connection(cases.command('export').description('Stream matching cases to CSV (RFC 4180) or JSON Lines')),
  )
    .requiredOption('--out <file>', 'file to write')
    .addOption(
      new Option('--format <format>', 'csv or jsonl').choices(['csv', 'jsonl']).makeOptionMandatory(),
    )
    .action(async (options: ConnectionOptions & FilterOptions & { out: string; format: 'csv' | 'jsonl' }) => {
      if (!options.from || !options.to) {
        throw new Error('export needs --from and --to (ISO-8601): the time range of openedAt to export');
      }
      parseInput(caseFilterSchema, filterOf(options));
      checkOutputPath(options.out, '--out');
      await withCases(options, async ({ service }) => {
        const count = await exportCases(service, {
          filter: filterOf(options),
          format: options.format,
          out: options.out,
        });
        process.stdout.write(`exported ${count} cases to ${options.out}\n`);
      });
    });

  connection(cases.command('resolve').description('Confirm a case or declare it a false positive (audited)'))
    .argument('<caseId>')
    .addOption(
      new Option('--as <resolution>', 'the resolution')
        .choices(['confirmed', 'false-positive'])
        .makeOptionMandatory(),
    )
    .requiredOption('--reason <text>', 'why: goes into the audit trail')
    .requiredOption('--actor <name>', 'who resolves (your user name)')
    .option('--close', 'close the case afterwards (it is then archived)')
    .action(
      async (
        caseId: string,
        options: ConnectionOptions & { as: string; reason: string; actor: string; close?: boolean },
      ) => {
        await withCases(options, async (connection) => {
          const { service } = connection;
          const status = options.as === 'confirmed' ? 'CONFIRMED' : 'FALSE_POSITIVE';
          const outcome = await service.changeStatus(
            caseId,
            { status, reason: options.reason },
            options.actor,
          );
          process.stdout.write(
            `${caseId}: ${outcome.entry.fromStatus} -> ${outcome.entry.toStatus}${outcome.changed ? '' : ' (already)'}\n`,
          );
          const runs = connection.reinstatement?.()?.stateMachine.executions() ?? [];
          if (status === 'FALSE_POSITIVE' && runs.length > 0) {
            const failed = runs.filter((e) => e.status === 'FAILED');
            process.stdout.write(
              `${caseId}: reinstatement workflow ${failed.length === 0 ? 'ran' : `FAILED (${failed.map((e) => `${e.error ?? ''}: ${e.cause ?? ''}`).join('; ')})`}\n`,
            );
          }
          if (options.close) {
            const closed = await service.changeStatus(
              caseId,
              { status: 'CLOSED', reason: options.reason },
              options.actor,
            );
            process.stdout.write(`${caseId}: ${closed.entry.fromStatus} -> CLOSED\n`);
          }
        });
      },
    );

  filters(
    connection(
      cases
        .command('verify')
        .description(
          'Check the audit chains and sealed case fields of one case or every matching case, and the ' +
            'table against the newest chain anchor',
        ),
    ),
  )
    .argument('[caseId]', 'one case (default: every case matching the filters)')
    .option(
      '--anchor-bucket <name>',
      'archive bucket holding the chain anchors (default: $CAUTERIZE_ARCHIVE_BUCKET; with --local, DIR/anchors)',
    )
    .action(
      async (caseId: string | undefined, options: ConnectionOptions & FilterOptions & AnchorOptions) => {
        const store = anchorStore(options);
        const broken = await withCases(options, async ({ service }) => {
          const anchor = store ? await latestAnchor(store) : undefined;
          if (caseId) {
            const v = await service.verifyAnchored(caseId, anchor);
            printVerification(v, anchor);
            if (!anchor) process.stdout.write(`${noAnchorLine(options)}\n`);
            return v.ok ? 0 : 1;
          }
          const filter = filterOf(options);
          const counts = { checked: 0, bad: 0, anchored: 0, after: 0, contradicting: 0, unsealed: 0 };
          const tally = (v: AnchoredVerification) => {
            counts.checked++;
            if (!v.ok) counts.bad++;
            if (v.entries > 0 && !v.sealed) counts.unsealed++;
            if (v.anchor === 'anchored') counts.anchored++;
            if (v.anchor === 'after-anchor') counts.after++;
            if (v.anchor === 'contradicts-anchor') counts.contradicting++;
            if (!v.ok) printVerification(v, anchor);
          };
          const seen = new Set<string>();
          for await (const record of service.iterate(filter)) {
            seen.add(record.caseId);
            tally(await service.verifyAnchored(record.caseId, anchor));
          }
          // A case the anchor lists that the table no longer has was deleted (only an unfiltered
          // run can tell: a filter would leave cases out on purpose).
          if (anchor && Object.keys(filter).length === 0) {
            for (const anchoredId of anchor.heads.keys()) {
              if (!seen.has(anchoredId)) tally(await service.verifyAnchored(anchoredId, anchor));
            }
          }
          process.stdout.write(
            `verified ${counts.checked} cases: ${counts.checked - counts.bad} OK, ${counts.bad} broken` +
              (counts.unsealed > 0 ? ` (${counts.unsealed} opened before case seals: chain v1)` : '') +
              '\n',
          );
          process.stdout.write(
            anchor
              ? `anchor ${anchorName(anchor)}: ${countCases(counts.anchored, 'matches', 'match')} it, ` +
                  `${counts.contradicting} ${counts.contradicting === 1 ? 'contradicts' : 'contradict'} it, ${counts.after} not in it ` +
                  '(opened after it: checked by their chains only)\n'
              : `${noAnchorLine(options)}\n`,
          );
          return counts.bad;
        });
        if (broken > 0) throw new VerdictError(`${broken} audit chain(s) broken: see the problems above`);
      },
    );

  connection(
    cases
      .command('anchor')
      .description(
        "Write an anchor of every case's audit chain head (what the stack's hourly ChainAnchor function does)",
      ),
  )
    .option(
      '--anchor-bucket <name>',
      'archive bucket to write to (default: $CAUTERIZE_ARCHIVE_BUCKET; with --local, DIR/anchors)',
    )
    .option('--retention-days <days>', 'Object Lock retention of the anchor (S3 only)', positiveInt, 2555)
    .action(async (options: ConnectionOptions & AnchorOptions & { retentionDays: number }) => {
      const store = anchorStore(options);
      if (!store) {
        throw new Error(
          'no place for the anchor: pass --local DIR, or --anchor-bucket NAME (or CAUTERIZE_ARCHIVE_BUCKET) ' +
            'with the CaseArchiveBucket name from the CauterizeStateful stack',
        );
      }
      await withCases(options, async ({ store: cases }) => {
        const taken = await takeAnchor({
          heads: cases,
          anchors: store,
          table: cases.table,
          anchoredBy: ANCHOR_ACTOR,
          now: new Date(),
          retentionDays: options.retentionDays,
        });
        process.stdout.write(`anchored ${taken.document.count} cases: ${taken.location}\n`);
      });
    });
}
