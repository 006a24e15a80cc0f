import type { EvaluationReport } from '../../shared/api';
import { get } from '../api';
import { chart, PALETTE } from '../charts';
import { append, badge, el, fmtNumber, section, table } from '../dom';
import type { PageContext } from './page-context';

const pct = (v: number | null) => (v === null ? null : Math.round(v * 1000) / 10);

/** The figures of `cauterize evaluate` for the replay, per cohort and per campaign, as charts. */
export async function renderEvaluation(context: PageContext): Promise<void> {
  const { main } = context;
  append(
    main,
    el('h1', {}, 'Evaluation'),
    el(
      'p',
      { class: 'muted', id: 'evaluation-loading' },
      'Reading the truth, the results and the event file…',
    ),
  );
  const report = await get<EvaluationReport>('/api/evaluation');
  if (!context.isCurrent()) return;
  document.getElementById('evaluation-loading')?.remove();
  const attack = report.cohorts.filter((c) => c.attack);
  const legit = report.cohorts.filter((c) => !c.attack);
  const { overall } = report;
  append(
    main,
    el(
      'dl',
      { class: 'facts', id: 'evaluation-overall' },
      el('dt', {}, 'attacker accounts suspended'),
      el(
        'dd',
        {},
        `${fmtNumber((overall.attack.recall ?? 0) * 100, 1)}% (${overall.attack.suspended}/${overall.attack.accounts})`,
      ),
      el('dt', {}, 'legitimate accounts suspended'),
      el('dd', {}, `${overall.legitimate.suspended} / ${fmtNumber(overall.legitimate.accounts)}`),
      el('dt', {}, 'attacker requests served before suspension'),
      el('dd', {}, `${fmtNumber((overall.attack.servedShare ?? 0) * 100, 1)}%`),
    ),
    section(
      'Quality bars',
      table(
        ['bar', 'target', 'actual', 'verdict'],
        report.bars.map((b) => [
          b.description,
          b.target,
          b.actual,
          badge(b.verdict, b.verdict === 'PASS' ? 'pass' : b.verdict === 'FAIL' ? 'fail' : 'na'),
        ]),
        'grid bars',
      ),
    ),
    section(
      'Per cohort',
      el(
        'div',
        { class: 'charts' },
        chart(
          'recall-chart',
          {
            type: 'bar',
            data: {
              labels: attack.map((c) => c.cohort),
              datasets: [
                {
                  label: 'attacker accounts suspended (%)',
                  data: attack.map((c) => pct(c.recall)),
                  backgroundColor: PALETTE[2],
                },
                {
                  label: 'attacker requests served before suspension (%)',
                  data: attack.map((c) => pct(c.servedShare)),
                  backgroundColor: PALETTE[1],
                },
              ],
            },
            options: { indexAxis: 'y', scales: { x: { min: 0, max: 100 } } },
          },
          'chart wide tall',
        ),
        chart(
          'legit-chart',
          {
            type: 'bar',
            data: {
              labels: legit.map((c) => c.cohort),
              datasets: [
                { label: 'accounts', data: legit.map((c) => c.accounts), backgroundColor: PALETTE[0] },
                { label: 'review cases', data: legit.map((c) => c.review), backgroundColor: PALETTE[3] },
                {
                  label: 'suspended (wrongly)',
                  data: legit.map((c) => c.suspended),
                  backgroundColor: PALETTE[1],
                },
              ],
            },
            options: { indexAxis: 'y' },
          },
          'chart wide tall',
        ),
      ),
      table(
        [
          'cohort',
          'kind',
          'strategy',
          'accounts',
          'suspended',
          'review',
          'recall',
          'served before suspension',
        ],
        report.cohorts.map((c) => [
          c.cohort,
          c.attack ? 'attack' : 'legit',
          c.strategy ?? '-',
          c.accounts,
          c.suspended,
          c.review,
          c.attack ? `${fmtNumber(pct(c.recall), 1)}%` : '-',
          c.attack ? `${fmtNumber(pct(c.servedShare), 1)}%` : '-',
        ]),
        'grid cohorts',
      ),
    ),
    section(
      'Per campaign',
      chart(
        'campaign-chart',
        {
          type: 'bar',
          data: {
            labels: report.campaigns.map((c) => c.campaignId),
            datasets: [
              {
                label: 'hours to first suspension',
                data: report.campaigns.map((c) => c.hoursToFirstSuspension),
                backgroundColor: PALETTE[4],
                xAxisID: 'x',
              },
              {
                label: 'accounts suspended (%)',
                data: report.campaigns.map((c) =>
                  c.accounts ? Math.round((c.suspended / c.accounts) * 1000) / 10 : null,
                ),
                backgroundColor: PALETTE[2],
                xAxisID: 'x2',
              },
            ],
          },
          options: {
            indexAxis: 'y',
            scales: {
              x: { position: 'bottom', title: { display: true, text: 'hours' } },
              x2: { position: 'top', min: 0, max: 100, title: { display: true, text: '%' } },
            },
          },
        },
        'chart wide tall',
      ),
      table(
        ['campaign', 'strategy', 'cohort', 'accounts', 'suspended', 'started', 'first suspension', 'hours'],
        report.campaigns.map((c) => [
          c.campaignId,
          c.strategy,
          c.cohort,
          c.accounts,
          c.suspended,
          c.startedAt,
          c.firstSuspensionAt ?? 'never',
          fmtNumber(c.hoursToFirstSuspension, 1),
        ]),
        'grid campaigns',
      ),
    ),
  );
}
