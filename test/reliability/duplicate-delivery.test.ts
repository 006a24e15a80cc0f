import type { KinesisWriteRecord } from '../../local/kinesis/kinesis-writer';
import { generateTraffic } from '../../sim';
import {
  failedExecutions,
  ReliabilityPipeline,
  stopPipelinesLeftRunning,
} from '../support/reliability-pipeline';

/**
 * At-least-once delivery must have exactly-once effects: the same traffic delivered once, every
 * batch delivered twice, and batches retried after partial failures (some account writes failing
 * before or after they land) must leave the same accounts, links, cases and bus events.
 */
describe.each([
  { costProfile: 'default', workflowType: 'STANDARD' },
  { costProfile: 'optimised', workflowType: 'EXPRESS' },
] as const)(
  'Reliability: duplicate and replayed deliveries ($workflowType account workflow)',
  ({ costProfile, workflowType }) => {
    stopPipelinesLeftRunning();
    const since = new Date();
    const simulation = generateTraffic({ preset: 'demo', seed: 11, scale: 0.5 });
    const labelled = [...simulation.events];
    const records: KinesisWriteRecord[] = labelled.map((e) => ({
      partitionKey: e.event.accountId,
      data: Buffer.from(JSON.stringify(e.event)),
    }));
    let reference: Record<string, unknown[]>;
    let referenceEvents: Record<string, string[]>;

    const busSummary = (pipeline: ReliabilityPipeline): Record<string, string[]> => {
      const out: Record<string, string[]> = {};
      for (const e of pipeline.pipeline.bus.events()) {
        const key = e['detail-type'];
        out[key] = [...(out[key] ?? []), String(e.detail.caseId ?? e.detail.accountId)].sort();
      }
      return out;
    };

    beforeAll(async () => {
      // Prepare: one delivery of every batch, no faults
      const once = await ReliabilityPipeline.start({ costProfile });
      try {
        await once.run(records);
        expect(once.pipeline.stateMachine.workflowType).toBe(workflowType);
        reference = await once.snapshot(since);
        referenceEvents = busSummary(once);
        expect(once.pipeline.poller.stats.partialBatchFailures).toBe(0);
        expect(once.lastHandlerError).toBeUndefined();
      } finally {
        await once.stop();
      }
    });

    it('the reference run suspends the campaign and scores every event', () => {
      expect(reference.AccountsTable!.length).toBe(new Set(labelled.map((e) => e.accountId)).size);
      expect((referenceEvents.AccountSuspended ?? []).length).toBeGreaterThan(0);
      expect(reference.CasesTable!.length).toBeGreaterThan(0);
    });

    it('every batch delivered twice leaves exactly the state of one delivery', async () => {
      // Prepare
      const twice = await ReliabilityPipeline.start({ costProfile, deliveriesPerBatch: 2 });
      try {
        // Act
        await twice.run(records);

        // Assess
        expect(twice.invocations).toBe(2 * twice.pipeline.poller.stats.batches);
        expect(twice.pipeline.scoring.duplicates).toBe(records.length);
        expect(await twice.snapshot(since)).toEqual(reference);
        expect(busSummary(twice)).toEqual(referenceEvents);
      } finally {
        await twice.stop();
      }
    });

    it('every account workflow started twice (a batch redelivered between start and save) acts once', async () => {
      // Prepare
      const restarted = await ReliabilityPipeline.start({ costProfile, startsPerEnforcement: 2 });
      try {
        // Act
        await restarted.run(records);

        // Assess: STANDARD refuses the second start by its name; EXPRESS runs it, and its
        // conditional writes make it end without writing or publishing anything.
        const accountRuns = restarted.pipeline.stateMachine.executions();
        const names = new Set(accountRuns.map((e) => e.name));
        expect(names.size).toBeGreaterThan(0);
        expect(accountRuns).toHaveLength(workflowType === 'EXPRESS' ? 2 * names.size : names.size);
        expect(failedExecutions(restarted.executions())).toEqual([]);
        expect(await restarted.snapshot(since)).toEqual(reference);
        expect(busSummary(restarted)).toEqual(referenceEvents);
      } finally {
        await restarted.stop();
      }
    });

    it('batches retried after partial failures (writes lost before and after they land) leave the same state', async () => {
      // Prepare: a fifth of the account writes fail (a bounded number), half of them after the write took
      // effect (a lost response); the SDK does not retry, so they come back as batchItemFailures.
      const flaky = await ReliabilityPipeline.start({
        costProfile,
        dynamodbMaxAttempts: 1,
        rules: [
          { fault: 'server-error', operations: ['UpdateItem'], probability: 0.1, maxInjections: 15 },
          { fault: 'server-error-after', operations: ['UpdateItem'], probability: 0.1, maxInjections: 15 },
        ],
      });
      try {
        // Act
        await flaky.run(records);

        // Assess: faults happened and were retried by redelivery, not by luck
        const injected = flaky.proxy.stats().injectedPerRule;
        expect(injected[0]).toBeGreaterThan(0);
        expect(injected[1]).toBeGreaterThan(0);
        expect(flaky.pipeline.poller.stats.partialBatchFailures).toBeGreaterThan(0);
        expect(flaky.pipeline.poller.stats.recordsDiscarded).toBe(0);
        expect(failedExecutions(flaky.executions())).toEqual([]);
        expect(await flaky.snapshot(since)).toEqual(reference);
        expect(busSummary(flaky)).toEqual(referenceEvents);
      } finally {
        await flaky.stop();
      }
    });
  },
);
