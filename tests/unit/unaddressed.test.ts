// No task may remind nobody: on the shipped directory (Thái Nguyên after 2025), which open tasks
// have no body to remind on a day, and why.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { taskInputSchema } from '../../src/core/task-codec.js';
import { buildTask } from '../../src/core/task-ops.js';
import { unaddressedOf, unaddressedTasks } from '../../src/core/unaddressed.js';
import { parseInstant } from '../../src/core/zone.js';

const cfg = loadConfig({ env: {} });
const at = (iso: string): number => parseInstant(iso, 'Asia/Ho_Chi_Minh')!;
const task = (lead: string, deadline = '2026-06-30', item = lead) =>
  buildTask(
    taskInputSchema.parse({ title: `Nhiệm vụ của ${lead}`, source: { number: '10/UBND-TH', date: '2025-05-05', issuer: 'UBND tỉnh Thái Nguyên', item }, lead, deadline }),
    cfg.calendar,
    cfg.org,
    { by: 'test', now: at('2025-05-05T09:00') },
  ).task;

describe('unaddressedOf', () => {
  it('a district committee after 30/06/2025: ended, no successor', () => {
    const u = unaddressedOf(task('UBND-DAITU'), cfg.org, cfg.calendar, at('2026-03-10T09:00'));
    expect(u).toMatchObject({ lead: 'UBND-DAITU', reason: 'ended', endedOn: cfg.calendar.zone.dayOf(at('2025-06-30T12:00')) });
    expect(u!.message).toMatch(/^UBND huyện Đại Từ \(UBND-DAITU\) đã kết thúc hoạt động từ ngày 01\/07\/2025 và không có đơn vị kế thừa/);
  });

  it('a merged department follows its successor: someone is reminded', () => {
    expect(unaddressedOf(task('SKHDT'), cfg.org, cfg.calendar, at('2026-03-10T09:00'))).toBeUndefined();
    expect(unaddressedOf(task('BK-STC'), cfg.org, cfg.calendar, at('2026-03-10T09:00'))).toBeUndefined();
    expect(unaddressedOf(task('STC'), cfg.org, cfg.calendar, at('2026-03-10T09:00'))).toBeUndefined();
  });

  it('a code not in the directory', () => {
    expect(unaddressedOf({ ...task('STC'), lead: 'SO-CU' }, cfg.org, cfg.calendar, at('2026-03-10T09:00'))).toMatchObject({ reason: 'unknown_body', message: expect.stringContaining('"SO-CU" không có trong danh bạ') });
  });

  it('only open tasks: done or cancelled ones remind nobody anyway', () => {
    const t = task('UBND-DAITU');
    const done = { ...t, occurrences: { once: { completedAt: at('2026-01-05T10:00') } } };
    expect(unaddressedOf(done, cfg.org, cfg.calendar, at('2026-03-10T09:00'))).toBeUndefined();
    expect(unaddressedOf({ ...t, cancelledAt: at('2026-01-05T10:00'), cancelReason: 'x' }, cfg.org, cfg.calendar, at('2026-03-10T09:00'))).toBeUndefined();
  });

  it('lists them in id order', () => {
    const list = unaddressedTasks([task('STC'), task('UBND-PHOYEN'), task('BK-UBND-BABE')], cfg.org, cfg.calendar, at('2026-03-10T09:00'));
    expect(list.map((u) => u.lead)).toEqual(['BK-UBND-BABE', 'UBND-PHOYEN']);
  });
});

describe('the shipped directory', () => {
  it('cites a source for every body and says which entries are unconfirmed', () => {
    const bodies = [...cfg.org.bodies.values()];
    expect(bodies.filter((b) => !b.source).map((b) => b.code)).toEqual([]);
    expect(cfg.warnings).toContainEqual(expect.stringMatching(/entries are marked unconfirmed/));
  });

  it('holds the bodies the committee assigns to: departments, police, military, districts until 30/06/2025, 92 communes and wards', () => {
    const b = cfg.org.bodies;
    for (const code of ['VPUBND', 'SNV', 'STC', 'SYT', 'TTT', 'CAT', 'BCHQS', 'BQLKCN', 'SDTTG']) expect(b.has(code), code).toBe(true);
    const local = [...b.values()].filter((x) => x.kind === 'ubnd_xa' || x.kind === 'ubnd_phuong');
    expect(local).toHaveLength(92);
    expect(local.filter((x) => x.kind === 'ubnd_phuong')).toHaveLength(15);
    const districts = [...b.values()].filter((x) => x.kind === 'ubnd_huyen');
    expect(districts).toHaveLength(17);
    for (const d of districts) expect(d).toMatchObject({ validTo: cfg.calendar.zone.dayOf(at('2025-06-30T12:00')), noSuccessor: expect.any(String) });
  });
});
