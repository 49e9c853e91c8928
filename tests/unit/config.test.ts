import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, loadConfigText } from '../../src/config/load.js';
import { parseIsoDay } from '../../src/core/day.js';
import { DondocError } from '../../src/errors.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dondoc-config-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const problemsOf = (text: string, name = 'config/dondoc.yaml'): string[] => {
  try {
    loadConfigText(text, name, 'config');
  } catch (e) {
    if (e instanceof DondocError) return e.problems.map((p) => `${p.path}: ${p.message}`);
    throw e;
  }
  return [];
};

describe('config loading', () => {
  it('the shipped config is valid, frozen and carries a stable hash', () => {
    const a = loadConfig({ file: 'config/dondoc.yaml', env: {} });
    const b = loadConfig({ file: 'config/dondoc.yaml', env: {} });
    expect(a.config.timezone).toBe('Asia/Ho_Chi_Minh');
    expect(a.config.office_hours.intervals).toEqual([[450, 1020]]);
    expect(Object.isFrozen(a.config)).toBe(true);
    expect(Object.isFrozen(a.config.calendar.days_off)).toBe(true);
    expect(a.hash).toBe(b.hash);
    expect(a.hash).toMatch(/^[0-9a-f]{16}$/);
  });

  it('DONDOC_CONFIG selects the file; a missing file is a clear error', () => {
    expect(() => loadConfig({ env: { DONDOC_CONFIG: path.join(tmp, 'nope.yaml') } })).toThrow(/config file not found/);
  });

  it('reports every problem together, each with the file and the path', () => {
    const problems = problemsOf(
      [
        'timezone: Asia/Saigonn',
        'office_hours:',
        '  open: "7h30"',
        '  close: "17:00"',
        '  lunh: { from: "11:30", to: "13:30" }',
        'calendar:',
        '  swaps:',
        '    - day_off: 2026-08-31',
        '      work_on: "26/4"',
        '  days_off:',
        '    - { from: 2026-12-25, name: Nghỉ }',
        'polcy: {}',
      ].join('\n'),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^config\/dondoc\.yaml: timezone: expected an IANA time zone like Asia\/Ho_Chi_Minh, got "Asia\/Saigonn"$/),
        'config/dondoc.yaml: office_hours.open: expected a time HH:MM (24-hour), got "7h30"',
        'config/dondoc.yaml: office_hours: unknown key "lunh" (check the spelling)',
        'config/dondoc.yaml: calendar.swaps[0].work_on: expected a date YYYY-MM-DD, got "26/4"',
        'config/dondoc.yaml: calendar.days_off[0]: a range needs both from and to',
        'config/dondoc.yaml: (top level): unknown key "polcy" (check the spelling)',
      ]),
    );
    expect(problems).toHaveLength(6);
  });

  it('reports YAML syntax errors with line and column', () => {
    const problems = problemsOf('timezone: Asia/Ho_Chi_Minh\noffice_hours: [unclosed\n');
    expect(problems[0]).toMatch(/^config\/dondoc\.yaml:\d+:\d+: /);
  });

  it('admins add a holiday, a day off and a swap without touching code', () => {
    const loaded = loadConfigText(
      [
        'calendar:',
        '  holidays:',
        '    - { name: Ngày Văn hóa Việt Nam, date: "11-24", from_year: 2026, source: test }',
        '  days_off:',
        '    - { date: 2026-03-06, name: Nghỉ lễ tỉnh }',
        '  swaps:',
        '    - { day_off: 2026-08-31, work_on: 2026-08-22 }',
      ].join('\n'),
      'test.yaml',
      '.',
    );
    const c = loaded.calendar;
    const day = (s: string): number => parseIsoDay(s)!;
    expect(c.status(day('2026-11-24'))).toMatchObject({ working: false, reason: 'Ngày Văn hóa Việt Nam' });
    expect(c.isWorkingDay(day('2025-11-24'))).toBe(true); // from_year
    // 24/11/2029 is a Saturday: compensated on Monday 26/11 (Art. 111).
    expect(c.status(day('2029-11-26'))).toMatchObject({ working: false, reason: 'Nghỉ bù Ngày Văn hóa Việt Nam' });
    expect(c.isWorkingDay(day('2026-03-06'))).toBe(false);
    expect(c.isWorkingDay(day('2026-08-31'))).toBe(false);
    expect(c.status(day('2026-08-22'))).toMatchObject({ working: true, reason: 'Làm bù cho ngày 2026-08-31' });
  });

  it('warns about years whose holidays come from the rules', () => {
    const loaded = loadConfig({ file: 'config/dondoc.yaml', env: {}, today: parseIsoDay('2026-11-23')! });
    const calendar = loaded.warnings.filter((w) => w.startsWith('calendar '));
    expect(calendar).toHaveLength(2);
    expect(calendar[0]).toMatch(/^calendar 2026: no official schedule for Quốc khánh/);
    expect(calendar[1]).toMatch(/^calendar 2027: .*Tết Nguyên Đán.*approximate/);
  });

  it('validates the shipped yearly data files too, naming the file', () => {
    const dir = path.join(tmp, 'data');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, '2027.yaml'), 'year: 2027\ndays_off:\n  - { date: 2027-02-30, name: X }\n  - { date: 2028-01-01, name: Y }\n');
    const problems = problemsOf(`calendar:\n  official_data: ${dir}\n`);
    expect(problems).toEqual([
      `${path.join(dir, '2027.yaml')}: days_off[0].date: expected a date YYYY-MM-DD, got "2027-02-30"`,
    ]);
  });
});
