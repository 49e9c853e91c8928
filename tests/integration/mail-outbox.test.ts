// The outbox mailer (SMTP_URL unset): real files in a temp dir, read back with mailparser.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, describe, expect, it } from 'vitest';
import { messageIdFor, type OutgoingMessage } from '../../src/mail/message.js';
import { outboxFileName } from '../../src/mail/outbox.js';
import { classifySmtpError } from '../../src/mail/smtp-errors.js';
import { makeMailer } from '../../src/mail/transport.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dondoc-outbox-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const freshDir = (): string => path.join(tmp, `box-${++n}`, 'var', 'outbox');

const message = (id: string, over: Partial<OutgoingMessage> = {}): OutgoingMessage => ({
  messageId: messageIdFor(id, 'dondoc.test'),
  from: { name: 'Văn phòng UBND tỉnh', address: 'nhacviec@dondoc.test' },
  to: [{ name: 'Giám đốc Sở Tài chính', address: 'gd.stc@thainguyen.test' }],
  cc: [{ name: 'Chánh Văn phòng', address: 'cvp@thainguyen.test' }],
  subject: 'Quá hạn 2 ngày làm việc: Báo cáo tổng kết',
  text: 'Kính gửi đồng chí Giám đốc,\nNhiệm vụ đã quá hạn.',
  html: '<p>Kính gửi đồng chí Giám đốc,<br>Nhiệm vụ đã quá hạn.</p>',
  attachments: [{ filename: 'danh-sách.csv', content: Buffer.from('mã,hạn\nT-1,31/12/2026\n'), contentType: 'text/csv' }],
  ...over,
});

const emlFiles = (dir: string): string[] => fs.readdirSync(dir).sort();

describe('outbox mailer', () => {
  it('is what makeMailer gives when SMTP_URL is unset or empty', () => {
    expect(makeMailer({ outboxDir: freshDir() }).kind).toBe('outbox');
    expect(makeMailer({ smtpUrl: '  ', outboxDir: freshDir() }).kind).toBe('outbox');
  });

  it('writes one parseable .eml named after the Message-ID, Vietnamese intact', async () => {
    const dir = freshDir();
    const m = makeMailer({ outboxDir: dir });
    await m.verify(); // creates the directory
    const msg = message('T-2026-001:overdue:1', { subject: 'Qua\u0301 ha\u0323n'.normalize('NFD') });
    const r = await m.send(msg);
    const file = outboxFileName(msg.messageId);
    expect(file).toBe('T-2026-001=3Aoverdue=3A1@dondoc.test.eml');
    expect(emlFiles(dir)).toEqual([file]);
    expect(r).toEqual({
      messageId: msg.messageId,
      accepted: ['gd.stc@thainguyen.test', 'cvp@thainguyen.test'],
      rejected: [],
      response: `250 written to ${path.join(dir, file)}`,
      rejections: [],
    });

    const raw = fs.readFileSync(path.join(dir, file));
    expect(raw.includes('\r\n')).toBe(true); // CRLF, as on the wire
    const p = await simpleParser(raw);
    expect(p.messageId).toBe(msg.messageId);
    expect(p.subject).toBe('Quá hạn');
    expect(p.text?.trimEnd()).toBe('Kính gửi đồng chí Giám đốc,\nNhiệm vụ đã quá hạn.');
    expect(p.headers.get('auto-submitted')).toBe('auto-generated');
    expect(p.attachments.map((a) => [a.filename, a.contentType, a.content.toString()])).toEqual([['danh-sách.csv', 'text/csv', 'mã,hạn\nT-1,31/12/2026\n']]);
    await m.close();
  });

  it('writing the same Message-ID twice is idempotent: one file, the first, unchanged', async () => {
    const dir = freshDir();
    const m = makeMailer({ outboxDir: dir });
    const msg = message('T-2026-002:reminder:1');
    await m.send(msg);
    const file = path.join(dir, outboxFileName(msg.messageId));
    const first = fs.readFileSync(file);
    const again = await m.send({ ...msg, subject: 'changed later' });
    expect(again.response).toBe(`250 already in ${file} (same Message-ID)`);
    expect(emlFiles(dir)).toEqual([path.basename(file)]);
    expect(fs.readFileSync(file).equals(first)).toBe(true);
  });

  it('many writers racing on one id leave exactly one whole file and no temp files', async () => {
    const dir = freshDir();
    const writers = Array.from({ length: 4 }, () => makeMailer({ outboxDir: dir }));
    const msg = message('T-2026-003:escalation:2');
    const results = await Promise.all(writers.flatMap((w) => [w.send(msg), w.send(msg)]));
    expect(results.filter((r) => r.response.startsWith('250 written'))).toHaveLength(1);
    expect(emlFiles(dir)).toEqual([outboxFileName(msg.messageId)]);
    const p = await simpleParser(fs.readFileSync(path.join(dir, outboxFileName(msg.messageId))));
    expect(p.messageId).toBe(msg.messageId);
  });

  it('distinct ids give distinct files; header injection is cleaned as for SMTP', async () => {
    const dir = freshDir();
    const m = makeMailer({ outboxDir: dir });
    await m.send(message('a:1'));
    await m.send(message('a/1', { subject: 'Nhắc\r\nBcc: spy@evil.test', to: [{ name: 'X\r\nX-Injected: 1', address: 'x@thainguyen.test' }] }));
    expect(emlFiles(dir)).toHaveLength(2);
    const p = await simpleParser(fs.readFileSync(path.join(dir, outboxFileName(messageIdFor('a/1', 'dondoc.test')))));
    expect(p.headerLines.map((h) => h.key)).not.toContain('bcc');
    expect(p.headerLines.map((h) => h.key)).not.toContain('x-injected');
    expect(p.subject).toBe('Nhắc Bcc: spy@evil.test');
  });

  it('a bad message is refused (permanent) and writes nothing; a closed outbox refuses (transient)', async () => {
    const dir = freshDir();
    const m = makeMailer({ outboxDir: dir });
    const err = await m.send(message('b:1', { to: [{ address: 'not an address' }] })).catch((e: unknown) => e);
    expect(classifySmtpError(err).kind).toBe('permanent');
    expect(fs.existsSync(dir) ? emlFiles(dir) : []).toEqual([]);
    await m.close();
    const closed = await m.send(message('b:2')).catch((e: unknown) => e);
    expect(classifySmtpError(closed).kind).toBe('transient');
    expect(m.describe()).toBe(`outbox: .eml files in ${dir}`);
  });
});
