// The rule mails cite comes from config (policy.basis): the letter in force on the day a mail is
// sent, none before the first; templates take it as data and name no letter themselves.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { policySchema } from '../../src/config/sections/policy.js';
import { PACKAGE_ROOT } from '../../src/config/paths.js';
import { basisOn } from '../../src/core/basis.js';
import { bundleView } from '../../src/mail/bundle-view.js';
import { planDigest } from '../../src/core/digest.js';
import { planNotifications } from '../../src/core/planner.js';
import { loadTemplates, renderNotification } from '../../src/mail/render.js';
import { ISSUER, day, makeOrg, makePolicy, makeTask, shippedBasis, shippedCalendar } from './planner-fixtures.js';

const calendar = shippedCalendar();
const org = makeOrg();
const policy = makePolicy();
const templates = loadTemplates();
const CITE_7176 = 'Công văn số 7176/UBND-NC ngày 04/12/2024 của UBND tỉnh Thái Nguyên';

const taskDue = (deadline: string, assigned: string) =>
  makeTask(calendar, org, { title: 'Báo cáo kết quả thực hiện', source: { number: '12/UBND-TH', date: assigned, issuer: ISSUER, item: '1' }, lead: 'SYT', coordinators: ['STC'], assigned_on: assigned, deadline });

/** Every mail of a task's ladder (reminders, coordinator, levels 1–3, a list), and a digest, as rendered around `deadline`. */
function everyMail(deadline: string, assigned: string, basis: ReturnType<typeof shippedBasis>) {
  const task = taskDue(deadline, assigned);
  const plan = planNotifications(task, undefined, policy, calendar, org, calendar.zone.startOfDay(day(assigned)));
  const ctx = { org, calendar, task, basis };
  const singles = plan.map((n) => renderNotification(templates, n, ctx));
  const l1 = plan.find((n) => n.level === 1)!;
  const list = templates.render('escalation-list', bundleView('b-x', l1.to[0]!, [{ n: l1, task }, { n: plan.find((n) => n.level === 2)!, task }], { org, calendar, basis }));
  const digest = planDigest([task], policy, calendar, org, calendar.effectiveEnd(day(deadline)))!;
  return [...singles, list, renderNotification(templates, digest, { org, calendar, basis })];
}

describe('policy.basis', () => {
  it('is the letter in force on the day: the latest to take effect, none before the first', () => {
    const letters = policySchema.parse({
      basis: [
        { number: '7176/UBND-NC', date: '2024-12-04', issuer: ISSUER, passages: { duty: { section: 3, text: 'A' } } },
        { number: '900/QĐ-UBND', date: '2026-05-01', issuer: ISSUER, in_force_from: '2026-06-01' },
      ],
    }).basis;
    expect(letters[0]!.passages.duty).toEqual({ section: '3', text: 'A' });
    expect(basisOn(letters, day('2024-12-03'))).toBeUndefined();
    expect(basisOn(letters, day('2024-12-04'))?.number).toBe('7176/UBND-NC');
    expect(basisOn(letters, day('2026-05-31'))?.number).toBe('7176/UBND-NC');
    expect(basisOn(letters, day('2026-06-01'))?.number).toBe('900/QĐ-UBND');
    expect(policySchema.parse({}).basis).toEqual([]);
  });

  it('says what to write when a letter is wrong', () => {
    const r = policySchema.safeParse({ basis: [{ number: '7176 / UBND', date: '04/12/2024', issuer: '', passages: { duty: { text: 'x' }, praise: {} } }] });
    expect(r.success).toBe(false);
    const problems = r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(problems).toEqual(
      expect.arrayContaining([
        'basis.0.number: expected a document number like 7176/UBND-NC (number/symbol, no spaces)',
        'basis.0.date: expected a date YYYY-MM-DD, got "04/12/2024"',
        expect.stringMatching(/^basis\.0\.passages\.duty\.section: /),
        expect.stringMatching(/^basis\.0\.passages: Unrecognized key: "praise"/),
      ]),
    );
  });

  it('in 2022 no mail cites a letter of 2024; in 2026 every kind that quotes one cites 7176 from the shipped config', () => {
    const basis = shippedBasis();
    expect(basis.map((l) => l.number)).toEqual(['7176/UBND-NC']);
    for (const m of everyMail('2022-06-30', '2022-04-16', basis)) {
      for (const part of [m.subject, m.text, m.html]) expect(part).not.toContain('7176');
    }
    const y2026 = everyMail('2026-06-30', '2026-04-16', basis);
    // Reminders, the coordinator's, the escalations and the digest cite it; each quotes or refers to a passage.
    expect(y2026.filter((m) => m.text.includes(CITE_7176)).length).toBeGreaterThanOrEqual(6);
    expect(y2026.some((m) => m.text.includes('“Trường hợp đến hạn chưa hoàn thành, có khó khăn vướng mắc phải kịp thời báo cáo lãnh đạo UBND tỉnh phụ trách lĩnh vực để chỉ đạo.”'))).toBe(true);
  });

  it('another province names its own letter, and mails cite that one', () => {
    const mine = policySchema.parse({
      basis: [{ number: '15/CT-UBND', date: '2025-03-10', issuer: 'UBND tỉnh Lạng Sơn', passages: { duty: { section: 'II.1', text: 'Thủ trưởng các cơ quan chịu trách nhiệm hoàn thành nhiệm vụ đúng hạn.' } } }],
    }).basis;
    const mails = everyMail('2026-06-30', '2026-04-16', mine);
    expect(mails.some((m) => m.text.includes('Mục II.1 Chỉ thị số 15/CT-UBND ngày 10/03/2025 của UBND tỉnh Lạng Sơn yêu cầu:'))).toBe(true);
    for (const m of mails) expect(m.text).not.toContain('7176');
  });

  it('no template names a letter: the shipped templates are data-free', () => {
    const dir = path.join(PACKAGE_ROOT, 'templates');
    for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.hbs'))) {
      expect(fs.readFileSync(path.join(dir, f), 'utf8'), f).not.toMatch(/\d+\/(UBND|QĐ|KH|CT)-/);
    }
  });
});
