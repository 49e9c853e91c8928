// One entry point for the four formats, so the CLI, the API and the weekly mail produce the
// same bytes for the same report.
import type { Report } from '../core/report.js';
import { renderCsv } from './csv.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { reportFileName } from './view.js';

export const REPORT_FORMATS = ['xlsx', 'csv', 'html', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export const CONTENT_TYPES: Record<ReportFormat, string> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
  html: 'text/html; charset=utf-8',
  json: 'application/json; charset=utf-8',
};

export interface RenderedReport {
  format: ReportFormat;
  contentType: string;
  fileName: string;
  content: Buffer;
}

export const isReportFormat = (s: string): s is ReportFormat => (REPORT_FORMATS as readonly string[]).includes(s);

export async function renderReport(r: Report, format: ReportFormat): Promise<RenderedReport> {
  const content =
    // exceljs is loaded for an .xlsx only: `dondoc start` and the other formats never pay for it.
    format === 'xlsx' ? await (await import('./xlsx.js')).renderXlsx(r) : Buffer.from(format === 'csv' ? renderCsv(r) : format === 'html' ? renderHtml(r) : renderJson(r), 'utf8');
  return { format, contentType: CONTENT_TYPES[format], fileName: reportFileName(r, format), content };
}
