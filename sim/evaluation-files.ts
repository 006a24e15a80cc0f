import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import type { EvaluationTruth, EventRef, ResultAccount, ResultCase } from './evaluation';

/**
 * Readers for the evaluation's inputs: the simulator's truth file, replay's accounts.jsonl and
 * summary.json, and the event file. Each validates what the evaluation relies on and names the
 * file, the line and the field at fault.
 */

/** An input file the evaluation cannot use. */
export class EvaluationInputError extends Error {
  public constructor(
    public readonly file: string,
    public readonly field: string,
    problem: string,
    options?: ErrorOptions,
  ) {
    super(`${file}: ${field}: ${problem}`, options);
    this.name = 'EvaluationInputError';
  }
}

const cohortSchema = z.object({
  id: z.string().min(1),
  attack: z.boolean(),
  strategy: z.string().nullable(),
});
const campaignSchema = z.object({
  campaignId: z.string().min(1),
  strategy: z.string(),
  cohort: z.string(),
  startedAt: z.string(),
  accounts: z.array(z.string()),
});
const accountSchema = z.object({
  accountId: z.string().min(1),
  cohort: z.string().min(1),
  attack: z.boolean(),
  campaignId: z.string().nullable(),
  strategy: z.string().nullable(),
});
const headerSchema = z.object({
  format: z.literal('cauterize-sim-truth/v1'),
  cohorts: z.array(cohortSchema),
});
const truthSchema = headerSchema.extend({
  campaigns: z.array(campaignSchema),
  accounts: z.array(accountSchema),
});

const resultSchema = z.object({
  accountId: z.string().min(1),
  status: z.enum(['ACTIVE', 'REVIEW', 'SUSPENDED']),
  suspendedAt: z
    .string()
    .refine((s) => !Number.isNaN(Date.parse(s)), { message: 'expected an ISO-8601 time' })
    .nullable(),
});

/** Whole-file JSON.parse up to this size; larger truth files are read line by line. */
export const TRUTH_WHOLE_FILE_MAX_BYTES = 20 * 1024 * 1024;

function parseWith<T>(schema: z.ZodType<T>, value: unknown, file: string, where: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = [where, ...(issue?.path ?? []).map(String)].filter(Boolean).join('.') || '(root)';
  throw new EvaluationInputError(file, field, issue?.message ?? 'invalid');
}

function parseJson(text: string, file: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new EvaluationInputError(file, where, `not valid JSON (${(error as Error).message})`, {
      cause: error,
    });
  }
}

/**
 * Reads a `cauterize-sim-truth/v1` file. Up to `streamAboveBytes` it is parsed whole; above, line
 * by line in the layout writeSimulation writes (pretty header, then one campaign and one account
 * per line), so the file never becomes one string.
 */
export async function readTruthFile(
  file: string,
  options: { readonly streamAboveBytes?: number } = {},
): Promise<EvaluationTruth> {
  const size = await statOrThrow(file);
  if (size <= (options.streamAboveBytes ?? TRUTH_WHOLE_FILE_MAX_BYTES)) {
    const value = parseJson(await readFile(file, 'utf8'), file, '(root)');
    const { cohorts, campaigns, accounts } = parseWith(truthSchema, value, file, '');
    return { cohorts, campaigns, accounts };
  }
  return readTruthLines(file);
}

async function readTruthLines(file: string): Promise<EvaluationTruth> {
  type Section = 'header' | 'campaigns' | 'between' | 'accounts' | 'end';
  let section: Section = 'header';
  const headerLines: string[] = [];
  const campaigns: Array<z.infer<typeof campaignSchema>> = [];
  const accounts: Array<z.infer<typeof accountSchema>> = [];
  let lineNo = 0;
  const layout = (problem: string) =>
    new EvaluationInputError(
      file,
      `line ${lineNo}`,
      `${problem}; truth files over ${TRUTH_WHOLE_FILE_MAX_BYTES / 1024 / 1024} MB are read in the ` +
        'line layout writeSimulation writes (one campaign and one account per line)',
    );
  const item = (line: string) => line.trim().replace(/,$/, '');

  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    lineNo += 1;
    const trimmed = line.trim();
    if (trimmed === '') continue;
    switch (section) {
      case 'header':
        if (/^"campaigns":\s*\[$/.test(trimmed)) section = 'campaigns';
        else headerLines.push(line);
        break;
      case 'campaigns':
        if (/^\],?$/.test(trimmed)) section = 'between';
        else
          campaigns.push(
            parseWith(
              campaignSchema,
              parseJson(item(line), file, `line ${lineNo}`),
              file,
              `campaigns[${campaigns.length}]`,
            ),
          );
        break;
      case 'between':
        if (!/^"accounts":\s*\[$/.test(trimmed)) throw layout('expected "accounts": [');
        section = 'accounts';
        break;
      case 'accounts':
        if (/^\],?$/.test(trimmed)) section = 'end';
        else
          accounts.push(
            parseWith(
              accountSchema,
              parseJson(item(line), file, `line ${lineNo}`),
              file,
              `accounts[${accounts.length}]`,
            ),
          );
        break;
      case 'end':
        if (trimmed !== '}') throw layout('expected the closing }');
        break;
    }
  }
  if (section !== 'end') throw layout(`ended inside the ${section} section`);
  const headerText = `${headerLines.join('\n').trimEnd().replace(/,$/, '')}\n}`;
  const header = parseWith(headerSchema, parseJson(headerText, file, 'header'), file, '');
  return { cohorts: header.cohorts, campaigns, accounts };
}

