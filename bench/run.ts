/**
 * Benchmarks: prints figures, asserts nothing. `npm run bench -- --help` for the options.
 * Each step runs on the simulator's traffic (written once into --work-dir and reused).
 */
import { mkdir, readFile } from 'node:fs/promises';
import { writeTextAtomic } from '../local/atomic-file';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { table } from '../cli/format';
import { type CostProfileName } from '../lib/cost-profile';
import {
  batchSpanSeconds,
  costPerMillionEvents,
  deploymentFor,
  PRICES,
  type CostBreakdown,
  type RunShape,
  type WorkflowMeasures,
} from './cost-model';
import { formatConsoleGraph, measureConsoleGraph } from './console-graph';
import { measureDynamoDbAccounting, type DynamoDbAccounting } from './dynamodb-accounting';
import { measureEndToEnd, type EndToEndResult, type WorkflowRunFigures } from './end-to-end-replay';
import { runMeasuringMemory, type TreeMemoryResult } from './process-tree-memory';
import { measureScorerThroughput, type ThroughputResult } from './scorer-throughput';
import { prefixFile, readTruth, scaleFor, simulatedTraffic } from './traffic';

type Step = 'throughput' | 'dynamodb' | 'e2e' | 'memory' | 'console' | 'replay';
const STEPS: readonly Step[] = ['throughput', 'dynamodb', 'e2e', 'memory', 'console', 'replay'];
/** `replay` replays the whole traffic through the local services (about 9 minutes): asked for by name. */
const DEFAULT_STEPS: readonly Step[] = STEPS.filter((s) => s !== 'replay');
/** Issue #14: the full local replay of the default mix stays under 10 minutes on these machines. */
const FULL_REPLAY_BAR_SECONDS = 600;
/** Each profile, and whether to price it with reserved table capacity as well as without. */
const PRICED_PROFILES: ReadonlyArray<readonly [CostProfileName, readonly boolean[]]> = [
  ['default', [false]],
  ['optimised', [false, true]],
];
/** The batch span of each profile: 60 s and 300 s at every rate (lib/cost-profile.ts). */
const PROFILE_SPANS = [
  ...new Set(PRICED_PROFILES.map(([p]) => Math.round(batchSpanSeconds(deploymentFor(p, 1000).batching)))),
];

/**
 * Workflow figures of the e2e step (seed 1, --e2e-scale 0.05) of the run quoted in
 * docs/performance.md: used to price Step Functions and logs when this run has no e2e step.
 */
const MEASURED_WORKFLOWS: WorkflowMeasures = {
  accountRun: { transitions: 12.57, taskStates: 5.75, dataEvents: 25.1, dataBytes: 116_156 },
  clusterRun: { transitions: 14, taskStates: 4, dataEvents: 28, dataBytes: 208_687 },
  clusterMember: { transitions: 3.88, taskStates: 2.88, dataEvents: 8, dataBytes: 1668 },
};

/** ' (default profile)' for the span of a profile, else ''. */
function profileAt(seconds: number | undefined): string {
  const names = PRICED_PROFILES.map(([p]) => p).filter(
    (p) => Math.round(batchSpanSeconds(deploymentFor(p, 1000).batching)) === seconds,
  );
  return names.length > 0 ? ` (${names.join(', ')} profile)` : '';
}

/** The workflow figures of an e2e run: per account run, per cluster run, per cluster member. */
function workflowMeasures(e2e: EndToEndResult): WorkflowMeasures {
  const { account, cluster, clusterMembers } = e2e.stepFunctions;
  const per = (figures: WorkflowRunFigures, n: number): RunShape => ({
    transitions: figures.transitions / Math.max(1, n),
    taskStates: figures.taskStates / Math.max(1, n),
    dataEvents: figures.dataEvents / Math.max(1, n),
    dataBytes: figures.dataBytes / Math.max(1, n),
  });
  return {
    accountRun: per(account, account.executions),
    clusterRun: per(cluster, cluster.executions),
    clusterMember: per(clusterMembers, clusterMembers.members),
  };
}

/** What the bench reads of a replay's summary.json. */
interface ReplaySummary {
  readonly eventsRead: number;
  readonly accounts: number;
  readonly suspended: number;
}

