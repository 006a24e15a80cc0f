import type { Command } from 'commander';
import type { UsageEvent } from '../../lambdas/core/contract/usage-event';
import type { KinesisWriteRecord } from '../../local/kinesis/kinesis-writer';
import { LocalPipeline } from '../../local/local-pipeline';
import { generateTraffic } from '../../sim';
import { formatRate, table } from '../format';
import { policyOption, positiveInt } from '../options';
import { Progress } from '../progress';
import type { AccountSummary, CaseSummary } from '../../local/summaries';

/**
 * Records a broken gateway might send: the pipeline must count and dead-letter them, not fail.
 * The last one is a whole event but for one field, so its rejection names that field.
 */
function malformedRecords(sample: UsageEvent): KinesisWriteRecord[] {
  return [
    { partitionKey: 'broken-1', data: Buffer.from('{"v":1,"eventId":"trunc') },
    { partitionKey: 'broken-2', data: Buffer.from(JSON.stringify({ v: 2, eventId: 'from-the-future' })) },
    {
      partitionKey: sample.accountId,
      data: Buffer.from(JSON.stringify({ ...sample, eventId: 'bad-hash', promptHash: 'not-a-simhash' })),
    },
  ];
}

export interface DemoOptions {
  readonly seed: number;
  readonly policy?: string;
}

/** What the demo shows: `report` is the same for the same seed, byte for byte; `timings` vary. */
export interface DemoRun {
  readonly report: string;
  readonly timings: string;
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      'Run the whole pipeline on local services over a small labelled mix: ordinary users, one heavy ' +
        'legitimate user and one extraction campaign, and show what was suspended and why (the same ' +
        'seed prints the same report; timings go to stderr)',
    )
    .option('--seed <n>', 'seed of the generated traffic', positiveInt, 1)
    .option('--policy <file>', 'policy to run under (default: config/policy.yaml)')
    .action(async (options: DemoOptions) => {
      const run = await runDemo(options, (line) => process.stdout.write(`${line}\n`));
      process.stderr.write(`${run.timings}\n`);
    });
}

/** Shards of the demo's stream: one, so that its batches, and so its output, never depend on timing. */
const DEMO_SHARDS = 1;

/**
 * Runs the demo and returns what it prints (each line also passed to `print` as it comes).
 * Deterministic: every record is on the stream before the scorer starts, so batches are cut by
 * size alone; one shard, so no two batches race; and each batch's workflows finish before the
 * next batch is scored, as the in-memory engine runs them.
 */
