import { mkdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { openLocalCases } from '../../cli/commands/cases';
import { startConsole, type RunningConsole } from '../../cli/commands/console';
import { buildConsole } from '../../console/build';
import { CONTENT_SECURITY_POLICY } from '../../console/server/console-server';
import {
  CSRF_HEADER,
  type AccountView,
  type CaseDetailResponse,
  type ClusterEvidence,
} from '../../console/shared/api';
import { tempDirPerSuite } from '../support/temp-dir';
import { launchChromium, type HeadlessBrowser } from '../support/console-browser';
import {
  LARGE_CLUSTER_CASE_ID,
  largeClusterEvidence,
  writeLargeClusterStore,
} from '../support/large-cluster';
import { buildReplayStore, HOSTILE_USER_AGENT, type ReplayStore } from '../support/replay-store';

/** Screenshots of each page, kept as test artifacts (gitignored). */
const ARTIFACTS = join(__dirname, '..', '..', 'artifacts', 'console');

interface CaseLine {
  caseId: string;
  kind: string;
  action: string | null;
  accountIds: string[];
  evidence: {
    cluster?: ClusterEvidence;
    reasons?: unknown[];
    sampleEventIds?: string[];
    scoreHistory?: { hourlyRequests: unknown[] };
  };
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  // The bundle under test is built from the sources now, as npm ci's prepare step builds it.
  await buildConsole();
});

