import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { finished } from 'node:stream/promises';
import { generateTraffic, type GenerateOptions } from './generate';
import { SummaryCollector, type SimulationProgress, type SimulationSummary } from './summary';
import type { GroundTruth } from './types';

export interface WriteSimulationOptions extends GenerateOptions {
  /** Called every `progressEvery` events and once at the end. */
  readonly onProgress?: (progress: SimulationProgress) => void;
  /** @default 100_000 */
  readonly progressEvery?: number;
}

const CHUNK_LINES = 2_000;

async function write(stream: WriteStream, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

/**
 * Streams the simulation to disk:
 * - `outFile`: JSON Lines, one contract usage event per line, no labels, in `ts` order;
 * - `truthFile`: one JSON document (format "cauterize-sim-truth/v1", see README in sim/): the run's
 *   options, window and model release, cohorts (with account and event counts), campaigns with
 *   their accounts and shared infrastructure, then one account label per line inside `accounts`.
 */
export async function writeSimulation(
  outFile: string,
  truthFile: string,
  options: WriteSimulationOptions,
): Promise<SimulationSummary> {
  const { events, truth } = generateTraffic(options);
  const every = options.progressEvery ?? 100_000;
  await mkdir(dirname(outFile), { recursive: true });
  await mkdir(dirname(truthFile), { recursive: true });

  const out = createWriteStream(outFile, { encoding: 'utf8' });
  const collector = new SummaryCollector(truth);
  let lines: string[] = [];
  for (const labelled of events) {
    collector.add(labelled);
    lines.push(JSON.stringify(labelled.event));
    if (lines.length >= CHUNK_LINES) {
      await write(out, lines.join('\n') + '\n');
      lines = [];
    }
    if (options.onProgress && collector.count % every === 0) options.onProgress(collector.progress());
  }
  if (lines.length > 0) await write(out, lines.join('\n') + '\n');
  out.end();
  await finished(out);
  options.onProgress?.(collector.progress());

  const summary = collector.finish();
  await writeTruth(truthFile, truth, summary);
  return summary;
}

/** The truth document, written piecewise so that millions of account labels never form one string. */
async function writeTruth(file: string, truth: GroundTruth, summary: SimulationSummary): Promise<void> {
  const out = createWriteStream(file, { encoding: 'utf8' });
  const { accounts, cohorts, campaigns, ...header } = truth;
  const head = JSON.stringify(
    {
      ...header,
      stats: {
        events: summary.events,
        accounts: summary.accounts,
        attackEvents: summary.attackEvents,
        attackAccounts: summary.attackAccounts,
        firstTs: summary.firstTs,
        lastTs: summary.lastTs,
      },
      cohorts: cohorts.map((c) => ({
        ...c,
        activeAccounts: summary.byCohort[c.id]?.activeAccounts ?? 0,
        events: summary.byCohort[c.id]?.events ?? 0,
      })),
    },
    null,
    2,
  );
  await write(out, head.slice(0, head.lastIndexOf('}')).trimEnd() + ',\n  "campaigns": [\n');
  for (let i = 0; i < campaigns.length; i++) {
    await write(out, '    ' + JSON.stringify(campaigns[i]) + (i < campaigns.length - 1 ? ',\n' : '\n'));
  }
  await write(out, '  ],\n  "accounts": [\n');
  let chunk: string[] = [];
  for (let i = 0; i < accounts.length; i++) {
    chunk.push('    ' + JSON.stringify(accounts[i]) + (i < accounts.length - 1 ? ',' : ''));
    if (chunk.length >= CHUNK_LINES) {
      await write(out, chunk.join('\n') + '\n');
      chunk = [];
    }
  }
  if (chunk.length > 0) await write(out, chunk.join('\n') + '\n');
  await write(out, '  ]\n}\n');
  out.end();
  await finished(out);
}
