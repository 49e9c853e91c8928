// From a letter's text to the register rows (pure): the seed letters and the short letters of
// tests/fixtures/letters against their expected rows, the acceptance items of both issues
// named one by one, tables of deadline and party phrases, and properties over any text.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dayFromYmd, formatIsoDay } from '../../src/core/day.js';
import { draftLetter } from '../../src/extract/draft.js';
import { readDeadline } from '../../src/extract/deadlines.js';
import { COLUMNS, REVIEW_COLUMNS } from '../../src/extract/sheet.js';
import { foldSame, joinBlocks } from '../../src/extract/letter-text.js';
import { markdownBlocks } from '../../src/extract/read-markdown.js';
import { fieldOfHeader } from '../../src/import/headers.js';
import { FIXTURES, configFor, draftOf, expectedRows, project } from './extract-support.js';

describe('fixture letters give the rows expected of them', () => {
  it.each(FIXTURES)('$letter', ({ letter, config, expected }) => {
    expect(draftOf(letter, config).rows.map(project)).toEqual(expectedRows(expected));
  });
});

const rowsOf = (letter: string, config: string, expand = false) => draftOf(letter, config, expand).rows;
const code = (r: { lead: { value: unknown } }): string | undefined => (r.lead.value as { code?: string } | undefined)?.code;

