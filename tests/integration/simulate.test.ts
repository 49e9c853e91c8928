// `dondoc simulate` over the tasks of letter 1510/UBND-TH (due 30/06/2022) for April–August
// 2022, with the completion and extension events of tests/fixtures/1510-UBND-TH-events.yaml,
// and `dondoc preview` of the same tasks (from the file, and from a real Redis by id).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCliCaptured } from '../support/cli.js';
import { type PrivateRedis, randomPrefix, startRedis } from '../support/redis-server.js';

const CONFIG = path.join(ROOT, 'tests/fixtures/dondoc-2022.yaml');
const EVENTS = path.join(ROOT, 'tests/fixtures/1510-UBND-TH-events.yaml');
const XLSX = path.join(ROOT, 'tests/fixtures/1510-UBND-TH.xlsx');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dondoc-simulate-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));


interface SimNotification {
  id: string;
  at: string;
  scheduled_at: string;
  kind: string;
  level: number;
  task?: string;
  step: string;
  to: Array<{ email: string; title: string }>;
  cc: Array<{ email: string; title: string }>;
  mails: string[];
}
interface SimMail {
  id: string;
  at: string;
  kind: string;
  to: { email: string; title: string; role: string };
  items: string[];
  subject: string;
  file: string;
}
interface SimJson {
  total: number;
  mails: number;
  by_level: Record<string, number>;
  by_day: Array<{ date: string; total: number }>;
  by_body: Array<{ body: string; total: number }>;
  by_recipient: Array<{ email: string; mails: number; items: number; days: number; max_per_day_of_a_kind: number }>;
  by_recipient_day: Array<{ email: string; date: string; mails: number; items: number } & Record<string, number>>;
  notifications: SimNotification[];
  messages: SimMail[];
}

const CHAIRMAN = 'chutich.ubnd@thainguyen.example.gov.vn';
const SNV = 'giamdoc.snv@thainguyen.example.gov.vn';

