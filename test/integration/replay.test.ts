import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { replay, type ReplaySummary } from '../../local/replay/replay';
import { writeSimulation, type GroundTruth } from '../../sim';
import { tempDirPerSuite } from '../support/temp-dir';

const readJsonl = async (file: string) =>
  (await readFile(file, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('Function: replay', () => {
  const dir = tempDirPerSuite('cauterize-replay-');
  let summary: ReplaySummary;
  let truth: GroundTruth;
  let events: number;
  let activeAccounts: Set<string>;

  beforeAll(async () => {
    // Prepare
    const sim = await writeSimulation(join(dir(), 'events.jsonl'), join(dir(), 'truth.json'), {
      preset: 'demo',
      seed: 3,
    });
    events = sim.events;
    truth = JSON.parse(await readFile(join(dir(), 'truth.json'), 'utf8')) as GroundTruth;
    // Some simulated accounts sign up but send nothing in the window.
    activeAccounts = new Set((await readJsonl(join(dir(), 'events.jsonl'))).map((e) => String(e.accountId)));

    // Act
    summary = await replay({ file: join(dir(), 'events.jsonl'), outDir: join(dir(), 'out') });
  });

  it('writes one accounts.jsonl line per account with the documented fields', async () => {
    const accounts = await readJsonl(join(dir(), 'out', 'accounts.jsonl'));
    expect(new Set(accounts.map((a) => String(a.accountId)))).toEqual(activeAccounts);
    expect(accounts).toHaveLength(activeAccounts.size);
    for (const a of accounts) {
      expect(Object.keys(a)).toEqual(
        expect.arrayContaining(['accountId', 'status', 'riskScore', 'suspendedAt', 'clusterId', 'reasons']),
      );
      expect(['ACTIVE', 'REVIEW', 'SUSPENDED']).toContain(a.status);
      expect(a.suspendedAt === null).toBe(a.status !== 'SUSPENDED');
    }
    const attackers = new Set(truth.accounts.filter((a) => a.attack).map((a) => a.accountId));
    const suspended = accounts.filter((a) => a.status === 'SUSPENDED').map((a) => String(a.accountId));
    expect(new Set(suspended)).toEqual(attackers);
  });

  it('stamps suspensions with the event time of the crossing, inside the simulated window', async () => {
    const accounts = await readJsonl(join(dir(), 'out', 'accounts.jsonl'));
    for (const a of accounts.filter((x) => x.status === 'SUSPENDED')) {
      expect(String(a.suspendedAt) >= truth.start && String(a.suspendedAt) < truth.end).toBe(true);
    }
  });

  it('writes cases.jsonl and a summary.json that agree with each other', async () => {
    const cases = await readJsonl(join(dir(), 'out', 'cases.jsonl'));
    const written = JSON.parse(await readFile(join(dir(), 'out', 'summary.json'), 'utf8')) as ReplaySummary;
    expect(written).toEqual(summary);
    expect(summary.eventsRead).toBe(events);
    expect(summary.rejected).toBe(0);
    expect(summary.accounts).toBe(activeAccounts.size);
    expect(summary.cases).toBe(cases.length);
    // Graduated enforcement: a case per crossing into a stronger action (a cluster case covering
    // many members), one suspension per account.
    const coveredBySuspendingCases = new Set(
      cases.filter((c) => c.action === 'suspend').flatMap((c) => (c.accountIds as string[]) ?? []),
    );
    expect(summary.suspended).toBeGreaterThan(0);
    expect(summary.suspended).toBeLessThanOrEqual(coveredBySuspendingCases.size);
    expect(summary.eventsPerSecond).toBeGreaterThan(0);
    expect(summary.busEvents.CaseOpened).toBe(cases.length);
    expect(summary.busEvents.AccountSuspended).toBe(summary.suspended);
    const actions = new Map<string, number>();
    for (const c of cases) actions.set(String(c.action), (actions.get(String(c.action)) ?? 0) + 1);
    expect(summary.busEvents.AccountThrottled ?? 0).toBe(actions.get('throttle') ?? 0);
    expect(summary.busEvents.VerificationRequired ?? 0).toBe(actions.get('verify') ?? 0);
  });
});
