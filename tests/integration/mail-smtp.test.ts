// The SMTP mailer against a real SMTP server (smtp-server in this process): what arrives, and how
// each failure the server can produce is classified (issue 5, "Mail"). Timeouts are short here.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Mailer, OutgoingMessage } from '../../src/mail/message.js';
import { messageIdFor } from '../../src/mail/message.js';
import { classifySmtpError, partialRejection } from '../../src/mail/smtp-errors.js';
import { type MailerOptions, makeMailer } from '../../src/mail/transport.js';
import { type TestSmtp, startSmtp } from '../support/smtp-server.js';

let smtp: TestSmtp;
const mailers: Mailer[] = [];
let seq = 0;

const mailer = (o: Partial<MailerOptions> = {}): Mailer => {
  const m = makeMailer({ smtpUrl: smtp.url, connectionTimeoutMs: 1000, greetingTimeoutMs: 1000, socketTimeoutMs: 1000, ...o });
  mailers.push(m);
  return m;
};

const message = (over: Partial<OutgoingMessage> = {}): OutgoingMessage => ({
  messageId: messageIdFor(`task-${++seq}:reminder:1`, 'dondoc.test'),
  from: { name: 'Văn phòng UBND tỉnh Thái Nguyên', address: 'nhacviec@dondoc.test' },
  to: [{ name: 'Giám đốc Sở Tài chính', address: 'gd.stc@thainguyen.test' }],
  cc: [],
  subject: 'Nhắc hạn',
  text: 'Nội dung',
  html: '<p>Nội dung</p>',
  ...over,
});

/** The send's failure, classified; fails the test if the send succeeded. */
const failureOf = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return { err: e as Error & { code?: string }, failure: classifySmtpError(e) };
  }
  throw new Error('expected the send to fail');
};

beforeAll(async () => {
  smtp = await startSmtp();
});
afterAll(async () => {
  await smtp.stop();
});
beforeEach(async () => {
  await smtp.setMode('accept');
  smtp.reset();
});
afterEach(async () => {
  await Promise.all(mailers.splice(0).map((m) => m.close()));
});

