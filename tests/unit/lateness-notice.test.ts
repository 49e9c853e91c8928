// The repeat-lateness notice and the config that drives it: addressed by role (Sở Nội vụ, cc
// the Provincial Office), the tasks listed with their citations, D, outcome and head; the
// `accountability` section's defaults and its messages for bad values.
import { describe, expect, it } from 'vitest';
import { loadConfigText } from '../../src/config/load.js';
import { accountabilitySchema } from '../../src/config/sections/accountability.js';
import { latenessCrossings } from '../../src/core/lateness.js';
import { latenessNotice, windowText } from '../../src/report/lateness-notice.js';
import { DondocError } from '../../src/errors.js';
import { at, makeInput, reportConfig } from './report-support.js';

describe('the notice', () => {
  it('tells Sở Nội vụ and the Provincial Office, listing the tasks and heads', () => {
    const cfg = reportConfig();
    const built = at('2022-05-01T00:00');
    // Sở Tài chính: Trần Thị B acting head until 31/03/2022, Lê Văn C from 01/04/2022.
    const inputs = [
      makeInput({ id: 'n1', lead: 'STC', deadline: '2022-03-10', title: 'Báo cáo <quyết toán> ngân sách', events: [{ type: 'completed', on: '2022-03-15' }] as never }, built),
      makeInput({ id: 'n2', lead: 'STC', deadline: '2022-03-30' }, built),
      // Due on Saturday 02/04: ends on Monday 04/04 (Art. 148), under the new head.
      makeInput({ id: 'n3', lead: 'STC', deadline: '2022-04-02' }, built),
    ];
    const rule = cfg.config.accountability.lateness;
    expect(latenessCrossings(inputs, cfg.calendar, cfg.org, rule, at('2022-04-04T23:00'))).toEqual([]);
    const now = at('2022-04-05T08:00');
    const [crossing] = latenessCrossings(inputs, cfg.calendar, cfg.org, rule, now);
    expect(crossing?.id).toBe('lateness-STC-2022-3');
    const notice = latenessNotice(crossing!, rule, cfg.org, cfg.calendar, { now, senderName: 'Hệ thống dondoc' });
    expect(notice.id).toBe('lateness-STC-2022-3');
    expect(notice.to.map((r) => r.email)).toEqual(['giamdoc.snv@thainguyen.example.gov.vn']);
    expect(notice.cc.map((r) => r.email)).toEqual(['chanhvanphong.vpubnd@thainguyen.example.gov.vn']);
    expect(notice.subject).toBe('[Chậm, muộn nhiều lần] Sở Tài chính: 3 nhiệm vụ quá hạn trong năm 2022');
    expect(notice.text).toMatch(/^Kính gửi: Giám đốc Sở Nội vụ\n/);
    expect(notice.text).toContain('Sở Tài chính có 3 nhiệm vụ hoàn thành quá hạn hoặc đang thực hiện quá hạn trong năm 2022');
    expect(notice.text).toContain('đạt ngưỡng 3 nhiệm vụ được xác định là chậm, muộn nhiều lần.');
    expect(notice.text).toContain('Người đứng đầu tại thời điểm đạt mức này (ngày đến hạn 04/04/2022): Lê Văn C.');
    expect(notice.text).toContain('Số nhiệm vụ theo người đứng đầu tại ngày đến hạn: Trần Thị B: 2; Lê Văn C: 1.');
    expect(notice.text).toContain(
      '1. Báo cáo <quyết toán> ngân sách — Công văn số 100/UBND-TH ngày 05/01/2021 của UBND tỉnh Thái Nguyên, mục n1 — thời hạn 10/03/2022 — hoàn thành ngày 15/03/2022, chậm 3 ngày làm việc — người đứng đầu: Trần Thị B',
    );
    expect(notice.text).toContain('2. Nhiệm vụ n2 — Công văn số 100/UBND-TH ngày 05/01/2021 của UBND tỉnh Thái Nguyên, mục n2 — thời hạn 30/03/2022 — chưa hoàn thành, quá hạn 4 ngày làm việc');
    expect(notice.text).toContain('3. Nhiệm vụ n3 — Công văn số 100/UBND-TH ngày 05/01/2021 của UBND tỉnh Thái Nguyên, mục n3 — thời hạn 02/04/2022 (kết thúc ngày 04/04/2022) — chưa hoàn thành, quá hạn 1 ngày làm việc — người đứng đầu: Lê Văn C');
    expect(notice.text).toContain('Đồng gửi: Chánh Văn phòng UBND tỉnh');
    expect(notice.text).toContain('Mã thông báo: lateness-STC-2022-3.');
    expect(notice.html).toContain('Báo cáo &lt;quyết toán&gt; ngân sách');
    expect(notice.html).not.toContain('<quyết toán>');
  });

  it('names windows the Vietnamese way', () => {
    const w = (kind: 'calendar_year' | 'quarter' | 'month' | 'rolling_12_months', from: string, to: string) => ({ kind, key: '', from: Date.parse(from) / 86_400_000, to: Date.parse(to) / 86_400_000 });
    expect(windowText(w('quarter', '2022-04-01', '2022-06-30'))).toBe('quý II năm 2022');
    expect(windowText(w('month', '2022-02-01', '2022-02-28'))).toBe('tháng 02/2022');
    expect(windowText(w('rolling_12_months', '2021-04-15', '2022-04-14'))).toBe('12 tháng từ 15/04/2021 đến 14/04/2022');
  });
});

