import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  BatchWriteItemCommand,
  ScanCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { App } from 'aws-cdk-lib';
import { openLocalCases } from '../../cli/commands/cases';
import { StatefulStack } from '../../lib/stateful-stack';
import type { CloudFormationTemplate } from '../../local/cloudformation/cloudformation-template';
import { emptySourceStats, readJsonlRecords } from '../../local/jsonl-source';
import { LocalPipeline } from '../../local/local-pipeline';
import { provisionFromTemplate } from '../../local/cloudformation/provision-from-template';
import { countBusEvents, writeReplayResults, writeReplaySummary } from '../../local/replay/replay-output';
import { writeSimulation, type WriteSimulationOptions } from '../../sim';
import { readTruthFile } from '../../sim/evaluation-files';
import { KinesisClient } from '@aws-sdk/client-kinesis';

/** A user agent no page may run: markup in every place a careless renderer would parse it. */
export const HOSTILE_USER_AGENT =
  '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">"\'><b>bold</b>';

export interface ReplayStore {
  /** The store folder: DIR/dynamodb with CasesTable and AccountsTable, plus replay's files. */
  readonly dir: string;
  readonly eventsFile: string;
  readonly truthFile: string;
  /** The attacker accounts, whose events all carry HOSTILE_USER_AGENT. */
  readonly hostileAccountIds: ReadonlySet<string>;
}

/**
 * A replay of simulated traffic left as a local store, the layout `replay --out DIR` is to leave
 * (issue 15): `cauterize simulate`'s writer makes the traffic, every attacker's events get a
 * hostile user agent, the whole local pipeline replays it (synthesized stacks, dynalite,
 * kinesalite, the scorer, the real workflows), replay's own writers write accounts.jsonl,
 * cases.jsonl and summary.json, and then the CasesTable and AccountsTable items, as the
 * workflows wrote them, are copied into DIR/dynamodb (dynalite on LevelDB, as `cases --local`
 * opens it).
 */
export async function buildReplayStore(
  dir: string,
  simulation: WriteSimulationOptions = { preset: 'demo', seed: 1 },
): Promise<ReplayStore> {
  await mkdir(dir, { recursive: true });
  const plainFile = join(dir, 'traffic.plain.jsonl');
  const eventsFile = join(dir, 'traffic.jsonl');
  const truthFile = join(dir, 'traffic.truth.json');
  await writeSimulation(plainFile, truthFile, simulation);
  const truth = await readTruthFile(truthFile);
  const attackers = new Set(truth.accounts.filter((a) => a.attack).map((a) => a.accountId));
  await withHostileUserAgent(plainFile, eventsFile, attackers);

  const pipeline = await LocalPipeline.start({
    isolatedServices: false,
    busEventsFile: join(dir, 'bus-events.jsonl'),
    deadLetterFile: join(dir, 'rejected.jsonl'),
  });
  try {
    const source = emptySourceStats();
    const started = performance.now();
    await pipeline.startScoring();
    await pipeline.ingest(readJsonlRecords(eventsFile, source));
    await pipeline.drain();
    const counts = await writeReplayResults(dir, pipeline.accounts(), pipeline.cases());
    const seconds = (performance.now() - started) / 1000;
    await writeReplaySummary(dir, {
      file: eventsFile,
      policyVersion: pipeline.policy.version,
      eventsRead: source.lines,
      rejected: pipeline.deadLetters.total,
      duplicates: pipeline.scoring.duplicates,
      outOfOrder: source.outOfOrder,
      ...counts,
      busEvents: countBusEvents(pipeline.bus.events()),
      failedBatches: pipeline.failedBatches.length,
      seconds,
      eventsPerSecond: Math.round(source.lines / seconds),
      dynamodb: { accountWrites: 0, linkWrites: 0, writesPerEvent: 0 },
      shards: 2,
      batchSize: pipeline.batchSize,
    });
    await copyStore(pipeline, dir);
  } finally {
    await pipeline.stop();
  }
  return { dir, eventsFile, truthFile, hostileAccountIds: attackers };
}

/** Copies the event file, giving every attacker's events the hostile user agent. */
async function withHostileUserAgent(from: string, to: string, attackers: ReadonlySet<string>): Promise<void> {
  const out = createWriteStream(to);
  for await (const line of createInterface({ input: createReadStream(from), crlfDelay: Infinity })) {
    if (!line) continue;
    const event = JSON.parse(line) as { accountId: string; userAgent: string | null };
    if (attackers.has(event.accountId)) event.userAgent = HOSTILE_USER_AGENT;
    if (!out.write(`${JSON.stringify(event)}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  if (attackers.size === 0) throw new Error('the simulated traffic has no attacker account');
}

/** The pipeline's CasesTable and AccountsTable, item for item, into DIR/dynamodb. */
async function copyStore(pipeline: LocalPipeline, dir: string): Promise<void> {
  const store = await openLocalCases(dir);
  try {
    const app = new App({
      builtinCloudFormationValidation: false,
      context: { 'aws:cdk:bundling-stacks': [] },
    });
    const stack = new StatefulStack(app, 'CauterizeStateful');
    const template = app.synth().getStackByName(stack.stackName).template as CloudFormationTemplate;
    await provisionFromTemplate(
      { Resources: { AccountsTable: template.Resources!.AccountsTable! } },
      { dynamodb: store.dynamodb, kinesis: new KinesisClient({ region: 'us-east-1' }) },
    );
    for (const table of ['CasesTable', 'AccountsTable']) {
      await copyTable(pipeline.services.dynamodb, pipeline.names[table]!, store.dynamodb, table);
    }
  } finally {
    await store.close();
  }
}

async function copyTable(
  from: DynamoDBClient,
  fromTable: string,
  to: DynamoDBClient,
  toTable: string,
): Promise<void> {
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await from.send(new ScanCommand({ TableName: fromTable, ExclusiveStartKey: startKey }));
    const items = page.Items ?? [];
    for (let i = 0; i < items.length; i += 25) {
      let requests = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
      while (requests.length > 0) {
        const out = await to.send(new BatchWriteItemCommand({ RequestItems: { [toTable]: requests } }));
        requests = (out.UnprocessedItems?.[toTable] ?? []) as typeof requests;
      }
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}