/**
 * `cauterize replay FILE --out OUT` (replacing an earlier run's OUT) as a user runs it, with the
 * peak memory of its process tree; fails with its stderr unless it succeeds.
 */
async function measuredReplay(
  file: string,
  out: string,
  extraArgs: readonly string[] = [],
): Promise<{ result: TreeMemoryResult; summary: ReplaySummary }> {
  const cli = join(__dirname, '..', 'bin', 'cauterize.js');
  const args = [cli, 'replay', file, '--out', out, '--force', ...extraArgs];
  const result = await runMeasuringMemory(process.execPath, args);
  if (result.exitCode !== 0) throw new Error(`replay of ${file} failed:\n${result.stderr}`);
  const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as ReplaySummary;
  return { result, summary };
}

interface BenchOptions {
  seed: number;
  scale: number;
  throughputEvents: number;
  e2eScale: number;
  memoryMb: number[];
  replayMemoryMb: number[];
  batchingWindows: number[];
  rates: number[];
  workDir: string;
  steps: Step[];
}

const positive = (name: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got '${value}'`);
  return n;
};

const mb = (bytes: number) => `${Math.round(bytes / 1e6).toLocaleString('en')} MB`;
const rate = (n: number) => `${Math.round(n).toLocaleString('en')}/s`;
const fixed = (n: number, digits = 3) => n.toFixed(digits);
/** How much of the core's time the account item codec took, and per state write. */
const codecShare = (t: ThroughputResult) =>
  `item codec ${Math.round((100 * t.codecMsPerEvent) / t.coreMsPerEvent)}% ` +
  `(${fixed((1000 * t.codecMsPerEvent) / t.stateWritesPerEvent, 0)} us per state write, ` +
  `${fixed(t.stateWritesPerEvent)} writes/event)`;

async function main(argv: string[]): Promise<void> {
  const program = new Command('bench')
    .description('Scorer throughput, DynamoDB reads and writes per event, end-to-end replay, replay memory')
    .option('--seed <n>', 'simulator seed', positive('--seed'), 1)
    .option(
      '--scale <s>',
      'simulator scale of the traffic for the DynamoDB accounting (1 = default mix, 1.15M events)',
      positive('--scale'),
      1,
    )
    .option(
      '--throughput-events <n>',
      'events of that traffic timed for throughput',
      positive('--throughput-events'),
      300_000,
    )
    .option(
      '--e2e-scale <s>',
      'simulator scale for the end-to-end replay on local services (smaller: it is ~20x slower)',
      positive('--e2e-scale'),
      0.05,
    )
    .option(
      '--memory-mb <list>',
      "file sizes in MB for the peak memory of replay's stream half (writer, kinesalite on disk, poller)",
      (v: string) => v.split(',').map(positive('--memory-mb')),
      [100, 400],
    )
    .option(
      '--replay-memory-mb <list>',
      'file sizes in MB for the peak memory of the whole `cauterize replay` (slow: the scorer on dynalite)',
      (v: string) => v.split(',').map(positive('--replay-memory-mb')),
      [20, 60],
    )
    .option(
      '--batching-windows <list>',
      'throughput and dynamodb steps: also run with batches cut by these event-time batching windows ' +
        "in seconds, as the event source mapping cuts them on AWS (the profiles' spans: default 60, optimised 300)",
      (v: string) => v.split(',').map(positive('--batching-windows')),
      PROFILE_SPANS,
    )
    .option(
      '--rates <list>',
      'sustained events/s each profile is priced at',
      (v: string) => v.split(',').map(positive('--rates')),
      [1000, 10_000, 100_000],
    )
    .option('--work-dir <dir>', 'where traffic files and results go', '/tmp/cauterize-bench')
    .addOption(
      new Option(
        '--steps <list>',
        `comma-separated steps to run (${STEPS.join(', ')}; replay, the whole traffic through ` +
          '`cauterize replay` on the local services, only when named)',
      )
        .argParser((v: string) =>
          v.split(',').map((s) => {
            if (!STEPS.includes(s as Step))
              throw new Error(`--steps: unknown step '${s}'; use ${STEPS.join(', ')}`);
            return s as Step;
          }),
        )
        .default([...DEFAULT_STEPS]),
    );
  program.parse(argv);
  const options = program.opts<BenchOptions>();
  await mkdir(options.workDir, { recursive: true });
  const results: Record<string, unknown> = { options, startedAt: new Date().toISOString() };
  const log = (line: string) => process.stderr.write(`bench: ${line}\n`);

  let throughput: ThroughputResult | undefined;
  const throughputWindowed: ThroughputResult[] = [];
  let accounting: DynamoDbAccounting | undefined;
  const windowed: DynamoDbAccounting[] = [];
  let e2e: EndToEndResult | undefined;
  const memory: Array<{
    what: string;
    bytes: number;
    events: number;
    accounts?: number;
    result: TreeMemoryResult;
  }> = [];

  const needsMain = options.steps.some(
    (s) => s === 'throughput' || s === 'dynamodb' || s === 'memory' || s === 'replay',
  );
  const traffic = needsMain
    ? await simulatedTraffic(options.workDir, options.scale, options.seed)
    : undefined;
  // Before any step runs: a prefix larger than the traffic would fail the memory step at the end.
  const largestPrefixMb = Math.max(0, ...options.memoryMb, ...options.replayMemoryMb);
  if (options.steps.includes('memory') && traffic && largestPrefixMb * 1e6 > traffic.bytes) {
    throw new Error(
      `--memory-mb/--replay-memory-mb: ${largestPrefixMb} MB asked, but the traffic at --scale ` +
        `${options.scale} (seed ${options.seed}) is ${mb(traffic.bytes)}; rerun with --scale ` +
        `${scaleFor(largestPrefixMb * 1e6, traffic, options.scale)} or more (the file grows with the scale)`,
    );
  }

  if (options.steps.includes('throughput') && traffic) {
    log(`scorer throughput on ${options.throughputEvents} events of ${traffic.file}`);
    throughput = await measureScorerThroughput(traffic.file, options.throughputEvents);
    results.throughput = throughput;
    for (const seconds of options.batchingWindows) {
      log(`scorer throughput with a ${seconds} s batching window`);
      throughputWindowed.push(
        await measureScorerThroughput(traffic.file, options.throughputEvents, {
          batchingWindowSeconds: seconds,
        }),
      );
    }
    results.throughputWindows = throughputWindowed;
  }
  if (options.steps.includes('dynamodb') && traffic) {
    log(`DynamoDB reads and writes per event on ${traffic.file}`);
    accounting = await measureDynamoDbAccounting(traffic.file);
    results.dynamodb = accounting;
    for (const seconds of options.batchingWindows) {
      log(`DynamoDB reads and writes per event with a ${seconds} s batching window`);
      windowed.push(await measureDynamoDbAccounting(traffic.file, { batchingWindowSeconds: seconds }));
    }
    results.dynamodbWindows = windowed;
  }
  if (options.steps.includes('e2e')) {
    const small = await simulatedTraffic(options.workDir, options.e2eScale, options.seed);
    log(`end-to-end replay on local services of ${small.file}`);
    e2e = await measureEndToEnd(small.file, await readTruth(small.truthFile));
    results.endToEnd = e2e;
  }
  if (options.steps.includes('memory') && traffic) {
    // The stream half runs as TypeScript in a child process, through tsx's loader (as `npm run bench`).
    const tsx = ['--import', 'tsx'];
    const root = join(__dirname, '..');
    for (const size of options.memoryMb) {
      const prefix = await prefixFile(traffic.file, size * 1e6, options.workDir);
      log(`peak memory of replay's stream half on ${mb(prefix.bytes)}`);
      const script = join(__dirname, 'stream-replay.ts');
      const result = await runMeasuringMemory(process.execPath, [...tsx, script, prefix.file], { cwd: root });
      if (result.exitCode !== 0) throw new Error(`stream replay of ${prefix.file} failed:\n${result.stderr}`);
      const events = Number(/stream\s+(\d+)/.exec(result.stdout)?.[1] ?? 0);
      memory.push({ what: 'stream half', bytes: prefix.bytes, events, result });
    }
    for (const size of options.replayMemoryMb) {
      const prefix = await prefixFile(traffic.file, size * 1e6, options.workDir);
      log(`peak memory of \`cauterize replay\` on ${mb(prefix.bytes)}`);
      const out = join(options.workDir, `replay-${size}MB`);
      const { result, summary } = await measuredReplay(prefix.file, out, ['--stream-store', 'disk']);
      // dynalite keeps its tables in memory: they grow with the accounts seen (and their links).
      const { eventsRead: events, accounts } = summary;
      memory.push({ what: 'whole replay', bytes: prefix.bytes, events, accounts, result });
    }
    results.memory = memory.map((m) => ({
      ...m,
      result: { ...m.result, stdout: undefined, stderr: undefined },
    }));
  }

  let fullReplay: { seconds: number; peakRssBytes: number; summary: ReplaySummary } | undefined;
  if (options.steps.includes('replay') && traffic) {
    log(`the whole of ${traffic.file} through \`cauterize replay\` on the local services`);
    const { result, summary } = await measuredReplay(traffic.file, join(options.workDir, 'replay-full'));
    fullReplay = { seconds: result.seconds, peakRssBytes: result.peakRssBytes, summary };
    results.fullReplay = fullReplay;
  }

  const rows: Array<[string, string, string]> = [];
  if (throughput) {
    rows.push([
      'baseline: base64 + JSON.parse, 1 core',
      rate(throughput.baselineEventsPerSecond),
      `${throughput.events} events`,
    ]);
    rows.push([
      'baseline + contract validation',
      rate(throughput.validateEventsPerSecond),
      'field check, zod for what it defers',
    ]);
    rows.push([
      'scorer core, 1 core',
      rate(throughput.coreEventsPerSecond),
      `${fixed(throughput.coreMsPerEvent, 4)} ms/event; ${codecShare(throughput)}`,
    ]);
    rows.push(['core / baseline', fixed(throughput.ratio), 'replay batching (spans of hours)']);
  }
  for (const t of throughputWindowed) {
    rows.push([
      `scorer core, batches spanning ${t.batchingWindowSeconds} s`,
      rate(t.coreEventsPerSecond),
      `${fixed(t.coreMsPerEvent, 4)} ms/event, ${t.batches} batches; core / baseline ${fixed(t.ratio)}; ` +
        codecShare(t),
    ]);
    if (t.batchingWindowSeconds === 300) {
      rows.push([
        '  core / baseline at the optimised span (300 s)',
        fixed(t.ratio),
        'target >= 0.1, same run',
      ]);
    }
  }
  if (accounting) {
    rows.push(['DynamoDB writes per event (items)', fixed(accounting.writesPerEvent, 4), 'target <= 0.05']);
    rows.push([
      '  account states',
      fixed(accounting.accountWrites / accounting.events, 4),
      `${accounting.accountWrites} (${fixed(accounting.writesPerAccount, 1)} per account)`,
    ]);
    rows.push([
      '  link edges',
      fixed(accounting.linkWrites / accounting.events, 4),
      Object.entries(accounting.linkWritesByKind)
        .map(([k, n]) => `${k} ${n}`)
        .join(', '),
    ]);
    rows.push([
      '  workflow (suspend, case, audit)',
      fixed(accounting.workflowWrites / accounting.events, 4),
      `${accounting.enforcements} enforcements`,
    ]);
    rows.push([
      'DynamoDB write units per event',
      fixed(accounting.writeUnitsPerEvent, 4),
      `account item mean ${Math.round(accounting.accountItemBytes.mean)} B, p95 ${accounting.accountItemBytes.p95} B, ` +
        `${fixed(accounting.accountWriteUnits / Math.max(1, accounting.accountWrites), 2)} units per state write`,
    ]);
    rows.push([
      'DynamoDB reads per event (items)',
      fixed(accounting.readsPerEvent, 4),
      `${accounting.accountReads} account loads, ${accounting.linkItemsRead} link items`,
    ]);
    rows.push([
      'DynamoDB read units per event',
      fixed(accounting.readUnitsPerEvent, 4),
      `${accounting.linkQueries} link queries`,
    ]);
    rows.push([
      '  with low-risk accounts checkpointed daily',
      fixed(accounting.design.writesPerEvent, 4),
      `low-risk: ${accounting.design.lowRiskAccountWrites} account writes -> ${accounting.design.lowRiskAccountDays} account-days; ${accounting.design.lowRiskLinkWrites} link writes deferred`,
    ]);
    rows.push([
      '  with all low-risk state in an aggregator',
      fixed(accounting.aggregator.writesPerEvent, 4),
      `${accounting.aggregator.riskyAccounts} accounts ever outside the low-risk set: ` +
        `${accounting.aggregator.accountWrites} writes (band change or hour; every 6 h ` +
        `${accounting.aggregator.accountWritesEvery['6h']}, 24 h ${accounting.aggregator.accountWritesEvery['24h']}), ` +
        `${accounting.aggregator.linkWrites} link edges`,
    ]);
    rows.push([
      `  account-state writes if batches span ${Object.keys(accounting.accountWindowsPerEvent).join(' / ')}`,
      Object.values(accounting.accountWindowsPerEvent)
        .map((n) => fixed(n, 3))
        .join(' / '),
      "distinct (account, window) per event: the stack's batches span 60 s at scale",
    ]);
    rows.push([
      'in-memory engine run',
      `${fixed(accounting.seconds, 1)} s`,
      `${accounting.events} events, ${accounting.accounts} accounts`,
    ]);
  }
  if (e2e) {
    rows.push([
      'end-to-end replay, local services',
      rate(e2e.eventsPerSecond),
      `${e2e.events} events in ${fixed(e2e.seconds, 1)} s`,
    ]);
    rows.push([
      '  DynamoDB writes / reads per event (SDK)',
      `${fixed(e2e.dynamodb.writesPerEvent, 4)} / ${fixed(e2e.dynamodb.readsPerEvent, 4)}`,
      `${e2e.suspended} suspended`,
    ]);
    rows.push([
      '  Step Functions state transitions',
      String(e2e.stepFunctions.stateTransitions),
      `${e2e.stepFunctions.executions} executions, ${fixed(e2e.stepFunctions.transitionsPerExecution, 1)} each`,
    ]);
    for (const c of e2e.campaigns) {
      const first = c.firstEventToSuspensionSeconds;
      const crossing = c.crossingToSuspensionSeconds;
      rows.push([
        `  ${c.strategy}: first event -> suspension`,
        first === null ? 'not suspended' : `${fixed(first, 1)} s`,
        crossing === null ? '' : `crossing event -> suspension ${fixed(crossing, 2)} s`,
      ]);
    }
  }
  for (const w of windowed) {
    rows.push([
      `DynamoDB writes per event, batches spanning ${w.batchingWindowSeconds} s${profileAt(w.batchingWindowSeconds)}`,
      fixed(w.writesPerEvent, 4),
      `states ${fixed(w.accountWrites / w.events, 4)}, links ${fixed(w.linkWrites / w.events, 4)}; ` +
        `${fixed(w.writeUnitsPerEvent, 3)} write units, ${fixed(w.readUnitsPerEvent, 3)} read units per event; ` +
        `${w.batches} batches, ${w.enforcements} enforcements; with all low-risk state in an aggregator ` +
        `${fixed(w.aggregator.writesPerEvent, 4)}`,
    ]);
  }
  if (accounting) {
    // Dollars per million events from this run's figures (prices and sources: bench/cost-model.ts),
    // for each profile at each rate, each priced from the run whose batches span what that
    // deployment's batches span.
    const workflows = e2e ? workflowMeasures(e2e) : MEASURED_WORKFLOWS;
    const cpuAt = (seconds: number | undefined) =>
      (seconds === undefined
        ? throughput?.coreMsPerEvent
        : throughputWindowed.find((t) => t.batchingWindowSeconds === seconds)?.coreMsPerEvent) ??
      throughput?.coreMsPerEvent ??
      (accounting.seconds * 1000) / accounting.events;
    // Three decimals, or four for a line under a tenth of a cent (Express workflows: $0.0003).
    const dollars = (n: number) => `$${n.toFixed(n > 0 && n < 0.001 ? 4 : 3)}`;
    const costs: CostBreakdown[] = [];
    const missing = new Set<number>();
    for (const [profile, variants] of PRICED_PROFILES) {
      for (const eventsPerSecond of options.rates) {
        for (const reserved of variants) {
          const deployment = deploymentFor(profile, eventsPerSecond, reserved);
          const span = Math.round(batchSpanSeconds(deployment.batching));
          const measured = windowed.find((w) => w.batchingWindowSeconds === span);
          if (!measured) {
            missing.add(span);
            continue;
          }
          costs.push(costPerMillionEvents(measured, deployment, workflows, cpuAt(span)));
        }
      }
    }
    results.cost = { workflows, costs };
    for (const c of costs) {
      rows.push([
        `$/M events, ${c.profile} at ${c.eventsPerSecond.toLocaleString('en-US')}/s, tables ${c.tables}`,
        dollars(c.total),
        `span ${fixed(c.spanSeconds, 0)} s (${c.shards} shards); writes ${dollars(c.dynamoDbWrites)} ` +
          `(${fixed(c.writeUnitsPerEvent, 3)} units/event), reads ${dollars(c.dynamoDbReads)}, Kinesis ` +
          `${dollars(c.kinesis)}, Step Functions ${dollars(c.stepFunctions)} (accounts ${c.accountWorkflow}, clusters ` +
          `${c.clusterWorkflow}), Lambda ` +
          `${dollars(c.lambda)}, EventBridge ${dollars(c.eventBridge)}, KMS ${dollars(c.kms)}, logs ` +
          `${dollars(c.logs)}; crossing -> suspension <= ${fixed(c.crossingToSuspensionSeconds, 0)} s`,
      ]);
    }
    if (missing.size > 0) {
      rows.push([
        '  not priced',
        [...missing].join(', '),
        `no dynamodb run with batches spanning these seconds: add them to --batching-windows`,
      ]);
    }
    const { accountRun, clusterRun, clusterMember } = workflows;
    rows.push([
      '  workflow runs priced with',
      `${fixed(accountRun.transitions, 1)} transitions`,
      `per account run (${fixed(accountRun.taskStates, 1)} tasks, ${Math.round(accountRun.dataBytes)} B of state ` +
        `data); cluster run ${fixed(clusterRun.transitions, 1)} + ${fixed(clusterMember.transitions, 1)} per member ` +
        `inline; ${e2e ? "measured by this run's e2e step" : 'the e2e figures of docs/performance.md (add --steps e2e to measure)'}`,
    ]);
    rows.push([
      '  against AWS WAF Bot Control (common)',
      dollars(PRICES.wafBotControlPerRequest * 1e6),
      'per request, with the WAF request fee',
    ]);
  }
  for (const m of memory) {
    const [largest] = Object.entries(m.result.peakByProcess).sort(([, a], [, b]) => b - a);
    const accounts = m.accounts === undefined ? '' : `, ${m.accounts} accounts`;
    rows.push([
      `${m.what}: peak RSS, ${mb(m.bytes)} file`,
      mb(m.result.peakRssBytes),
      `${m.events} events${accounts}, ${fixed(m.result.seconds, 0)} s, largest process ` +
        `${mb(m.result.peakSingleRssBytes)}${largest ? ` (${largest[0].replace(/^\d+ /, '')})` : ''}`,
    ]);
    rows.push([
      '  without mapped files (RssAnon)',
      mb(m.result.peakAnonRssBytes),
      `largest process ${mb(m.result.peakSingleAnonRssBytes)}`,
    ]);
  }
  if (fullReplay) {
    const { seconds, summary } = fullReplay;
    rows.push([
      'full local replay (`cauterize replay`), wall clock',
      `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`,
      `${summary.eventsRead} events, ${summary.accounts} accounts, ${summary.suspended} suspended; ` +
        (options.scale === 1
          ? `bar ${FULL_REPLAY_BAR_SECONDS / 60} min: ${seconds <= FULL_REPLAY_BAR_SECONDS ? 'met' : 'NOT met'}; `
          : `the ${FULL_REPLAY_BAR_SECONDS / 60} min bar is for --scale 1; `) +
        `peak RSS of the process tree ${mb(fullReplay.peakRssBytes)}`,
    ]);
  }
  if (options.steps.includes('console')) {
    log('console: a 400-member cluster case drawn in headless Chromium (layout + first render)');
    const graph = await measureConsoleGraph(400);
    results.consoleGraph = graph;
    process.stdout.write(`${formatConsoleGraph(graph)}\n`);
  }
  const resultsFile = join(options.workDir, 'results.json');
  await writeTextAtomic(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`${table(['figure', 'value', 'notes'], rows)}\n\nwrote ${resultsFile}\n`);
}

main(process.argv).catch((error: unknown) => {
  process.stderr.write(`bench: ${(error as Error).message}\n`);
  process.exitCode = 1;
});
