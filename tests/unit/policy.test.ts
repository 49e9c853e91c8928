// Policy config: durations as people write them, the 7176 ladder as the schema's defaults,
// and every mistake reported with its path and what to write instead.
import { describe, expect, it } from 'vitest';
import { loadConfigText } from '../../src/config/load.js';
import { durationCode, formatDuration, parseDuration } from '../../src/core/duration.js';
import { DondocError } from '../../src/errors.js';
import { day, makePolicy } from './planner-fixtures.js';

const problemsOf = (text: string): string[] => {
  try {
    loadConfigText(text, 'config/dondoc.yaml', 'config');
  } catch (e) {
    if (e instanceof DondocError) return e.problems.map((p) => `${p.path}: ${p.message}`);
    throw e;
  }
  return [];
};

describe('durations', () => {
  it.each([
    ['5 working days', 5, 'working_day'],
    ['1 working day', 1, 'working_day'],
    ['  3   Working   Days ', 3, 'working_day'],
    ['10 business days', 10, 'working_day'],
    ['5 ngày làm việc', 5, 'working_day'],
    ['5 nga\u0300y la\u0300m vie\u0323\u0302c', 5, 'working_day'], // NFD
    ['5 ngay lam viec', 5, 'working_day'],
    ['2 days', 2, 'day'],
    ['2 ngày', 2, 'day'],
    ['3 hours', 3, 'hour'],
    ['3 giờ', 3, 'hour'],
    ['30 minutes', 30, 'minute'],
    ['30 phút', 30, 'minute'],
    ['0 working days', 0, 'working_day'],
  ])('%s', (text, amount, unit) => {
    expect(parseDuration(text)).toEqual({ amount, unit });
  });

  it.each(['', 'five days', '3 wrking days', '-2 days', '2.5 days', '3', 'days 3', '1001 days'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeNull();
  });

  it('prints a duration back the way it is written', () => {
    for (const t of ['5 working days', '1 working day', '2 days', '3 hours', '1 minute']) expect(formatDuration(parseDuration(t)!)).toBe(t);
    expect(durationCode(parseDuration('10 ngày làm việc')!)).toBe('10wd');
  });
});

