import type {
  AccountView,
  CaseDetailResponse,
  ClusterEvidence,
  DecisionResponse,
  Reason,
  SessionInfo,
  UsageEventView,
} from '../../shared/api';
import { ApiError, get, getSession, post } from '../api';
import { chart, PALETTE } from '../charts';
import { append, badge, clear, el, fmtNumber, fmtTime, section, table, type Child } from '../dom';
import {
  drawGraph,
  KIND_COLOURS,
  KIND_NAMES,
  type DrawnGraph,
  type GraphSelection,
  type LinkSelection,
  displayedStatus,
} from '../graph';
import type { NodeSingular } from 'cytoscape';
import type { PageContext } from './page-context';

interface AccountEvidence {
  readonly reasons?: readonly Reason[];
  readonly sampleEventIds?: readonly string[];
  readonly totalRequests?: number;
  readonly requestsInWindow?: number;
  readonly tier?: string;
  readonly scoreHistory?: {
    readonly before: number | null;
    readonly peak: number;
    readonly now: number;
    readonly hourlyRequests: ReadonlyArray<readonly [string, number]>;
  };
}

interface ClusterCaseEvidence {
  readonly trigger?: string;
  readonly cluster?: ClusterEvidence;
  readonly memberSignals?: ReadonlyArray<{
    accountId: string;
    riskScore: number;
    peakRiskScore?: number;
    reasons: readonly Reason[];
  }>;
  readonly alreadySuspended?: number;
  readonly protectedMembers?: ReadonlyArray<{ accountId: string; because: string }>;
}

const EVENT_COLUMNS = [
  'ts',
  'eventId',
  'accountId',
  'ip',
  'asn',
  'country',
  'userAgent',
  'model',
  'capability',
  'inputTokens',
  'outputTokens',
  'reasoningRequested',
];

/**
 * One case: its header, the decision panel, the frozen evidence (reasons with value, threshold and
 * points), the score history, the cluster graph for a cluster case, the sample events, the audit
 * chain with its verification, and the actions and events published.
 */