describe('The investigator console, in headless Chromium, over a replay of simulated traffic', () => {
  const dir = tempDirPerSuite('cauterize-console-');
  let store: ReplayStore;
  let browser: HeadlessBrowser;
  let page: Page;
  let running: RunningConsole | undefined;
  let clusterCase: CaseLine;
  let accountCase: CaseLine;
  /** A member of the ring: like every attacker, its events carry the hostile user agent. */
  const member = () => clusterCase.accountIds[0]!;
  const cspViolations: string[] = [];
  const pageErrors: string[] = [];

  const open = async (role: 'investigator' | 'compliance') => {
    await running?.close();
    running = await startConsole({ local: store.dir, role, actor: `test-${role}`, truth: store.truthFile });
  };

  beforeAll(async () => {
    browser = await launchChromium();
    // A two-day slice of the evaluation mix: ordinary users, a naive single-account extractor
    // (account cases) and a card-sharing ring (a cluster case).
    store = await buildReplayStore(join(dir(), 'replay'), {
      preset: 'default',
      seed: 1,
      scale: 0.1,
      days: 2,
      cohorts: ['casual-chat', 'extraction-naive-single', 'extraction-card-sharing'],
    });
    const cases = readFileSync(join(store.dir, 'cases.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as CaseLine);
    clusterCase = cases.find((c) => c.kind === 'cluster')!;
    accountCase = cases.find((c) => c.kind === 'account' && c.action === 'suspend')!;
    expect(clusterCase).toBeDefined();
    expect(accountCase).toBeDefined();
    page = await browser.context.newPage();
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) cspViolations.push(message.text());
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));
  }, 180_000);

  afterAll(async () => {
    await running?.close();
    await browser?.close();
  });

  afterEach(() => {
    expect(cspViolations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('refuses a decision from the compliance role, in the page and at the server', async () => {
    await open('compliance');
    await page.goto(`${running!.url}#/cases/${clusterCase.caseId}`);
    await page.locator('#role').filter({ hasText: 'compliance' }).waitFor();
    await page.fill('#decision-note', 'compliance tries to clear it');
    await page.click('#false-positive');
    await page.locator('#decision-error').waitFor();
    expect(await page.textContent('#decision-error')).toMatch(
      /^Refused: .*only the investigator role changes cases/,
    );
    await page.screenshot({ path: join(ARTIFACTS, 'compliance-refused.png') });
    const detail = await page.evaluate(
      async (id) => (await fetch(`/api/cases/${id}`)).json(),
      clusterCase.caseId,
    );
    expect((detail as CaseDetailResponse).case.status).toBe('OPEN');
  });

  it('lists the queue with counts per status, and filters it to cluster cases', async () => {
    await open('investigator');
    await page.goto(running!.url);
    await page.locator('#counts .count').first().waitFor();
    expect(await page.textContent('#counts')).toContain('OPEN');
    await page.selectOption('#filter-kind', 'cluster');
    await page.selectOption('#filter-action', 'suspend');
    await page.click('#apply-filters');
    // The queue as rendered for these filters (not the page before them).
    await page.locator('#queue[data-query="action=suspend&kind=cluster"] tbody tr').first().waitFor();
    const kinds = await page.$$eval('#queue tbody tr', (rows) =>
      rows.map((r) => (r as unknown as { dataset: Record<string, string> }).dataset.kind),
    );
    expect(kinds.length).toBeGreaterThan(0);
    expect(new Set(kinds)).toEqual(new Set(['cluster']));
    await page.screenshot({ path: join(ARTIFACTS, 'queue.png'), fullPage: true });
  });

  it('draws the cluster graph with exactly the nodes and edges the case evidence holds', async () => {
    await page.click(`#queue a.case-link:text-is("${clusterCase.caseId}")`);
    await page.locator('#graph[data-ready="true"]').waitFor();
    const evidence = clusterCase.evidence.cluster!;
    const drawn = await page.$eval('#graph', (g) => ({
      ...(g as unknown as { dataset: Record<string, string> }).dataset,
    }));
    expect(Number(drawn.members)).toBe(evidence.members.length);
    expect(Number(drawn.links)).toBe(evidence.links.length);
    expect(Number(drawn.edges)).toBe(evidence.members.reduce((n, m) => n + m.links.length, 0));
    expect(Number(drawn.edges)).toBeGreaterThan(0);
    expect(await page.textContent('#verify')).toContain('Audit chain verified: OK');
    expect(await page.$$eval('#cluster-reasons tbody tr', (r) => r.length)).toBe(evidence.reasons.length);
  });

  it('shows a member’s reasons on a click, and a hostile user agent as text', async () => {
    const at = await page.evaluate(
      (id) =>
        (
          globalThis as unknown as { cauterizeGraph: { positionOf(id: string): { x: number; y: number } } }
        ).cauterizeGraph.positionOf(id),
      member(),
    );
    await page.mouse.click(at.x, at.y);
    expect(store.hostileAccountIds.has(member())).toBe(true);
    await page.locator('#selected-account').filter({ hasText: member() }).waitFor();
    expect(await page.$$eval('#member-reasons tbody tr', (r) => r.length)).toBeGreaterThan(0);
    await page.locator('#selection #events-table').waitFor();
    const agents = await page.$$eval('#selection #events-table tbody tr td:nth-child(7)', (cells) =>
      cells.map((c) => c.textContent),
    );
    expect(agents.length).toBeGreaterThan(0);
    expect(agents.every((a) => a === HOSTILE_USER_AGENT)).toBe(true);
    expect(await page.$$('#main script, #main img, #main b')).toHaveLength(0);
    expect(
      await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned),
    ).toBeUndefined();
    await page.screenshot({ path: join(ARTIFACTS, 'cluster-case.png'), fullPage: true });
    // The README's picture: the case header, the decision and the graph with a member selected.
    await page.screenshot({
      path: join(ARTIFACTS, 'console.png'),
      clip: { x: 0, y: 0, width: 1440, height: 1000 },
    });
    await page.locator('.graph-wrap').screenshot({ path: join(ARTIFACTS, 'cluster-graph.png') });
    // Search selects a member by (part of) its id.
    const other = clusterCase.accountIds.at(-1)!;
    await page.fill('#graph-search', other.slice(-7));
    await page.press('#graph-search', 'Enter');
    await page.locator('#selected-account').filter({ hasText: other }).waitFor();
  });

  it('marks the case a false positive and shows the members reinstated', async () => {
    await page.fill('#decision-note', 'a university lab: confirmed with the customer');
    await page.click('#false-positive');
    await page.locator('#member-status').filter({ hasText: 'reinstated' }).waitFor({ timeout: 30_000 });
    const n = clusterCase.accountIds.length;
    expect(await page.textContent('#member-status')).toContain(`${n} of ${n} reinstated`);
    expect(await page.textContent('#case-status')).toBe('FALSE_POSITIVE');
    await page.locator('#audit td:text-is("REINSTATED")').first().waitFor();
    expect(
      await page.$$eval(
        '#audit td:nth-child(4)',
        (c) => c.filter((x) => x.textContent === 'REINSTATED').length,
      ),
    ).toBe(n);
    expect(await page.textContent('#verify')).toContain('Audit chain verified: OK');
    const accounts = await page.evaluate(
      async (ids) =>
        (await (await fetch(`/api/accounts?ids=${ids.join(',')}`)).json()) as { accounts: AccountView[] },
      clusterCase.accountIds,
    );
    // Reinstated: no longer suspended (ACTIVE, shown as REVIEW while its score stays high).
    expect(accounts.accounts.map((a) => [a.status === 'SUSPENDED', a.reinstatement?.caseId])).toEqual(
      clusterCase.accountIds.map(() => [false, clusterCase.caseId]),
    );
    expect(await page.$$('#graph')).toHaveLength(1);
    await page.screenshot({ path: join(ARTIFACTS, 'false-positive-reinstated.png'), fullPage: true });
  });

  it('shows an account case: every frozen reason, the score history, the sample events as text', async () => {
    await page.goto(`${running!.url}#/cases/${accountCase.caseId}`);
    await page.locator('#case-reasons').waitFor();
    expect(await page.$$eval('#case-reasons tbody tr', (r) => r.length)).toBe(
      accountCase.evidence.reasons!.length,
    );
    expect(await page.$$('#score-chart')).toHaveLength(1);
    expect(await page.$$('#requests-chart')).toHaveLength(1);
    await page.locator('#sample-events #events-table').waitFor();
    const rows = await page.$$eval('#sample-events #events-table tbody tr', (r) =>
      r.map((row) => [...row.querySelectorAll('td')].map((td) => td.textContent)),
    );
    // Every sample event the evidence names, read back from the replayed file.
    expect(rows.map((cells) => cells[1]).sort()).toEqual([...accountCase.evidence.sampleEventIds!].sort());
    expect(rows.every((cells) => cells[6] === HOSTILE_USER_AGENT)).toBe(true);
    expect(await page.$$('#main script, #main img, #main b')).toHaveLength(0);
    expect(
      await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned),
    ).toBeUndefined();
    expect(await page.textContent('#published')).toContain('AccountSuspended');
    await page.screenshot({ path: join(ARTIFACTS, 'account-case.png'), fullPage: true });
  });

  it('shows the evaluation of the replay against its truth, per cohort and per campaign', async () => {
    await page.goto(`${running!.url}#/evaluation`);
    await page.locator('#evaluation-overall').waitFor();
    await page.locator('#campaign-chart').waitFor();
    expect(await page.$$eval('.cohorts tbody tr', (r) => r.length)).toBeGreaterThan(1);
    await page.screenshot({ path: join(ARTIFACTS, 'evaluation.png'), fullPage: true });
  });

  it('guards the server: CSP on every answer, CSRF token and Origin on decisions, its own Host only', async () => {
    const base = running!.url;
    const index = await fetch(base);
    expect(index.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    const decision = `${base}api/cases/${clusterCase.caseId}/decision`;
    const body = JSON.stringify({ decision: 'CONFIRMED', note: 'forged from another site' });
    const noToken = await fetch(decision, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(noToken.status).toBe(403);
    const { csrfToken } = (await (await fetch(`${base}api/session`)).json()) as { csrfToken: string };
    const foreign = await fetch(decision, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [CSRF_HEADER]: csrfToken,
        origin: 'http://evil.example',
      },
      body,
    });
    expect(foreign.status).toBe(403);
    // fetch never sends a Host of its own choosing; a DNS-rebinding page's request carries one.
    const rebound = await new Promise<number>((resolve, reject) => {
      const url = new URL(`${base}api/cases`);
      request(
        { host: url.hostname, port: url.port, path: url.pathname, headers: { host: 'evil.example' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      )
        .on('error', reject)
        .end();
    });
    expect(rebound).toBe(421);
  });

  it('left a store whose chain still verifies, and that `cases --local` resolves the same way', async () => {
    await running?.close();
    running = undefined;
    const connection = await openLocalCases(store.dir);
    try {
      const verification = await connection.service.verify(clusterCase.caseId);
      expect(verification.ok).toBe(true);
      // `cases resolve --local` goes the same way: a false positive runs the reinstatement workflow.
      await connection.service.changeStatus(
        accountCase.caseId,
        { status: 'FALSE_POSITIVE', reason: 'cleared from the CLI' },
        'cli-investigator',
      );
      const account = await connection.dynamodb.send(
        new GetItemCommand({
          TableName: 'AccountsTable',
          Key: { accountId: { S: accountCase.accountIds[0]! } },
        }),
      );
      expect(account.Item?.status?.S).toBe('ACTIVE');
      expect(account.Item?.reinstatedCaseId?.S).toBe(accountCase.caseId);
      expect((await connection.service.get(accountCase.caseId)).audit.map((e) => e.action)).toEqual([
        'OPENED',
        'STATUS_CHANGED',
        'REINSTATED',
      ]);
    } finally {
      await connection.close();
    }
    const reinstated = readFileSync(join(store.dir, 'bus-events.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l.includes('"AccountReinstated"') && l.includes(clusterCase.caseId));
    expect(reinstated).toHaveLength(clusterCase.accountIds.length);
    expect(
      connection
        .reinstatement?.()
        ?.stateMachine.executions()
        .map((e) => e.status),
    ).toEqual(['SUCCEEDED']);
  });
});

describe('The console’s cluster graph at campaign size', () => {
  const dir = tempDirPerSuite('cauterize-console-large-');
  let browser: HeadlessBrowser;
  let running: RunningConsole;

  beforeAll(async () => {
    await writeLargeClusterStore(join(dir(), 'store'), 400);
    running = await startConsole({ local: join(dir(), 'store'), role: 'investigator', actor: 'test' });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await running?.close();
    await browser?.close();
  });

  it('draws all 400 members and every edge, and finds a member by account id', async () => {
    const evidence = largeClusterEvidence(400);
    const page = await browser.context.newPage();
    await page.goto(`${running.url}#/cases/${LARGE_CLUSTER_CASE_ID}`);
    await page.locator('#graph[data-ready="true"]').waitFor({ timeout: 30_000 });
    const drawn = await page.$eval('#graph', (g) => ({
      ...(g as unknown as { dataset: Record<string, string> }).dataset,
    }));
    expect(Number(drawn.members)).toBe(400);
    expect(Number(drawn.edges)).toBe(evidence.members.reduce((n, m) => n + m.links.length, 0));
    await page.locator('.graph-wrap').screenshot({ path: join(ARTIFACTS, 'cluster-graph-400.png') });
    // The legend hides a kind of link: the template edges go, the elements stay.
    const visibleEdges = () =>
      page.evaluate(() =>
        (
          globalThis as unknown as { cauterizeGraph: { visibleEdges(): number } }
        ).cauterizeGraph.visibleEdges(),
      );
    // A toggle restyles 2,500 edges: on a loaded machine the count settles a frame or two later.
    const settled = (expected: number) =>
      page
        .waitForFunction(
          (n) =>
            (
              globalThis as unknown as { cauterizeGraph: { visibleEdges(): number } }
            ).cauterizeGraph.visibleEdges() === n,
          expected,
          { timeout: 10_000 },
        )
        .catch(() => undefined);
    expect(await visibleEdges()).toBe(Number(drawn.edges));
    await page.uncheck('#show-tpl');
    const templateEdges = evidence.members.reduce(
      (n, m) => n + m.links.filter((i) => evidence.links[i]!.kind === 'tpl').length,
      0,
    );
    await settled(Number(drawn.edges) - templateEdges);
    expect(await visibleEdges()).toBe(Number(drawn.edges) - templateEdges);
    await page
      .locator('.graph-wrap')
      .screenshot({ path: join(ARTIFACTS, 'cluster-graph-400-no-templates.png') });
    await page.check('#show-tpl');
    await settled(Number(drawn.edges));
    expect(await visibleEdges()).toBe(Number(drawn.edges));
    const target = evidence.members[321]!.accountId;
    await page.fill('#graph-search', target.slice(-6));
    await page.press('#graph-search', 'Enter');
    await page.locator('#selected-account').filter({ hasText: target }).waitFor();
    await page.locator('.graph-wrap').screenshot({ path: join(ARTIFACTS, 'cluster-graph-400-found.png') });
  });
});