describe('policy section', () => {
  it('defaults to the 7176 ladder', () => {
    const p = loadConfigText('timezone: Asia/Ho_Chi_Minh\n', 'config/dondoc.yaml', 'config').config.policy;
    const t = p.kinds.task;
    const show = (s: (typeof t.reminders)[number]) => [s.id, s.level, s.to.join('+'), s.cc.join('+'), s.template, s.repeat ? `${s.repeat.times}x${s.repeat.every.amount}` : ''];
    expect(t.reminders.map(show)).toEqual([
      ['r-b5wd', 0, 'head', 'clerical', 'reminder', ''],
      ['r-b2wd', 0, 'head', 'clerical', 'reminder', ''],
      ['r-d', 0, 'head', 'clerical', 'reminder', ''],
    ]);
    expect(t.coordinators.map(show)).toEqual([['c-b2wd', 0, 'coordinator_head', 'coordinator_clerical', 'coordinator-reminder', '']]);
    expect(t.escalations.map(show)).toEqual([
      ['e1-a1wd', 1, 'head', 'provincial_office', 'escalation-1', ''],
      ['e2-a3wd', 2, 'head', 'provincial_office+leader', 'escalation-2', ''],
      ['e3-a10wd', 3, 'chairman+home_affairs', 'provincial_office+leader+head', 'escalation-3', '3x10'],
    ]);
    expect(p.goLive).toBeUndefined();
    expect(p.dueSoon).toBe(3);
    expect(p.digest).toEqual({ enabled: true, minute: 8 * 60, to: ['provincial_office'], cc: [], template: 'digest' });
    // Procedures are counted from receipt; after 15:00 counts from the next working day.
    expect(p.kinds.procedure).toMatchObject({ countFrom: 'received', receivedCutoff: 15 * 60 });
    expect(p.kinds.procedure.reminders).toEqual(t.reminders);
    expect(p.kinds.casefile.countFrom).toBe('assigned');
  });

  it('takes admin changes: go-live, repeats, per-kind ladders, Vietnamese durations', () => {
    const p = makePolicy({
      go_live: '2026-03-01',
      due_soon: '5 working days',
      escalations: [{ level: 3, after: '10 ngày làm việc', to: ['chairman'], repeat: { every: '5 working days', times: 6 } }],
      kinds: { casefile: { reminders: [{ before: '1 working day', at: '14:00' }], count_from: 'received', received_cutoff: '16:00' } },
    });
    expect(p.goLive).toBe(day('2026-03-01'));
    expect(p.dueSoon).toBe(5);
    expect(p.kinds.task.escalations[0]).toMatchObject({ id: 'e3-a10wd', to: ['chairman'], cc: ['provincial_office'], repeat: { every: { amount: 5, unit: 'working_day' }, times: 6 } });
    expect(p.kinds.casefile).toMatchObject({ countFrom: 'received', receivedCutoff: 16 * 60 });
    expect(p.kinds.casefile.reminders).toEqual([expect.objectContaining({ id: 'r-b1wd-t1400', minute: 14 * 60 })]);
    expect(p.kinds.casefile.escalations).toBe(p.kinds.task.escalations);
  });

  it('reports every mistake with its path and what to write', () => {
    const problems = problemsOf(
      [
        'policy:',
        '  go_live: 01/03/2026',
        '  due_soon: soon',
        '  reminders:',
        '    - before: 5 working days',
        '    - before: 3 wrking days',
        '    - { before: 2 days, on: deadline }',
        '    - { after: 1 working day }',
        '    - { before: 3 hours, at: "09:00" }',
        '    - { before: 2 working days, to: [boss] }',
        '  escalations:',
        '    - { level: 4, after: 1 working day }',
        '    - { level: 1, after: 0 working days }',
        '    - { level: 2, after: 3 working days, repeat: { every: 2 hours, times: 3 } }',
        '  kinds:',
        '    procedure: { received_cutoff: "3pm", period: 3 hours }',
        '    dossier: {}',
        '  digest: { at: "8:00" }',
      ].join('\n'),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        'config/dondoc.yaml: policy.go_live: expected a date YYYY-MM-DD, got "01/03/2026"',
        `config/dondoc.yaml: policy.due_soon: expected a number of working days like 3 (or '3 working days'), got "soon"`,
        `config/dondoc.yaml: policy.reminders[1].before: expected a duration like '3 working days', got "3 wrking days"`,
        'config/dondoc.yaml: policy.reminders[2]: give exactly one of before, on: deadline',
        'config/dondoc.yaml: policy.reminders[3].after: reminder steps take before or on: deadline',
        'config/dondoc.yaml: policy.reminders[4].at: a time of day only applies to steps in days (this one is 3 hours)',
        'config/dondoc.yaml: policy.reminders[5].to[0]: expected one of head, clerical, leader, provincial_office, home_affairs, chairman, inspectorate, coordinator_head, coordinator_clerical, got "boss"',
        'config/dondoc.yaml: policy.escalations[0].level: expected a level 1, 2 or 3, got 4',
        'config/dondoc.yaml: policy.escalations[1].after: an escalation comes after the deadline has passed: use at least 1 working day',
        'config/dondoc.yaml: policy.escalations[2].repeat.every: a repeat counts in days or working days, e.g. "10 working days"',
        'config/dondoc.yaml: policy.kinds.procedure.received_cutoff: expected a time HH:MM (24-hour), got "3pm"',
        'config/dondoc.yaml: policy.kinds.procedure.period: a processing period counts in days or working days',
        'config/dondoc.yaml: policy.kinds: unknown key "dossier" (check the spelling)',
        'config/dondoc.yaml: policy.digest.at: expected a time HH:MM (24-hour), got "8:00"',
      ]),
    );
    expect(problems).toHaveLength(14);
    // Two steps may not share an id (ids name notifications); an explicit id tells them apart.
    const twice = 'policy:\n  escalations:\n    - { level: 2, after: 3 working days }\n    - { level: 2, after: 3 working days, to: [leader] }\n';
    expect(problemsOf(twice)).toEqual(['config/dondoc.yaml: policy.escalations[1]: same step id "e2-a3wd" as step 0: give one of them an explicit id']);
    expect(problemsOf(twice.replace('to: [leader]', 'to: [leader], id: e2-leader'))).toEqual([]);
  });

  it('checks the mail section: sender, Message-ID domain', () => {
    const m = loadConfigText('mail: { from: { name: "Văn phòng UBND tỉnh", address: dondoc@thainguyen.example.gov.vn } }\n', 'c.yaml', 'config').config.mail;
    expect(m).toEqual({ from: { name: 'Văn phòng UBND tỉnh', address: 'dondoc@thainguyen.example.gov.vn' }, messageIdDomain: 'thainguyen.example.gov.vn' });
    expect(problemsOf('mail: { from: { address: "not an address" }, message_id_domain: "a b" }\n')).toEqual([
      'config/dondoc.yaml: mail.from.address: expected an e-mail address, got "not an address"',
      'config/dondoc.yaml: mail.message_id_domain: expected a domain like dondoc.thainguyen.gov.vn, got "a b"',
    ]);
  });
});
