// Hostile task text through the whole mail path (issue 7, items 2 and 3): a task whose title,
// content, document number, issuer, subject and item carry CRLF, header lines, controls, NFD,
// HTML and script is planned, rendered with the shipped templates, built into MIME and parsed
// back with mailparser — and sent to a real SMTP server. The message must have exactly the
// headers a harmless task's message has, one Subject line, exactly the planned To/Cc and no
// Bcc; its HTML part must have the same tags and attributes as the harmless one (no script,
// no handler, no javascript: URL from the task).
import fc from 'fast-check';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { planDigest } from '../../src/core/digest.js';
import type { Notification } from '../../src/core/notification.js';
import { planNotifications } from '../../src/core/planner.js';
import type { Task } from '../../src/core/task.js';
import { isDondocError } from '../../src/errors.js';
import { copiesOf } from '../../src/core/copies.js';
import { buildEml, type MailIdentity, copyMessage, kindHeader } from '../../src/mail/eml.js';
import { messageIdFor } from '../../src/mail/message.js';
import { cleanHeaderText, type OutgoingMessage, prepareMessage } from '../../src/mail/message.js';
import { loadTemplates, renderNotification } from '../../src/mail/render.js';
import { makeSmtpMailer, parseSmtpUrl } from '../../src/mail/transport.js';
import type { Mailer } from '../../src/mail/message.js';
import { type TestSmtp, startSmtp } from '../support/smtp-server.js';
import { ISSUER, day, makeOrg, makePolicy, makeTask, shippedCalendar } from '../unit/planner-fixtures.js';
import { activeHtml, fuzz, fuzzTimeout, hostileText, hostileWords, htmlShape } from './bad-input-support.js';

// The CI budget runs in seconds; the long run (DONDOC_FUZZ_RUNS) needs longer.
vi.setConfig({ testTimeout: fuzzTimeout(60_000) });

const calendar = shippedCalendar();
const org = makeOrg();
const policy = makePolicy();
const templates = loadTemplates();
const NOW = Date.parse('2026-01-20T09:00:00+07:00');
const identity: MailIdentity = { from: { name: 'Văn phòng UBND tỉnh Thái Nguyên', address: 'dondoc@thainguyen.example.gov.vn' }, messageIdDomain: 'dondoc.thainguyen.example.gov.vn' };

interface Texts {
  title: string;
  content?: string;
  number: string;
  issuer: string;
  subject?: string;
  item?: string;
}

const taskOf = (t: Texts): Task =>
  makeTask(calendar, org, {
    title: t.title,
    ...(t.content !== undefined ? { content: t.content } : {}),
    source: { number: t.number, date: '2022-04-16', issuer: t.issuer, ...(t.subject !== undefined ? { subject: t.subject } : {}), ...(t.item !== undefined ? { item: t.item } : {}) },
    id: 'nhiem-vu-thu-nghiem',
    lead: 'SYT',
    coordinators: ['STC'],
    assigned_on: '2026-01-05',
    deadline: '2026-02-14',
  });

/** The same task with harmless text wherever the hostile one has text (same optional parts present). */
const harmlessTwin = (t: Task): Task =>
  taskOf({
    title: 'Tiêu đề',
    ...(t.content ? { content: 'Nội dung' } : {}),
    number: '1510/UBND-TH',
    issuer: ISSUER,
    ...(t.source.subject ? { subject: 'Trích yếu' } : {}),
    ...(t.source.item ? { item: '9' } : {}),
  });

const texts: fc.Arbitrary<Texts> = fc.record(
  { title: hostileWords(), content: hostileText(8), number: hostileWords(3).map((s) => `1510/UBND-TH${s}`), issuer: hostileWords(), subject: hostileWords(), item: hostileWords(2) },
  { requiredKeys: ['title', 'number', 'issuer'] },
);

/** Header names of a raw message, lower case, one per (unfolded) header line, in order. */
function headerNames(raw: Buffer): string[] {
  const text = raw.toString('latin1');
  const head = text.slice(0, text.indexOf('\r\n\r\n'));
  return head
    .split('\r\n')
    .filter((l) => !/^[ \t]/.test(l))
    .map((l) => l.slice(0, l.indexOf(':')).toLowerCase());
}

const addresses = (a: unknown): string[] => {
  const list = (Array.isArray(a) ? a : a ? [a] : []) as Array<{ value: Array<{ address?: string }> }>;
  return list.flatMap((o) => o.value.map((v) => v.address ?? ''));
};

