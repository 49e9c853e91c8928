// Task files in the JSON shape (JSON or YAML), as written by people and by other systems.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseIsoDay } from '../../src/core/day.js';
import { DondocError } from '../../src/errors.js';
import { formatRowProblem, readTaskFile } from '../../src/import/read-task-file.js';
import { ZONE, fixture, org2022 } from './import-support.js';

const day = (s: string): number => parseIsoDay(s)!;
const opts = { org: org2022, zone: ZONE, issuer: 'UBND tỉnh Thái Nguyên' };
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dondoc-import-json-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const write = (name: string, text: string): string => {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, text);
  return file;
};
const task = (over: Record<string, unknown> = {}) => ({ title: 'Một việc', source: { number: '1510/UBND-TH', date: '2022-04-16', issuer: 'UBND tỉnh' }, lead: 'SYT', ...over });

describe('JSON and YAML task files', () => {
  it('read the same tasks from {tasks: [...]} in JSON and a bare list in YAML', async () => {
    const [json, yaml] = await Promise.all([readTaskFile(fixture('import', 'tasks.json'), opts), readTaskFile(fixture('import', 'tasks.yaml'), opts)]);
    expect(json.format).toBe('json');
    expect(yaml.format).toBe('yaml');
    expect(json.problems).toEqual([]);
    expect(yaml.rows).toEqual(json.rows);
  });

  it('take bodies by name, dates day-first, deadline phrases, item numbers, and the default issuer', async () => {
    const { rows, warnings } = await readTaskFile(fixture('import', 'tasks.json'), opts);
    expect(rows[0]).toEqual({
      row: 1,
      input: {
        id: '1510-ubnd-th-20220416-9-syt',
        kind: 'task',
        title: 'Tiêm vắc-xin phòng COVID-19 cho trẻ em từ 5 đến dưới 12 tuổi',
        source: { number: '1510/UBND-TH', date: day('2022-04-16'), issuer: 'UBND tỉnh Thái Nguyên', item: '9' },
        lead: 'SYT',
        coordinators: ['SGDDT'],
        deadline: { day: day('2022-06-30') },
        events: [],
      },
    });
    expect(rows[1]!.input.id).toBe('1510-12-bdt');
    expect(rows[1]!.input.events).toEqual([{ type: 'extended', on: day('2022-06-27'), deadline: { day: day('2022-09-30') }, document: 'Công văn số 2650/UBND-TH', approved_by: 'Chủ tịch UBND tỉnh' }]);
    expect(warnings.map((w) => [w.row, w.column, w.value])).toEqual([[1, 'coordinators[1]', 'Các sở, ngành liên quan']]);
  });

  it('report every problem of every item, by item number and field path', async () => {
    const file = fixture('import', 'bad-tasks.json');
    const { rows, problems } = await readTaskFile(file, opts);
    expect(rows).toEqual([]);
    expect(problems.map((p) => [p.row, p.column, p.value])).toEqual([
      [1, 'lead', 'Sở Không Tồn Tại'],
      [2, 'source.date', '2022-02-31'],
      [2, 'title', ''],
      [2, 'colour', undefined],
      [3, undefined, 'not a task'],
    ]);
    expect(formatRowProblem(problems[1]!)).toBe(`${file}: dòng 2, cột "source.date": "2022-02-31": không phải một ngày có thật`);
    expect(problems[0]!.message).toMatch(/^không có đơn vị "Sở Không Tồn Tại" trong danh bạ; gần nhất: /);
    expect(problems[3]!.message).toContain('trường không hợp lệ');
  });

  it('reject every item of an id they share', async () => {
    const file = write('dup.json', JSON.stringify([task({ id: 'a-1' }), task({ id: 'a-1', lead: 'STC' }), task({ source: { number: '1510/UBND-TH', date: '2022-04-16', issuer: 'x', item: '2' } })]));
    const { rows, problems } = await readTaskFile(file, opts);
    expect(rows.map((r) => r.row)).toEqual([3]);
    expect(problems.map((p) => [p.row, p.column, p.message])).toEqual([
      [1, 'id', 'mã nhiệm vụ "a-1" trùng với dòng 2: cho mỗi nhiệm vụ một id, hoặc một source.item riêng'],
      [2, 'id', 'mã nhiệm vụ "a-1" trùng với dòng 1: cho mỗi nhiệm vụ một id, hoặc một source.item riêng'],
    ]);
  });

  it('need an issuer when neither the file nor the command line gives one', async () => {
    const file = write('noissuer.yaml', '- title: Một\n  source: { number: 1510/UBND-TH, date: 16/04/2022 }\n  lead: Sở Y tế\n');
    const { problems } = await readTaskFile(file, { org: org2022, zone: ZONE });
    expect(problems.map((p) => p.column)).toEqual(['source.issuer']);
  });

  it('refuse what is not a list of tasks, or not JSON/YAML at all', async () => {
    const rejected = async (file: string): Promise<string> => {
      const e = await readTaskFile(file, opts).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(DondocError);
      return (e as DondocError).message;
    };
    expect(await rejected(write('obj.json', '{"task": {}}'))).toContain('cần một danh sách nhiệm vụ');
    expect(await rejected(write('broken.json', '[{"title": '))).toContain('không phải JSON hợp lệ');
    expect(await rejected(write('broken.yaml', '- title: [unclosed\n'))).toContain('không phải YAML hợp lệ');
  });
});