export async function renderCase(context: PageContext, caseId: string): Promise<void> {
  const { main } = context;
  const [session, detail] = await Promise.all([
    getSession(),
    get<CaseDetailResponse>(`/api/cases/${encodeURIComponent(caseId)}`),
  ]);
  if (!context.isCurrent()) return;
  const record = detail.case;
  const evidence = record.evidence as AccountEvidence & ClusterCaseEvidence;
  const cluster = record.kind === 'cluster' ? evidence.cluster : undefined;

  const accounts = new Map<string, AccountView>();
  const loadAccounts = async () => {
    if (!session.accounts) return;
    const ids = [...new Set([...record.accountIds, ...(cluster?.members.map((m) => m.accountId) ?? [])])];
    for (let i = 0; i < ids.length; i += 400) {
      const part = await get<{ accounts: AccountView[] }>('/api/accounts', {
        ids: ids.slice(i, i + 400).join(','),
      });
      for (const a of part.accounts) accounts.set(a.accountId, a);
    }
  };
  await loadAccounts();
  if (!context.isCurrent()) return;

  const statusLine = el('span', { id: 'case-status' }, badge(record.status));
  append(
    main,
    el('p', { class: 'crumbs' }, el('a', { href: '#/cases' }, '‹ case queue')),
    el(
      'h1',
      {},
      `${record.kind === 'cluster' ? 'Cluster case' : 'Account case'} `,
      el('code', { id: 'case-id' }, record.caseId),
      ' ',
      statusLine,
    ),
    facts(
      [
        ['action', record.action ?? '-'],
        ['risk score', fmtNumber(record.riskScore)],
        ['policy', record.policyVersion],
        ['opened', fmtTime(record.openedAt)],
        ['triggered (event time)', fmtTime(record.triggeredAt)],
        ['accounts acted on', fmtNumber(record.accountIds.length)],
        ...(record.clusterId ? ([['cluster', record.clusterId]] as Array<[string, Child]>) : []),
        ['assignee', record.assignee ?? '-'],
      ],
      'facts inline',
    ),
  );

  const reinstatementBox = el('div', { id: 'reinstatement' });
  append(
    main,
    decisionPanel(session, detail, reinstatementBox, async () => {
      await loadAccounts();
      graph?.updateStatus(accounts);
      renderReinstatement(reinstatementBox, record.accountIds, accounts);
    }),
  );
  append(main, reinstatementBox);
  renderReinstatement(reinstatementBox, record.accountIds, accounts);

  let graph: DrawnGraph | undefined;
  if (cluster) {
    graph = clusterSection(main, cluster, evidence, accounts, session);
  } else {
    append(
      main,
      section(
        'Evidence (frozen at opening)',
        reasonsTable(evidence.reasons ?? [], 'case-reasons'),
        facts([
          ['requests in window', fmtNumber(evidence.requestsInWindow)],
          ['total requests', fmtNumber(evidence.totalRequests)],
          ['tier', evidence.tier ?? '-'],
        ]),
      ),
    );
  }
  append(main, scoreHistory(evidence, cluster));

  const samples = el('div', { id: 'sample-events' }, 'reading the event file…');
  append(main, section('Sample events', samples));
  const sampleIds = evidence.sampleEventIds ?? [];
  const loadSamples =
    sampleIds.length > 0
      ? get<{ events: UsageEventView[] }>('/api/events', {
          ids: sampleIds.join(','),
          limit: String(sampleIds.length),
        })
      : cluster?.members[0]
        ? get<{ events: UsageEventView[] }>('/api/events', {
            account: record.accountIds[0] ?? cluster.members[0].accountId,
            limit: '10',
          })
        : Promise.resolve({ events: [] });
  loadSamples.then(
    ({ events }) =>
      samples.replaceChildren(
        events.length > 0
          ? eventsTable(events)
          : el(
              'p',
              { class: 'empty' },
              `No sample events found${sampleIds.length ? ` (ids: ${sampleIds.join(', ')})` : ''}.`,
            ),
      ),
    (error: Error) =>
      samples.replaceChildren(
        el(
          'p',
          { class: 'empty' },
          `${error.message}${sampleIds.length ? `. Sample event ids: ${sampleIds.join(', ')}` : ''}`,
        ),
      ),
  );

  append(main, auditSection(detail));
  const published = el('div', { id: 'published' }, 'reading the bus…');
  append(
    main,
    section(
      'Actions taken and events published',
      el(
        'p',
        {},
        `Enforcement action: ${record.action ?? 'none recorded'} on ${record.accountIds.length} account(s).`,
      ),
      published,
    ),
  );
  get<{ events: Array<Record<string, unknown>> }>(
    `/api/cases/${encodeURIComponent(record.caseId)}/published`,
  ).then(
    ({ events }) => published.replaceChildren(publishedTable(events)),
    (error: Error) => published.replaceChildren(el('p', { class: 'empty' }, error.message)),
  );
}

