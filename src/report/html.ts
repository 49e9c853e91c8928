// The report as one printable HTML page (A4 landscape), self-contained: no scripts, no
// external resources. Every piece of text from tasks, the directory or the config is escaped,
// so a title containing markup is shown as text, never run.
import type { Report } from '../core/report.js';
import { type Cell, type Column, LATE_COLUMNS, REPORT_TITLE, SUMMARY_COLUMNS, cellText, lateLines, noteLines, scopeLines, summaryLines } from './view.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

const td = (c: Cell): string => `<td${c.kind === 'number' ? ' class="n"' : ''}>${escapeHtml(cellText(c))}</td>`;

function table<T>(columns: ReadonlyArray<Column<T>>, rows: readonly T[], totalLast = false): string {
  const head = `<tr>${columns.map((c) => `<th>${escapeHtml(c.header)}</th>`).join('')}</tr>`;
  const body = rows.map((row, i) => `<tr${totalLast && i === rows.length - 1 ? ' class="total"' : ''}>${columns.map((c) => td(c.cell(row))).join('')}</tr>`).join('\n');
  return `<table>\n<thead>${head}</thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

const STYLE = `
@page { size: A4 landscape; margin: 12mm; }
body { font-family: "Times New Roman", Times, serif; font-size: 12pt; color: #000; margin: 16px; }
h1 { font-size: 14pt; text-align: center; margin: 0 0 8px; }
h2 { font-size: 13pt; margin: 18px 0 6px; }
p.scope { margin: 2px 0; }
p.note { margin: 2px 0; font-style: italic; }
table { border-collapse: collapse; width: 100%; margin-top: 8px; }
th, td { border: 1px solid #000; padding: 3px 5px; vertical-align: top; }
th { background: #dde4ee; font-weight: bold; text-align: center; }
td.n { text-align: right; white-space: nowrap; }
tr.total td { font-weight: bold; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; }
@media print { body { margin: 0; } }
`;

export function renderHtml(r: Report): string {
  const late = lateLines(r);
  return `<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(`${REPORT_TITLE} – ${scopeLines(r)[0]}`)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(REPORT_TITLE)}</h1>
${scopeLines(r)
  .map((l) => `<p class="scope">${escapeHtml(l)}</p>`)
  .join('\n')}
${noteLines(r)
  .map((l) => `<p class="note">${escapeHtml(l)}</p>`)
  .join('\n')}
<h2>I. Tổng hợp theo cơ quan, đơn vị</h2>
${table(SUMMARY_COLUMNS, summaryLines(r), true)}
<h2>II. Danh sách nhiệm vụ hoàn thành quá hạn và đang thực hiện quá hạn (${late.length})</h2>
${late.length ? table(LATE_COLUMNS, late) : '<p>Không có nhiệm vụ chậm, muộn.</p>'}
</body>
</html>
`;
}
