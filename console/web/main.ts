import { getSession } from './api';
import { append, clear, el } from './dom';
import { renderCase } from './pages/case-page';
import type { PageContext } from './pages/page-context';
import { renderEvaluation } from './pages/evaluation-page';
import { renderQueue } from './pages/queue-page';

let generation = 0;

async function route(): Promise<void> {
  const main = document.getElementById('main');
  if (!main) return;
  const mine = ++generation;
  const context: PageContext = { main, isCurrent: () => mine === generation };
  clear(main);
  const hash = location.hash.replace(/^#/, '') || '/cases';
  const [path = '/cases', query = ''] = hash.split('?');
  const params = new URLSearchParams(query);
  const caseMatch = /^\/cases\/([^/]+)$/.exec(path);
  try {
    if (caseMatch) await renderCase(context, decodeURIComponent(caseMatch[1]!));
    else if (path === '/evaluation') await renderEvaluation(context);
    else await renderQueue(context, params);
  } catch (error) {
    if (!context.isCurrent()) return;
    append(main, el('div', { class: 'error', attrs: { role: 'alert' } }, (error as Error).message));
  }
}

async function header(): Promise<void> {
  const bar = document.getElementById('session');
  if (!bar) return;
  try {
    const s = await getSession();
    append(
      bar,
      el('span', { class: 'mode' }, s.mode === 'local' ? 'local store ' : 'cases API '),
      el('code', {}, s.source),
      ' · role ',
      el('strong', { id: 'role' }, s.role ?? 'as IAM decides'),
      ' · acting as ',
      el('span', { id: 'actor' }, s.actor),
    );
    if (!s.evaluation) document.getElementById('nav-evaluation')?.classList.add('hidden');
  } catch (error) {
    append(bar, el('span', { class: 'error' }, (error as Error).message));
  }
}

window.addEventListener('hashchange', () => void route());
void header();
void route();