function facts(rows: ReadonlyArray<readonly [string, Child]>, className = 'facts'): HTMLElement {
  return el('dl', { class: className }, ...rows.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
}

/** "4 devices, 1 card, 12 prompt templates": what a member shares, counted by kind. */
function heldSummary(held: readonly number[], cluster: ClusterEvidence): string {
  const counts = new Map<string, number>();
  for (const i of held) {
    const kind = cluster.links[i]?.kind ?? '?';
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return [...counts].map(([kind, n]) => `${n} ${KIND_NAMES[kind] ?? kind}${n > 1 ? 's' : ''}`).join(', ');
}

export function reasonsTable(reasons: readonly Reason[], id?: string, compact = false): HTMLElement {
  if (reasons.length === 0) return el('p', { class: 'empty' }, 'No reasons recorded.');
  const sorted = [...reasons].sort((a, b) => b.points - a.points);
  const t = compact
    ? table(
        ['points', 'why', 'value', 'threshold'],
        sorted.map((r) => [
          `+${fmtNumber(r.points, 1)}`,
          el('span', { title: r.signal }, r.text),
          fmtNumber(r.value, 3),
          fmtNumber(r.threshold, 3),
        ]),
        'grid reasons',
      )
    : table(
        ['points', 'signal', 'why', 'value', 'threshold', 'full at'],
        [...reasons]
          .sort((a, b) => b.points - a.points)
          .map((r) => [
            `+${fmtNumber(r.points, 1)}`,
            r.signal,
            r.text,
            fmtNumber(r.value, 3),
            fmtNumber(r.threshold, 3),
            fmtNumber(r.saturation, 3),
          ]),
        'grid reasons',
      );
  if (id) t.id = id;
  return t;
}

function eventsTable(events: readonly UsageEventView[]): HTMLElement {
  const t = table(
    EVENT_COLUMNS,
    events.map((e) => EVENT_COLUMNS.map((c) => (e[c] === null || e[c] === undefined ? '-' : String(e[c])))),
    'grid events',
  );
  t.id = 'events-table';
  return el('div', { class: 'scroll' }, t);
}

function publishedTable(events: ReadonlyArray<Record<string, unknown>>): HTMLElement {
  if (events.length === 0) return el('p', { class: 'empty' }, 'No published events found for this case.');
  return table(
    ['time', 'event', 'account', 'detail'],
    events.map((e) => {
      const detail = (e.detail ?? {}) as Record<string, unknown>;
      return [
        fmtTime(String(e.time ?? '')),
        String(e['detail-type'] ?? ''),
        String(
          detail.accountId ??
            (Array.isArray(detail.accountIds) ? `${detail.accountIds.length} accounts` : '-'),
        ),
        JSON.stringify(detail).slice(0, 200),
      ];
    }),
    'grid published',
  );
}

function auditSection(detail: CaseDetailResponse): HTMLElement {
  const v = detail.verification;
  const verdict = el(
    'p',
    { id: 'verify', class: v.ok ? 'ok' : 'broken' },
    v.ok
      ? `Audit chain verified: OK (${v.entries} entries, hash-chained with SHA-256)`
      : `Audit chain BROKEN (${v.entries} entries)`,
  );
  const problems =
    v.problems.length > 0
      ? el(
          'ul',
          { class: 'problems' },
          ...v.problems.map((p) => el('li', {}, `${p.seq < 0 ? 'case' : `entry ${p.seq}`}: ${p.problem}`)),
        )
      : null;
  const t = table(
    ['seq', 'at', 'actor', 'action', 'from', 'to', 'reason', 'hash'],
    detail.audit.map((e) => [
      e.seq,
      fmtTime(e.at),
      e.actor,
      e.action,
      e.fromStatus,
      e.toStatus,
      e.reason,
      el('code', { title: e.hash }, e.hash.slice(0, 12)),
    ]),
    'grid audit',
  );
  t.id = 'audit';
  return section('Audit chain', verdict, problems, t);
}

function scoreHistory(
  evidence: AccountEvidence & ClusterCaseEvidence,
  cluster: ClusterEvidence | undefined,
): HTMLElement {
  const h = evidence.scoreHistory;
  if (h) {
    const hours = h.hourlyRequests;
    return section(
      'Score history',
      el(
        'p',
        {},
        `Score before this crossing ${h.before ?? 'none (first scoring)'}, peak ${h.peak}, at opening ${h.now}.`,
      ),
      el(
        'div',
        { class: 'charts' },
        chart('score-chart', {
          type: 'line',
          data: {
            labels: ['before', 'peak', 'at opening'],
            datasets: [
              {
                label: 'risk score',
                data: [h.before, h.peak, h.now],
                borderColor: PALETTE[1],
                backgroundColor: PALETTE[1],
              },
            ],
          },
          options: { scales: { y: { min: 0, max: 100 } } },
        }),
        chart(
          'requests-chart',
          {
            type: 'bar',
            data: {
              labels: hours.map(([t]) => t.slice(5, 13).replace('T', ' ')),
              datasets: [
                {
                  label: 'requests per event-time hour (scoring window)',
                  data: hours.map(([, n]) => n),
                  backgroundColor: PALETTE[0],
                },
              ],
            },
          },
          'chart wide',
        ),
      ),
    );
  }
  if (cluster) {
    const bins = Array.from({ length: 10 }, (_, i) => i * 10);
    const counts = bins.map(
      (b) =>
        cluster.members.filter(
          (m) => m.riskScore >= b && (b === 90 ? m.riskScore <= 100 : m.riskScore < b + 10),
        ).length,
    );
    const signals = evidence.memberSignals ?? [];
    return section(
      'Score history',
      el(
        'p',
        {},
        `Cluster score ${cluster.score} at opening. Member scores when the cluster was explored${signals.length ? '; members with frozen signals: score and peak' : ''}:`,
      ),
      el(
        'div',
        { class: 'charts' },
        chart('score-chart', {
          type: 'bar',
          data: {
            labels: bins.map((b) => `${b}-${b + 9}`),
            datasets: [{ label: 'members by score', data: counts, backgroundColor: PALETTE[1] }],
          },
        }),
        signals.length > 0
          ? chart(
              'peak-chart',
              {
                type: 'bar',
                data: {
                  labels: signals.map((s) => s.accountId),
                  datasets: [
                    {
                      label: 'score at crossing',
                      data: signals.map((s) => s.riskScore),
                      backgroundColor: PALETTE[0],
                    },
                    {
                      label: 'peak',
                      data: signals.map((s) => s.peakRiskScore ?? s.riskScore),
                      backgroundColor: PALETTE[3],
                    },
                  ],
                },
                options: { scales: { y: { min: 0, max: 100 } } },
              },
              'chart wide',
            )
          : null,
      ),
    );
  }
  return section('Score history', el('p', { class: 'empty' }, 'This case froze no score history.'));
}

function decisionPanel(
  session: SessionInfo,
  detail: CaseDetailResponse,
  reinstatementBox: HTMLElement,
  afterFalsePositive: () => Promise<void>,
): HTMLElement {
  const status = detail.case.status;
  const canDecide = status === 'OPEN' || status === 'UNDER_REVIEW' || status === 'CONFIRMED';
  const readOnly = session.role === 'compliance';
  const note = el('textarea', {
    id: 'decision-note',
    placeholder: 'Why: goes into the audit trail (at least 3 characters)',
    attrs: { rows: '2', maxlength: '2000' },
  });
  const message = el('div', { id: 'decision-message', attrs: { role: 'status' } });
  const confirmButton = el('button', { id: 'confirm', type: 'button' }, 'Confirm');
  const clearButton = el(
    'button',
    { id: 'false-positive', type: 'button', class: 'danger' },
    'False positive: reinstate',
  );
  if (status === 'CONFIRMED') confirmButton.disabled = true;
  const decide = async (decision: 'CONFIRMED' | 'FALSE_POSITIVE') => {
    confirmButton.disabled = true;
    clearButton.disabled = true;
    message.replaceChildren(
      decision === 'FALSE_POSITIVE' ? 'Recording; the reinstatement workflow runs…' : 'Recording…',
    );
    try {
      const outcome = await post<DecisionResponse>(
        `/api/cases/${encodeURIComponent(detail.case.caseId)}/decision`,
        { decision, note: note.value },
      );
      const r = outcome.reinstatement;
      message.replaceChildren(
        el(
          'span',
          { class: 'ok' },
          `${outcome.entry.fromStatus} → ${outcome.entry.toStatus}${outcome.changed ? '' : ' (already recorded)'}`,
        ),
        r
          ? ` · reinstatement: ${r.executions} run(s)${r.failed.length ? `, ${r.failed.length} failed: ${r.failed.map((f) => `${f.error ?? ''} ${f.cause ?? ''}`).join('; ')}` : ''}`
          : '',
      );
      document.getElementById('case-status')?.replaceChildren(badge(outcome.case.status));
      if (decision === 'FALSE_POSITIVE') {
        reinstatementBox.replaceChildren('Reading the members back…');
        await afterFalsePositive();
        // The audit chain now holds the decision and, after reinstatement, one REINSTATED entry per account.
        const fresh = await get<CaseDetailResponse>(`/api/cases/${encodeURIComponent(detail.case.caseId)}`);
        document.getElementById('audit')?.closest('section')?.replaceWith(auditSection(fresh));
      } else {
        const fresh = await get<CaseDetailResponse>(`/api/cases/${encodeURIComponent(detail.case.caseId)}`);
        document.getElementById('audit')?.closest('section')?.replaceWith(auditSection(fresh));
        clearButton.disabled = false;
      }
    } catch (error) {
      const e = error as ApiError;
      message.replaceChildren(
        el(
          'span',
          { class: 'error', id: 'decision-error' },
          `${e.status === 403 ? 'Refused: ' : ''}${e.message}`,
        ),
        ...(e.problems ?? []).map((p) => el('div', { class: 'error' }, p)),
      );
      confirmButton.disabled = status === 'CONFIRMED';
      clearButton.disabled = false;
    }
  };
  confirmButton.addEventListener('click', () => void decide('CONFIRMED'));
  clearButton.addEventListener('click', () => void decide('FALSE_POSITIVE'));
  return section(
    'Decision',
    el(
      'p',
      {},
      'Role ',
      el('strong', {}, session.role ?? 'decided by IAM'),
      readOnly
        ? ': read-only. The compliance role may not change cases; the server refuses it, as the API does.'
        : '',
    ),
    canDecide
      ? el('div', { class: 'decision' }, note, el('div', {}, confirmButton, ' ', clearButton))
      : el('p', { class: 'empty' }, `The case is ${status}: no decision left to make.`),
    message,
  );
}

function renderReinstatement(
  box: HTMLElement,
  accountIds: readonly string[],
  accounts: ReadonlyMap<string, AccountView>,
): void {
  clear(box);
  const known = accountIds.map((id) => accounts.get(id)).filter((a): a is AccountView => a !== undefined);
  if (known.length === 0) return;
  const reinstated = known.filter((a) => a.reinstatement !== null && a.status !== 'SUSPENDED');
  const suspended = known.filter((a) => a.status === 'SUSPENDED');
  append(
    box,
    el(
      'p',
      { class: reinstated.length > 0 ? 'ok' : 'muted', id: 'member-status' },
      `Accounts now: ${suspended.length} suspended, ${known.length - suspended.length} not suspended`,
      reinstated.length > 0 ? ` · ${reinstated.length} of ${known.length} reinstated` : '',
    ),
  );
}

function clusterSection(
  main: HTMLElement,
  cluster: ClusterEvidence,
  evidence: ClusterCaseEvidence,
  accounts: Map<string, AccountView>,
  session: SessionInfo,
): DrawnGraph | undefined {
  const side = el(
    'aside',
    { class: 'graph-side', id: 'selection' },
    el('p', { class: 'muted' }, 'Click a member for its reasons, or an edge for what is shared.'),
  );
  const container = el('div', { class: 'graph', id: 'graph' });
  const search = el('input', { type: 'search', id: 'graph-search', placeholder: 'find account id…' });
  const searchResult = el('span', { class: 'muted', id: 'graph-search-result' });
  const legend = el(
    'div',
    { class: 'legend' },
    ...Object.entries(KIND_NAMES).map(([kind, name]) => {
      const box = el('input', { type: 'checkbox', id: `show-${kind}` });
      box.checked = true;
      box.addEventListener('change', () => drawn?.showKind(kind, box.checked));
      return el('label', { class: `kind kind-${kind}`, title: `show or hide ${name} links` }, box, name);
    }),
    el(
      'span',
      { class: 'muted' },
      ' · node size: requests · fill: score · outline: red suspended, green active, green double reinstated, amber review · dashed: discounted',
    ),
  );
  append(
    main,
    section(
      `Cluster graph: ${cluster.members.length} members, ${cluster.links.length} shared links${cluster.truncated ? ' (exploration stopped at the size limit)' : ''}`,
      el(
        'div',
        { class: 'graph-tools' },
        search,
        el('button', { type: 'button', id: 'graph-fit', onClick: () => drawn?.cy.fit(undefined, 20) }, 'Fit'),
        ' ',
        searchResult,
      ),
      legend,
      el('div', { class: 'graph-wrap' }, container, side),
      el('p', { class: 'muted', id: 'graph-stats' }),
    ),
    section(
      'Evidence (frozen at opening)',
      el('h3', {}, `Cluster score ${cluster.score}: reasons`),
      reasonsTable(cluster.reasons, 'cluster-reasons'),
      el('h3', {}, 'Shared links (heaviest first)'),
      table(
        ['kind', 'shared', 'accounts', 'weight', 'discount'],
        cluster.links.map((l) => [
          el('span', { class: `kind kind-${l.kind}` }, KIND_NAMES[l.kind] ?? l.kind),
          el('code', {}, l.linkKey),
          `${l.accounts}${l.crowded ? '+' : ''}`,
          fmtNumber(l.weight, 3),
          l.discount ?? '-',
        ]),
        'grid links',
      ),
      evidence.protectedMembers?.length
        ? el(
            'p',
            {},
            `Protected after an earlier clearance: ${evidence.protectedMembers.map((p) => `${p.accountId} (${p.because})`).join('; ')}`,
          )
        : null,
    ),
  );
  if (!cluster.members.some((m) => Array.isArray(m.links))) {
    container.replaceChildren(
      el(
        'p',
        { class: 'empty' },
        'This case was opened before cluster evidence recorded who holds each link: members are listed, edges cannot be drawn.',
      ),
    );
  }
  const signals = new Map((evidence.memberSignals ?? []).map((s) => [s.accountId, s]));
  const show = (selection: GraphSelection | LinkSelection) => {
    clear(side);
    if (selection.kind === 'member') {
      const m = selection.member;
      const now = accounts.get(m.accountId);
      const frozen = signals.get(m.accountId);
      const requests = el('div', { class: 'member-events' }, 'reading requests…');
      append(
        side,
        el('h3', {}, 'Account ', el('code', { id: 'selected-account' }, m.accountId)),
        facts([
          ['score when explored', fmtNumber(m.riskScore)],
          ['status when explored', m.status],
          ['status now', now ? badge(displayedStatus(now) ?? now.status) : '-'],
          ['requests', fmtNumber(m.totalRequests)],
          ['created', fmtTime(m.accountCreatedAt)],
          ['links held', heldSummary(m.links ?? [], cluster) || '-'],
          ...(now?.reinstatement
            ? ([['reinstated', fmtTime(now.reinstatement.reinstatedAt)]] as Array<[string, Child]>)
            : []),
        ]),
        el(
          'h4',
          {},
          frozen
            ? 'Reasons (frozen in the case)'
            : now
              ? 'Reasons (current, from the accounts table)'
              : 'Reasons',
        ),
        frozen
          ? reasonsTable(frozen.reasons, 'member-reasons', true)
          : now
            ? reasonsTable(now.reasons, 'member-reasons', true)
            : el(
                'p',
                { class: 'empty', id: 'member-reasons' },
                session.accounts
                  ? 'Not in the accounts table.'
                  : 'The evidence froze no signals for this member, and the cases API has no account states.',
              ),
        el('h4', {}, 'First requests'),
        requests,
      );
      get<{ events: UsageEventView[] }>('/api/events', { account: m.accountId, limit: '5' }).then(
        ({ events }) =>
          requests.replaceChildren(
            events.length ? eventsTable(events) : el('p', { class: 'empty' }, 'none found'),
          ),
        (error: Error) => requests.replaceChildren(el('p', { class: 'empty' }, error.message)),
      );
    } else {
      const { link, holders } = selection;
      append(
        side,
        el(
          'h3',
          {},
          'Shared ',
          el('span', { class: `kind kind-${link.kind}` }, KIND_NAMES[link.kind] ?? link.kind),
        ),
        facts([
          ['what is shared', el('code', { id: 'selected-link' }, link.linkKey)],
          ...(selection.member
            ? ([['edge from', el('code', {}, selection.member.accountId)]] as Array<[string, Child]>)
            : []),
          [
            'accounts sharing it',
            `${link.accounts}${link.crowded ? '+ (crowded: more than were read)' : ''}`,
          ],
          ['members of this cluster holding it', fmtNumber(holders.length)],
          ['weight', fmtNumber(link.weight, 3)],
          ['discount', link.discount ?? 'none'],
        ]),
        el('ul', { class: 'holders' }, ...holders.slice(0, 40).map((h) => el('li', {}, h.accountId))),
        holders.length > 40 ? el('p', { class: 'muted' }, `and ${holders.length - 40} more`) : null,
      );
    }
  };
  let drawn: DrawnGraph | undefined;
  if (cluster.members.some((m) => Array.isArray(m.links))) {
    // Drawn after layout so the container has its size.
    requestAnimationFrame(() => {
      drawn = drawGraph(container, cluster, accounts, show, (stats) => {
        document
          .getElementById('graph-stats')
          ?.replaceChildren(
            `${stats.members} members, ${stats.links} shared links, ${stats.edges} edges; laid out and drawn in ${stats.drawMs.toFixed(0)} ms`,
          );
        container.dataset.ready = 'true';
      });
      // For the browser tests and the bench: where a member is drawn, to click it as a user would.
      (window as unknown as { cauterizeGraph?: unknown }).cauterizeGraph = {
        visibleEdges: () => drawn?.cy.edges(':visible').length ?? 0,
        positionOf: (accountId: string) => {
          const node = drawn?.cy
            .nodes('.member')
            .filter((n) => n.data('accountId') === accountId)
            .first();
          if (!node || node.empty()) return null;
          const box = container.getBoundingClientRect();
          const p = (node as NodeSingular).renderedPosition();
          return { x: box.left + p.x, y: box.top + p.y };
        },
      };
    });
  }
  search.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter') return;
    const found = drawn?.find(search.value) ?? false;
    searchResult.replaceChildren(found ? '' : 'no member matches');
  });
  return {
    get cy() {
      return drawn!.cy;
    },
    get stats() {
      return drawn?.stats;
    },
    find: (t) => drawn?.find(t) ?? false,
    showKind: (kind, visible) => drawn?.showKind(kind, visible),
    updateStatus: (now) => drawn?.updateStatus(now),
  };
}

export { KIND_COLOURS };