describe('recurrence as the README writes it', () => {
  const yaml = (recurrence: string) => `- title: Báo cáo công tác cải cách hành chính\n  source: { number: 79/VKS-VP, date: 2023-03-01, issuer: UBND tỉnh }\n  lead: SNV\n  recurrence: ${recurrence}\n`;

  it.each([
    ['yearly', { freq: 'yearly', month: 12, day: 31 }],
    ['hằng năm 15/12', { freq: 'yearly', month: 12, day: 15 }],
    ['"Định kỳ hằng năm, trước ngày 15/12"', { freq: 'yearly', month: 12, day: 15 }],
    ['quarterly', { freq: 'quarterly', month: 3, day: 31 }],
    ['hằng quý ngày 20', { freq: 'quarterly', month: 3, day: 20 }],
    ['monthly 25', { freq: 'monthly', day: 25 }],
    ['hằng tháng ngày 25', { freq: 'monthly', day: 25 }],
    ['{ freq: yearly, month: 6, day: 30 }', { freq: 'yearly', month: 6, day: 30 }],
  ])('recurrence: %s', async (written, expected) => {
    const r = await readTaskFile(write(`rec-${Math.random().toString(36).slice(2)}.yaml`, yaml(written)), opts);
    expect(r.problems).toEqual([]);
    expect(r.rows[0]!.input.recurrence).toEqual(expected);
  });

  it.each([
    ['weekly', /^expected "yearly", "hằng năm 15\/12", .* or \{ freq, month, day \}, got "weekly"$/],
    ['yearly 31/2', /31\/2 is not a day of the year/],
    ['hằng năm ngày 15', /needs the day and the month/],
    ['{ freq: weekly, day: 1 }', /^expected freq yearly, quarterly or monthly, got "weekly"$/],
    ['{ freq: monthly, day: 40 }', /^expected a day of the month \(1–31\), got 40$/],
    ['{ freq: yearly, day: 1, on: x }', /^unknown key "on": a recurrence has freq, month, day, from, until$/],
    ['42', /^expected "yearly".*got 42$/],
  ])('recurrence: %s is refused in words', async (written, message) => {
    const r = await readTaskFile(write(`rec-${Math.random().toString(36).slice(2)}.yaml`, yaml(written)), opts);
    expect(r.rows).toEqual([]);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]!.message).toMatch(message);
    // Never zod's own words.
    expect(r.problems[0]!.message).not.toMatch(/Invalid input|received|Unrecognized key/);
  });
});

