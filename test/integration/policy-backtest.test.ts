import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { main } from '../../cli/main';
import { fastReplay } from '../../local/replay/fast-replay';
import type { BacktestReport } from '../../local/replay/policy-backtest';
import { replay } from '../../local/replay/replay';
import { writeSimulation } from '../../sim';
import { POLICY_FILE, portablePolicyText } from '../support/policy';
import { tempDirPerSuite } from '../support/temp-dir';
import { loadPolicyFile } from '../../lib/policy-file';
import type { AccountSummary } from '../../local/summaries';

const readJsonl = async <T>(file: string): Promise<T[]> =>
  (await readFile(file, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as T);

interface Truth {
  readonly accounts: ReadonlyArray<{ accountId: string; cohort: string; attack: boolean }>;
}

/** What a decision is: status, score and reasons per account (not clusterId or suspendedAt, see fast-replay.test.ts). */
const decisions = (accounts: readonly AccountSummary[]) =>
  accounts
    .map((a) => ({
      accountId: a.accountId,
      status: a.status,
      riskScore: a.riskScore,
      reasons: a.reasons,
      totalRequests: a.totalRequests,
      policyVersion: a.policyVersion,
    }))
    .sort((x, y) => x.accountId.localeCompare(y.accountId));

/**
 * Backtests run on the in-memory engine. It may stand in for the pipeline only if it decides as
 * the full local pipeline does under any policy, not just the shipped one: here a policy with
 * other weights, windows and an allowlist runs through both.
 */
describe('Function: backtestPolicy', () => {
  const dir = tempDirPerSuite('cauterize-backtest-');
  let events: string;
  let truthFile: string;
  let candidateFile: string;
  let allowlisted: string;
  let fastAccounts: AccountSummary[];
  let fullAccounts: AccountSummary[];
  let defaultAccounts: AccountSummary[];

  beforeAll(async () => {
    // Prepare: a policy unlike the shipped one, written as a security team would.
    events = join(dir(), 'events.jsonl');
    truthFile = join(dir(), 'truth.json');
    await writeSimulation(events, truthFile, { preset: 'demo', seed: 5 });
    const truth = JSON.parse(await readFile(truthFile, 'utf8')) as Truth;
    allowlisted = truth.accounts.find((a) => a.attack)?.accountId ?? '';
    const policy = parseYaml(portablePolicyText()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    policy.version = 'backtest-candidate';
    policy.windows.minRequests = 10;
    policy.signals.topicCoverage.weight = 30;
    policy.signals.volume.weight = 4;
    policy.signals.noDiurnalRest.low = 0.5;
    policy.reasonFloor = 0.1;
    policy.allowlist = { accounts: [allowlisted], orgs: [] };
    candidateFile = join(dir(), 'candidate.yaml');
    await writeFile(candidateFile, stringifyYaml(policy));
    loadPolicyFile(candidateFile);

    // Act
    await fastReplay({ file: events, outDir: join(dir(), 'memory'), policyFile: candidateFile });
    await replay({ file: events, outDir: join(dir(), 'local'), policyFile: candidateFile });
    await fastReplay({ file: events, outDir: join(dir(), 'default') });
    fastAccounts = await readJsonl<AccountSummary>(join(dir(), 'memory', 'accounts.jsonl'));
    fullAccounts = await readJsonl<AccountSummary>(join(dir(), 'local', 'accounts.jsonl'));
    defaultAccounts = await readJsonl<AccountSummary>(join(dir(), 'default', 'accounts.jsonl'));
  }, 300_000);

  it('makes the same decisions as the full local pipeline under a non-default policy', () => {
    // Assess
    expect(fastAccounts.length).toBeGreaterThan(100);
    expect(decisions(fastAccounts)).toEqual(decisions(fullAccounts));
    expect(fastAccounts.every((a) => a.policyVersion === 'backtest-candidate')).toBe(true);
  });

  it('decides differently from the shipped policy, so the policy really was applied', () => {
    // Assess
    const byId = new Map(defaultAccounts.map((a) => [a.accountId, a]));
    const scoreChanged = fastAccounts.filter((a) => a.riskScore !== byId.get(a.accountId)?.riskScore);
    expect(scoreChanged.length).toBeGreaterThan(fastAccounts.length / 4);
    expect(byId.get(allowlisted)?.status).toBe('SUSPENDED');
    expect(fastAccounts.find((a) => a.accountId === allowlisted)?.status).not.toBe('SUSPENDED');
  });

  describe('CLI: policy backtest', () => {
    let out: string[];

    beforeEach(() => {
      out = [];
      jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => out.push(String(chunk)) > 0);
      jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    });

    afterEach(() => {
      jest.restoreAllMocks();
    });

    it('lists the accounts whose decision changes and counts them per cohort', async () => {
      // Prepare
      const json = join(dir(), 'backtest.json');

      // Act
      const code = await main([
        'node',
        'cauterize',
        'policy',
        'backtest',
        '--events',
        events,
        '--policy',
        candidateFile,
        '--truth',
        truthFile,
        '--json',
        json,
      ]);

      // Assess
      expect(code).toBe(0);
      const report = JSON.parse(await readFile(json, 'utf8')) as BacktestReport;
      expect(report.baseline.policyVersion).toBe(loadPolicyFile(POLICY_FILE).version);
      expect(report.candidate.policyVersion).toBe('backtest-candidate');
      // The changes are exactly the accounts whose status differs between the two runs.
      const before = new Map(defaultAccounts.map((a) => [a.accountId, a.status]));
      const expected = fastAccounts
        .filter((a) => before.get(a.accountId) !== a.status)
        .map((a) => a.accountId);
      expect(report.changes.map((c) => c.accountId).sort()).toEqual(expected.sort());
      expect(report.changes).toContainEqual(
        expect.objectContaining({
          accountId: allowlisted,
          attack: true,
          baseline: expect.objectContaining({ status: 'SUSPENDED' }),
        }),
      );
      const attackCohort = report.cohorts?.find((c) => c.attack);
      expect(attackCohort?.noLongerSuspended).toBeGreaterThanOrEqual(1);
      const total = (report.cohorts ?? []).reduce((sum, c) => sum + c.accounts, 0);
      expect(total).toBe(fastAccounts.length);
      const text = out.join('');
      expect(text).toMatch(/baseline\s+\S*config\/policy\.yaml/);
      expect(text).toContain(`accounts change decision`);
      expect(text).toMatch(new RegExp(`${allowlisted}\\s+\\S+\\s+SUSPENDED \\(\\d+\\)`));
      expect(text).toMatch(/cohort\s+attack\s+accounts/);
    });
  });
});