/** Streams replay's accounts.jsonl, validating each line. */
export async function* readResultAccounts(file: string): AsyncGenerator<ResultAccount> {
  await statOrThrow(file);
  let lineNo = 0;
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    lineNo += 1;
    if (line.trim() === '') continue;
    const value = parseJson(line, file, `line ${lineNo}`);
    const result = parseWith(resultSchema, value, file, `line ${lineNo}`);
    if (result.status === 'SUSPENDED' && result.suspendedAt === null) {
      throw new EvaluationInputError(file, `line ${lineNo}.suspendedAt`, 'null on a SUSPENDED account');
    }
    yield result;
  }
}

const caseSchema = z.object({
  caseId: z.string().min(1),
  action: z.string().nullable(),
  accountIds: z.array(z.string()),
});

/** Streams replay's cases.jsonl, validating what the evaluation reads of each line. */
export async function* readResultCases(file: string): AsyncGenerator<ResultCase> {
  await statOrThrow(file);
  let lineNo = 0;
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    lineNo += 1;
    if (line.trim() === '') continue;
    yield parseWith(caseSchema, parseJson(line, file, `line ${lineNo}`), file, `line ${lineNo}`);
  }
}

/** The event file a replay read, from its summary.json (`file`). */
export async function replayedEventsFile(summaryFile: string): Promise<string> {
  await statOrThrow(summaryFile);
  const summary = parseJson(await readFile(summaryFile, 'utf8'), summaryFile, '(root)') as { file?: unknown };
  if (typeof summary?.file !== 'string' || summary.file === '') {
    throw new EvaluationInputError(summaryFile, 'file', 'missing: pass the event file with --events');
  }
  return summary.file;
}

export interface EventFileProgress {
  bytes: number;
}

/**
 * Streams an event file (JSON Lines, possibly gigabytes) as who-and-when references, one line at
 * a time: the file is split on LF as bytes (CRLF works too: CR is JSON whitespace), several times
 * faster than readline. A line that is not a JSON object is yielded as `{}`, which the evaluator
 * counts as unreadable.
 */
export async function* readEventRefs(file: string, progress?: EventFileProgress): AsyncGenerator<EventRef> {
  await statOrThrow(file);
  // Only the line that straddles two chunks is ever copied.
  let carry: Buffer | undefined;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    if (progress) progress.bytes += chunk.length;
    let start = 0;
    if (carry) {
      const end = chunk.indexOf(0x0a);
      if (end < 0) {
        carry = Buffer.concat([carry, chunk]);
        continue;
      }
      const ref = eventRef(Buffer.concat([carry, chunk.subarray(0, end)]).toString('utf8'));
      if (ref) yield ref;
      start = end + 1;
    }
    for (let end = chunk.indexOf(0x0a, start); end >= 0; end = chunk.indexOf(0x0a, start)) {
      const ref = eventRef(chunk.toString('utf8', start, end));
      start = end + 1;
      if (ref) yield ref;
    }
    carry = start < chunk.length ? Buffer.from(chunk.subarray(start)) : undefined;
  }
  const last = carry && eventRef(carry.toString('utf8'));
  if (last) yield last;
}

/** The event of one line, {} if it is not a JSON object, undefined for a blank line. */
function eventRef(line: string): EventRef | undefined {
  if (line.trim() === '') return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return value !== null && typeof value === 'object' ? (value as EventRef) : {};
  } catch {
    return {};
  }
}

async function statOrThrow(file: string): Promise<number> {
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new Error('not a file');
    return info.size;
  } catch (error) {
    throw new EvaluationInputError(file, '(file)', `cannot read it (${(error as Error).message})`, {
      cause: error,
    });
  }
}