describe('config section accountability', () => {
  it('has the defaults of the issue', () => {
    expect(accountabilitySchema.parse(undefined)).toEqual({
      lateness: { threshold: 3, window: 'calendar_year', steps: [3, 5, 10], to: ['home_affairs'], cc: ['provincial_office'] },
      reports: { weekly: { enabled: true, weekday: 1, day: 'monday', minute: 480, to: ['home_affairs'], cc: ['provincial_office'] } },
    });
  });

  it('keeps the threshold first among the steps', () => {
    expect(accountabilitySchema.parse({ lateness: { threshold: 4 } }).lateness.steps).toEqual([4, 5, 10]);
    expect(accountabilitySchema.parse({ lateness: { threshold: 2, steps: [4, 8] } }).lateness.steps).toEqual([2, 4, 8]);
    expect(accountabilitySchema.parse({ lateness: { window: 'quarter', steps: [3] } }).lateness).toMatchObject({ window: 'quarter', steps: [3] });
  });

  it('reports every bad value with its path and what to write', () => {
    const yaml = [
      'timezone: Asia/Ho_Chi_Minh',
      'accountability:',
      '  lateness: { threshold: 0, window: yearly, steps: [5, 4], to: [mayor] }',
      '  reports:',
      '    weekly: { day: montag, at: "8h", enabled: yes please, extra: 1 }',
    ].join('\n');
    let err: unknown;
    try {
      loadConfigText(yaml, 'dondoc.yaml', '.');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DondocError);
    const problems = (err as DondocError).problems.map((p) => `${p.path}: ${p.message}`);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/accountability\.lateness\.threshold: expected a number of late tasks from 1 to 1000/),
        expect.stringMatching(/accountability\.lateness\.window: expected one of calendar_year, quarter, month, rolling_12_months, got "yearly"/),
        expect.stringMatching(/accountability\.lateness\.to\[0\]: expected one of home_affairs, .*got "mayor"/),
        expect.stringMatching(/accountability\.reports\.weekly\.day: expected a weekday in English like monday, got "montag"/),
        expect.stringMatching(/accountability\.reports\.weekly\.at: expected a time HH:MM/),
        expect.stringMatching(/accountability\.reports\.weekly\.enabled: expected true or false/),
        expect.stringMatching(/accountability\.reports\.weekly.*extra/),
      ]),
    );
    const steps = accountabilitySchema.safeParse({ lateness: { threshold: 3, steps: [2, 5, 4] } });
    expect(steps.success).toBe(false);
    expect(steps.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'lateness.steps.0: 2 is below the threshold 3: a body is not "late many times" before the threshold',
      'lateness.steps.2: steps must increase: 4 does not come after 5',
    ]);
  });
});
