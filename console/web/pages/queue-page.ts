import type { CaseListResponse, CaseRecord, StatusCounts } from '../../shared/api';
import { get } from '../api';
import { append, badge, clear, el, fmtNumber, fmtTime, type Child } from '../dom';
import type { PageContext } from './page-context';

const STATUSES = ['OPEN', 'UNDER_REVIEW', 'CONFIRMED', 'FALSE_POSITIVE', 'CLOSED'] as const;
const ACTIONS = ['review', 'throttle', 'verify', 'suspend'] as const;
const KINDS = ['account', 'cluster'] as const;
/** The API's filters, as the queue's URL carries them. */
const FILTERS = ['status', 'action', 'kind', 'policyVersion', 'from', 'to', 'minScore', 'maxScore'] as const;

type SortKey = 'openedAt' | 'riskScore' | 'accounts' | 'status';

/**
 * The case queue: counts per status, the API's filters, and its pages (the same query path as
 * GET /cases: oldest first within each status, `nextToken` for the next page). Sorting by a column
 * orders the page shown.
 */
export async function renderQueue(context: PageContext, params: URLSearchParams): Promise<void> {
  const { main } = context;
  const filter: Record<string, string> = {};
  for (const key of FILTERS) {
    const value = params.get(key);
    if (value) filter[key] = value;
  }
  const limit = params.get('limit') ?? '50';
  const tokens = (params.get('pages') ?? '').split('~').filter(Boolean);
  const sort = (params.get('sort') ?? 'openedAt') as SortKey;
  const descending = params.get('dir') === 'desc';

  const countsBox = el('div', { class: 'counts', id: 'counts' }, 'counting cases…');
  append(main, el('h1', {}, 'Case queue'), countsBox, filterForm(filter, limit));
  void get<StatusCounts>('/api/counts').then(
    (c) => {
      if (!context.isCurrent()) return;
      clear(countsBox);
      for (const status of STATUSES) {
        const n = c.counts[status];
        append(
          countsBox,
          el(
            'a',
            {
              class: `count ${filter.status === status ? 'active' : ''}`,
              href: queueHref({ ...filter, status }, limit),
              dataset: { status },
            },
            badge(status),
            el('span', { class: 'count-n' }, `${fmtNumber(n)}${c.capped.includes(status) ? '+' : ''}`),
          ),
        );
      }
    },
    (error: Error) => countsBox.replaceChildren(el('span', { class: 'error' }, error.message)),
  );

  const page = await get<CaseListResponse>('/api/cases', { ...filter, limit, nextToken: tokens.at(-1) });
  if (!context.isCurrent()) return;
  const rows = [...page.cases].sort(comparator(sort, descending));
  const header = (label: string, key: SortKey): HTMLElement => {
    const next = new URLSearchParams(params);
    next.set('sort', key);
    next.set('dir', sort === key && !descending ? 'desc' : 'asc');
    return el(
      'a',
      { href: `#/cases?${next.toString()}`, class: sort === key ? 'sorted' : '' },
      label,
      sort === key ? (descending ? ' ▼' : ' ▲') : '',
    );
  };
  const tableEl = el(
    'table',
    { class: 'grid queue', id: 'queue', dataset: { query: new URLSearchParams(filter).toString() } },
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        el('th', {}, 'case'),
        el('th', {}, 'kind'),
        el('th', {}, header('status', 'status')),
        el('th', {}, 'action'),
        el('th', {}, header('accounts', 'accounts')),
        el('th', {}, header('score', 'riskScore')),
        el('th', {}, 'policy'),
        el('th', {}, header('opened', 'openedAt')),
      ),
    ),
    el('tbody', {}, ...rows.map(caseRow)),
  );
  const pageNo = tokens.length + 1;
  const nav = el('div', { class: 'pager' });
  if (tokens.length > 0) {
    append(
      nav,
      el('a', { href: pagesHref(params, []) }, '« first page'),
      ' ',
      el('a', { href: pagesHref(params, tokens.slice(0, -1)) }, '‹ previous'),
      ' ',
    );
  }
  append(nav, el('span', {}, `page ${pageNo} · ${rows.length} cases`));
  if (page.nextToken)
    append(
      nav,
      ' ',
      el('a', { href: pagesHref(params, [...tokens, page.nextToken]), id: 'next-page' }, 'next page ›'),
    );
  append(
    main,
    rows.length === 0 ? el('p', { class: 'empty' }, 'No case matches these filters.') : tableEl,
    nav,
    el(
      'p',
      { class: 'hint' },
      'Pages come in the API’s order (status, then oldest first); a column sorts the page shown.',
    ),
  );
}

