// `dondoc extract LETTER [--out FILE.xlsx|.csv] [--json] [--expand-all]`: the register rows a
// clerk would enter from an official letter (.docx, .pdf with a text layer, .md, .txt), each
// field with the text it came from and how sure the reading is; flagged rows say why. The
// sheet has the headers `dondoc import` reads, so the clerk reviews it and imports it.
// Nothing is written when the letter is refused (exit 1).
import path from 'node:path';
import type { Command } from 'commander';
import { formatIsoDay, formatVnDay } from '../core/day.js';
import { usageError } from '../errors.js';
import type { Draft, DraftRow } from '../extract/draft.js';
import type { Drafted } from '../extract/drafted.js';
import { extractLetter } from '../extract/extract-letter.js';
import { leadCell, writeDraftSheet } from '../extract/sheet.js';
import type { CliContext } from './context.js';

const KIND_LABEL: Record<string, string> = { cong_van: 'Công văn', ke_hoach: 'Kế hoạch', thong_bao: 'Thông báo', quyet_dinh: 'Quyết định', chi_thi: 'Chỉ thị', cong_dien: 'Công điện', bao_cao: 'Báo cáo' };

export function registerExtractCommand(program: Command, ctx: CliContext): void {
  program
    .command('extract')
    .description('Draft the register rows of an official letter (.docx, .pdf, .md, .txt) for review and import')
    .argument('<letter>', 'the letter')
    .option('--out <file>', 'write the draft as a sheet (.xlsx or .csv) that `dondoc import` reads')
    .option('--json', 'print the draft as JSON (fields with their source span and confidence)')
    .option('--expand-all', 'one row per body for items addressed to all the letter’s addressees')
    .option('--config <file>', 'config file')
    .action(async (file: string, opts: { out?: string; json?: boolean; expandAll?: boolean; config?: string }) => {
      if (opts.out && !/\.(xlsx|csv)$/i.test(opts.out)) throw usageError(`--out ${opts.out}: expected a .xlsx or .csv file`);
      const { org } = ctx.config(opts.config);
      const x = await extractLetter(file, org, { ...(opts.expandAll ? { expandAll: true } : {}) });
      for (const w of x.warnings) ctx.stderr.write(`${w}\n`);
      if (opts.out) await writeDraftSheet(x.draft, opts.out);
      const flagged = x.draft.rows.filter((r) => r.flags.length > 0).length;
      if (opts.json) {
        ctx.stdout.write(`${JSON.stringify({ file, format: x.format, ...draftJson(x.draft), flagged, ...(opts.out ? { out: opts.out } : {}) }, null, 2)}\n`);
        return;
      }
      const out = (s: string): void => ctx.stdout.write(`${s}\n`);
      for (const d of x.draft.documents) {
        const t = d.title;
        out(`${KIND_LABEL[t.kind]} số ${t.number?.value ?? '?'} ngày ${t.date ? formatVnDay(t.date.value) : '?'} của ${x.draft.rows.find((r) => r.document === x.draft.documents.indexOf(d))?.issuer ?? t.issuer?.value ?? '?'}${t.subject ? ` — ${t.subject.value}` : ''}`);
        if (d.meeting) out(`  cuộc họp: ${d.meeting.chair?.value ?? '?'} chủ trì, ngày ${d.meeting.date ? formatVnDay(d.meeting.date.value) : '?'}`);
        const skipped = d.items.filter((i) => !i.task);
        if (skipped.length) out(`  không phải nhiệm vụ: ${skipped.map((i) => i.number).join(', ')} (${[...new Set(skipped.map((i) => i.reason))].join('; ')})`);
      }
      x.draft.rows.forEach((r, i) => {
        out(`${String(i + 1).padStart(3)}. mục ${r.item.value} · chủ trì: ${leadCell(r) || '?'} · phối hợp: ${r.coordinators.value.map((c) => c.code).join(', ') || '—'} · thời hạn: ${deadlineText(r)}${r.reportTo ? ` · báo cáo về: ${r.reportTo.value.name}` : ''}`);
        out(`     ${r.title}`);
        for (const f of r.flags) out(`     cần xem lại (${f.field}): ${f.message}`);
      });
      out(`${x.draft.rows.length} dòng, ${flagged} cần xem lại${opts.out ? `; đã ghi ${opts.out}` : ''}. ${flagged ? `Sửa bảng rồi nhập: dondoc import ${opts.out ?? 'BẢNG.xlsx'}` : `Nhập: dondoc import ${opts.out ?? path.basename(file)}`}`);
    });
}

function deadlineText(r: DraftRow): string {
  if (r.recurrence) return `định kỳ ${r.recurrence.value.freq}${r.recurrence.value.day ? ` ngày ${r.recurrence.value.day}${r.recurrence.value.month ? `/${r.recurrence.value.month}` : ''}` : ''}`;
  const d = r.deadline.value;
  return d === undefined ? '—' : d === null ? 'không thời hạn cố định' : formatVnDay(d.day);
}

const field = <T, U>(f: Drafted<T> | undefined, map: (v: T) => U = (v) => v as unknown as U) =>
  f === undefined ? undefined : { value: map(f.value), confidence: f.confidence, ...(f.from ? { from: f.from } : {}), ...(f.note ? { note: f.note } : {}) };

/** The draft as JSON: dates ISO, every field with its span (offsets into the letter's text) and confidence. */
export function draftJson(draft: Draft): Record<string, unknown> {
  return {
    documents: draft.documents.map((d) => ({
      kind: d.title.kind,
      number: field(d.title.number),
      date: field(d.title.date, formatIsoDay),
      place: field(d.title.place),
      issuer: field(d.title.issuer),
      subject: field(d.title.subject),
      addressees: d.title.addressees.map((a) => field(a)),
      signer: field(d.title.signer),
      ...(d.meeting ? { meeting: { chair: field(d.meeting.chair), date: field(d.meeting.date, formatIsoDay) } } : {}),
      flags: d.title.flags,
      items: d.items,
    })),
    rows: draft.rows.map((r) => ({
      document: r.document,
      number: r.number,
      date: r.date === undefined ? undefined : formatIsoDay(r.date),
      issuer: r.issuer,
      subject: r.subject,
      item: field(r.item),
      title: r.title,
      content: r.content,
      lead: field(r.lead, (v) => (v === undefined ? null : 'all' in v ? { all: true, list: v.list, kinds: v.kinds } : v)),
      coordinators: field(r.coordinators),
      deadline: field(r.deadline, (d) => (d === undefined ? null : d === null ? 'none' : formatIsoDay(d.day))),
      ...(r.recurrence ? { recurrence: field(r.recurrence) } : {}),
      ...(r.reportTo ? { report_to: field(r.reportTo) } : {}),
      flags: r.flags,
    })),
  };
}