describe('what arrives', () => {
  it('a Vietnamese message arrives intact: NFC, diacritics in subject, body and names; headers 7-bit encoded', async () => {
    const nfd = (s: string): string => s.normalize('NFD');
    const subject = 'Nhắc hạn: Báo cáo tổng kết công tác năm — Sở Tài chính (hạn 31/12/2026)';
    const body = 'Kính gửi đồng chí Giám đốc,\nNhiệm vụ «Xây dựng kế hoạch» đến hạn ngày 31/12/2026.\nTrân trọng.';
    const msg = message({
      subject: nfd(subject),
      from: { name: nfd('Văn phòng UBND tỉnh Thái Nguyên'), address: 'nhacviec@dondoc.test' },
      to: [{ name: nfd('Nguyễn Thị Hương'), address: 'huong.nt@thainguyen.test' }],
      cc: [{ name: nfd('Đặng Văn Đức'), address: 'duc.dv@thainguyen.test' }],
      replyTo: { name: 'Phòng Tổng hợp', address: 'tonghop@thainguyen.test' },
      text: nfd(body),
      html: `<p>${nfd(body).replace(/\n/g, '<br>')}</p>`,
    });
    const result = await mailer().send(msg);
    const [got] = await smtp.waitFor(1);

    expect(result).toEqual({ messageId: msg.messageId, accepted: ['huong.nt@thainguyen.test', 'duc.dv@thainguyen.test'], rejected: [], response: expect.stringMatching(/^250 /), rejections: [] });
    expect(got!.messageId).toBe(msg.messageId);
    expect(got!.subject).toBe(subject);
    expect(got!.text!.trimEnd()).toBe(body);
    expect(got!.html).toContain('Nhiệm vụ «Xây dựng kế hoạch» đến hạn ngày 31/12/2026.');
    expect(got!.from).toEqual([{ name: 'Văn phòng UBND tỉnh Thái Nguyên', address: 'nhacviec@dondoc.test' }]);
    expect(got!.to).toEqual([{ name: 'Nguyễn Thị Hương', address: 'huong.nt@thainguyen.test' }]);
    expect(got!.cc).toEqual([{ name: 'Đặng Văn Đức', address: 'duc.dv@thainguyen.test' }]);
    expect(got!.envelope).toEqual({ from: 'nhacviec@dondoc.test', to: ['huong.nt@thainguyen.test', 'duc.dv@thainguyen.test'] });
    // The header block is plain ASCII (RFC 2047 encoded words), whatever the server's SMTPUTF8.
    const head = got!.raw.subarray(0, got!.raw.indexOf('\r\n\r\n'));
    expect([...head].every((b) => b < 128)).toBe(true);
    expect(head.toString()).toMatch(/^Subject: =\?UTF-8\?/m);
    expect(got!.headerKeys).toContain('auto-submitted');
  });

  it('the Message-ID received is the one given, and a resend carries the same one', async () => {
    const m = mailer();
    const msg = message();
    await m.send(msg);
    await m.send(msg);
    const got = await smtp.waitFor(2);
    expect(got.map((g) => g.messageId)).toEqual([msg.messageId, msg.messageId]);
  });

  it('header injection in subject, names and custom headers adds no header and no recipient', async () => {
    const msg = message({
      subject: 'Nhắc hạn\r\nBcc: spy@evil.test\r\nX-Injected: subject',
      from: { name: 'VP\r\nBcc: spy2@evil.test', address: 'nhacviec@dondoc.test' },
      to: [{ name: 'Giám đốc\nX-Injected: name', address: 'gd.stc@thainguyen.test' }],
      headers: { 'X-Dondoc-Task': 'T-1\r\nX-Injected: header' },
    });
    await mailer().send(msg);
    const [got] = await smtp.waitFor(1);
    expect(got!.headerKeys).not.toContain('bcc');
    expect(got!.headerKeys).not.toContain('x-injected');
    expect(got!.headerKeys.filter((k) => k === 'subject')).toHaveLength(1);
    expect(got!.envelope.to).toEqual(['gd.stc@thainguyen.test']);
    expect(got!.subject).toBe('Nhắc hạn Bcc: spy@evil.test X-Injected: subject');
    expect(got!.to).toEqual([{ name: 'Giám đốc X-Injected: name', address: 'gd.stc@thainguyen.test' }]);
  });

  it('an address carrying CRLF is refused before anything is sent (permanent)', async () => {
    const { err, failure } = await failureOf(mailer().send(message({ to: [{ address: 'gd@thainguyen.test\r\nBcc: spy@evil.test' }] })));
    expect(err.name).toBe('DondocError');
    expect(failure.kind).toBe('permanent');
    expect(failure.reason).toMatch(/to\[0\]: expected an e-mail address/);
    expect(smtp.stats.transactions).toBe(0);
  });

  it('uses one pool: many sends share at most maxConnections connections', async () => {
    const m = mailer({ maxConnections: 3 });
    await Promise.all(Array.from({ length: 30 }, () => m.send(message())));
    await smtp.waitFor(30);
    expect(smtp.stats.connections).toBeLessThanOrEqual(3);
    expect(new Set(smtp.messages.map((g) => g.messageId)).size).toBe(30);
  });
});

