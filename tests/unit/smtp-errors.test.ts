// The failure table of issue 5 ("Mail"): which send failures are retried (transient) and which
// are recorded and reported at once (permanent). The error shapes are those nodemailer 10 gives
// (seen against the test SMTP server in tests/integration/mail-smtp.test.ts).
import { describe, expect, it } from 'vitest';
import { classifyReplyCode, classifySmtpError, partialRejection, recipientRejections } from '../../src/mail/smtp-errors.js';
import { DondocError } from '../../src/errors.js';

const smtpReply = (code: number, command: string, extra: Record<string, unknown> = {}) => ({
  code: command === 'DATA' ? 'EMESSAGE' : 'EENVELOPE',
  responseCode: code,
  command,
  response: `${code} ${code >= 500 ? '5' : '4'}.0.0 text`,
  message: `failed: ${code}`,
  ...extra,
});

const net = (code: string, extra: Record<string, unknown> = {}) => ({ code, command: 'CONN', message: `${code} happened`, ...extra });

describe('classifySmtpError', () => {
  const cases: Array<[string, unknown, 'transient' | 'permanent', number | undefined, RegExp]> = [
    ['451 to MAIL FROM', smtpReply(451, 'MAIL FROM'), 'transient', 451, /server refused MAIL: 451/],
    ['450 greylisting at RCPT, all rejected', smtpReply(450, 'RCPT TO', { rejected: ['a@x.vn'] }), 'transient', 450, /all recipients rejected \(a@x\.vn\)/],
    ['452 insufficient storage after DATA', smtpReply(452, 'DATA'), 'transient', 452, /server refused DATA/],
    ['421 service closing', smtpReply(421, 'MAIL FROM'), 'transient', 421, /421/],
    ['550 mailbox unavailable, all rejected', smtpReply(550, 'RCPT TO', { rejected: ['a@x.vn', 'b@x.vn'] }), 'permanent', 550, /all recipients rejected \(a@x\.vn, b@x\.vn\)/],
    ['553 mailbox name not allowed', smtpReply(553, 'MAIL FROM'), 'permanent', 553, /553/],
    ['554 transaction failed after DATA', smtpReply(554, 'DATA'), 'permanent', 554, /server refused DATA: 554/],
    ['552 message too big', smtpReply(552, 'DATA'), 'permanent', 552, /552/],
    ['503 bad sequence: a session problem, not the message', smtpReply(503, 'RCPT TO'), 'transient', 503, /503/],
    ['535 bad credentials: the config, not the message', { code: 'EAUTH', responseCode: 535, command: 'AUTH PLAIN', response: '535 5.7.8 invalid', message: 'Invalid login' }, 'transient', 535, /authentication failed \(check the user and password in SMTP_URL\)/],
    ['EAUTH without a reply', { code: 'EAUTH', message: 'Missing credentials for "PLAIN"' }, 'transient', undefined, /check SMTP_URL/],
    ['connection refused', net('ESOCKET', { originalCode: 'ECONNREFUSED' }), 'transient', undefined, /connection refused/],
    ['bare ECONNREFUSED', net('ECONNREFUSED'), 'transient', undefined, /connection refused/],
    ['connection reset', net('ESOCKET', { originalCode: 'ECONNRESET' }), 'transient', undefined, /ECONNRESET/],
    ['broken pipe', net('EPIPE'), 'transient', undefined, /EPIPE/],
    ['socket closed mid-DATA', net('ECONNECTION', { message: 'Connection closed unexpectedly' }), 'transient', undefined, /Connection closed unexpectedly/],
    ['greeting timeout', net('ETIMEDOUT', { timeoutType: 'GREETING_TIMEOUT' }), 'transient', undefined, /greeting/],
    ['connect timeout', net('ETIMEDOUT', { timeoutType: 'CONNECT_TIMEOUT' }), 'transient', undefined, /connecting/],
    ['socket timeout', net('ETIMEDOUT', { timeoutType: 'SOCKET_TIMEOUT' }), 'transient', undefined, /stopped answering/],
    ['DNS failure', net('EDNS', { originalCode: 'ENOTFOUND' }), 'transient', undefined, /ENOTFOUND/],
    ['TLS failure', net('ETLS'), 'transient', undefined, /ETLS/],
    ['pool closed', { code: 'ECONNECTION', message: 'Connection pool was closed' }, 'transient', undefined, /pool was closed/],
    ['too many recipients (client side)', { code: 'EMAXRECIPIENTS', message: 'Too many recipients' }, 'permanent', undefined, /EMAXRECIPIENTS/],
    ['no recipients (client side)', { code: 'EENVELOPE', message: 'No recipients defined' }, 'permanent', undefined, /No recipients/],
    ['something unknown', new Error('boom'), 'transient', undefined, /unexpected error: boom/],
    ['a thrown string', 'weird', 'transient', undefined, /weird/],
    ['a message refused before sending', new DondocError('INPUT_REJECTED', 'message "<x@y>": 1 problem', [{ path: 'to[0]', message: 'expected an e-mail address' }]), 'permanent', undefined, /to\[0\]: expected an e-mail address/],
  ];

  it.each(cases)('%s', (_name, err, kind, code, reason) => {
    const f = classifySmtpError(err);
    expect(f.kind).toBe(kind);
    expect(f.code).toBe(code);
    expect(f.reason).toMatch(reason);
    expect(f.reason).not.toMatch(/\n/);
  });

  it('keeps the rejected recipients of an all-rejected envelope', () => {
    expect(classifySmtpError(smtpReply(550, 'RCPT TO', { rejected: ['a@x.vn'] })).rejected).toEqual(['a@x.vn']);
  });

  it('follows RFC 5321 reply classes with the documented exceptions', () => {
    expect([421, 450, 451, 452, 455].map(classifyReplyCode)).toEqual(Array(5).fill('transient'));
    expect([500, 501, 550, 551, 552, 553, 554, 556].map(classifyReplyCode)).toEqual(Array(8).fill('permanent'));
    expect([503, 530, 534, 535].map(classifyReplyCode)).toEqual(Array(4).fill('transient'));
  });

  it('bounds the reason to one short line', () => {
    const f = classifySmtpError({ code: 'EMESSAGE', responseCode: 554, command: 'DATA', response: `554 ${'x'.repeat(2000)}\r\nmore` });
    expect(f.reason.length).toBeLessThanOrEqual(300);
  });
});

