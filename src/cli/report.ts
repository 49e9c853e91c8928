// `dondoc report --from DATE --to DATE [--body CODE] --format xlsx|csv|html|json [--out FILE]
// [--freeze]`: the report for the Provincial Office and Sở Nội vụ (7176 §4–§5) from the
// registry in Redis. A period that was frozen is always reported from its snapshot; --freeze
// makes the snapshot of a closed period. `--tasks FILE` reports on a task file instead (a
// clerk's register with completion and extension columns), without Redis.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { LoadedConfig } from '../config/load.js';
import { formatIsoDay } from '../core/day.js';
import { type Report, type ReportInput, buildReport, lateRows } from '../core/report.js';
import { buildTask } from '../core/task-ops.js';
import { DondocError, usageError } from '../errors.js';
import { formatRowProblem, readTaskFile } from '../import/read-task-file.js';
import { REPORT_FORMATS, type ReportFormat, isReportFormat, renderReport } from '../report/render.js';
import { type ReportResult, makeReportService, resolveReportBody } from '../report/service.js';
import { instantText } from '../report/view.js';
import { openTaskStore } from '../store/open.js';
import { dayArg } from './args.js';
import type { CliContext } from './context.js';

interface ReportOpts {
  from: string;
  to: string;
  body?: string;
  format?: string;
  out?: string;
  freeze?: boolean;
  tasks?: string;
  config?: string;
}

function formatOf(opts: ReportOpts): ReportFormat {
  const given = opts.format ?? (opts.out ? path.extname(opts.out).slice(1).toLowerCase() : 'json');
  if (!isReportFormat(given)) {
    throw usageError(opts.format ? `--format: expected one of ${REPORT_FORMATS.join(', ')}, got "${opts.format}"` : `--out ${opts.out}: cannot tell the format from the extension; add --format ${REPORT_FORMATS.join('|')}`);
  }
  if (given === 'xlsx' && !opts.out) throw usageError('--format xlsx writes a binary file: give --out FILE.xlsx');
  return given;
}

/** Tasks from a file, with the history its status events make (as an import would write). */
async function inputsFromFile(file: string, loaded: LoadedConfig, now: number): Promise<ReportInput[]> {
  const result = await readTaskFile(file, { org: loaded.org, zone: loaded.config.timezone });
  if (result.problems.length > 0) {
    throw new DondocError(
      'IMPORT_REJECTED',
      `${file}: ${result.problems.length} lỗi ở các dòng của tệp; chưa lập báo cáo`,
      result.problems.map((p) => ({ path: `${p.file}: dòng ${p.row}`, message: formatRowProblem(p).slice(`${p.file}: dòng ${p.row}`.length + 2) })),
    );
  }
  return result.rows.map((r) => {
    try {
      const built = buildTask(r.input, loaded.calendar, loaded.org, { by: `file:${path.basename(file)}`, now });
      return { task: built.task, history: built.events };
    } catch (e) {
      if (e instanceof DondocError) throw new DondocError(e.code, `${file}: dòng ${r.row}: ${e.message}`, e.problems, { cause: e });
      throw e;
    }
  });
}

/** Writes through a temporary file in the same directory, so a reader never sees half a report. */
function writeAtomically(file: string, content: Buffer): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(tmp, content);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    const code = (e as NodeJS.ErrnoException).code;
    throw new DondocError('INPUT_REJECTED', `${file}: không ghi được báo cáo (${code ?? (e as Error).message})`, [{ path: file, message: 'không ghi được' }], { cause: e });
  }
}

function summaryLine(r: Report): string {
  const t = r.totals;
  const late = lateRows(r).length;
  return (
    `${formatIsoDay(r.from)} – ${formatIsoDay(r.to)}${r.body ? ` (${r.body.code})` : ''}: ${t.assigned} nhiệm vụ; ` +
    `hoàn thành đúng hạn ${t.onTime}, hoàn thành quá hạn ${t.late}, trong hạn ${t.withinDeadline}, đang quá hạn ${t.overdue}, không thời hạn ${t.noDeadline}; ` +
    `${late} nhiệm vụ chậm, muộn`
  );
}

export function registerReportCommand(program: Command, ctx: CliContext): void {
  program
    .command('report')
    .description('Report on the tasks due in a period, per body, in the Government Office categories (7176 §4–§5)')
    .requiredOption('--from <date>', 'first day, YYYY-MM-DD')
    .requiredOption('--to <date>', 'last day, YYYY-MM-DD')
    .option('--body <code>', 'one body (code or name): its tasks, and non-cooperation reports naming it')
    .option('--format <format>', `${REPORT_FORMATS.join(', ')} (default: from --out, else json)`)
    .option('--out <file>', 'write the report to this file (required for xlsx)')
    .option('--freeze', 'store this report as the snapshot of a closed period; later runs return it unchanged')
    .option('--tasks <file>', 'report on a task file (.xlsx, .csv, .json, .yaml) instead of the registry')
    .option('--config <file>', 'config file')
    .action(async (opts: ReportOpts) => {
      const from = dayArg('--from', opts.from);
      const to = dayArg('--to', opts.to);
      if (to < from) throw usageError(`--to ${opts.to} is before --from ${opts.from}`);
      const format = formatOf(opts);
      if (opts.tasks && opts.freeze) throw usageError('--freeze stores a snapshot of the registry; it does not apply to --tasks');
      const loaded = ctx.config(opts.config);
      const now = ctx.now();
      const body = opts.body === undefined ? undefined : resolveReportBody(loaded.org, opts.body);

      let result: ReportResult;
      if (opts.tasks) {
        const inputs = await inputsFromFile(opts.tasks, loaded, now);
        result = { report: buildReport(inputs, loaded.calendar, loaded.org, { from, to, now, ...(body ? { body } : {}) }), snapshot: 'none' };
      } else {
        const opened = await openTaskStore({ env: ctx.env, calendar: loaded.calendar, now: () => ctx.now(), role: 'cli' });
        try {
          const service = makeReportService({ store: opened.store, redis: opened.redis, url: opened.env.redisUrl, calendar: loaded.calendar, org: loaded.org, now: () => ctx.now() });
          result = await service.get({ from, to, ...(body ? { body } : {}), ...(opts.freeze ? { freeze: true } : {}) });
        } finally {
          await opened.close();
        }
      }

      const { report } = result;
      const rendered = await renderReport(report, format);
      const frozenNote =
        result.snapshot === 'created'
          ? `số liệu đã được chốt (${report.frozen!.key})`
          : result.snapshot === 'used'
            ? `dùng số liệu đã chốt lúc ${instantText(report.zone, report.frozen!.at)} (${report.frozen!.key})`
            : undefined;
      if (opts.out) {
        writeAtomically(opts.out, rendered.content);
        ctx.stdout.write(`${summaryLine(report)}\n${frozenNote ? `${frozenNote}\n` : ''}Đã ghi ${opts.out}\n`);
        return;
      }
      ctx.stdout.write(rendered.content.toString('utf8'));
      if (frozenNote) ctx.stderr.write(`${frozenNote}\n`);
    });
}
