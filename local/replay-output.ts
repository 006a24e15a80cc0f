import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AccountSummary, CaseSummary } from './local-pipeline';

/**
 * What a replay writes, whichever engine ran it (the local services or the in-memory adapters):
 * accounts.jsonl, cases.jsonl, summary.json, rejected.jsonl and bus-events.jsonl in one folder.
 */

/** replay's summary.json. */
export interface ReplaySummary {
  readonly file: string;
  readonly policyVersion: string;
  readonly eventsRead: number;
  readonly rejected: number;
  readonly duplicates: number;
  readonly outOfOrder: number;
  readonly accounts: number;
  readonly review: number;
  readonly suspended: number;
  readonly cases: number;
  readonly busEvents: Readonly<Record<string, number>>;
  readonly failedBatches: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly dynamodb: {
    readonly accountWrites: number;
    readonly linkWrites: number;
    readonly writesPerEvent: number;
  };
  readonly shards: number;
  readonly batchSize: number;
}

export interface ReplayOutputFiles {
  readonly rejectedFile: string;
  readonly busEventsFile: string;
}

/** Creates the folder and removes the files a replay appends to, so a rerun starts clean. */
export async function prepareReplayOutDir(outDir: string): Promise<ReplayOutputFiles> {
  await mkdir(outDir, { recursive: true });
  const files = {
    rejectedFile: join(outDir, 'rejected.jsonl'),
    busEventsFile: join(outDir, 'bus-events.jsonl'),
  };
  await Promise.all([rm(files.rejectedFile, { force: true }), rm(files.busEventsFile, { force: true })]);
  return files;
}

export interface ReplayResultCounts {
  readonly accounts: number;
  readonly review: number;
  readonly suspended: number;
  readonly cases: number;
}

/** Writes accounts.jsonl and cases.jsonl, streaming, and counts what they hold. */
export async function writeReplayResults(
  outDir: string,
  accounts: AsyncIterable<AccountSummary> | Iterable<AccountSummary>,
  cases: AsyncIterable<CaseSummary> | Iterable<CaseSummary>,
): Promise<ReplayResultCounts> {
  let review = 0;
  let suspended = 0;
  const accountCount = await writeLines(
    join(outDir, 'accounts.jsonl'),
    (async function* () {
      for await (const account of accounts) {
        if (account.status === 'REVIEW') review += 1;
        if (account.status === 'SUSPENDED') suspended += 1;
        yield account;
      }
    })(),
  );
  const caseCount = await writeLines(join(outDir, 'cases.jsonl'), cases);
  return { accounts: accountCount, review, suspended, cases: caseCount };
}

/** Events per detail-type. */
export function countBusEvents(events: Iterable<{ readonly 'detail-type': string }>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const event of events) counts[event['detail-type']] = (counts[event['detail-type']] ?? 0) + 1;
  return counts;
}

export async function writeReplaySummary(outDir: string, summary: ReplaySummary): Promise<void> {
  await writeFile(join(outDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
}

async function writeLines<T>(file: string, rows: AsyncIterable<T> | Iterable<T>): Promise<number> {
  const out = createWriteStream(file);
  let count = 0;
  for await (const row of rows) {
    if (!out.write(`${JSON.stringify(row)}\n`)) await once(out, 'drain');
    count += 1;
  }
  out.end();
  await once(out, 'finish');
  return count;
}
