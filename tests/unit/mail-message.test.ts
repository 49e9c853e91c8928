// The pure parts of the mail adapter: message cleaning (header injection, NFC), deterministic
// Message-IDs and outbox file names, SMTP_URL parsing and redaction, the rate window.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DondocError } from '../../src/errors.js';
import { cleanHeaderText, isMessageId, messageIdFor, type OutgoingMessage, prepareMessage } from '../../src/mail/message.js';
import { outboxFileName } from '../../src/mail/outbox.js';
import { paceInterval, parseSmtpUrl, redactSmtpUrl } from '../../src/mail/transport.js';

const base: OutgoingMessage = {
  messageId: '<t1@dondoc.test>',
  from: { name: 'Văn phòng UBND tỉnh', address: 'vp@dondoc.test' },
  to: [{ name: 'Giám đốc Sở Tài chính', address: 'gd.stc@thainguyen.gov.vn' }],
  cc: [],
  subject: 'Nhắc hạn',
  text: 'Nội dung',
  html: '<p>Nội dung</p>',
};

const problems = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (e) {
    if (e instanceof DondocError) return e.problems.map((p) => `${p.path}: ${p.message}`);
    throw e;
  }
  return [];
};

describe('prepareMessage', () => {
  it('turns line breaks and control characters in header text into one space, and NFC-normalises', () => {
    const m = prepareMessage({
      ...base,
      subject: 'Nha\u0306\u0301c vie\u0323\u0302c\r\nBcc: x@evil.test\u0000\u2028end',
      from: { name: 'VP\nX-Injected: 1', address: 'vp@dondoc.test' },
      headers: { 'X-Dondoc-Task': 'T-1\r\nBcc: y@evil.test' },
    });
    expect(m.subject).toBe('Nhắc việc Bcc: x@evil.test end');
    expect(m.subject).toBe(m.subject.normalize('NFC'));
    expect(m.from).toEqual({ name: 'VP X-Injected: 1', address: 'vp@dondoc.test' });
    expect(m.headers).toEqual({ 'X-Dondoc-Task': 'T-1 Bcc: y@evil.test', 'Auto-Submitted': 'auto-generated' });
  });

  it('never leaves a control character in any header text (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 60 }), (subject, name) => {
        const m = prepareMessage({ ...base, subject, from: { name, address: 'vp@dondoc.test' } });
        return [m.subject, m.from.name ?? ''].every((s) => !/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(s) && s === s.normalize('NFC'));
      }),
      { seed: 7176, numRuns: 300 },
    );
  });

  it('refuses bad addresses, Message-IDs and headers rather than cleaning them into something else', () => {
    expect(
      problems(() =>
        prepareMessage({
          ...base,
          messageId: '<a b@c>',
          to: [{ address: 'a@x.vn\r\nBcc: e@evil.test' }, { address: 'no-at-sign' }],
          cc: [{ address: 'a@b@c' }],
          headers: { Bcc: 'e@evil.test', 'Bad Name': 'x', 'Message-ID': '<other@x>' },
        }),
      ),
    ).toEqual([
      'messageId: expected "<id@domain>" without spaces or control characters, got "<a b@c>"',
      'to[0]: expected an e-mail address, got "a@x.vn\\r\\nBcc: e@evil.test"',
      'to[1]: expected an e-mail address, got "no-at-sign"',
      'cc[0]: expected an e-mail address, got "a@b@c"',
      'headers.Bcc: is written by the mailer and cannot be set',
      'headers.Bad Name: expected a header name of letters, digits and "-"',
      'headers.Message-ID: is written by the mailer and cannot be set',
    ]);
    expect(problems(() => prepareMessage({ ...base, to: [] }))).toEqual(['to: a message needs at least one recipient']);
  });

  it('keeps bodies NFC with LF line ends and a caller-given Auto-Submitted', () => {
    const m = prepareMessage({ ...base, text: 'Dòng 1\r\nDo\u0300ng 2\rDòng 3', headers: { 'Auto-Submitted': 'auto-replied' } });
    expect(m.text).toBe('Dòng 1\nDòng 2\nDòng 3');
    expect(m.headers).toEqual({ 'Auto-Submitted': 'auto-replied' });
  });
});

