// The chart of on-time vs late by body (7176 §5: Sở Nội vụ ties on-time results to each body's
// rating), drawn on the server as inline SVG: horizontal stacked bars per body — done on time
// (green), done late (dark red), still open and overdue (red). The figures are those of the
// report core (src/core/report.ts), so the page and `dondoc report` never disagree.
import type { BodyFigures } from '../../core/report.js';
import { type Html, html } from './html.js';

export interface ChartBar {
  code: string;
  name: string;
  onTime: number;
  late: number;
  overdue: number;
}

/** Bodies with anything finished or overdue, in the report's (directory) order. */
export function chartBars(bodies: readonly BodyFigures[]): ChartBar[] {
  return bodies
    .filter((b) => b.onTime + b.late + b.overdue > 0)
    .map((b) => ({ code: b.code, name: b.name, onTime: b.onTime, late: b.late, overdue: b.overdue }));
}

const SEGMENTS = [
  { key: 'onTime', label: 'Hoàn thành đúng hạn', cls: 'seg-on-time', fill: '#2e7d32' },
  { key: 'late', label: 'Hoàn thành quá hạn', cls: 'seg-late', fill: '#7b1f1f' },
  { key: 'overdue', label: 'Đang quá hạn', cls: 'seg-overdue', fill: '#d32f2f' },
] as const;

const W = 760;
const LABEL_W = 290;
const BAR_W = 400;
const ROW_H = 26;
const TOP = 34;

/** Shortens a long body name for the label column; the full name stays in the tooltip. */
const fit = (s: string, max = 44): string => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

export function renderChart(bars: readonly ChartBar[], caption: string): Html {
  if (bars.length === 0) return html`<p class="empty">Chưa có nhiệm vụ nào hoàn thành hoặc quá hạn trong kỳ này.</p>`;
  const max = Math.max(1, ...bars.map((b) => b.onTime + b.late + b.overdue));
  const h = TOP + bars.length * ROW_H + 8;
  const legend = SEGMENTS.map((s, i) => html`<g transform="translate(${LABEL_W + i * 180},8)"><rect width="12" height="12" class="${s.cls}" fill="${s.fill}"/><text x="18" y="11">${s.label}</text></g>`);
  const rows = bars.map((b, i) => {
    const y = TOP + i * ROW_H;
    let x = LABEL_W;
    const segs = SEGMENTS.map((s) => {
      const n = b[s.key];
      if (n === 0) return '';
      const w = Math.max(2, Math.round((n / max) * BAR_W));
      const rect = html`<rect x="${x}" y="${y + 4}" width="${w}" height="${ROW_H - 10}" class="${s.cls}" fill="${s.fill}"><title>${b.name}: ${n} ${s.label.toLowerCase()}</title></rect>`;
      x += w;
      return rect;
    });
    return html`<g class="bar" data-body="${b.code}" data-on-time="${b.onTime}" data-late="${b.late}" data-overdue="${b.overdue}">
<text x="${LABEL_W - 8}" y="${y + ROW_H / 2 + 4}" text-anchor="end"><title>${b.name}</title>${fit(b.name)}</text>${segs}
<text x="${x + 6}" y="${y + ROW_H / 2 + 4}" class="figures">${b.onTime} / ${b.late} / ${b.overdue}</text></g>`;
  });
  return html`<svg class="chart" viewBox="0 0 ${W} ${h}" width="${W}" height="${h}" role="img" aria-labelledby="chart-title" xmlns="http://www.w3.org/2000/svg">
<title id="chart-title">${caption}</title>${legend}${rows}</svg>`;
}