describe('partial rejection', () => {
  it('counts as sent to the accepted and reports the refused with the server reason', () => {
    const rejections = recipientRejections(['b@x.vn'], [{ recipient: 'b@x.vn', code: 'EENVELOPE', responseCode: 550, command: 'RCPT TO', response: '550 5.1.1 User unknown' }]);
    expect(rejections).toEqual([{ address: 'b@x.vn', kind: 'permanent', code: 550, reason: expect.stringMatching(/User unknown/) }]);
    const f = partialRejection({ messageId: '<m@d>', accepted: ['a@x.vn'], rejected: ['b@x.vn'], response: '250 OK', rejections });
    expect(f).toEqual({ kind: 'permanent', code: 550, reason: expect.stringMatching(/^delivered to 1, refused for b@x\.vn \(/), rejected: ['b@x.vn'] });
  });

  it('is transient when every refusal was transient (greylisting)', () => {
    const rejections = recipientRejections(['b@x.vn'], [{ recipient: 'b@x.vn', responseCode: 450, command: 'RCPT TO', response: '450 try later' }]);
    expect(partialRejection({ messageId: '<m@d>', accepted: ['a@x.vn'], rejected: ['b@x.vn'], response: '250 OK', rejections })?.kind).toBe('transient');
  });

  it('treats a rejection without details as permanent, and none as no failure', () => {
    expect(partialRejection({ messageId: '<m@d>', accepted: ['a@x.vn'], rejected: ['b@x.vn'], response: '250 OK' })?.kind).toBe('permanent');
    expect(partialRejection({ messageId: '<m@d>', accepted: ['a@x.vn'], rejected: [], response: '250 OK' })).toBeNull();
  });
});