describe('failures are classified', () => {
  it('4xx is transient (at MAIL FROM and after DATA)', async () => {
    await smtp.setMode('tempfail');
    expect((await failureOf(mailer().send(message()))).failure).toMatchObject({ kind: 'transient', code: 451 });
    await smtp.setMode('tempfail:data');
    expect((await failureOf(mailer().send(message()))).failure).toMatchObject({ kind: 'transient', code: 451, reason: expect.stringMatching(/DATA/) });
    expect(smtp.messages).toHaveLength(0);
  });

  it('5xx is permanent: every recipient refused, or the message refused after DATA', async () => {
    await smtp.setMode('permfail');
    const msg = message({ cc: [{ address: 'pgd@thainguyen.test' }] });
    expect((await failureOf(mailer().send(msg))).failure).toEqual({
      kind: 'permanent',
      code: 550,
      reason: expect.stringMatching(/^all recipients rejected \(gd\.stc@thainguyen\.test, pgd@thainguyen\.test\): 550/),
      rejected: ['gd.stc@thainguyen.test', 'pgd@thainguyen.test'],
    });
    await smtp.setMode('permfail:data');
    expect((await failureOf(mailer().send(message()))).failure).toMatchObject({ kind: 'permanent', code: 554 });
    expect(smtp.messages).toHaveLength(0);
  });

  it('a partial rejection counts as sent to the accepted and reports the refused', async () => {
    await smtp.setMode('reject-rcpt:pgd@thainguyen.test');
    const r = await mailer().send(message({ cc: [{ address: 'pgd@thainguyen.test' }] }));
    expect(r.accepted).toEqual(['gd.stc@thainguyen.test']);
    expect(r.rejected).toEqual(['pgd@thainguyen.test']);
    expect(partialRejection(r)).toMatchObject({ kind: 'permanent', code: 550, rejected: ['pgd@thainguyen.test'], reason: expect.stringMatching(/User unknown/) });
    const [got] = await smtp.waitFor(1);
    expect(got!.envelope.to).toEqual(['gd.stc@thainguyen.test']);
  });

  it('a connection dropped mid-DATA is transient and nothing is delivered', async () => {
    await smtp.setMode('drop-mid-data');
    const { failure } = await failureOf(mailer().send(message({ text: 'x'.repeat(200_000) })));
    expect(failure.kind).toBe('transient');
    expect(smtp.messages).toHaveLength(0);
    expect(smtp.stats.transactions).toBe(1); // no hidden resend inside the pool
  });

  it('a reply lost after the server took the message is transient too: the duplicate window, same Message-ID', async () => {
    await smtp.setMode('lose-reply');
    const msg = message();
    const m = mailer();
    expect((await failureOf(m.send(msg))).failure.kind).toBe('transient');
    expect(smtp.stats.transactions).toBe(1); // the pool did not resend a message it had sent bytes of
    await smtp.setMode('accept');
    await m.send(msg); // the retry the queue would make
    const got = await smtp.waitFor(2);
    expect(got.map((g) => g.messageId)).toEqual([msg.messageId, msg.messageId]);
  });

  it('a server that stops answering is transient after socketTimeout, not minutes later', async () => {
    await smtp.setMode('hang');
    const t0 = Date.now();
    const { err, failure } = await failureOf(mailer({ socketTimeoutMs: 400 }).send(message()));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(350);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(err.code).toBe('ETIMEDOUT');
    expect(failure).toEqual({ kind: 'transient', reason: 'the SMTP server stopped answering (socket timeout)' });
  });

  it('no greeting is transient after greetingTimeout', async () => {
    await smtp.setMode('hang-greeting');
    const t0 = Date.now();
    const { failure } = await failureOf(mailer({ greetingTimeoutMs: 300 }).send(message()));
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(failure).toEqual({ kind: 'transient', reason: 'timed out waiting for the SMTP greeting' });
  });

  it('a server that is down is transient (connection refused); after restart the same mailer delivers', async () => {
    const m = mailer();
    await m.send(message());
    await smtp.setMode('down');
    expect((await failureOf(m.send(message()))).failure).toEqual({ kind: 'transient', reason: 'connection refused by the SMTP server' });
    await expect(m.verify()).rejects.toMatchObject({ code: 'ESOCKET' });
    await smtp.restart();
    await m.verify();
    await m.send(message());
    expect(smtp.messages).toHaveLength(2); // one before the outage, one after
  });

  it('a pooled connection the server dropped while idle is replaced without failing the send', async () => {
    const m = mailer();
    await m.send(message());
    await smtp.restart(); // cuts the idle pooled connection
    await m.send(message());
    expect(smtp.messages).toHaveLength(2);
  });

  it('tempfail-n fails the first n attempts, then accepts', async () => {
    await smtp.setMode('tempfail-n:2');
    const m = mailer();
    const msg = message();
    const outcomes: string[] = [];
    for (let i = 0; i < 3; i++) {
      outcomes.push(
        await m.send(msg).then(
          () => 'sent',
          (e) => classifySmtpError(e).kind,
        ),
      );
    }
    expect(outcomes).toEqual(['transient', 'transient', 'sent']);
    expect(smtp.stats.transactions).toBe(3);
  });
});

