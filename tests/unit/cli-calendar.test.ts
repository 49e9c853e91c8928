import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../support/run-cli.js';
import { ROOT } from '../support/cli.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dondoc-cli-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('dondoc calendar', () => {
  it.each([
    [['is-working', '2026-02-16'], 'off Tết Nguyên Đán\n'],
    [['is-working', '2026-02-14'], 'off Tết Nguyên Đán\n'], // a holiday's name wins over "weekend"
    [['is-working', '2026-03-07'], 'off Thứ Bảy\n'],
    [['is-working', '2026-01-10'], 'working Làm bù cho thứ Sáu 02/01/2026\n'],
    [['is-working', '2026-03-02'], 'working ngày làm việc\n'],
    [['add', '2026-02-13', '1'], '2026-02-23\n'],
    [['add', '2026-02-23', '-1'], '2026-02-13\n'],
    [['add', '2025-04-29', '1'], '2025-05-05\n'],
    [['count', '2026-02-13', '2026-02-23'], '1\n'],
    [['count', '2026-02-23', '2026-02-13'], '-1\n'],
    [['to-lunar', '2026-02-16'], '29/12/2025\n'],
    [['to-lunar', '2026-02-17'], '01/01/2026\n'],
    [['to-lunar', '2023-03-22'], '01/02/2023 nhuận\n'],
    [['to-lunar', '1985-01-21'], '01/01/1985\n'],
  ])('%j → %j', async (args, out) => {
    const r = await cli(['calendar', ...args]);
    expect(r).toMatchObject({ code: 0, stdout: out });
  });

  it('days-off lists weekdays off and worked weekend days with reasons, and as JSON', async () => {
    const r = await cli(['calendar', 'days-off', '2025']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(13);
    expect(lines).toContain('2025-04-26 working Làm bù cho thứ Sáu 02/05/2025');
    expect(lines[1]).toBe('2025-01-27 off Tết Nguyên Đán');
    const j = await cli(['calendar', 'days-off', '2026', '--json']);
    const rows = JSON.parse(j.stdout) as Array<{ date: string; working: boolean; reason: string; approximate?: boolean }>;
    expect(rows.find((x) => x.date === '2026-09-01')).toMatchObject({ working: false, approximate: true });
    expect(j.stderr).toMatch(/warning: 2026: .*national_day/);
  });

  it.each([
    [['is-working', '2026-02-30'], /expected a date YYYY-MM-DD, got "2026-02-30"/],
    [['is-working', 'abc'], /expected a date/],
    [['add', '2026-02-13', 'x'], /expected a whole number/],
    [['days-off', '1899'], /outside 1900–2199/],
    [['days-off', '22000'], /expected a year/],
    [['count', '2026-01-01'], /missing required argument/],
    [['frobnicate'], /unknown command/],
  ])('usage errors exit 2 with a message: %j', async (args, message) => {
    const r = await cli(['calendar', ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /); // never a stack trace
  });

  it('adding past the supported range is a usage error, not a crash', async () => {
    const r = await cli(['calendar', 'add', '2199-12-20', '30']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/leaves the supported range/);
  });

  it('--config uses another file; --help works on every subcommand', async () => {
    const file = path.join(tmp, 'extra.yaml');
    fs.writeFileSync(file, 'calendar:\n  days_off:\n    - { date: 2026-03-06, name: Nghỉ lễ tỉnh }\n');
    expect((await cli(['calendar', 'is-working', '2026-03-06', '--config', file])).stdout).toBe('off Nghỉ lễ tỉnh\n');
    for (const sub of ['is-working', 'add', 'count', 'days-off', 'to-lunar']) {
      const r = await cli(['calendar', sub, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: dondoc calendar ${sub}`);
    }
  });
});

describe('dondoc config check', () => {
  it('prints ok for the shipped config, with warnings on stderr', async () => {
    const r = await cli(['config', 'check']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('ok\n');
    expect(r.stderr).toMatch(/^warning: calendar 2026/);
  });

  it('lists every problem with its path and exits 1', async () => {
    const file = path.join(tmp, 'broken.yaml');
    fs.writeFileSync(file, 'office_hours: { open: "25:00" }\ncalendar:\n  swaps:\n    - { day_off: 2026-08-31, work_on: "26/4" }\n');
    const r = await cli(['config', 'check', file]);
    expect(r.code).toBe(1);
    expect(r.stdout.trim().split('\n')).toEqual([
      `${file}:1: office_hours.open: expected a time HH:MM (24-hour), got "25:00"`,
      `${file}:4: calendar.swaps[0].work_on: expected a date YYYY-MM-DD, got "26/4"`,
    ]);
  });

  it('reports schema errors and references to the directory in the same pass, each with its line', async () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'refs-'));
    fs.copyFileSync(path.join(ROOT, 'config', 'org.yaml'), path.join(dir, 'org.yaml'));
    const file = path.join(dir, 'dondoc.yaml');
    fs.writeFileSync(
      file,
      [
        'timezone: Asia/Ho_Chi_Minh',
        'office_hours:',
        '  open: "7h30"',
        'org:',
        '  directory: org.yaml',
        '  roles:',
        '    provincial_office: VPUBND',
        '    home_affairs: SNVX',
        '    chairman: CT',
        '    inspectorate: TTT',
        '',
      ].join('\n'),
    );
    const r = await cli(['config', 'check', file]);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toEqual([
      `${file}:3: office_hours.open: expected a time HH:MM (24-hour), got "7h30"`,
      expect.stringMatching(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:8: org\\.roles\\.home_affairs: no body "SNVX" in .*org\\.yaml; closest codes: SNV`)),
    ]);
  });
});

describe('the dondoc bin', () => {
  it('runs from a fresh process as npx would', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['bin/dondoc.mjs', 'calendar', 'add', '2026-02-13', '1']);
    expect(stdout).toBe('2026-02-23\n');
    const failed = await promisify(execFile)(process.execPath, ['bin/dondoc.mjs', 'calendar', 'is-working', 'nope']).catch((e: { code: number; stderr: string }) => e);
    expect(failed).toMatchObject({ code: 2 });
  });
});