/** Every copy of a notification as a raw message: one per recipient. */
async function built(n: Notification, task: Task | undefined) {
  const rendered = renderNotification(templates, n, { org, calendar, ...(task ? { task } : {}), senderName: '<b>dondoc</b>\r\nBcc: x@evil.test' });
  return Promise.all(
    copiesOf(n).map(async (copy) => {
      const msg = copyMessage({ messageId: messageIdFor(copy.id, identity.messageIdDomain), recipient: copy.recipient, rendered, identity, notification: n.id, kind: kindHeader(n), items: [copy.id] });
      const raw = await buildEml(msg, new Date(n.at));
      return { rendered, msg, raw, parsed: await simpleParser(raw), recipient: copy.recipient.email };
    }),
  );
}

/** What must hold for every message built from hostile text. */
async function checkMessage(n: Notification, hostileCopies: Awaited<ReturnType<typeof built>>, harmlessCopies: Awaited<ReturnType<typeof built>>): Promise<void> {
  // One message per recipient of the notification, each to that one person only.
  expect(hostileCopies.map((c) => c.recipient)).toEqual([...n.to, ...n.cc].map((r) => r.email));
  expect(harmlessCopies).toHaveLength(hostileCopies.length);
  hostileCopies.forEach((hostile, i) => {
    const harmless = harmlessCopies[i]!;
    const { parsed, raw, rendered } = hostile;
    expect(headerNames(raw)).toEqual(headerNames(harmless.raw));
    expect(headerNames(raw).filter((h) => h === 'subject')).toHaveLength(1);
    expect(headerNames(raw)).not.toContain('bcc');
    expect(parsed.subject).toBe(cleanHeaderText(rendered.subject));
    expect(parsed.subject).not.toMatch(/[\r\n]/);
    expect(addresses(parsed.to)).toEqual([hostile.recipient]);
    expect(parsed.cc).toBeUndefined();
    expect(parsed.bcc).toBeUndefined();
    expect(parsed.messageId).toBe(hostile.msg.messageId);
    const html = String(parsed.html);
    expect(activeHtml(html), html).toEqual([]);
    expect(htmlShape(html)).toEqual(htmlShape(String(harmless.parsed.html)));
    expect(parsed.text ?? '').toContain('Kính gửi');
  });
}

describe('a task with hostile text, through render and MIME', () => {
  it(
    'gives every notification exactly the expected headers and recipients, and HTML with nothing that runs',
    async () => {
      await fc.assert(
        fc.asyncProperty(texts, fc.nat(), async (t, pick) => {
          let task: Task;
          try {
            task = taskOf(t);
          } catch (e) {
            // Refused at the edge (a text of nothing but controls, too long once NFC): fine.
            if (isDondocError(e) || (e as Error).name === 'ZodError') return;
            throw e;
          }
          const plan = planNotifications(task, undefined, policy, calendar, org, NOW);
          const twinPlan = planNotifications(harmlessTwin(task), undefined, policy, calendar, org, NOW);
          expect(plan.length).toBeGreaterThan(3);
          const i = pick % plan.length;
          const n = plan[i]!;
          const twin = twinPlan.find((x) => x.step === n.step && x.ladder === n.ladder && x.body === n.body)!;
          expect(twin).toBeDefined();
          await checkMessage(n, await built(n, task), await built(twin, harmlessTwin(task)));
        }),
        fuzz(7176_31, 60),
      );
    },
  );

  it('the daily digest too, with several hostile titles in one message', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(texts, { minLength: 1, maxLength: 4 }), async (many) => {
        const tasks: Task[] = [];
        many.forEach((t, i) => {
          try {
            tasks.push({ ...taskOf({ ...t, item: String(i + 1) }), id: `hostile-${i}` });
          } catch {
            /* refused at the edge */
          }
        });
        if (tasks.length === 0) return;
        const d = planDigest(tasks, policy, calendar, org, day('2026-02-27'));
        const twin = planDigest(
          tasks.map((x, i) => ({ ...harmlessTwin(x), id: `hostile-${i}` })),
          policy,
          calendar,
          org,
          day('2026-02-27'),
        );
        expect(d).not.toBeNull();
        await checkMessage(d!, await built(d!, undefined), await built(twin!, undefined));
      }),
      fuzz(7176_32, 30),
    );
  });
});