describe('credentials, rate and lifecycle', () => {
  it('logs in with the SMTP_URL credentials; a wrong password is transient and never shown', async () => {
    const secured = await startSmtp({ auth: { user: 'nhacviec', pass: 'p@ss:w0rd/Đ' } });
    try {
      const good = makeMailer({ smtpUrl: secured.url, socketTimeoutMs: 1000 });
      mailers.push(good);
      expect(good.describe()).not.toContain('w0rd');
      expect(good.describe()).toMatch(/^smtp:\/\/nhacviec:\*\*\*@127\.0\.0\.1:\d+ \(pool of 5/);
      await good.send(message());
      await secured.waitFor(1);
      expect(secured.stats.logins).toEqual(['nhacviec']);

      const bad = makeMailer({ smtpUrl: `smtp://nhacviec:wrong-s3cret@127.0.0.1:${secured.port}`, socketTimeoutMs: 1000 });
      mailers.push(bad);
      const { err, failure } = await failureOf(bad.send(message()));
      expect(failure).toMatchObject({ kind: 'transient', code: 535, reason: expect.stringMatching(/check the user and password in SMTP_URL/) });
      expect(`${err.message} ${failure.reason} ${bad.describe()}`).not.toContain('wrong-s3cret');
    } finally {
      await secured.stop();
    }
  });

  it('the send rate is configurable: 5 per second spaces 6 messages over a second or more', async () => {
    const limited = mailer({ sendRatePerSecond: 5 });
    await Promise.all(Array.from({ length: 6 }, () => limited.send(message())));
    const at = (await smtp.waitFor(6)).map((g) => g.receivedAt);
    expect(Math.max(...at) - Math.min(...at)).toBeGreaterThanOrEqual(750); // 5 gaps of 200 ms, less the first connection's set-up

    smtp.reset();
    const free = mailer();
    await Promise.all(Array.from({ length: 6 }, () => free.send(message())));
    const at2 = (await smtp.waitFor(6)).map((g) => g.receivedAt);
    expect(Math.max(...at2) - Math.min(...at2)).toBeLessThan(600);
  });

  it('close() lets a send in flight finish; later sends fail transiently', async () => {
    const m = mailer();
    const inFlight = m.send(message());
    await m.close();
    await expect(inFlight).resolves.toMatchObject({ rejected: [] });
    expect(smtp.messages).toHaveLength(1);
    expect((await failureOf(m.send(message()))).failure).toMatchObject({ kind: 'transient', reason: expect.stringMatching(/closed/) });
  });

  it('close() cuts a send the server never answers once closeTimeoutMs is over', async () => {
    await smtp.setMode('hang');
    const m = mailer({ socketTimeoutMs: 30_000, closeTimeoutMs: 200 });
    const inFlight = failureOf(m.send(message()));
    await new Promise((r) => setTimeout(r, 100));
    const t0 = Date.now();
    await m.close();
    expect(Date.now() - t0).toBeLessThan(3000);
    expect((await inFlight).failure.kind).toBe('transient');
  });
});
