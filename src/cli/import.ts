// `dondoc import FILE [--dry-run] [--partial] [--json]`: tasks from a clerk's register
// (.xlsx, .csv) or the JSON shape (.json, .yaml). Every row is validated first — the file
// reader, then building each task against the calendar and the org directory — and nothing is
// written unless every row is good (or --partial: the good ones go in, the bad are listed).
// Writing is an idempotent upsert by id, so an import cut short is repaired by running it
// again, and re-importing the same file changes nothing. Exit 1 when any row was rejected.
import path from 'node:path';
import type { Command } from 'commander';
import { DondocError, isDondocError } from '../errors.js';
import { changesToJson } from '../http/task-view.js';
import { formatRowProblem, readTaskFile, type RowProblem } from '../import/read-task-file.js';
import { makeTaskBuilder } from '../store/task-builder.js';
import type { UpsertItem } from '../store/upsert-plan.js';
import type { UpsertResult } from '../store/task-store.js';
import type { CliContext } from './context.js';
import { formatVnDeadline, withTaskStore } from './task.js';
import { leadCell } from '../extract/sheet.js';
import { draftJson } from './extract.js';
import type { Deadline } from '../core/task.js';
import { unaddressedOf } from '../core/unaddressed.js';

interface Built {
  row: number;
  item: UpsertItem;
}