describe('hostile addresses and display names at the mail port', () => {
  const base: OutgoingMessage = {
    messageId: '<t1@dondoc.test>',
    from: { name: 'Văn phòng UBND tỉnh', address: 'vp@dondoc.test' },
    to: [{ name: 'Giám đốc Sở Tài chính', address: 'gd.stc@thainguyen.gov.vn' }],
    cc: [],
    subject: 'Nhắc hạn',
    text: 'Nội dung',
    html: '<p>Nội dung</p>',
  };
  const address = fc.oneof(
    fc.constantFrom('gd.stc@thainguyen.gov.vn'),
    fc
      .tuple(fc.stringMatching(/^[a-z]{1,6}$/), fc.constantFrom('\r\n', '\n', '\u0000', '\u0085', '\u2028', '\u2029', '\u009b', ' ', ',', ';', '<', '>', '"', '\\', ':', '@', '\u00a0', '\u3000', '\u202e'), fc.boolean())
      .map(([l, c, inDomain]) => (inDomain ? `${l}@thai${c}nguyen.gov.vn` : `${l}${c}x@thainguyen.gov.vn`)),
    fc.constantFrom('gd@thainguyen.gov.vn\r\nBcc: spy@evil.test', 'gd@thainguyen.gov.vn, spy@evil.test', '"spy@evil.test" <gd@thainguyen.gov.vn>', 'gd@thainguyen.gov.vn>\r\nBcc: <spy@evil.test'),
  );
  it('either refuses the message naming the field, or delivers to exactly that one mailbox with no extra header', async () => {
    await fc.assert(
      fc.asyncProperty(address, hostileText(4), hostileText(4), async (addr, name, subject) => {
        const msg = { ...base, subject, to: [{ name, address: addr }], cc: [{ name, address: 'vanthu@thainguyen.gov.vn' }] };
        let prepared: OutgoingMessage;
        try {
          prepared = prepareMessage(msg);
        } catch (e) {
          expect(isDondocError(e)).toBe(true);
          if (!isDondocError(e)) return;
          expect(e.code).toBe('INPUT_REJECTED');
          expect(e.problems.map((p) => p.path)).toContain('to[0]');
          return;
        }
        const raw = await buildEml(prepared, new Date(NOW));
        const parsed = await simpleParser(raw);
        // (A subject of nothing but controls cleans to nothing: nodemailer then writes no Subject at all.)
        const expected = ['auto-submitted', 'cc', 'content-type', 'date', 'from', 'message-id', 'mime-version', ...(prepared.subject ? ['subject'] : []), 'to'];
        expect(headerNames(raw).sort()).toEqual(expected);
        expect(addresses(parsed.to)).toEqual([prepared.to[0]!.address]);
        expect(addresses(parsed.cc)).toEqual(['vanthu@thainguyen.gov.vn']);
        expect(parsed.bcc).toBeUndefined();
        // Nothing but the mailbox itself: no second address slipped in through the name or the address.
        expect(prepared.to[0]!.address).not.toMatch(/[\s,;<>"\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
      }),
      fuzz(7176_33, 200),
    );
  });
});

describe('to a real SMTP server', () => {
  let smtp: TestSmtp;
  let mailer: Mailer;
  beforeAll(async () => {
    smtp = await startSmtp();
    mailer = makeSmtpMailer(parseSmtpUrl(smtp.url), { maxConnections: 1 });
  });
  afterAll(async () => {
    await mailer?.close();
    await smtp?.stop();
  });

  it('hostile tasks reach exactly the planned mailboxes (SMTP envelope and headers), nobody else', async () => {
    await fc.assert(
      fc.asyncProperty(texts, fc.nat(), async (t, pick) => {
        let task: Task;
        try {
          task = taskOf(t);
        } catch {
          return;
        }
        const plan = planNotifications(task, undefined, policy, calendar, org, NOW);
        const n = plan[pick % plan.length]!;
        const copies = await built(n, task);
        smtp.reset();
        for (const { msg, recipient } of copies) {
          const sent = await mailer.send(msg);
          expect(sent.accepted).toEqual([recipient]);
        }
        const got = await smtp.waitFor(copies.length, 5_000);
        // Every planned mailbox got exactly its own copy, alone on the envelope; nobody else got anything.
        expect(got.map((g) => g.envelope.to)).toEqual(copies.map((c) => [c.recipient]));
        expect(got.flatMap((g) => g.envelope.to).sort()).toEqual([...n.to, ...n.cc].map((r) => r.email).sort());
        for (const [k, g] of got.entries()) {
          expect(g.headerKeys.filter((h) => h === 'subject')).toHaveLength(1);
          expect(g.headerKeys).not.toContain('bcc');
          expect(g.headerKeys).not.toContain('cc');
          expect(g.to.map((a) => a.address)).toEqual([copies[k]!.recipient]);
          expect(g.subject).toBe(cleanHeaderText(copies[k]!.msg.subject));
          expect(activeHtml(g.html ?? '')).toEqual([]);
        }
      }),
      fuzz(7176_34, 15),
    );
  });
});