export async function runDemo(
  options: DemoOptions,
  print: (line: string) => void = () => {},
): Promise<DemoRun> {
  const lines: string[] = [];
  const write = (text: string) => {
    for (const line of text.split('\n')) {
      lines.push(line);
      print(line);
    }
  };
  const simulation = generateTraffic({ preset: 'demo', seed: options.seed });
  const labelled = [...simulation.events];
  const cohortOf = new Map(labelled.map((e) => [e.accountId, e.cohort]));
  const first = labelled[0];
  if (!first) throw new Error('the demo simulation generated no events');
  const malformed = malformedRecords(first.event);
  const records: KinesisWriteRecord[] = [
    ...labelled.map((e) => ({ partitionKey: e.event.accountId, data: Buffer.from(JSON.stringify(e.event)) })),
    ...malformed,
  ];

  write('Starting dynalite and kinesalite on loopback, provisioning the synthesized CDK stacks...');
  const started = performance.now();
  const running: { pipeline?: LocalPipeline } = {};
  const pipeline = await LocalPipeline.start({
    policyFile: policyOption(options.policy),
    shards: DEMO_SHARDS,
    hooks: {
      wrapScorer: (scorer) => async (event, context) => {
        const response = await scorer(event, context);
        await running.pipeline?.drainWorkflows();
        return response;
      },
    },
  });
  running.pipeline = pipeline;
  try {
    write(
      `  stream ${pipeline.streamName} (${DEMO_SHARDS} shard, batches of up to ${pipeline.batchSize}), tables ` +
        `${['AccountsTable', 'LinksTable', 'CasesTable'].map((id) => pipeline.names[id]).join(', ')}, ` +
        `policy ${pipeline.policy.version} (${pipeline.policy.mode})`,
    );
    write(
      `Putting ${records.length} usage events (${labelled.length} generated + ${malformed.length} malformed) ` +
        `for ${cohortOf.size} accounts on the stream, then letting the scorer consume them...`,
    );
    const progress = new Progress('events put', records.length);
    const ingestStarted = performance.now();
    await pipeline.ingest(records, (n) => progress.update(n));
    progress.done();
    await pipeline.startScoring();
    await pipeline.drain();
    const processingMs = performance.now() - ingestStarted;

    const accounts: AccountSummary[] = [];
    for await (const account of pipeline.accounts()) accounts.push(account);
    accounts.sort((a, b) => a.accountId.localeCompare(b.accountId));
    const cases: CaseSummary[] = [];
    for await (const c of pipeline.cases()) cases.push(c);

    write('');
    write(
      table(
        ['cohort', 'accounts', 'active', 'review', 'suspended', 'max score'],
        [...groupByCohort(accounts, cohortOf)].map(([cohort, list]) => [
          cohort,
          list.length,
          list.filter((a) => a.status === 'ACTIVE').length,
          list.filter((a) => a.status === 'REVIEW').length,
          list.filter((a) => a.status === 'SUSPENDED').length,
          Math.max(...list.map((a) => a.riskScore)),
        ]),
      ),
    );

    const busCounts = new Map<string, number>();
    for (const e of pipeline.bus.events())
      busCounts.set(e['detail-type'], (busCounts.get(e['detail-type']) ?? 0) + 1);
    const published = [...busCounts].sort(([a], [b]) => a.localeCompare(b));
    const s = pipeline.scoring;
    write('');
    write(
      `events: ${labelled.length + malformed.length} put, ${s.valid - s.duplicates} scored, ${pipeline.deadLetters.total} rejected ` +
        `and dead-lettered (${pipeline.deadLetters
          .records()
          .map((r) => `${r.field}: ${r.reason}`)
          .join('; ')})`,
    );
    write(
      `accounts: ${accounts.length} scored, ${accounts.filter((a) => a.status === 'SUSPENDED').length} suspended, ` +
        `${new Set(accounts.map((a) => a.clusterId).filter(Boolean)).size} linked clusters; ` +
        `cases opened: ${cases.length}; events published: ${published.map(([k, v]) => `${v} ${k}`).join(', ') || 'none'}`,
    );
    write(`DynamoDB: ${s.accountWrites} account writes + ${s.linkWrites} link writes for ${s.valid} events`);

    type Evidence = {
      reasons?: Array<{ text: string; points: number }>;
      cluster?: {
        clusterId: string;
        size: number;
        score: number;
        reasons: Array<{ text: string; points: number }>;
      };
    };
    // The largest cluster case (else the first account case), ties by case id.
    const example = [...cases].sort(
      (a, b) =>
        Number(Boolean((b.evidence as Evidence).cluster)) -
          Number(Boolean((a.evidence as Evidence).cluster)) ||
        b.accountIds.length - a.accountIds.length ||
        a.caseId.localeCompare(b.caseId),
    )[0];
    if (example) {
      const evidence = example.evidence as Evidence;
      const subject =
        example.kind === 'cluster'
          ? `cluster ${evidence.cluster?.clusterId ?? '?'}, ${example.accountIds.length} members`
          : `account ${example.accountId}`;
      write('');
      write(`Case ${example.caseId} (${subject}, score ${example.riskScore}, ${example.status}):`);
      for (const reason of evidence.reasons ?? []) write(`  +${reason.points.toFixed(1)}  ${reason.text}`);
      if (evidence.cluster) {
        const { clusterId, size, score, reasons } = evidence.cluster;
        write(`  linked: cluster ${clusterId} of ${size} accounts, cluster score ${score}:`);
        for (const reason of reasons) write(`    +${reason.points.toFixed(1)}  ${reason.text}`);
      }
    }
    const wrong = accounts.filter(
      (a) => a.status === 'SUSPENDED' && !isAttack(simulation.truth, a.accountId),
    );
    write('');
    write(
      wrong.length === 0
        ? 'No legitimate account was suspended.'
        : `WARNING: ${wrong.length} legitimate accounts were suspended: ${wrong.map((a) => a.accountId).join(', ')}`,
    );
    return {
      report: `${lines.join('\n')}\n`,
      timings:
        `processing ${formatRate(s.valid, processingMs)}, whole demo ` +
        `${((performance.now() - started) / 1000).toFixed(1)} s`,
    };
  } finally {
    await pipeline.stop();
  }
}

function groupByCohort(accounts: readonly AccountSummary[], cohortOf: ReadonlyMap<string, string>) {
  const groups = new Map<string, AccountSummary[]>();
  for (const account of accounts) {
    const cohort = cohortOf.get(account.accountId) ?? '(unlabelled)';
    groups.set(cohort, [...(groups.get(cohort) ?? []), account]);
  }
  return [...groups].sort(([a], [b]) => a.localeCompare(b));
}

function isAttack(
  truth: { accounts: ReadonlyArray<{ accountId: string; attack: boolean }> },
  accountId: string,
) {
  return truth.accounts.some((a) => a.accountId === accountId && a.attack);
}