describe('dondoc simulate, 1510/UBND-TH, 01/04–31/08/2022', () => {
  const out = path.join(tmp, 'eml');
  let sim: SimJson;

  beforeAll(async () => {
    const r = await runCliCaptured(['simulate', '--tasks', EVENTS, '--from', '2022-04-01', '--to', '2022-08-31', '--out', out, '--json', '--config', CONFIG]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    sim = JSON.parse(r.stdout) as SimJson;
  });

  it('sends the expected number of notifications per level', () => {
    // Worked out by hand. D = Thu 30/06/2022 (a working day). The ladder, all at 07:30:
    //   reminders Thu 23/06 (5 wd before), Tue 28/06 (2 wd), Thu 30/06 (on D);
    //   coordinators Tue 28/06; L1 Fri 01/07; L2 Tue 05/07; L3 Thu 14/07, then Thu 28/07,
    //   Thu 11/08, Thu 25/08 (every 10 working days) — all before 31/08.
    // Status events dated "on" a day take effect at 16:59 that day.
    //   task (coordinators)              events              remind coord L1 L2 L3
    //   3/SKHDT (STC, SGTVT)             done 24/06              1     0   0  0  0
    //   3/UBND-TPTN (STNMT, SGTVT)       open                    3     2   1  1  4
    //   3/UBND-PHOYEN (STNMT, SGTVT)     open                    3     2   1  1  4
    //   5/TTT (STNMT, SXD)               done 08/07 (late)       3     2   1  1  0
    //   6/STTTT (VPUBND)                 done 15/07 (late)       3     1   1  1  1
    //   6/CAT (STTTT)                    open                    3     1   1  1  4
    //   8/SGDDT (CAT, SYT)               done 30/06 16:30        3     2   0  0  0
    //   9/SYT (SGDDT)                    done 28/06 (after 07:30) 2    1   0  0  0
    //   11/STTTT (SVHTTDL, CAT)          open                    3     2   1  1  4
    //   12/BDT (none)                    extended 27/06 → 30/09  1     0   0  0  0
    //   2/SKHDT, 7/SNNPTNT, 10/BCHQS, 10/UBND-PHOYEN: due 31/12/2022, nothing before September.
    //   total                                                   25    13   6  6 17
    // Digest: every working day with a task due soon (≤ 3 working days left) or overdue:
    //   from Mon 27/06 (3 days left to 30/06) to 31/08 — 4 in June + 21 in July + 23 in August = 48.
    expect(sim.by_level).toEqual({ reminder: 25, coordinator: 13, level1: 6, level2: 6, level3: 17, digest: 48 });
    expect(sim.total).toBe(115);
    expect(sim.notifications).toHaveLength(115);
  });

  it('one mail per person and kind a day: the chairman gets lists, never a pile', () => {
    // Every recipient: at most one mail of a kind on any day.
    for (const r of sim.by_recipient) expect(r.max_per_day_of_a_kind, r.email).toBe(1);
    // Level 3 of the four open tasks falls on the same days (14/07, 28/07, 11/08, 25/08), with
    // 6/STTTT's (still open on 14/07) too: the chairman gets one list on each of those days.
    const toChairman = sim.messages.filter((m) => m.to.email === CHAIRMAN);
    // (On 05/07 it is level 2 of the two tasks whose leader in charge is the chairman.)
    expect(toChairman.map((m) => [m.at.slice(0, 10), m.kind, m.items.length])).toEqual([
      ['2022-07-05', 'level2', 2],
      ['2022-07-14', 'level3', 5],
      ['2022-07-28', 'level3', 4],
      ['2022-08-11', 'level3', 4],
      ['2022-08-25', 'level3', 4],
    ]);
    expect(sim.by_recipient.find((r) => r.email === CHAIRMAN)).toMatchObject({ mails: 5, items: 19, days: 5 });
    expect(sim.by_recipient.find((r) => r.email === SNV)).toMatchObject({ mails: 4, items: 17 });
    // Each notification went to each of its recipients once: a copy per person.
    for (const n of sim.notifications.filter((x) => x.kind !== 'digest')) expect(n.mails.length, n.id).toBe(n.to.length + n.cc.length);
    expect(sim.mails).toBe(sim.messages.length);
    expect(sim.by_recipient_day.find((d) => d.email === CHAIRMAN && d.date === '2022-07-14')).toMatchObject({ mails: 1, items: 5, level3: 1 });
  });

  it('stops at completion, restarts at extension, and dates everything in the configured zone', () => {
    // The step's planned instant; it goes out after the bundle's gather delay (below).
    const of = (task: string) => sim.notifications.filter((m) => m.task === task).map((m) => `${m.scheduled_at} ${m.step}`);
    expect(of('1510-ubnd-th-20220416-9-syt')).toEqual(['2022-06-23T07:30:00+07:00 r-b5wd', '2022-06-28T07:30:00+07:00 c-b2wd', '2022-06-28T07:30:00+07:00 r-b2wd']);
    expect(of('1510-ubnd-th-20220416-12-bdt')).toEqual(['2022-06-23T07:30:00+07:00 r-b5wd']);
    expect(of('1510-ubnd-th-20220416-6-stttt').slice(-3)).toEqual(['2022-07-01T07:30:00+07:00 e1-a1wd', '2022-07-05T07:30:00+07:00 e2-a3wd', '2022-07-14T07:30:00+07:00 e3-a10wd']);
    expect(sim.by_day[0]).toEqual({ date: '2022-06-23', reminder: 10, coordinator: 0, level1: 0, level2: 0, level3: 0, digest: 0, total: 10 });
    expect(sim.by_body.find((b) => b.body === 'VPUBND')).toMatchObject({ coordinator: 1, digest: 48, total: 49 });
    // A mail goes out after its bundle's short gather delay (delivery.bundle_gather).
    expect(sim.messages.find((m) => m.items.some((i) => i.startsWith('1510-ubnd-th-20220416-12-bdt_')))!.at).toBe('2022-06-23T07:30:05+07:00');
  });

  it('writes every mail as an .eml that parses as MIME with correct Vietnamese text and headers, to one person', async () => {
    const files = fs.readdirSync(out).filter((f) => f.endsWith('.eml'));
    expect(files).toHaveLength(sim.mails);
    for (const f of files) {
      const m = await simpleParser(fs.readFileSync(path.join(out, f)));
      expect(m.subject).toBeTruthy();
      expect(m.text).toMatch(/^Kính gửi: /);
      expect(m.messageId).toMatch(/^<[A-Za-z0-9_-]+@example\.gov\.vn>$/);
      expect((Array.isArray(m.to) ? m.to[0] : m.to)?.value).toHaveLength(1);
      expect(m.cc).toBeUndefined();
    }
    // The chairman's list of 28/07: four tasks, each with its letter and item, days overdue and level.
    const list = sim.messages.find((m) => m.to.email === CHAIRMAN && m.at.startsWith('2022-07-28'))!;
    const m = await simpleParser(fs.readFileSync(list.file));
    expect(m.subject).toBe('Danh sách 4 nhiệm vụ quá hạn chưa hoàn thành – ngày 28/07/2022');
    expect(m.messageId).toMatch(/^<b-esc-20220728-r[0-9a-f]{12}@example\.gov\.vn>$/);
    expect(m.date?.toISOString()).toBe('2022-07-28T00:30:05.000Z');
    expect((Array.isArray(m.to) ? m.to[0] : m.to)?.value).toEqual([{ name: 'Chủ tịch UBND tỉnh', address: CHAIRMAN }]);
    expect(m.text).toMatch(/^Kính gửi: Chủ tịch UBND tỉnh\n/);
    expect(m.text).toContain('4 nhiệm vụ dưới đây đã quá hạn');
    expect(m.text).toContain('Công văn số 1510/UBND-TH ngày 16/04/2022 của UBND tỉnh Thái Nguyên (mục 11)');
    expect(m.text).toContain('Tình trạng: Đã quá hạn 20 ngày làm việc (quá hạn cấp 3, lần 2)');
    expect(m.text).toContain('Đồng gửi: Giám đốc Sở Nội vụ; Chánh Văn phòng UBND tỉnh');
    expect(String(m.headers.get('x-dondoc-items')).split(' ')).toHaveLength(4);
    // 2022 is before Công văn 7176/UBND-NC (04/12/2024): no mail cites it.
    for (const f of files) expect((await simpleParser(fs.readFileSync(path.join(out, f)))).text).not.toContain('7176/UBND-NC');
    const digest = await simpleParser(fs.readFileSync(sim.messages.find((x) => x.kind === 'digest' && x.at.startsWith('2022-06-27'))!.file));
    // Ten tasks are due 30/06; 3/SKHDT was completed on 24/06.
    expect(digest.subject).toBe('Tổng hợp nhiệm vụ ngày 27/06/2022: 0 quá hạn, 9 sắp đến hạn');
  });

  it('prints a summary table per level, body, day and recipient', async () => {
    const r = await runCliCaptured(['simulate', '--tasks', EVENTS, '--from', '2022-06-01', '--to', '2022-07-01', '--config', CONFIG]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Mô phỏng 2022-06-01 – 2022-07-01: 14 nhiệm vụ, 49 thông báo trong \d+ thư gửi \d+ người \(dùng --out DIR để ghi thành tệp \.eml\)\n/);
    // To 01/07: the reminders and coordinators as above, level 1 on 01/07, digests 27/06–01/07.
    expect(r.stdout).toContain('\nTheo loại thư (thông báo):\n  nhắc        25\n  ph.hợp      13\n  cấp 1        6\n  cấp 2        0\n  cấp 3        0\n  th.hợp       5\n');
    expect(r.stdout).toMatch(/\n {2}2022-06-28 +8 +13 +0 +0 +0 +1 +22\n/);
    expect(r.stdout).toMatch(/\nTheo người nhận \(thư; tối đa\/ngày: số thư cùng loại nhiều nhất trong một ngày\):\n {2}người nhận +thư +việc +ngày +tối đa\/ngày +chức danh\n/);
    expect(r.stdout).toMatch(/\n {2}chanhvanphong\.vpubnd@thainguyen\.example\.gov\.vn +\d+ +\d+ +\d+ +1 +Chánh Văn phòng UBND tỉnh\n/);
  });

  it('with a go-live date, sends nothing that fell due before it', async () => {
    const dir = path.join(tmp, 'golive');
    const r = await runCliCaptured(['simulate', '--tasks', EVENTS, '--from', '2022-04-01', '--to', '2022-08-31', '--out', dir, '--json', '--config', path.join(ROOT, 'tests/fixtures/config-golive-2022.yaml')]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as SimJson;
    // Live from Fri 01/07/2022: every reminder (23–30/06) is backfilled; levels 1–3 as above
    // (level 1 falls on 01/07 itself); digests on the 21 + 23 working days of July and August.
    expect(j.by_level).toEqual({ reminder: 0, coordinator: 0, level1: 6, level2: 6, level3: 17, digest: 44 });
    const m = await simpleParser(fs.readFileSync(j.messages[0]!.file));
    expect(m.messageId).toBe(`<${j.messages[0]!.id}@dondoc.thainguyen.example.gov.vn>`);
    expect(m.from?.value).toEqual([{ name: 'Văn phòng UBND tỉnh Thái Nguyên', address: 'dondoc@thainguyen.example.gov.vn' }]);
  });

  it('refuses bad arguments with usage errors', async () => {
    expect((await runCliCaptured(['simulate', '--tasks', EVENTS, '--from', '2022-08-31', '--to', '2022-04-01', '--config', CONFIG])).code).toBe(2);
    expect((await runCliCaptured(['simulate', '--tasks', EVENTS, '--from', '31/08/2022', '--to', '2022-09-01', '--config', CONFIG])).code).toBe(2);
    expect((await runCliCaptured(['simulate', '--from', '2022-04-01', '--to', '2022-09-01', '--config', CONFIG])).code).toBe(2);
  });
});

describe('dondoc preview', () => {
  it('from a file: the timeline as of --at, what was already sent shown as done, JSON in the configured zone', async () => {
    const r = await runCliCaptured(['preview', '--tasks', EVENTS, '--at', '2022-07-06T09:00:00+07:00', '--json', '--config', CONFIG]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { at: string; tasks: Array<{ id: string; assigned_on: string; deadline: string; status: string; deadline_in_force?: string; notifications: Array<{ step: string; state: string; at: string; subject: string; to: Array<{ email: string }> }> }> };
    expect(j.at).toBe('2022-07-06T09:00:00+07:00');
    const t = j.tasks.find((x) => x.id === '1510-ubnd-th-20220416-11-stttt')!;
    expect(t).toMatchObject({ assigned_on: '2022-04-16', deadline: '2022-06-30', status: 'overdue' });
    expect(t.notifications.map((n) => [n.step, n.state])).toEqual([
      ['r-b5wd', 'done'],
      ['c-b2wd', 'done'],
      ['c-b2wd', 'done'],
      ['r-b2wd', 'done'],
      ['r-d', 'done'],
      ['e1-a1wd', 'done'],
      ['e2-a3wd', 'done'],
      ['e3-a10wd', 'planned'],
      ['e3-a10wd-x1', 'planned'],
      ['e3-a10wd-x2', 'planned'],
      ['e3-a10wd-x3', 'planned'],
    ]);
    expect(t.notifications[7]).toMatchObject({ at: '2022-07-14T07:30:00+07:00', to: [{ email: 'chutich.ubnd@thainguyen.example.gov.vn' }, { email: 'giamdoc.snv@thainguyen.example.gov.vn' }] });
    expect(t.notifications[7]!.subject).toMatch(/^\[Quá hạn – cấp 3\] Sở Thông tin và Truyền thông: /);
    const bdt = j.tasks.find((x) => x.id === '1510-ubnd-th-20220416-12-bdt')!;
    expect(bdt).toMatchObject({ deadline: '2022-06-30', deadline_in_force: '2022-09-30', status: 'within_deadline' });
    expect(bdt.notifications.filter((n) => n.state === 'planned').map((n) => n.at)[0]).toBe('2022-09-23T07:30:00+07:00');
  });

  it('shows each notification’s copies, one per person, and the mails ahead as they will be bundled', async () => {
    const r = await runCliCaptured(['preview', '--tasks', XLSX, '--at', '2022-07-13T09:00:00+07:00', '--json', '--config', CONFIG]);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as {
      tasks: Array<{ id: string; notifications: Array<{ step: string; state: string; copies: Array<{ email: string; role: string; as: string; links: string[] }> }> }>;
      mails_ahead: Array<{ email: string; date: string; kind: string; mails: number; items: number }>;
    };
    const l3 = j.tasks.find((t) => t.id === '1510-ubnd-th-20220416-9-syt')!.notifications.find((n) => n.step === 'e3-a10wd')!;
    expect(l3.copies.map((c) => [c.role, c.as])).toEqual([
      ['chairman', 'to'],
      ['home_affairs', 'to'],
      ['provincial_office', 'cc'],
      ['leader', 'cc'],
      ['head', 'cc'],
    ]);
    // The 2022 test config has no links: no copy carries any.
    expect(l3.copies.every((c) => c.links.length === 0)).toBe(true);
    // On Thu 14/07 the ten tasks' level 3 reaches the chairman as one mail of ten items.
    expect(j.mails_ahead.find((m) => m.email === CHAIRMAN && m.date === '2022-07-14')).toEqual({ email: CHAIRMAN, title: 'Chủ tịch UBND tỉnh', date: '2022-07-14', kind: 'escalation', mails: 1, items: 10 });
    expect(j.mails_ahead.every((m) => m.mails === 1)).toBe(true);
    const text = await runCliCaptured(['preview', '--tasks', XLSX, '--at', '2022-07-13T09:00:00+07:00', '--config', CONFIG]);
    expect(text.stdout).toContain('      5 bản, mỗi người một thư: chutich.ubnd@thainguyen.example.gov.vn; giamdoc.snv@');
    expect(text.stdout).toMatch(/\nThư sắp gửi, mỗi người một thư cho mỗi loại trong ngày \(số việc trong thư\):\n/);
    expect(text.stdout).toMatch(/\n {2}2022-07-14 {2}chutich\.ubnd@thainguyen\.example\.gov\.vn +báo cáo quá hạn +1 thư, 10 việc {2}Chủ tịch UBND tỉnh\n/);
  });

  it('reads every import format (a clerk’s .xlsx) without Redis', async () => {
    const r = await runCliCaptured(['preview', '--tasks', XLSX, '--at', '2022-06-20T09:00:00+07:00', '--config', CONFIG], { env: { REDIS_URL: 'redis://127.0.0.1:1' } });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Lịch gửi tính đến 2022-06-20T09:00:00\+07:00\n/);
    expect(r.stdout).toContain('1510-ubnd-th-20220416-9-syt');
    expect(r.stdout).toContain('  2022-06-23T07:30:00+07:00  dự kiến     nhắc      gửi: giamdoc.syt@thainguyen.example.gov.vn');
  });

  it('refuses ambiguous or malformed arguments', async () => {
    expect((await runCliCaptured(['preview', '--config', CONFIG])).code).toBe(2);
    expect((await runCliCaptured(['preview', 'some-id', '--tasks', EVENTS, '--config', CONFIG])).code).toBe(2);
    const bad = await runCliCaptured(['preview', '--tasks', EVENTS, '--at', '06/07/2022', '--config', CONFIG]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--at: expected a date-time like 2026-02-06T07:30:00+07:00 (or a date YYYY-MM-DD), got "06/07/2022"');
  });

  describe('a stored task, by id', () => {
    let server: PrivateRedis;
    const prefix = randomPrefix('preview');
    const env = () => ({ REDIS_URL: server.url, DONDOC_KEY_PREFIX: prefix, DONDOC_REDIS_TIMEOUT_MS: '500' });
    beforeAll(async () => {
      server = await startRedis();
      const r = await runCliCaptured(['import', XLSX, '--config', CONFIG], { env: env(), now: () => Date.parse('2022-04-20T09:00:00+07:00') });
      expect(r.code).toBe(0);
    });
    afterAll(async () => server?.stop());

    it('plans it from the store', async () => {
      const r = await runCliCaptured(['preview', '1510-ubnd-th-20220416-9-syt', '--at', '2022-06-20T09:00:00+07:00', '--json', '--config', CONFIG], { env: env() });
      expect(r.code).toBe(0);
      const j = JSON.parse(r.stdout) as { tasks: Array<{ id: string; notifications: Array<{ step: string; at: string; state: string }> }> };
      expect(j.tasks[0]!.id).toBe('1510-ubnd-th-20220416-9-syt');
      expect(j.tasks[0]!.notifications[0]).toMatchObject({ step: 'r-b5wd', at: '2022-06-23T07:30:00+07:00', state: 'planned' });
    });

    it('an unknown id is refused; Redis down is an environment error', async () => {
      expect((await runCliCaptured(['preview', 'no-such-task', '--config', CONFIG], { env: env() })).code).toBe(1);
      expect((await runCliCaptured(['preview', 'x', '--config', CONFIG], { env: { REDIS_URL: 'redis://127.0.0.1:1', DONDOC_REDIS_TIMEOUT_MS: '300' } })).code).toBe(3);
    });
  });
});

describe('dondoc simulate and the repeat-lateness notices (7176 §5)', () => {
  it('sends the notice the accountability pass would, once, on the day the threshold is reached', async () => {
    const file = path.join(tmp, 'three-late.yaml');
    const item = (n: string, deadline: string, extra = '') =>
      `- title: Báo cáo số ${n} của Sở Tài chính\n  source: { number: 1510/UBND-TH, date: 2022-04-16, issuer: UBND tỉnh Thái Nguyên, item: "${n}" }\n  lead: STC\n  deadline: ${deadline}\n${extra}`;
    fs.writeFileSync(file, [item('3', '2022-06-10'), item('4', '2022-06-15'), item('5', '2022-06-20', '  events: [{ type: completed, on: 2022-06-24 }]\n')].join(''));
    const out = path.join(tmp, 'late-eml');
    const r = await runCliCaptured(['simulate', '--tasks', file, '--from', '2022-06-01', '--to', '2022-07-31', '--out', out, '--json', '--config', CONFIG]);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { lateness_notices: Array<{ id: string; at: string; body: string; count: number; to: string[]; file: string }> };
    // The default rule: 3 tasks late or overdue in the calendar year; the third is overdue from 21/06.
    expect(j.lateness_notices).toEqual([
      expect.objectContaining({ id: 'lateness-STC-2022-3', at: '2022-06-21T07:30:00+07:00', body: 'STC', count: 3, to: ['giamdoc.snv@thainguyen.example.gov.vn'] }),
    ]);
    const mail = await simpleParser(fs.readFileSync(j.lateness_notices[0]!.file));
    expect(mail.subject).toBe('[Chậm, muộn nhiều lần] Sở Tài chính: 3 nhiệm vụ quá hạn trong năm 2022');
    expect(mail.messageId).toMatch(/^<lateness-STC-2022-3@/);
    const human = await runCliCaptured(['simulate', '--tasks', file, '--from', '2022-06-01', '--to', '2022-07-31', '--config', CONFIG]);
    expect(human.stdout).toMatch(/^ {2}2022-06-21 {2}STC {2}3 .*Sở Tài chính: 3 nhiệm vụ quá hạn trong năm 2022$/m);
  });
});

