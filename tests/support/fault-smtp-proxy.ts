// A TCP proxy between dondoc and the test SMTP server (issue 7's fault suite), to see and bend
// the one exchange that matters to the duplicate window: the end of DATA and the server's reply.
//   - every message's Message-ID and the instant its "250" reply passed through (wall clock, sub-ms),
//     to measure the time from the server's acceptance to the `sent` record;
//   - hold: the server's reply after the end of DATA is kept back, so the message IS delivered
//     and the sender never hears it — the state a crash between "accepted" and "recorded" leaves;
//   - latency: each server reply is delayed, so sends last long enough to overlap.
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { freePort } from './redis-server.js';

export interface Accepted {
  messageId: string;
  /** Wall-clock ms (sub-ms precision) when the server's reply to the end of DATA passed. */
  at: number;
  reply: string;
}

export interface SmtpProxy {
  url: string;
  port: number;
  /** Keep back the server's reply to each end of DATA from now on. */
  hold: boolean;
  /** Delay each server reply by this many ms. */
  latencyMs: number;
  /** Message-IDs whose reply is being held. */
  readonly held: string[];
  readonly accepted: Accepted[];
  /** Resolves when n replies are being held. */
  waitHeld(n: number, timeoutMs?: number): Promise<string[]>;
  close(): Promise<void>;
}

const now = (): number => performance.timeOrigin + performance.now();

export async function startSmtpProxy(target: { host: string; port: number }): Promise<SmtpProxy> {
  const port = await freePort();
  const events = new EventEmitter();
  events.setMaxListeners(0);
  const sockets = new Set<net.Socket>();
  const held: string[] = [];
  const accepted: Accepted[] = [];

  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    sockets.add(client).add(upstream);
    // What the client sent since its last end of DATA (to find the Message-ID), and the
    // Message-ID whose end of DATA awaits the server's reply.
    let sent = '';
    let awaiting: string | undefined;
    let holding = false;
    const close = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);

    client.on('data', (d: Buffer) => {
      sent = (sent + d.toString('latin1')).slice(-20_000);
      const end = sent.indexOf('\r\n.\r\n');
      if (end >= 0) {
        awaiting = /^Message-ID:\s*(<[^>\r\n]+>)/im.exec(sent.slice(0, end))?.[1] ?? '(none)';
        sent = sent.slice(end + 5);
      }
      upstream.write(d);
    });
    upstream.on('data', (d: Buffer) => {
      const reply = d.toString('latin1');
      if (awaiting !== undefined && /^\d{3}[ -]/.test(reply)) {
        const messageId = awaiting;
        awaiting = undefined;
        if (reply.startsWith('250')) accepted.push({ messageId, at: now(), reply: reply.trim() });
        if (proxy.hold) {
          holding = true;
          held.push(messageId);
          events.emit('held');
        }
      }
      if (holding) return; // the sender never hears it (nor anything after it on this connection)
      if (proxy.latencyMs > 0) setTimeout(() => client.writable && client.write(d), proxy.latencyMs);
      else client.write(d);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));

  const proxy: SmtpProxy = {
    url: `smtp://127.0.0.1:${port}`,
    port,
    hold: false,
    latencyMs: 0,
    held,
    accepted,
    waitHeld(n, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (held.length < n) return;
          clearTimeout(timer);
          events.off('held', check);
          resolve([...held]);
        };
        const timer = setTimeout(() => {
          events.off('held', check);
          reject(new Error(`SMTP proxy: ${held.length} of ${n} replies held within ${timeoutMs} ms`));
        }, timeoutMs);
        events.on('held', check);
        check();
      });
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}