describe('issue 10 acceptance', () => {
  it('1510/UBND-TH: every numbered item found with its number; item 12 led by Ban Dân tộc tỉnh', () => {
    const d = draftOf('1510-UBND-TH-thai-nguyen-2022-04-16.md', 'dondoc-thai-nguyen-2022.yaml');
    expect(d.documents[0]!.items.map((i) => i.number)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12']);
    const r12 = d.rows.find((r) => r.item.value === '12')!;
    expect(code(r12)).toBe('BDT');
    expect(r12.lead.confidence).toBe('high');
    expect(r12.lead.from!.text).toBe('Ban Dân tộc tỉnh');
    // Item 9: "hoàn thành trong quý II năm 2022" → 30/06/2022, cited from the item.
    const r9 = d.rows.find((r) => r.item.value === '9')!;
    expect(formatIsoDay((r9.deadline.value as { day: number }).day)).toBe('2022-06-30');
    expect(r9.deadline.from!.text).toBe('quý II năm 2022');
  });

  it('1510/UBND-TH --expand-all: items for all addressees become one row per body in force on 16/04/2022', () => {
    const rows = rowsOf('1510-UBND-TH-thai-nguyen-2022-04-16.md', 'dondoc-thai-nguyen-2022.yaml', true);
    const item2 = rows.filter((r) => r.item.value === '2').map(code);
    const org = configFor('dondoc-thai-nguyen-2022.yaml').org;
    const kinds = new Set(['so', 'ban', 'nganh', 'ubnd_huyen']);
    expect(item2).toEqual([...org.bodies.values()].filter((b) => kinds.has(b.kind)).map((b) => b.code));
    expect(item2).toContain('UBND-DAITU');
    expect(rows.filter((r) => r.item.value === '2').every((r) => r.flags.every((f) => f.field !== 'lead'))).toBe(true);
  });

  it('7176/UBND-NC: items 4 and 5 led by the Provincial Office and Sở Nội vụ', () => {
    const d = draftOf('7176-UBND-NC-thai-nguyen-2024-12-04.md', 'shipped');
    expect(d.documents[0]!.items.map((i) => i.number)).toEqual(['1', '2', '3', '4', '5', '6']);
    const by = (n: string) => d.rows.filter((r) => r.item.value === n);
    expect(by('4').map(code)).toEqual(['VPUBND']);
    expect(by('4')[0]!.lead.from!.text).toBe('Chánh Văn phòng UBND tỉnh');
    expect(by('4')[0]!.coordinators.value.map((c) => c.code)).toEqual(['SNV']);
    expect(by('5').map(code)).toEqual(['SNV']);
    expect(by('6').map(code)).toEqual(['TTT']);
    expect(d.documents[0]!.title.number!.value).toBe('7176/UBND-NC');
    expect(d.documents[0]!.title.signer!.value).toEqual({ title: 'CHỦ TỊCH', name: 'Nguyễn Huy Dũng' });
  });

  it('08/KH-UBND inside 79/VKS-VP: its items by number, VI.8 yearly to Sở Nội vụ, VI.1 one row per department', () => {
    const d = draftOf('79-VKS-VP-lang-son-2023-01-16.md', 'dondoc-lang-son-2023.yaml');
    expect(d.documents.map((x) => x.title.number!.value)).toEqual(['79/VKS-VP', '08/KH-UBND']);
    const plan = d.documents[1]!;
    expect(plan.title.kind).toBe('ke_hoach');
    expect(formatIsoDay(plan.title.date!.value)).toBe('2023-01-10');
    expect(plan.title.number!.from!.text).toContain('Kế hoạch số 08/KH-UBND ngày 10/01/2023');
    expect(plan.items.map((i) => i.number)).toEqual(['I.1', 'I.2', 'II.1', 'II.2', 'III.1', 'III.2', 'IV.1', 'IV.2', 'IV.3', 'IV.4', 'IV.5', 'V.1', 'V.2', 'VI.1', 'VI.2', 'VI.3', 'VI.4', 'VI.5', 'VI.6', 'VI.7', 'VI.8']);
    expect(plan.items.filter((i) => !i.task).map((i) => i.number)).toEqual(['I.1', 'I.2', 'II.1', 'II.2', 'III.1', 'III.2']);
    const vi8 = d.rows.filter((r) => r.item.value === 'VI.8');
    expect(vi8).toHaveLength(1);
    expect(vi8[0]!.recurrence!.value).toEqual({ freq: 'yearly' });
    expect(vi8[0]!.recurrence!.from!.text).toBe('Định kỳ hằng năm');
    expect(vi8[0]!.reportTo!.value).toEqual({ code: 'SNV', name: 'Sở Nội vụ' });
    expect(vi8[0]!.flags.map((f) => f.field)).toContain('recurrence'); // the day is not invented
    expect(d.rows.filter((r) => r.item.value === 'VI.1').map(code)).toEqual(['SKHDT', 'SGTVT', 'SCT', 'STTTT', 'SNNPTNT', 'SXD', 'STNMT', 'SYT', 'SKHCN', 'SGDDT', 'SVHTTDL', 'SNV', 'STC', 'TTT']);
    const v = (n: string) => d.rows.find((r) => r.item.value === n)!;
    expect(formatIsoDay((v('V.1').deadline.value as { day: number }).day)).toBe('2023-01-31'); // "trong tháng 01 năm 2023"
    expect(formatIsoDay((v('V.2').deadline.value as { day: number }).day)).toBe('2030-12-31'); // "tổng kết vào năm 2030"
  });
});

describe('issue 15 acceptance', () => {
  it('a one-paragraph letter: one row, lead SXD, coordinators flagged as not named, deadline 15/03/2024', () => {
    const rows = rowsOf('702-UBND-CNNXD-mot-doan.md', 'shipped');
    expect(rows).toHaveLength(1);
    const r = rows[0]!;
    expect(r.item.value).toBe('P1');
    expect(code(r)).toBe('SXD');
    expect(r.coordinators.value).toEqual([]);
    expect(r.flags).toEqual([{ field: 'coordinators', message: expect.stringContaining('không nêu tên («các cơ quan, địa phương liên quan»)') }]);
    expect(r.deadline.value).toEqual({ day: dayFromYmd(2024, 3, 15) });
    expect(r.deadline.confidence).toBe('high');
  });

  it('three paragraphs, two deadlines, "báo cáo về Sở X": three rows with report_to; the consolidating body leads the last', () => {
    const rows = rowsOf('1456-UBND-TH-ba-doan.md', 'shipped');
    expect(rows.map((r) => r.item.value)).toEqual(['P1', 'P2', 'P3']);
    expect(rows.map((r) => r.reportTo?.value.name)).toEqual(['Sở Kế hoạch và Đầu tư', 'Sở Kế hoạch và Đầu tư', 'UBND tỉnh Thái Nguyên']);
    expect(rows.map((r) => (r.deadline.value ? formatIsoDay(r.deadline.value.day) : r.deadline.value))).toEqual([undefined, '2024-04-08', '2024-04-12']);
    expect(rows[1]!.deadline.confidence).toBe('medium'); // "trước ngày 8/4": the letter's year
    expect(code(rows[2]!)).toBe(rows[1]!.reportTo!.value.code);
    expect(rows[1]!.lead.value).toMatchObject({ all: true, list: ['Các sở, ban, ngành tỉnh', 'UBND các huyện, thành phố'] });
  });

  it('a letter of context only has no directive', () => {
    const d = draftOf('88-UBND-NC-chi-boi-canh.md', 'shipped');
    expect(d.rows).toEqual([]);
    expect(d.documents[0]!.items).toEqual([]);
  });

  it('an incomplete title block: number and date read, issuer from config, missing place flagged', () => {
    const d = draftOf('1234-UBND-KT-thieu-tieu-de.md', 'shipped');
    const t = d.documents[0]!.title;
    expect(t.number!.value).toBe('1234/UBND-KT');
    expect(t.number!.note).toContain('1234 /UBND-KT');
    expect(t.issuer).toBeUndefined();
    expect(t.place).toBeUndefined();
    expect(t.flags.map((f) => f.field)).toEqual(['place']);
    expect(d.rows.every((r) => r.issuer === 'UBND tỉnh Thái Nguyên')).toBe(true);
    // "trước ngày 15/3" had passed on 03/04/2024: next year, flagged.
    const p2 = d.rows.find((r) => r.item.value === 'P2')!;
    expect(p2.deadline.value).toEqual({ day: dayFromYmd(2025, 3, 15) });
    expect(p2.flags.map((f) => f.field)).toEqual(['deadline']);
  });

  it('a conclusion notice: the chair and date of the meeting; only conclusions that direct a body are items', () => {
    const d = draftOf('45-TB-VPUBND-ket-luan.md', 'shipped');
    const doc = d.documents[0]!;
    expect(doc.title.kind).toBe('thong_bao');
    expect(doc.meeting!.chair!.value).toBe('Phó Chủ tịch UBND tỉnh Nguyễn Văn Bình');
    expect(formatIsoDay(doc.meeting!.date!.value)).toBe('2024-02-28');
    expect(doc.items.map((i) => [i.number, i.task])).toEqual([['1', false], ['2', true], ['3', true], ['4', true]]);
    expect(d.rows.map(code)).toEqual(['SXD', 'STC', 'TTT']);
  });
});

describe('reading the text', () => {
  it('"/." and "./." end marks, non-breaking spaces and Uỷ/Ủy read the same', () => {
    const org = configFor('shipped').org;
    const body = (s: string) => `Số: 9/UBND-TH\n\nThái Nguyên, ngày 2 tháng 1 năm 2024\n\n${s}`;
    const a = draftLetter(joinBlocks(markdownBlocks(body('Giao Sở Y tế chủ trì, báo cáo Ủy ban nhân dân tỉnh trước ngày 15/3/2024./.'))), org).rows;
    const b = draftLetter(joinBlocks(markdownBlocks(body('Giao Sở\u00a0Y tế chủ trì, báo cáo Uỷ ban nhân dân tỉnh trước ngày 15/3/2024/.'))), org).rows;
    expect(b.map(project)).toEqual(a.map(project));
    expect(a.map(project)).toEqual([expect.objectContaining({ lead: 'SYT', deadline: '2024-03-15', report_to: 'UBND tỉnh Thái Nguyên' })]);
  });

  it('review columns name no field import reads; the main columns all do', () => {
    expect(REVIEW_COLUMNS.map((h) => fieldOfHeader(h))).toEqual(REVIEW_COLUMNS.map(() => undefined));
    expect(COLUMNS.map((h) => fieldOfHeader(h))).toEqual(['stt', 'number', 'date', 'issuer', 'subject', 'item', 'title', 'content', 'lead', 'coordinators', 'deadline']);
  });
});

describe('deadline phrases of letters', () => {
  const letterDay = dayFromYmd(2024, 4, 3);
  const read = (s: string) => {
    const letter = joinBlocks([{ text: s }]);
    const r = readDeadline(letter, foldSame(letter.text), 0, letter.text.length, letterDay);
    const v = r.deadline.value;
    return { value: v === undefined ? null : v === null ? 'none' : formatIsoDay(v.day), confidence: r.deadline.confidence, flags: r.flags.length };
  };
  it.each([
    ['hoàn thành trước ngày 30/6/2024', '2024-06-30', 'high', 0],
    ['hoàn thành trong quý II năm 2024', '2024-06-30', 'high', 0],
    ['ban hành trong tháng 01 năm 2025', '2025-01-31', 'high', 0],
    ['tổ chức sơ kết trong năm 2025', '2025-12-31', 'high', 0],
    ['tổng kết vào năm 2030', '2030-12-31', 'high', 0],
    ['triển khai trong giai đoạn 2023–2025', '2025-12-31', 'high', 0],
    ['báo cáo kịp thời', 'none', 'medium', 0],
    ['thực hiện thường xuyên', 'none', 'medium', 0],
    ['gửi trước ngày 8/4', '2024-04-08', 'medium', 0],
    ['gửi trước ngày 15/3', '2025-03-15', 'low', 1],
    ['theo Nghị quyết số 10/NQ-CP ngày 28/01/2022 của Chính phủ', null, 'medium', 0],
    ['Quy hoạch thời kỳ 2021 - 2030, tầm nhìn đến năm 2050', null, 'medium', 0],
    ['phấn đấu năm 2024 có thêm 10 xã đạt chuẩn', null, 'low', 1],
    ['ban hành trong tháng 01 năm 2024, sơ kết trong năm 2025', '2024-01-31', 'high', 1],
  ])('%s → %s', (text, value, confidence, flags) => {
    expect(read(text)).toEqual({ value, confidence, flags });
  });
});

describe('properties', () => {
  const org = configFor('shipped').org;
  const pieces = fc.constantFrom('Giao ', 'Sở Tài chính', ' chủ trì', ', phối hợp với ', 'Sở Y tế', ' các sở, ngành', ' trước ngày ', '8/4', '15/3/2024', '. ', './.', '\n\n', '1. ', '- ', 'a) ', 'VI. TỔ CHỨC THỰC HIỆN', 'Kính gửi:', 'Nơi nhận:', 'Số: 12/UBND-TH', 'ngày 3 tháng 4 năm 2024', 'báo cáo về ', 'Định kỳ hằng năm, ', 'Ủy ban nhân dân tỉnh', '\u00a0', 'ĐỀ');
  it('never throws; every span quotes the letter; every "low" field is flagged', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(pieces, fc.string({ maxLength: 12 })), { maxLength: 60 }), (parts) => {
        const letter = joinBlocks(markdownBlocks(parts.join('')));
        const d = draftLetter(letter, org);
        for (const r of d.rows) {
          for (const f of [r.item, r.lead, r.coordinators, r.deadline, r.recurrence, r.reportTo]) {
            if (f?.from) expect(letter.text.slice(f.from.start, f.from.end)).toBe(f.from.text);
          }
          for (const [name, f] of [['lead', r.lead], ['coordinators', r.coordinators], ['deadline', r.deadline], ['recurrence', r.recurrence]] as const) {
            if (f?.confidence === 'low') expect(r.flags.map((x) => x.field)).toContain(name);
          }
        }
      }),
      { numRuns: Number(process.env.DONDOC_FUZZ_RUNS ?? 200) },
    );
  });
});
