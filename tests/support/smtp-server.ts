// A real SMTP server (the `smtp-server` package) in the test process, on a free loopback port,
// whose behaviour a test switches to provoke each failure the mailer must classify (issue 5)
// and the fault suite must survive (issue 7). Plain text only: no TLS, STARTTLS disabled.
//
// Modes:
//   accept              every message is taken (250) and parsed into `messages`
//   tempfail            451 to MAIL FROM                 tempfail:data   451 after the message body
//   permfail            550 to every RCPT TO             permfail:data   554 after the message body
//   reject-rcpt:a,b     550 5.1.1 for those recipients, the others accepted
//   tempfail-n:3        the next 3 transactions get 451 at MAIL FROM, then accept (counted from setMode)
//   drop-mid-data       the socket is destroyed while the body is arriving (nothing delivered)
//   lose-reply          the message IS delivered (in `messages`), then the socket is destroyed
//                       before the 250 — the "accepted but not recorded" window of issue 5
//   hang                the greeting and EHLO are answered, MAIL FROM never is (socket timeout)
//   hang-greeting       the connection is accepted, no greeting is ever sent (greeting timeout)
//   down                the listener is closed and every connection cut (connection refused);
//                       restart(), or any other mode, listens again on the same port
//
// `stats` counts connections, MAIL FROM transactions (each attempt) and delivered messages, so
// a fault test can tell a retry from a duplicate. With { keep: false } (benchmarks) messages
// are only counted, and waitFor() is of no use.
import { EventEmitter } from 'node:events';
import type net from 'node:net';
import { type AddressObject, simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import { freePort } from './redis-server.js';

export type SmtpMode =
  | 'accept'
  | 'tempfail'
  | 'tempfail:data'
  | 'permfail'
  | 'permfail:data'
  | `reject-rcpt:${string}`
  | `tempfail-n:${number}`
  | 'drop-mid-data'
  | 'lose-reply'
  | 'hang'
  | 'hang-greeting'
  | 'down';

export interface ReceivedAddress {
  name: string;
  address: string;
}

export interface ReceivedMessage {
  messageId: string | undefined;
  subject: string | undefined;
  from: ReceivedAddress[];
  to: ReceivedAddress[];
  cc: ReceivedAddress[];
  text: string | undefined;
  html: string | undefined;
  /** Header names as they appear in the message, lower case, in order (one per header line). */
  headerKeys: string[];
  /** SMTP envelope: MAIL FROM and the accepted RCPT TO addresses. */
  envelope: { from: string; to: string[] };
  /** X-Dondoc-Items: the delivery records the mail carries (copy ids). */
  items: string[];
  raw: Buffer;
  receivedAt: number;
}

export interface SmtpStats {
  connections: number;
  /** MAIL FROM commands seen (one per attempt to send a message). */
  transactions: number;
  /** Messages taken (250 or, in lose-reply, taken without a reply), kept or not. */
  delivered: number;
  /** AUTH user names that logged in. */
  logins: string[];
}

export interface TestSmtp {
  host: string;
  port: number;
  /** smtp://127.0.0.1:PORT (with user:pass when the server requires auth). */
  url: string;
  messages: ReceivedMessage[];
  stats: SmtpStats;
  readonly mode: SmtpMode;
  /** Resolves with the messages once at least n arrived; rejects after timeoutMs, saying how many did. */
  waitFor(n: number, timeoutMs?: number): Promise<ReceivedMessage[]>;
  setMode(mode: SmtpMode): Promise<void>;
  /** Cuts every connection and listens again on the same port ('down' → 'accept'). */
  restart(): Promise<void>;
  /** Forgets received messages and counters (the mode stays). */
  reset(): void;
  stop(): Promise<void>;
}

export interface SmtpOptions {
  mode?: SmtpMode;
  /** Require AUTH with these credentials (PLAIN/LOGIN over the plain connection). */
  auth?: { user: string; pass: string };
  /** Parse each message with mailparser (default true); the benchmark turns it off. */
  parse?: boolean;
  /** Keep each message in `messages` (default true); off, only stats.delivered counts them. */
  keep?: boolean;
}

const smtpError = (code: number, message: string): Error => Object.assign(new Error(message), { responseCode: code });

const addresses = (a: AddressObject | AddressObject[] | undefined): ReceivedAddress[] =>
  (Array.isArray(a) ? a : a ? [a] : []).flatMap((o) => o.value.map((v) => ({ name: v.name ?? '', address: v.address ?? '' })));

export async function startSmtp(opts: SmtpOptions = {}): Promise<TestSmtp> {
  const host = '127.0.0.1';
  const port = await freePort();
  const parse = opts.parse ?? true;
  const keep = opts.keep ?? true;
  const events = new EventEmitter();
  events.setMaxListeners(0);
  const messages: ReceivedMessage[] = [];
  const stats: SmtpStats = { connections: 0, transactions: 0, delivered: 0, logins: [] };
  let mode: SmtpMode = 'accept';
  let tempfailsLeft = 0;
  let server: SMTPServer | undefined;
  const sockets = new Set<net.Socket>();

  const socketOf = (session: SMTPServerSession): net.Socket | undefined => {
    for (const c of server?.connections ?? []) if (c.session === session || c.id === session.id) return c._socket as net.Socket;
    return undefined;
  };

  // The header, unfolded (a long list of items is folded over several lines).
  const itemsOf = (raw: Buffer): string[] => {
    const head = raw.subarray(0, Math.max(0, raw.indexOf('\r\n\r\n'))).toString('latin1').replace(/\r\n[ \t]+/g, ' ');
    const m = /^x-dondoc-items:[ \t]*(.*)$/im.exec(head);
    return m ? m[1]!.trim().split(/\s+/).filter(Boolean) : [];
  };

  const record = async (raw: Buffer, session: SMTPServerSession): Promise<void> => {
    stats.delivered++;
    if (!keep) return;
    const envelope = {
      from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
      to: session.envelope.rcptTo.map((r) => r.address),
    };
    let m: ReceivedMessage = {
      messageId: undefined, subject: undefined, from: [], to: [], cc: [], text: undefined, html: undefined, headerKeys: [], envelope, raw, receivedAt: Date.now(), items: itemsOf(raw),
    };
    if (parse) {
      const p = await simpleParser(raw);
      m = {
        ...m,
        messageId: p.messageId,
        subject: p.subject,
        from: addresses(p.from),
        to: addresses(p.to),
        cc: addresses(p.cc),
        text: p.text,
        html: typeof p.html === 'string' ? p.html : undefined,
        headerKeys: p.headerLines.map((h) => h.key),
      };
    }
    messages.push(m);
    events.emit('message');
  };

  const create = (): SMTPServer =>
    new SMTPServer({
      secure: false,
      disabledCommands: ['STARTTLS'],
      hideSTARTTLS: true,
      authOptional: !opts.auth,
      allowInsecureAuth: true,
      logger: false,
      banner: 'dondoc test server',
      // Short, so a stop() with a hung client does not wait long.
      closeTimeout: 200,
      onConnect(_session, cb) {
        stats.connections++;
        if (mode === 'hang-greeting') return; // never greet
        cb();
      },
      onAuth(auth, _session, cb) {
        if (opts.auth && (auth.username !== opts.auth.user || auth.password !== opts.auth.pass)) return cb(smtpError(535, '5.7.8 Authentication credentials invalid'));
        stats.logins.push(auth.username ?? '');
        cb(null, { user: auth.username });
      },
      onMailFrom(_address, _session, cb) {
        stats.transactions++;
        if (mode === 'hang') return; // never answer
        if (mode === 'tempfail') return cb(smtpError(451, '4.3.0 Temporary failure, try again later'));
        if (mode.startsWith('tempfail-n:') && tempfailsLeft > 0) {
          tempfailsLeft--;
          return cb(smtpError(451, `4.3.0 Temporary failure (${tempfailsLeft} more)`));
        }
        cb();
      },
      onRcptTo(address, _session, cb) {
        if (mode === 'permfail') return cb(smtpError(550, '5.1.1 Mailbox unavailable'));
        if (mode.startsWith('reject-rcpt:')) {
          const refused = mode.slice('reject-rcpt:'.length).split(',').map((s) => s.trim().toLowerCase());
          if (refused.includes(address.address.toLowerCase())) return cb(smtpError(550, `5.1.1 <${address.address}>: Recipient address rejected: User unknown`));
        }
        cb();
      },
      onData(stream, session, cb) {
        const chunks: Buffer[] = [];
        const dropping = mode === 'drop-mid-data';
        stream.on('data', (c: Buffer) => {
          chunks.push(c);
          if (dropping) socketOf(session)?.destroy();
        });
        stream.on('error', () => undefined);
        stream.on('end', () => {
          if (dropping) return; // the socket is gone; nothing was delivered
          const raw = Buffer.concat(chunks);
          if (mode === 'tempfail:data') return cb(smtpError(451, '4.3.0 Temporary failure after DATA'));
          if (mode === 'permfail:data') return cb(smtpError(554, '5.6.0 Message rejected: content refused'));
          record(raw, session).then(
            () => {
              if (mode === 'lose-reply') socketOf(session)?.destroy();
              else cb(null, `2.0.0 OK: queued as ${messages.length}`);
            },
            (err: Error) => cb(smtpError(451, `4.6.0 Could not parse the message: ${err.message}`)),
          );
        });
      },
    });

  const listen = async (): Promise<void> => {
    const s = create();
    s.on('error', () => undefined); // client resets are part of the tests
    s.server.on('connection', (sock: net.Socket) => {
      sockets.add(sock);
      sock.on('close', () => sockets.delete(sock));
    });
    await new Promise<void>((resolve, reject) => {
      s.server.once('error', reject);
      s.listen(port, host, () => {
        s.server.off('error', reject);
        resolve();
      });
    });
    server = s;
  };

  const shutDown = async (): Promise<void> => {
    const s = server;
    server = undefined;
    for (const sock of sockets) sock.destroy();
    sockets.clear();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };

  await listen();
  const url = opts.auth ? `smtp://${encodeURIComponent(opts.auth.user)}:${encodeURIComponent(opts.auth.pass)}@${host}:${port}` : `smtp://${host}:${port}`;

  const smtp: TestSmtp = {
    host,
    port,
    url,
    messages,
    stats,
    get mode() {
      return mode;
    },
    waitFor(n, timeoutMs = 5_000) {
      if (messages.length >= n) return Promise.resolve(messages);
      return new Promise((resolve, reject) => {
        const onMessage = (): void => {
          if (messages.length < n) return;
          clearTimeout(timer);
          events.off('message', onMessage);
          resolve(messages);
        };
        const timer = setTimeout(() => {
          events.off('message', onMessage);
          reject(new Error(`SMTP test server: ${messages.length} of ${n} messages arrived within ${timeoutMs} ms (mode ${mode})`));
        }, timeoutMs);
        events.on('message', onMessage);
      });
    },
    async setMode(next) {
      const m = /^tempfail-n:(\d+)$/.exec(next);
      if (next.startsWith('tempfail-n:') && !m) throw new Error(`bad mode ${next}: expected tempfail-n:<count>`);
      tempfailsLeft = m ? Number(m[1]) : 0;
      mode = next;
      if (next === 'down') await shutDown();
      else if (!server) await listen();
    },
    async restart() {
      await shutDown();
      if (mode === 'down') mode = 'accept';
      await listen();
    },
    reset() {
      messages.length = 0;
      stats.connections = 0;
      stats.transactions = 0;
      stats.delivered = 0;
      stats.logins.length = 0;
    },
    async stop() {
      await shutDown();
    },
  };
  if (opts.mode) await smtp.setMode(opts.mode);
  return smtp;
}
