// Registers as clerks keep them (.xlsx, .csv) → validated task inputs. The fixtures are
// written by tests/fixtures/make-fixtures.ts; the expectations below are written from the
// letter (1510/UBND-TH) and the issue, not from the generator.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Day, formatIsoDay, parseIsoDay } from '../../src/core/day.js';
import { taskStatus } from '../../src/core/status.js';
import { buildTask } from '../../src/core/task-ops.js';
import { DondocError } from '../../src/errors.js';
import { type ImportResult, formatRowProblem, readTaskFile } from '../../src/import/read-task-file.js';
import { ZONE, config2022, fixture, org2022 } from './import-support.js';

const day = (s: string): Day => parseIsoDay(s)!;
const read = (file: string, issuer?: string): Promise<ImportResult> => readTaskFile(file, { org: org2022, zone: ZONE, ...(issuer ? { issuer } : {}) });
const deadlineOf = (r: ImportResult['rows'][number]): string | null | undefined =>
  r.input.deadline === undefined ? undefined : r.input.deadline === null ? null : formatIsoDay(r.input.deadline.day);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dondoc-import-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let n = 0;
/** A CSV written for one test: rows of cells, "," separated. */
const csv = (rows: string[][], name = `t${++n}.csv`): string => {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, rows.map((r) => r.map((c) => (/[",\n;]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')).join('\n'));
  return file;
};
const HEAD = ['STT', 'Số, ký hiệu văn bản', 'Ngày ban hành', 'Cơ quan ban hành', 'Nội dung nhiệm vụ', 'Đơn vị chủ trì', 'Đơn vị phối hợp', 'Thời hạn'];
const LETTER = ['1510/UBND-TH', '16/04/2022', 'UBND tỉnh Thái Nguyên'];

// Letter 1510/UBND-TH: the quarter's key tasks are due 30/06/2022, "năm 2022" ones 31/12/2022.
const EXPECTED_1510: Array<[row: number, item: string, lead: string, coordinators: string[], deadline: string]> = [
  [9, '2', 'SKHDT', [], '2022-12-31'],
  [10, '3', 'SKHDT', ['STC', 'SGTVT'], '2022-06-30'],
  [11, '3', 'UBND-TPTN', ['STNMT', 'SGTVT'], '2022-06-30'],
  [11, '3', 'UBND-PHOYEN', ['STNMT', 'SGTVT'], '2022-06-30'],
  [12, '5', 'TTT', ['STNMT', 'SXD'], '2022-06-30'],
  [13, '6', 'STTTT', ['VPUBND'], '2022-06-30'],
  [14, '6', 'CAT', ['STTTT'], '2022-06-30'],
  [15, '7', 'SNNPTNT', ['UBND-DAITU', 'UBND-PHUBINH'], '2022-12-31'],
  [16, '8', 'SGDDT', ['CAT', 'SYT'], '2022-06-30'],
  [17, '9', 'SYT', ['SGDDT'], '2022-06-30'],
  [18, '10', 'BCHQS', ['CAT'], '2022-12-31'],
  [18, '10', 'UBND-PHOYEN', ['CAT'], '2022-12-31'],
  [19, '11', 'STTTT', ['SVHTTDL', 'CAT'], '2022-06-30'],
  [20, '12', 'BDT', [], '2022-06-30'],
];

describe('letter 1510/UBND-TH as a register (.xlsx)', async () => {
  const file = fixture('1510-UBND-TH.xlsx');
  const result = await read(file);

  it('reads every item under the title block, header and numbering row, with no problem', () => {
    expect(result.format).toBe('xlsx');
    expect(result.problems).toEqual([]);
    expect(result.rows.map((r) => [r.row, r.input.source.item, r.input.lead, r.input.coordinators, deadlineOf(r)])).toEqual(EXPECTED_1510);
  });

  it('gives every task the letter from the merged cells, and the issuer from the title block', () => {
    for (const r of result.rows) {
      expect(r.input.source).toMatchObject({
        number: '1510/UBND-TH',
        date: day('2022-04-16'),
        issuer: 'UBND tỉnh Thái Nguyên',
        subject: 'V/v tập trung thực hiện một số nhiệm vụ trọng tâm trong quý II năm 2022',
      });
      expect(r.input.kind).toBe('task');
      expect(r.input.events).toEqual([]);
    }
  });

  it('derives ids from number, date, item and lead body', () => {
    expect(result.rows.map((r) => r.input.id)).toContain('1510-ubnd-th-20220416-9-syt');
    expect(result.rows.map((r) => r.input.id)).toContain('1510-ubnd-th-20220416-10-bchqs');
    expect(new Set(result.rows.map((r) => r.input.id)).size).toBe(result.rows.length);
    for (const r of result.rows) expect(r.input.id).toMatch(/^[a-z0-9-]+$/);
  });

  it('takes the item text as content and its first sentence as title', () => {
    const syt = result.rows.find((r) => r.input.lead === 'SYT')!;
    expect(syt.input.title).toBe(
      'Chuẩn bị sẵn sàng điều kiện về cơ sở vật chất, trang thiết bị, phương tiện bảo quản, địa điểm, nhân lực để tiêm vắc-xin phòng COVID-19 cho trẻ em từ 5 tuổi đến dưới 12 tuổi ngay sau khi được cung ứng vắc-xin, bảo đảm an toàn, khoa học, hiệu quả',
    );
    expect(syt.input.content).toMatch(/hoàn thành trong quý II năm 2022\.$/);
  });

  it('warns, without failing, about coordinators that name no body', () => {
    expect(result.warnings.map((w) => [w.row, w.column, w.value])).toEqual([
      [9, 'Đơn vị phối hợp', 'Các Sở, ban, ngành liên quan'],
      [20, 'Đơn vị phối hợp', 'Các Sở, ban, ngành, địa phương, đơn vị liên quan'],
    ]);
  });

  it('gives inputs the core builds into tasks, assigned on the letter date, led as in 2022', () => {
    const actor = { by: 'import:test', now: Date.parse('2022-04-20T09:00:00+07:00') };
    for (const r of result.rows) {
      const built = buildTask(r.input, config2022.calendar, org2022, actor);
      expect(built.warnings).toEqual([]);
      expect(built.task.assignedOn).toBe(day('2022-04-16'));
      expect(built.task.leader).toBe(org2022.bodies.get(r.input.lead)!.leader);
    }
  });
});

describe('the same register saved as CSV UTF-8', () => {
  it('reads exactly the same tasks: merged cells came out empty and are inherited', async () => {
    const [fromXlsx, fromCsv] = await Promise.all([read(fixture('1510-UBND-TH.xlsx')), read(fixture('1510-UBND-TH.csv'))]);
    expect(fromCsv.format).toBe('csv');
    expect(fromCsv.problems).toEqual([]);
    expect(fromCsv.rows).toEqual(fromXlsx.rows);
  });
});

describe('the events file for simulate', () => {
  it('has the ids of the register import, and events that apply: on time, late, extended, open', async () => {
    const [sheet, events] = await Promise.all([read(fixture('1510-UBND-TH.xlsx')), read(fixture('1510-UBND-TH-events.yaml'))]);
    expect(events.problems).toEqual([]);
    expect(events.rows.map((r) => r.input.id)).toEqual(sheet.rows.map((r) => r.input.id));
    // Same assignment too, so importing the register after the events file changes nothing.
    const assignment = (r: ImportResult['rows'][number]) => ({ ...r.input, events: [] });
    expect(events.rows.map(assignment)).toEqual(sheet.rows.map(assignment));
    const now = Date.parse('2023-01-10T12:00:00+07:00');
    const statuses = new Map(
      events.rows.map((r) => {
        const { task } = buildTask(r.input, config2022.calendar, org2022, { by: 'simulate', now });
        return [`${task.source.item}/${task.lead}`, taskStatus(task, config2022.calendar, now).status];
      }),
    );
    expect(statuses.get('3/SKHDT')).toBe('on_time');
    expect(statuses.get('9/SYT')).toBe('on_time');
    expect(statuses.get('6/STTTT')).toBe('late');
    expect(statuses.get('5/TTT')).toBe('late');
    expect(statuses.get('10/BCHQS')).toBe('on_time');
    expect(statuses.get('12/BDT')).toBe('overdue'); // extended to 30/09/2022, still open
    expect(statuses.get('7/SNNPTNT')).toBe('overdue');
    expect(statuses.get('6/CAT')).toBe('overdue');
  });
});

describe('an .xlsx typed in NFD, with a cover sheet, two header rows and section headings', async () => {
  const result = await read(fixture('import', 'nfd-headers.xlsx'));

  it('imports correctly, in NFC', () => {
    expect(result.problems).toEqual([]);
    expect(result.rows.map((r) => [r.row, r.input.id, r.input.lead, r.input.coordinators, r.input.leader, deadlineOf(r)])).toEqual([
      [7, 'tn-2022-dt-01', 'SKHDT', ['STC', 'SXD'], 'PCT1', '2022-06-30'],
      [8, 'tn-2022-dt-02', 'BCHQS', ['CAT'], 'CT', '2022-12-31'],
      [10, 'tn-2022-vx-01', 'BDT', ['SVHTTDL'], undefined, '2022-06-30'],
    ]);
    const first = result.rows[0]!.input;
    expect(first.title).toBe('Đẩy mạnh giải ngân vốn đầu tư công');
    expect(first.title).toBe(first.title.normalize('NFC'));
    expect(first.content).toBe('Tập trung lãnh đạo, chỉ đạo quyết liệt để đẩy mạnh giải ngân vốn đầu tư công.');
    expect(first.source).toEqual({ number: '1510/UBND-TH', date: day('2022-04-16'), issuer: 'UBND tỉnh Thái Nguyên', item: '1' });
    for (const r of result.rows) expect(JSON.stringify(r.input)).toBe(JSON.stringify(r.input).normalize('NFC'));
  });

  it('turns the completion and extension columns into events', () => {
    expect(result.rows[0]!.input.events).toEqual([{ type: 'completed', at: '2022-06-29T15:45:00+07:00' }]);
    expect(result.rows[2]!.input.events).toEqual([
      { type: 'extended', on: day('2022-06-27'), deadline: { day: day('2022-09-30') }, document: 'Công văn số 2650/UBND-TH ngày 27/6/2022', approved_by: 'Chủ tịch UBND tỉnh' },
    ]);
  });

  it('skips the section headings, saying so', () => {
    expect(result.warnings.map((w) => [w.row, w.message])).toEqual([
      [6, 'bỏ qua (tiêu đề mục): "I. LĨNH VỰC KINH TẾ"'],
      [9, 'bỏ qua (tiêu đề mục): "II. LĨNH VỰC VĂN HOÁ - XÃ HỘI"'],
    ]);
  });
});

describe('a ";" CSV with a BOM, from a Vietnamese-locale Excel', async () => {
  const result = await read(fixture('import', 'semicolon-bom.csv'));

  it('reads every row, counting the blank one', () => {
    expect(result.problems).toEqual([]);
    expect(result.rows.map((r) => [r.row, r.input.source.number, formatIsoDay(r.input.source.date), r.input.source.issuer, r.input.lead, r.input.coordinators])).toEqual([
      [2, '79/VKS-VP', '2023-01-16', 'Viện KSND tỉnh Lạng Sơn', 'SNV', ['SVHTTDL', 'STC']],
      [3, '79/VKS-VP', '2023-01-16', 'Viện KSND tỉnh Lạng Sơn', 'SNV', ['VPUBND']],
      [4, '79/VKS-VP', '2023-01-16', 'Viện KSND tỉnh Lạng Sơn', 'STC', []],
      [6, '1510/UBND-TH', '2022-04-16', 'UBND tỉnh Thái Nguyên', 'SYT', ['SVHTTDL', 'SGDDT']],
    ]);
  });

  it('understands periodic duties, "Thường xuyên", multi-line cells and completion dates', () => {
    const [yearly, multi, done, always] = result.rows.map((r) => r.input);
    expect(yearly!.recurrence).toEqual({ freq: 'yearly', month: 12, day: 15 });
    expect(yearly!.deadline).toBeNull();
    expect(multi!.title).toBe('Rà soát, sắp xếp tổ chức bộ máy');
    expect(multi!.content).toBe('Rà soát, sắp xếp tổ chức bộ máy\n(giai đoạn 2023–2025)');
    expect(done!.events).toEqual([{ type: 'completed', on: day('2023-01-20') }]);
    expect(always!.deadline).toBeNull();
  });
});

describe('bad rows', async () => {
  const file = fixture('import', 'bad-rows.csv');
  const result = await read(file);

  it('are all reported, with row as the clerk sees it, column and value as written, and the reason', () => {
    expect(result.problems.map((p) => [p.row, p.column, p.value])).toEqual([
      [4, 'Ngày ban hành', '31/02/2022'],
      [5, 'Đơn vị chủ trì', 'Sở Tài chánh và Kế hoạch'],
      [5, 'Đơn vị phối hợp', 'Sở Giáo dục'],
      [6, 'STT', '4'],
      [7, 'STT', '4'],
      [8, 'Nội dung nhiệm vụ', undefined],
      [9, 'Thời hạn', 'abc'],
      [10, 'Đơn vị phối hợp', 'Sở Ngoại giao'],
      [10, 'Thời hạn', '01/01/99999'],
    ]);
    const text = result.problems.map(formatRowProblem);
    expect(text[0]).toBe(`${file}: dòng 4, cột "Ngày ban hành": "31/02/2022": không phải một ngày có thật`);
    expect(text[1]).toContain('không có đơn vị "Sở Tài chánh và Kế hoạch" trong danh bạ; gần nhất: Sở Tài chính');
    expect(text[2]).toContain('gần nhất: Sở Giáo dục và Đào tạo');
    expect(text[3]).toContain('mã nhiệm vụ "1510-ubnd-th-20220416-4-sxd" trùng với dòng 7: đánh số riêng cho từng mục ở cột "STT"');
    expect(text[5]).toContain('không được để trống');
    expect(text[6]).toContain('không phải ngày hay cụm từ chỉ thời hạn');
    expect(text[7]).toContain('gần nhất: Sở Ngoại vụ');
    expect(text[8]).toContain('năm 99999 nằm ngoài khoảng');
  });

  it('leave only the good rows in rows', () => {
    expect(result.rows.map((r) => r.row)).toEqual([3]);
  });
});

describe('a register with English field names and the letter in its title block', () => {
  it('takes number, date and issuer from the title block, and slugs the id column', async () => {
    const result = await read(fixture('import', 'english-title-block.csv'));
    expect(result.problems).toEqual([]);
    expect(result.rows.map((r) => [r.input.id, r.input.lead, deadlineOf(r)])).toEqual([
      ['1510-ubnd-th-20220416-9-syt', 'SYT', '2022-06-30'],
      ['bdt-2022-12', 'BDT', '2022-12-15'],
    ]);
    expect(result.rows[0]!.input.source).toEqual({ number: '1510/UBND-TH', date: day('2022-04-16'), issuer: 'UBND tỉnh Thái Nguyên', item: '9' });
  });
});

describe('row rules', () => {
  it('warns, and imports, when the deadline is before the assignment', async () => {
    const r = await read(csv([HEAD, ['1', ...LETTER, 'Hợp thức hóa', 'Sở Y tế', '', '01/04/2022']]));
    expect(r.problems).toEqual([]);
    expect(r.rows).toHaveLength(1);
    expect(r.warnings.map(formatRowProblem)).toEqual([expect.stringContaining('dòng 2, cột "Thời hạn": "01/04/2022": thời hạn sớm hơn ngày giao (2022-04-16)')]);
  });

  it('warns when no deadline is given', async () => {
    const r = await read(csv([HEAD, ['1', ...LETTER, 'Nhiệm vụ', 'Sở Y tế', '', '']]));
    expect(r.rows[0]!.input.deadline).toBeUndefined();
    expect(r.warnings.map((w) => w.message)).toEqual([expect.stringContaining('không có thời hạn: nhiệm vụ sẽ không có thời hạn')]);
  });

  it('reads completion dates, in a sentence too, and refuses one without a date or before the assignment', async () => {
    const r = await read(
      csv([
        [...HEAD, 'Ngày hoàn thành'],
        ['1', ...LETTER, 'Một', 'Sở Y tế', '', '30/06/2022', '20/6/2022'],
        ['2', ...LETTER, 'Hai', 'Sở Y tế', '', '30/06/2022', 'Đã hoàn thành ngày 25/6/2022'],
        ['3', ...LETTER, 'Ba', 'Sở Y tế', '', '30/06/2022', 'Đã hoàn thành'],
        ['4', ...LETTER, 'Bốn', 'Sở Y tế', '', '30/06/2022', '01/04/2022'],
      ]),
    );
    expect(r.rows.map((x) => x.input.events)).toEqual([[{ type: 'completed', on: day('2022-06-20') }], [{ type: 'completed', on: day('2022-06-25') }]]);
    expect(r.problems.map((p) => [p.row, p.column, p.message])).toEqual([
      [4, 'Ngày hoàn thành', expect.stringContaining('ghi ngày hoàn thành')],
      [5, 'Ngày hoàn thành', 'trước ngày giao nhiệm vụ (2022-04-16)'],
    ]);
  });

  it('reads an extension and checks it: a document, a later date, a deadline to extend', async () => {
    const head = [...HEAD, 'Gia hạn đến', 'Văn bản gia hạn'];
    const r = await read(
      csv([
        head,
        ['1', ...LETTER, 'Một', 'Sở Y tế', '', 'Quý II/2022', '30/09/2022', 'Công văn số 2650/UBND-TH ngày 27/6/2022'],
        ['2', ...LETTER, 'Hai', 'Sở Y tế', '', 'Quý II/2022', '30/09/2022', ''],
        ['3', ...LETTER, 'Ba', 'Sở Y tế', '', 'Quý III/2022', '30/09/2022', 'CV 1'],
        ['4', ...LETTER, 'Bốn', 'Sở Y tế', '', 'Thường xuyên', '30/09/2022', 'CV 2'],
        ['5', ...LETTER, 'Năm', 'Sở Y tế', '', 'Quý II/2022', '', 'CV 3'],
      ]),
    );
    expect(r.rows.map((x) => x.input.events)).toEqual([
      [{ type: 'extended', on: day('2022-06-27'), deadline: { day: day('2022-09-30') }, document: 'Công văn số 2650/UBND-TH ngày 27/6/2022', approved_by: 'UBND tỉnh' }],
    ]);
    expect(r.problems.map((p) => [p.row, p.column, p.message])).toEqual([
      [3, 'Văn bản gia hạn', expect.stringContaining('thiếu văn bản đồng ý gia hạn')],
      [4, 'Gia hạn đến', 'không muộn hơn thời hạn (2022-09-30)'],
      [5, 'Gia hạn đến', 'nhiệm vụ không có thời hạn cố định để gia hạn'],
      [6, 'Văn bản gia hạn', expect.stringContaining('không có thời hạn mới')],
    ]);
  });

  it('makes one task per lead body, and rejects the whole row when one of them is unknown', async () => {
    const r = await read(
      csv([
        HEAD,
        ['1', ...LETTER, 'Hai đơn vị', 'Sở Y tế; Sở Giáo dục và Đào tạo', '', 'Quý II/2022'],
        ['2', ...LETTER, 'Một đơn vị lạ', 'Sở Y tế\nSở Không Có', '', 'Quý II/2022'],
        ['3', ...LETTER, 'Phẩy', 'Sở Y tế, Sở Văn hóa, Thể thao và Du lịch', 'so tai chinh', 'Quý II/2022'],
      ]),
    );
    expect(r.rows.map((x) => [x.row, x.input.id, x.input.coordinators])).toEqual([
      [2, '1510-ubnd-th-20220416-1-syt', []],
      [2, '1510-ubnd-th-20220416-1-sgddt', []],
      [4, '1510-ubnd-th-20220416-3-syt', ['STC']],
      [4, '1510-ubnd-th-20220416-3-svhttdl', ['STC']],
    ]);
    expect(r.problems.map((p) => [p.row, p.column, p.value])).toEqual([[3, 'Đơn vị chủ trì', 'Sở Không Có']]);
  });

  it('resolves bodies by code, by name without diacritics, and in NFD', async () => {
    const r = await read(
      csv([
        HEAD,
        ['1', ...LETTER, 'Mã', 'syt', 'SGDDT', 'Quý II/2022'],
        ['2', ...LETTER, 'Không dấu', 'SO Y TE', 'so giao duc va dao tao', 'Quý II/2022'],
        ['3', ...LETTER, 'NFD', 'Sở Y tế'.normalize('NFD'), 'Sở Giáo dục và Đào tạo'.normalize('NFD'), 'Quý II/2022'],
      ]),
    );
    expect(r.problems).toEqual([]);
    expect(r.rows.map((x) => [x.input.lead, x.input.coordinators])).toEqual([
      ['SYT', ['SGDDT']],
      ['SYT', ['SGDDT']],
      ['SYT', ['SGDDT']],
    ]);
  });

  it('rejects every row of an id column that repeats, and suffixes the lead for several leads', async () => {
    const r = await read(
      csv([
        [...HEAD, 'Mã nhiệm vụ'],
        ['1', ...LETTER, 'Một', 'Sở Y tế', '', 'Quý II/2022', 'NV-01'],
        ['2', ...LETTER, 'Hai', 'Sở Y tế', '', 'Quý II/2022', 'nv 01'],
        ['3', ...LETTER, 'Ba', 'Sở Y tế; Sở Tài chính', '', 'Quý II/2022', 'NV/03'],
      ]),
    );
    expect(r.rows.map((x) => x.input.id)).toEqual(['nv-03-syt', 'nv-03-stc']);
    expect(r.problems.map(formatRowProblem)).toEqual([
      expect.stringMatching(/dòng 2, cột "Mã nhiệm vụ": mã nhiệm vụ "nv-01" trùng với dòng 3: cho mỗi nhiệm vụ một "Mã nhiệm vụ" riêng$/),
      expect.stringMatching(/dòng 3, cột "Mã nhiệm vụ": mã nhiệm vụ "nv-01" trùng với dòng 2/),
    ]);
  });

  it('asks for an item number when a sheet without one assigns a body twice from one letter', async () => {
    const head = HEAD.filter((h) => h !== 'STT');
    const r = await read(csv([head, [...LETTER, 'Một', 'Sở Y tế', '', 'Quý II/2022'], [...LETTER, 'Hai', 'Sở Y tế', '', 'Quý III/2022']]));
    expect(r.rows).toEqual([]);
    expect(r.problems.map((p) => p.message)).toEqual([
      'mã nhiệm vụ "1510-ubnd-th-20220416-syt" trùng với dòng 3: đánh số riêng cho từng mục ở cột "Mục" (thêm cột này), hoặc ghi mã ở cột "Mã nhiệm vụ"',
      'mã nhiệm vụ "1510-ubnd-th-20220416-syt" trùng với dòng 2: đánh số riêng cho từng mục ở cột "Mục" (thêm cột này), hoặc ghi mã ở cột "Mã nhiệm vụ"',
    ]);
  });

  it('reads kinds and leaders, and names what it does not know', async () => {
    const r = await read(
      csv([
        [...HEAD, 'Loại', 'Lãnh đạo phụ trách'],
        ['1', ...LETTER, 'Hồ sơ', 'Sở Y tế', '', 'Quý II/2022', 'Thủ tục hành chính', 'PCT3'],
        ['2', ...LETTER, 'Việc', 'Sở Y tế', '', 'Quý II/2022', 'Hồ sơ công việc', 'Chủ tịch UBND tỉnh'],
        ['3', ...LETTER, 'Lạ', 'Sở Y tế', '', 'Quý II/2022', 'Khác', 'Ông Nguyễn Văn Z'],
      ]),
    );
    expect(r.rows.map((x) => [x.input.kind, x.input.leader])).toEqual([
      ['procedure', 'PCT3'],
      ['casefile', 'CT'],
    ]);
    expect(r.problems.map((p) => [p.row, p.column, p.value])).toEqual([
      [4, 'Loại', 'Khác'],
      [4, 'Lãnh đạo phụ trách', 'Ông Nguyễn Văn Z'],
    ]);
    expect(r.problems[1]!.message).toMatch(/^không có lãnh đạo "Ông Nguyễn Văn Z"; trong danh bạ có: /);
  });

  it('checks a refused row against the task schema too, reporting its other faults in the same pass', async () => {
    const long = `Nhiệm vụ ${'rất dài '.repeat(130)}`;
    const r = await read(csv([[...HEAD, 'Tên nhiệm vụ'], ['1', '1510/UBND-TH', '31/02/2022', 'UBND tỉnh Thái Nguyên', '', 'Sở Không Có', '', 'Quý II/2022', long]]));
    expect(r.problems.map((p) => [p.column, p.message])).toEqual([
      ['Ngày ban hành', 'không phải một ngày có thật'],
      ['Đơn vị chủ trì', expect.stringContaining('không có đơn vị')],
      ['Tên nhiệm vụ', 'too long (at most 1000 characters)'],
    ]);
  });

  it('says when a body it found has no address, rather than skip it', async () => {
    const syt = org2022.bodies.get('SYT')!;
    const org = { ...org2022, bodies: new Map([...org2022.bodies, ['SYT', { ...syt, head: { title: syt.head.title } as typeof syt.head }]]) };
    const r = await readTaskFile(csv([HEAD, ['1', ...LETTER, 'Một', 'Sở Y tế', '', 'Quý II/2022']]), { org, zone: ZONE });
    expect(r.rows).toHaveLength(1);
    expect(r.warnings.map((w) => w.message)).toEqual(['Sở Y tế (SYT) chưa có địa chỉ thư trong danh bạ cơ quan: không thư nhắc nào đến được; điền head.email']);
  });

  it('reads a header on two rows: a group header over "Số, ký hiệu" and "Ngày ban hành"', async () => {
    const r = await read(
      csv([
        ['STT', 'Văn bản giao nhiệm vụ', '', 'Cơ quan ban hành', 'Nội dung nhiệm vụ', 'Đơn vị chủ trì', 'Thời hạn'],
        ['', 'Số, ký hiệu', 'Ngày ban hành', '', '', '', ''],
        ['(1)', '(2)', '(3)', '(4)', '(5)', '(6)', '(7)'],
        ['1', '1510/UBND-TH', '16/4/2022', 'UBND tỉnh Thái Nguyên', 'Một', 'Sở Y tế', 'Quý II/2022'],
      ]),
    );
    expect(r.problems).toEqual([]);
    expect(r.rows.map((x) => [x.row, x.input.id])).toEqual([[4, '1510-ubnd-th-20220416-1-syt']]);
  });

  it('reads the letter from a combined "Văn bản" cell', async () => {
    const r = await read(
      csv([
        ['STT', 'Văn bản giao nhiệm vụ', 'Nội dung nhiệm vụ', 'Đơn vị chủ trì', 'Thời hạn'],
        ['9', 'Công văn số 1510/UBND-TH ngày 16/4/2022 của UBND tỉnh V/v tập trung thực hiện nhiệm vụ quý II', 'Tiêm vắc-xin', 'Sở Y tế', 'Quý II/2022'],
      ]),
      'UBND tỉnh Thái Nguyên',
    );
    expect(r.problems).toEqual([]);
    expect(r.rows[0]!.input.source).toEqual({ number: '1510/UBND-TH', date: day('2022-04-16'), issuer: 'UBND tỉnh Thái Nguyên', subject: 'V/v tập trung thực hiện nhiệm vụ quý II', item: '9' });
  });

  it('counts rows as Excel shows them when a cell spans several lines', async () => {
    const r = await read(csv([HEAD, ['1', ...LETTER, 'Dòng một\nDòng hai\nDòng ba', 'Sở Y tế', '', 'Quý II/2022'], ['2', ...LETTER, 'Sau', 'Sở Không Có', '', 'Quý II/2022']]));
    expect(r.problems.map((p) => p.row)).toEqual([3]);
  });

  it('takes the issuer from the command line when the sheet does not say', async () => {
    const head = ['STT', 'Số, ký hiệu văn bản', 'Ngày ban hành', 'Nội dung nhiệm vụ', 'Đơn vị chủ trì', 'Thời hạn'];
    const file = csv([head, ['1', '1510/UBND-TH', '16/04/2022', 'Một', 'Sở Y tế', 'Quý II/2022']]);
    expect((await read(file, 'UBND tỉnh Thái Nguyên')).rows[0]!.input.source.issuer).toBe('UBND tỉnh Thái Nguyên');
    const without = await read(file);
    expect(without.rows).toEqual([]);
    expect(without.problems.map((p) => p.message)).toEqual([expect.stringContaining('thiếu cơ quan ban hành văn bản')]);
  });
});

describe('problems with the file as a whole', () => {
  const rejected = async (file: string): Promise<DondocError> => {
    const e = await read(file).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(DondocError);
    return e as DondocError;
  };

  it('a thiếu cột is one error naming what to add', async () => {
    const e = await rejected(csv([['STT', 'Nội dung nhiệm vụ', 'Thời hạn'], ['1', 'Một', 'Quý II/2022']]));
    expect(e.code).toBe('IMPORT_REJECTED');
    expect(e.message).toContain('dòng tiêu đề (dòng 1) thiếu cột "Đơn vị chủ trì" (đơn vị chủ trì), "Số, ký hiệu văn bản"');
    expect(e.problems).toHaveLength(3);
  });

  it('no header row', async () => {
    const e = await rejected(csv([['Danh sách'], ['a', 'b']]));
    expect(e.message).toContain('không thấy dòng tiêu đề');
  });

  it('a missing file, an old .xls, an unknown type', async () => {
    expect((await rejected(path.join(tmp, 'nope.csv'))).message).toContain('không đọc được tệp (không tìm thấy)');
    expect((await rejected(path.join(tmp, 'old.xls'))).code).toBe('USAGE');
    expect((await rejected(path.join(tmp, 'x.odt'))).message).toContain('cần .xlsx, .csv, .json hoặc .yaml, hoặc một văn bản');
  });

  it('a file that is not a workbook', async () => {
    const file = path.join(tmp, 'fake.xlsx');
    fs.writeFileSync(file, 'not a zip');
    expect((await rejected(file)).message).toContain('không đọc được tệp .xlsx');
  });
});
