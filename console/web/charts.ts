import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
} from 'chart.js';
import { el } from './dom';

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Legend,
  Tooltip,
);
Chart.defaults.animation = false;
Chart.defaults.font.family = 'system-ui, sans-serif';

export const PALETTE = [
  '#2563eb',
  '#dc2626',
  '#16a34a',
  '#d97706',
  '#7c3aed',
  '#0891b2',
  '#db2777',
  '#4b5563',
];

/** A chart in a sized box (Chart.js sizes the canvas through the CSSOM, which the CSP allows). */
export function chart(id: string, config: ChartConfiguration, className = 'chart'): HTMLElement {
  const canvas = el('canvas', { id, attrs: { role: 'img', 'aria-label': id } });
  const box = el('div', { class: className }, canvas);
  // Drawn once the box is in the document, so Chart.js can measure it.
  requestAnimationFrame(
    () =>
      new Chart(canvas, {
        ...config,
        options: { responsive: true, maintainAspectRatio: false, ...config.options },
      }),
  );
  return box;
}
