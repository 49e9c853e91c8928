// Vietnamese output stays Vietnamese: what a clerk reads from import, preview, simulate and the
// task commands carries no English words of the program's own (the reasons a notification is
// skipped, "N rows rejected; nothing was written", "Plan as of" …). English stays in the logs,
// in --json keys and codes, in --help and argument errors, and in config check (DOMAIN.md,
// README "Commands").
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { reasonText } from '../../src/core/reason-text.js';
import { ROOT, runCliCaptured } from '../support/cli.js';

const CONFIG = path.join(ROOT, 'tests/fixtures/dondoc-2022.yaml');
const EVENTS = path.join(ROOT, 'tests/fixtures/1510-UBND-TH-events.yaml');
const BAD = path.join(ROOT, 'tests/fixtures/import/bad-rows.csv');

/** English words the human output used to carry (not names, codes, ids or addresses). */
const ENGLISH = /\b(row|column|rejected|nothing was|written|Plan as of|deadline|status|planned|remind|coord|By level|By body|By day|Simulated|messages|extended:|superseded|backfilled|muted:|unmuted|retry:|unknown body|closest known|not a real|the lead body|no particular body|warning:|fell due|later step)\b/;

const english = (text: string): string[] => text.split('\n').filter((l) => ENGLISH.test(l));

describe('human output in Vietnamese', () => {
  it('import of a register with bad rows: every line, the problems and the verdict', async () => {
    const r = await runCliCaptured(['import', BAD, '--dry-run', '--config', CONFIG], { env: {} });
    expect(r.code).toBe(1);
    expect(english(r.stdout)).toEqual([]);
    expect(english(r.stderr)).toEqual([]);
    expect(r.stdout).toMatch(/lỗi: .*bad-rows\.csv: dòng 4, cột "Ngày ban hành": "31\/02\/2022": không phải một ngày có thật/);
    expect(r.stderr).toMatch(/bad-rows\.csv: \d+ dòng bị từ chối; không ghi nhiệm vụ nào/);
  });

  it('preview: the plan, its states and why a step is not sent', async () => {
    const r = await runCliCaptured(['preview', '--tasks', EVENTS, '--at', '2022-07-20T09:00', '--config', CONFIG], { env: {} });
    expect(r.code).toBe(0);
    expect(english(r.stdout)).toEqual([]);
    expect(r.stdout).toMatch(/^Lịch gửi tính đến 2022-07-20T09:00/);
    // Task 12 was extended: the steps of the old deadline say so, in Vietnamese.
    expect(r.stdout).toMatch(/\[thời hạn đã được gia hạn đến \d\d\/\d\d\/\d{4}\]/);
    expect(r.stdout).toMatch(/\[nhiệm vụ đã hoàn thành lúc /);
  });

  it('simulate: the totals', async () => {
    const r = await runCliCaptured(['simulate', '--tasks', EVENTS, '--from', '2022-06-01', '--to', '2022-07-31', '--config', CONFIG], { env: {} });
    expect(r.code).toBe(0);
    expect(english(r.stdout)).toEqual([]);
    expect(r.stdout).toContain('Theo loại thư (thông báo):');
  });
});

describe('reasons recorded in English, shown in Vietnamese', () => {
  it.each([
    ['extended: deadline extended to 29/07/2022', 'thời hạn đã được gia hạn đến 29/07/2022'],
    ['superseded: a later step of the same ladder was due', 'đã đến bước sau của cùng chuỗi nhắc việc'],
    ['superseded: the deadline passed before it could be sent', 'thời hạn đã qua trước khi kịp gửi'],
    ['backfilled: fell due before the go-live date 01/12/2026', 'đến hạn trước ngày bắt đầu áp dụng 01/12/2026'],
    ['completed: completed at 2022-06-29T15:45:00+07:00', 'nhiệm vụ đã hoàn thành lúc 2022-06-29T15:45:00+07:00'],
    ['cancelled: cancelled at 2022-06-29T15:45:00+07:00', 'nhiệm vụ đã hủy/thu hồi lúc 2022-06-29T15:45:00+07:00'],
    ['superseded: no longer in the plan (the task was changed)', 'không còn trong lịch gửi (nhiệm vụ đã thay đổi)'],
    ['muted (body STC by cli:vanthu: Đang chuyển hộp thư)', 'tạm dừng (đơn vị STC, bởi cli:vanthu: Đang chuyển hộp thư)'],
    ['nothing overdue or due soon', 'không có nhiệm vụ quá hạn hay sắp đến hạn'],
  ])('%s', (recorded, shown) => {
    expect(reasonText(recorded)).toBe(shown);
  });

  it('keeps a reason it does not know as written', () => {
    expect(reasonText('some new reason')).toBe('some new reason');
    expect(reasonText('superseded: some new reason')).toBe('không gửi nữa: some new reason');
  });
});
