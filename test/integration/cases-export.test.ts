import { createReadStream, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { exportCases } from '../../cli/commands/cases';
import type { DynamoDbCaseStore } from '../../lambdas/adapters/dynamodb-case-store';
import { CaseService, newCase } from '../../lambdas/core/cases/case-service';
import { systemClock } from '../../lambdas/core/ports';
import type { LocalServices } from '../../local/emulators/local-services';
import { tempDirPerSuite } from '../support/temp-dir';
import { startCasesTable } from '../support/cases';

const CASES = 100_000;
/** Live heap allowed over the baseline; the export file is larger, so holding it would fail. */
const MAX_HEAP_GROWTH_MB = 40;

/** A full garbage collection, so heap samples measure what is retained, not garbage not yet collected. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/**
 * An export of 100,000 cases through the real store against dynalite (in a child process, so its
 * memory is not this process's): it streams page by page, and the heap stays bounded.
 */
describe('Function: exportCases (100,000 cases)', () => {
  let services: LocalServices;
  let store: DynamoDbCaseStore;
  const dir = tempDirPerSuite('cauterize-export-');

  beforeAll(async () => {
    ({ services, store } = await startCasesTable({ isolated: true, maxSockets: 16 }));
    const start = Date.parse('2026-03-01T00:00:00Z');
    const cases = Array.from({ length: CASES }, (_, i) => {
      const openedAt = new Date(start + i * 1000).toISOString();
      return newCase({
        caseId: `case-${i.toString(16).padStart(24, '0')}-1`,
        kind: 'account',
        accountIds: [`acct_${i}`],
        action: 'suspend',
        openedAt,
        riskScore: 60 + (i % 40),
        policyVersion: 'bulk',
        triggeredAt: openedAt,
        evidence: {
          reasons: [{ signal: 'volume', value: i, threshold: 400, points: 9 }],
          sampleEventIds: [`e${i}`],
        },
        openedBy: 'cauterize-enforcement',
      });
    });
    // Case items only: the audit entries are not part of the export.
    await store.importCases(
      cases.map(({ record }) => ({ record })),
      12,
    );
  }, 300_000); // ~900 BatchWrite items/s on this shared 2-core machine, ~2x that when idle

  afterAll(async () => {
    await services?.stop();
  });

  it('streams every case to JSON Lines with bounded memory', async () => {
    const started = Date.now();
    // Prepare
    const out = join(dir(), 'cases.jsonl');
    const service = new CaseService({ store, clock: systemClock });
    collectGarbage();
    const baseline = process.memoryUsage().heapUsed;
    let peak = baseline;
    let samples = 0;
    const sampler = setInterval(() => {
      collectGarbage();
      peak = Math.max(peak, process.memoryUsage().heapUsed);
      samples++;
    }, 1000);

    // Act
    let count: number;
    try {
      count = await exportCases(service, {
        filter: { from: '2026-03-01T00:00:00Z', to: '2026-04-01T00:00:00Z', status: 'OPEN' },
        format: 'jsonl',
        out,
        pageSize: 1000,
      });
    } finally {
      clearInterval(sampler);
    }

    // Assess
    expect(count).toBe(CASES);
    const growthMb = (peak - baseline) / 1e6;
    const fileMb = statSync(out).size / 1e6;
    expect(growthMb).toBeLessThan(MAX_HEAP_GROWTH_MB);
    expect(fileMb).toBeGreaterThan(MAX_HEAP_GROWTH_MB);
    expect(samples).toBeGreaterThan(5);
    let lines = 0;
    let previous = '';
    for await (const line of createInterface({ input: createReadStream(out) })) {
      const record = JSON.parse(line) as { caseId: string; openedAt: string };
      expect(record.openedAt >= previous).toBe(true);
      previous = record.openedAt;
      lines++;
    }
    expect(lines).toBe(CASES);
    process.stdout.write(
      `export of ${count} cases: ${((Date.now() - started) / 1000).toFixed(1)} s, ${fileMb.toFixed(0)} MB, ` +
        `heap growth ${growthMb.toFixed(1)} MB\n`,
    );
  }, 180_000);
});