describe('messageIdFor and outboxFileName', () => {
  it('is deterministic, always a valid Message-ID, and keeps distinct ids distinct (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.string({ maxLength: 300 }), (a, b) => {
        const ma = messageIdFor(a, 'dondoc.test');
        expect(ma).toBe(messageIdFor(a, 'dondoc.test'));
        expect(isMessageId(ma)).toBe(true);
        expect(outboxFileName(ma)).toMatch(/^[A-Za-z0-9._@=+%-]{1,210}\.eml$/);
        if (a.normalize('NFC') !== b.normalize('NFC')) {
          expect(messageIdFor(b, 'dondoc.test')).not.toBe(ma);
          expect(outboxFileName(messageIdFor(b, 'dondoc.test'))).not.toBe(outboxFileName(ma));
        }
      }),
      { seed: 7176, numRuns: 500 },
    );
  });

  it('reads well for ordinary ids', () => {
    expect(messageIdFor('T-2026-001:reminder:1', 'Dondoc.ThaiNguyen.gov.vn')).toBe('<T-2026-001=3Areminder=3A1@dondoc.thainguyen.gov.vn>');
    expect(outboxFileName('<T-2026-001=3Areminder=3A1@dondoc.thainguyen.gov.vn>')).toBe('T-2026-001=3Areminder=3A1@dondoc.thainguyen.gov.vn.eml');
    expect(outboxFileName('<a/b\\c@d>')).toBe('a%2Fb%5Cc@d.eml');
    expect(outboxFileName('<.hidden@d>')).toBe('%2Ehidden@d.eml');
  });

  it('refuses a domain that is not a host name', () => {
    expect(() => messageIdFor('x', 'not a domain')).toThrow(/expected a host name/);
  });
});

describe('SMTP_URL', () => {
  it('parses smtp:// and smtps:// with defaults and %-escaped credentials', () => {
    expect(parseSmtpUrl('smtp://user:p%40ss%3Aword@mail.tn.gov.vn:587')).toEqual({
      host: 'mail.tn.gov.vn', port: 587, secure: false, user: 'user', pass: 'p@ss:word', requireTls: false, rejectUnauthorized: true,
    });
    expect(parseSmtpUrl('smtps://relay.tn.gov.vn')).toEqual({ host: 'relay.tn.gov.vn', port: 465, secure: true, requireTls: false, rejectUnauthorized: true });
    expect(parseSmtpUrl('smtp://10.0.0.5?require_tls=true&reject_unauthorized=false')).toMatchObject({ port: 587, requireTls: true, rejectUnauthorized: false });
  });

  it('refuses other URLs with a message that never shows the password', () => {
    for (const [url, msg] of [
      ['http://user:s3cret@host', /expected smtp:\/\/ or smtps:\/\//],
      ['smtp://user:s3cret@host/path', /no path/],
      ['smtp://user:s3cret@host?pool=true', /unknown option "pool"/],
      ['smtp://user:s3cret@host?require_tls=maybe', /require_tls must be true or false/],
      ['not a url s3cret', /expected a URL like/],
    ] as const) {
      try {
        parseSmtpUrl(url);
        expect.unreachable(url);
      } catch (e) {
        expect(e).toBeInstanceOf(DondocError);
        const all = `${(e as DondocError).message} ${JSON.stringify((e as DondocError).problems)}`;
        expect(all).toMatch(msg);
        expect(all).not.toContain('s3cret');
      }
    }
  });

  it('redacts the password only', () => {
    expect(redactSmtpUrl('smtp://user:s3cret@host:25')).toBe('smtp://user:***@host:25');
    expect(redactSmtpUrl('smtp://host:25')).toBe('smtp://host:25');
  });
});

describe('paceInterval', () => {
  it('spaces sends evenly at the configured rate, or not at all', () => {
    expect([null, undefined, 0].map(paceInterval)).toEqual([undefined, undefined, undefined]);
    expect([0.5, 4, 50].map(paceInterval)).toEqual([2000, 250, 20]);
  });
});

it('cleanHeaderText collapses whitespace and trims', () => {
  expect(cleanHeaderText('  a\t\tb \r\n c  ')).toBe('a b c');
});
