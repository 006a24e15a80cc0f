import { createWriteStream, existsSync } from 'node:fs';
import { readdir, realpath, stat, writeFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stageFolder } from '../atomic-file';
import type { AccountSummary, CaseSummary } from '../summaries';

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

/** Thrown when a replay's input or output folder is refused: the message names the path and the fix. */
export class ReplayInputError extends Error {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ReplayInputError';
  }
}

/** Where a replay writes while it runs, and how its folder takes the place of --out. */
export interface ReplayOutput {
  /** The staging folder: a fresh folder beside the output folder. */
  readonly dir: string;
  readonly rejectedFile: string;
  readonly busEventsFile: string;
  /** Puts the complete results in the output folder's place (see stageFolder). */
  commit(): Promise<void>;
  /** Removes the staging folder; the output folder is untouched. */
  discard(): Promise<void>;
}

export interface ReplayOutputOptions {
  /** The replayed file: never inside the output folder, which replay replaces. */
  readonly inputFile: string;
  /** Replace an earlier replay's output folder (one with a summary.json). @default false */
  readonly force?: boolean;
}

/**
 * Checks the input file and the output folder, then stages a fresh folder beside the output
 * folder for the run to write into; commit() moves it into place once the run is complete. So a
 * run that fails or is interrupted leaves the earlier results whole, and a reader never sees a
 * mix of two runs. Refuses:
 * - an input file that is empty, not a file, or inside the output folder;
 * - an output folder that is not empty, unless `force`; with `force`, one that is not an earlier
 *   replay's (no summary.json) or that holds the current working folder.
 */
export async function stageReplayOutput(outDir: string, options: ReplayOutputOptions): Promise<ReplayOutput> {
  const input = await stat(options.inputFile).catch((error: NodeJS.ErrnoException) => {
    throw new ReplayInputError(`cannot read ${options.inputFile}: ${error.message}`, { cause: error });
  });
  if (!input.isFile()) throw new ReplayInputError(`${options.inputFile} is not a file: pass an event file`);
  if (input.size === 0) throw new ReplayInputError(`${options.inputFile} is empty: no events to replay`);

  const target = await realpath(outDir).catch(() => resolve(outDir));
  const inputPath = await realpath(options.inputFile);
  if (isInside(inputPath, target)) {
    throw new ReplayInputError(
      `${options.inputFile} is inside the output folder ${outDir}, which replay replaces: move the file ` +
        'out of it, or pick another --out',
    );
  }
  const existing = await stat(target).catch(() => undefined);
  if (existing && !existing.isDirectory()) {
    throw new ReplayInputError(`--out ${outDir} is a file, not a folder: pick another --out`);
  }
  if (existing && (await readdir(target)).length > 0) {
    if (!options.force) {
      throw new ReplayInputError(
        `${outDir} is not empty: replay writes a new folder. Pass --force to replace it once the new run ` +
          'is complete, or pick another --out',
      );
    }
    if (!existsSync(join(target, 'summary.json'))) {
      throw new ReplayInputError(
        `--force replaces only a folder an earlier replay wrote, and ${outDir} has no summary.json: pick ` +
          'another --out',
      );
    }
    if (isInside(process.cwd(), target) || process.cwd() === target) {
      throw new ReplayInputError(
        `${outDir} holds the current folder: replay cannot replace it; pick another --out`,
      );
    }
  }
  const staged = await stageFolder(target);
  const rejectedFile = join(staged.path, 'rejected.jsonl');
  const busEventsFile = join(staged.path, 'bus-events.jsonl');
  // Both are appended to as the run goes: they exist, empty, even if it has nothing for them.
  await Promise.all([writeFile(rejectedFile, ''), writeFile(busEventsFile, '')]);
  return {
    dir: staged.path,
    rejectedFile,
    busEventsFile,
    commit: () => staged.commit(),
    discard: () => staged.discard(),
  };
}

/**
 * Stages the output folder (stageReplayOutput), runs `write` into it, and moves the folder into
 * place once `write` completes; if it throws, the staging folder goes and the output folder is
 * left as it was.
 */
export async function withReplayOutput<T>(
  outDir: string,
  options: ReplayOutputOptions,
  write: (output: ReplayOutput) => Promise<T>,
): Promise<T> {
  const output = await stageReplayOutput(outDir, options);
  try {
    const result = await write(output);
    await output.commit();
    return result;
  } catch (error) {
    await output.discard();
    throw error;
  }
}

function isInside(path: string, folder: string): boolean {
  return path.startsWith(folder.endsWith(sep) ? folder : `${folder}${sep}`);
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
  let count = 0;
  // pipeline() wires the file's errors (a folder gone, a full disk) into the promise.
  await pipeline(
    Readable.from(
      (async function* () {
        for await (const row of rows) {
          count += 1;
          yield `${JSON.stringify(row)}\n`;
        }
      })(),
    ),
    createWriteStream(file),
  );
  return count;
}