export function registerImportCommands(program: Command, ctx: CliContext): void {
  program
    .command('import')
    .description('Import tasks from a register (.xlsx, .csv, .json, .yaml) or a letter (.docx, .pdf, .md, .txt) into the registry (idempotent by task id)')
    .argument('<file>', 'the task file')
    .option('--dry-run', 'validate and show what would change; write nothing')
    .option('--partial', 'write the good rows even if some are rejected (exit 1 still)')
    .option('--json', 'print JSON')
    .option('--expand-all', 'a letter: one row per body for items addressed to all its addressees')
    .option('--config <file>', 'config file')
    .action(async (file: string, opts: { dryRun?: boolean; partial?: boolean; json?: boolean; expandAll?: boolean; config?: string }) => {
      const config = ctx.config(opts.config);
      const { calendar, org } = config;
      const read = await readTaskFile(file, { org, zone: calendar.zone.name, ...(opts.expandAll ? { expandAll: true } : {}) });
      const by = `import:${path.basename(file)}`;
      const problems: RowProblem[] = [...read.problems];
      const warnings: RowProblem[] = [...read.warnings];
      const built: Built[] = [];

      // The same checks the API makes: directory entries, then the task itself.
      const checker = makeTaskBuilder({ calendar, org, now: () => ctx.now() });
      for (const r of read.rows) {
        try {
          const input = checker.resolveBodies(r.input);
          const b = checker.build(input, by);
          for (const w of b.warnings) warnings.push({ file, row: r.row, message: w });
          // No task may remind nobody (core/unaddressed.ts): said now, listed until it is fixed.
          const nobody = unaddressedOf(b.task, org, calendar, ctx.now());
          if (nobody) warnings.push({ file, row: r.row, message: `${b.task.id}: ${nobody.message}` });
          built.push({ row: r.row, item: { task: b.task, events: b.events } });
        } catch (e) {
          if (!isDondocError(e)) throw e;
          if (e.problems.length) for (const p of e.problems) problems.push({ file, row: r.row, column: p.path, message: p.message });
          else problems.push({ file, row: r.row, message: e.message });
        }
      }
      // A task id names one task: rows that would share one are all rejected.
      const byId = new Map<string, Built[]>();
      for (const b of built) byId.set(b.item.task.id, [...(byId.get(b.item.task.id) ?? []), b]);
      const good = built.filter((b) => {
        const same = byId.get(b.item.task.id)!;
        if (same.length === 1) return true;
        const others = same.filter((o) => o !== b).map((o) => o.row);
        problems.push({ file, row: b.row, message: `mã nhiệm vụ "${b.item.task.id}" trùng với dòng ${others.join(', ')}: đánh số riêng cho từng mục` });
        return false;
      });
      problems.sort((a, b) => a.row - b.row);
      const rejectedRows = new Set(problems.map((p) => p.row)).size;
      const writing = problems.length === 0 || opts.partial === true;

      let result: UpsertResult = { created: [], updated: [], unchanged: [], warnings: [] };
      if (writing && good.length) {
        result = await withTaskStore(ctx, opts.config, ({ store }) => store.upsertMany(good.map((b) => b.item), by, { dryRun: opts.dryRun ?? false }));
      }
      const rowOf = new Map(good.map((b) => [b.item.task.id, b.row]));
      const zone = calendar.zone;
      const summary = { created: result.created.length, updated: result.updated.length, unchanged: result.unchanged.length, rejected: rejectedRows };

      if (opts.json) {
        const p = (x: RowProblem) => ({ row: x.row, ...(x.column !== undefined ? { column: x.column } : {}), ...(x.value !== undefined ? { value: x.value } : {}), message: x.message });
        ctx.stdout.write(
          `${JSON.stringify(
            {
              file: read.file,
              format: read.format,
              dry_run: opts.dryRun ?? false,
              written: writing && !opts.dryRun && good.length > 0,
              summary,
              created: result.created.map((id) => ({ id, row: rowOf.get(id) })),
              updated: result.updated.map((u) => ({ id: u.id, row: rowOf.get(u.id), changes: changesToJson(u.changes, zone), events: u.events.map((e) => e.type) })),
              unchanged: result.unchanged.map((id) => ({ id, row: rowOf.get(id) })),
              ...(read.draft ? { draft: draftJson(read.draft).rows } : {}),
              problems: problems.map(p),
              warnings: [...warnings.map(p), ...result.warnings.map((w) => ({ row: rowOf.get(w.id), id: w.id, message: w.message }))],
            },
            null,
            2,
          )}\n`,
        );
      } else {
        const out = (s: string): void => ctx.stdout.write(`${s}\n`);
        out(`Tệp ${read.file} (${read.format}): ${read.rows.length} nhiệm vụ đọc được, ${rejectedRows} dòng bị từ chối`);
        // A letter: the rows drafted from it, as `dondoc extract` shows them (row n = sheet row n+1).
        read.draft?.rows.forEach((r, i) => out(`  dòng ${i + 2}: mục ${r.item.value} · chủ trì: ${leadCell(r) || '?'} · ${r.title}${r.flags.length ? ' · cần xem lại' : ''}`));
        for (const x of problems) out(`  lỗi: ${formatRowProblem(x)}`);
        for (const x of warnings) out(`  lưu ý: ${formatRowProblem(x)}`);
        for (const w of result.warnings) out(`  lưu ý: dòng ${rowOf.get(w.id) ?? '?'} (${w.id}): ${w.message}`);
        for (const u of result.updated) {
          const what = Object.entries(u.changes).map(([k, c]) => (k === 'deadline' ? `thời hạn ${fmt(c.from)} → ${fmt(c.to)}` : k));
          const ev = u.events.filter((e) => e.type !== 'updated').map((e) => e.type);
          out(`  cập nhật dòng ${rowOf.get(u.id) ?? '?'} (${u.id}): ${[...what, ...ev].join(', ')}`);
        }
        const verb = opts.dryRun ? 'Sẽ ghi (chạy thử, chưa ghi gì)' : 'Kết quả';
        out(`${verb}: tạo mới ${summary.created} · cập nhật ${summary.updated} · không đổi ${summary.unchanged} · bị từ chối ${summary.rejected}`);
        if (!writing) out('Không ghi nhiệm vụ nào: sửa các dòng trên rồi nhập lại, hoặc dùng --partial để ghi các dòng hợp lệ.');
      }
      if (rejectedRows > 0) {
        throw new DondocError('IMPORT_REJECTED', `${file}: ${rejectedRows} dòng bị từ chối; ${writing && !opts.dryRun ? 'các dòng còn lại đã được ghi' : 'không ghi nhiệm vụ nào'}`);
      }
    });
}

const fmt = (v: unknown): string => (v && typeof v === 'object' && 'day' in v ? formatVnDeadline(v as Deadline) : 'không thời hạn');
