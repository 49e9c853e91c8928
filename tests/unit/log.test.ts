// The logger's redaction: whatever a module logs — fields at any depth, messages, errors with
// their stacks — no password, token, Authorization header or recipient address reaches the
// output, in JSON or pretty form; Message-IDs under their own key stay, so an operator can
// still find a message in the mail server's log.
import { describe, expect, it } from 'vitest';
import { makeLogger, scrubLogLine, scrubText } from '../../src/log.js';

function capture(format: 'json' | 'pretty' = 'json') {
  const lines: string[] = [];
  const logger = makeLogger({ format, level: 'debug', sink: { write: (t) => void lines.push(t), isTTY: false } });
  return { logger, text: () => lines.join('') };
}

const SECRETS = ['s3cr3t-Pa55', 'tok-0123456789abcdefghij', 'giamdoc.syt', 'vanthu.syt', 'chanhvanphong'];

describe('scrubText', () => {
  it.each([
    ['smtp://dondoc:s3cr3t-Pa55@mail.tn.gov.vn:587', 'smtp://dondoc:***@mail.tn.gov.vn:587'],
    ['redis://:s3cr3t-Pa55@10.0.0.5:6379/0', 'redis://:***@10.0.0.5:6379/0'],
    ['Authorization: Bearer tok-0123456789abcdefghij', 'Authorization: Bearer ***'],
    ['550 5.1.1 <giamdoc.syt@thainguyen.gov.vn>: Recipient address rejected', '550 5.1.1 <***@thainguyen.gov.vn>: Recipient address rejected'],
    ['to giamdoc.syt@thainguyen.gov.vn, vanthu.syt@thainguyen.gov.vn', 'to ***@thainguyen.gov.vn, ***@thainguyen.gov.vn'],
    ['Gửi Giám đốc Sở Y tế, hạn 30/06/2022', 'Gửi Giám đốc Sở Y tế, hạn 30/06/2022'],
  ])('%s', (input, expected) => {
    expect(scrubText(input)).toBe(expected);
  });
});

describe('scrubLogLine', () => {
  it('redacts secret keys at any depth, array elements by their key, and keeps message ids', () => {
    const line = JSON.stringify({
      msg: 'sent',
      job: { auth: { user: 'dondoc', pass: 's3cr3t-Pa55' }, headers: { authorization: 'Bearer x', 'content-type': 'json' } },
      to: ['giamdoc.syt@thainguyen.gov.vn'],
      cc: ['vanthu.syt@thainguyen.gov.vn'],
      messageId: '<1510-ubnd-th-20220416-9-syt_r-b5wd_20220630@dondoc.thainguyen.gov.vn>',
      note: 'quote " and \\ backslash kept',
    });
    const out = JSON.parse(scrubLogLine(line));
    expect(out.job.auth).toEqual({ user: 'dondoc', pass: '[redacted]' });
    expect(out.job.headers).toEqual({ authorization: '[redacted]', 'content-type': 'json' });
    expect(out.to).toEqual(['***@thainguyen.gov.vn']);
    expect(out.cc).toEqual(['***@thainguyen.gov.vn']);
    expect(out.messageId).toBe('<1510-ubnd-th-20220416-9-syt_r-b5wd_20220630@dondoc.thainguyen.gov.vn>');
    expect(out.note).toBe('quote " and \\ backslash kept');
  });
});

describe('makeLogger', () => {
  it('writes one JSON object per line with level labels, and nothing secret', () => {
    const { logger, text } = capture();
    const child = logger.child({ jobId: 'j1', taskId: '1510-ubnd-th-20220416-9-syt', kind: 'reminder' });
    child.info({ to: ['giamdoc.syt@thainguyen.gov.vn'], cc: ['vanthu.syt@thainguyen.gov.vn'], smtp: 'smtp://dondoc:s3cr3t-Pa55@mail:587' }, 'sending');
    child.warn({ req: { headers: { authorization: 'Bearer tok-0123456789abcdefghij' } } }, 'request with Bearer tok-0123456789abcdefghij');
    const err = new Error('550 5.1.1 <chanhvanphong@thainguyen.gov.vn> rejected, via smtp://dondoc:s3cr3t-Pa55@mail:587');
    child.error({ err, password: 's3cr3t-Pa55', apiTokens: ['tok-0123456789abcdefghij'] }, 'failed');
    const out = text();
    const lines = out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l.level, l.msg, l.taskId])).toEqual([
      ['info', 'sending', '1510-ubnd-th-20220416-9-syt'],
      ['warn', 'request with Bearer ***', '1510-ubnd-th-20220416-9-syt'],
      ['error', 'failed', '1510-ubnd-th-20220416-9-syt'],
    ]);
    // The error is still useful: its type, the SMTP code and the domain stay.
    expect((lines[2]!.err as { message: string }).message).toBe('550 5.1.1 <***@thainguyen.gov.vn> rejected, via smtp://dondoc:***@mail:587');
    expect((lines[2]!.err as { stack: string }).stack).toContain('log.test.ts');
    for (const s of SECRETS) expect(out).not.toContain(s);
  });

  it('redacts the pretty format too', () => {
    const { logger, text } = capture('pretty');
    logger.info({ to: 'giamdoc.syt@thainguyen.gov.vn', token: 'tok-0123456789abcdefghij' }, 'via smtp://u:s3cr3t-Pa55@h:25');
    const out = text();
    expect(out).toContain('***@thainguyen.gov.vn');
    expect(out).toContain('smtp://u:***@h:25');
    for (const s of SECRETS) expect(out).not.toContain(s);
  });

  it('honours the level', () => {
    const lines: string[] = [];
    const logger = makeLogger({ format: 'json', level: 'warn', sink: { write: (t) => void lines.push(t) } });
    logger.info('not shown');
    logger.warn('shown');
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(['shown']);
  });
});