function caseRow(c: CaseRecord): HTMLTableRowElement {
  const cells: Child[] = [
    el('a', { href: `#/cases/${encodeURIComponent(c.caseId)}`, class: 'case-link' }, c.caseId),
    c.kind,
    badge(c.status),
    c.action ?? '-',
    fmtNumber(c.accountIds.length),
    fmtNumber(c.riskScore),
    c.policyVersion,
    fmtTime(c.openedAt),
  ];
  return el(
    'tr',
    { dataset: { caseId: c.caseId, kind: c.kind } },
    ...cells.map((cell) => el('td', {}, cell)),
  );
}

function comparator(key: SortKey, descending: boolean) {
  const value = (c: CaseRecord): string | number =>
    key === 'accounts'
      ? c.accountIds.length
      : key === 'riskScore'
        ? c.riskScore
        : key === 'status'
          ? STATUSES.indexOf(c.status)
          : c.openedAt;
  return (a: CaseRecord, b: CaseRecord) => {
    const x = value(a);
    const y = value(b);
    const order = x < y ? -1 : x > y ? 1 : 0;
    return descending ? -order : order;
  };
}

function queueHref(filter: Readonly<Record<string, string>>, limit: string): string {
  const params = new URLSearchParams({ ...filter, limit });
  return `#/cases?${params.toString()}`;
}

function pagesHref(params: URLSearchParams, tokens: readonly string[]): string {
  const next = new URLSearchParams(params);
  if (tokens.length > 0) next.set('pages', tokens.join('~'));
  else next.delete('pages');
  return `#/cases?${next.toString()}`;
}

function select(
  name: string,
  options: readonly string[],
  current: string | undefined,
  label: string,
): HTMLLabelElement {
  const s = el(
    'select',
    { attrs: { name }, id: `filter-${name}` },
    el('option', { value: '' }, `any ${label}`),
    ...options.map((o) => el('option', { value: o }, o)),
  );
  s.value = current ?? '';
  return el('label', {}, label, s);
}

function input(
  name: string,
  type: string,
  current: string | undefined,
  label: string,
  extra: Record<string, string> = {},
): HTMLLabelElement {
  return el(
    'label',
    {},
    label,
    el('input', { type, value: current ?? '', id: `filter-${name}`, attrs: { name, ...extra } }),
  );
}

/** The filters form; submitting it changes the URL, which renders the queue again. */
function filterForm(filter: Readonly<Record<string, string>>, limit: string): HTMLFormElement {
  const toLocal = (iso: string | undefined) => (iso ? iso.slice(0, 16) : undefined);
  const form = el(
    'form',
    { class: 'filters', id: 'filters' },
    select('status', STATUSES, filter.status, 'status'),
    select('action', ACTIONS, filter.action, 'action'),
    select('kind', KINDS, filter.kind, 'kind'),
    input('policyVersion', 'text', filter.policyVersion, 'policy version', { size: '12' }),
    input('from', 'datetime-local', toLocal(filter.from), 'opened from (UTC)'),
    input('to', 'datetime-local', toLocal(filter.to), 'opened before (UTC)'),
    input('minScore', 'number', filter.minScore, 'score ≥', { min: '0', max: '100' }),
    input('maxScore', 'number', filter.maxScore, 'score ≤', { min: '0', max: '100' }),
    select('limit', ['25', '50', '100', '500'], limit, 'per page'),
    el('button', { type: 'submit', id: 'apply-filters' }, 'Apply'),
    el('a', { href: '#/cases', class: 'reset' }, 'Reset'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const next: Record<string, string> = {};
    for (const [key, raw] of data.entries()) {
      const value = String(raw).trim();
      if (!value) continue;
      next[key] = key === 'from' || key === 'to' ? new Date(`${value}:00Z`).toISOString() : value;
    }
    const { limit: perPage = '50', ...rest } = next;
    location.hash = queueHref(rest, perPage).slice(1);
  });
  return form;
}
