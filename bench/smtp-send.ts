// Send throughput through dondoc's mailer (makeMailer: message checks, NFC, pacing, pool) vs
// bare nodemailer with the same pool settings, to the same local SMTP server, in the same run.
// Issue 5 benchmark (a) asks ≥ 0.8 for the whole pipeline; this is the mail adapter's share.
//
// Run: npx tsx bench/smtp-send.ts [N]      (default N = 2000; prints figures, no pass/fail)
// The SMTP server runs in a child process (this file with --sink), so parsing on the server side
// does not eat the client's CPU; it counts messages and keeps none.
import { spawn } from 'node:child_process';
import os from 'node:os';
import { createInterface } from 'node:readline';
import nodemailer from 'nodemailer';
import { messageIdFor, type OutgoingMessage } from '../src/mail/message.js';
import { makeMailer } from '../src/mail/transport.js';
import { startSmtp } from '../tests/support/smtp-server.js';

const POOL = { maxConnections: 5, maxMessages: 100, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

async function sink(): Promise<void> {
  const smtp = await startSmtp({ parse: false, keep: false });
  console.log(smtp.port);
  const stop = (): void => void smtp.stop().then(() => process.exit(0));
  process.stdin.on('end', stop); // the parent went away
  process.stdin.resume();
  process.on('SIGTERM', stop);
}

async function startSink(): Promise<{ port: number; stop(): void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, '--sink'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`SMTP sink exited with ${code}`)));
    createInterface({ input: child.stdout! }).once('line', resolve);
  });
  return { port: Number(line), stop: () => child.kill('SIGTERM') };
}

const body = Array.from({ length: 20 }, (_, i) => `Dòng ${i + 1}: Nhiệm vụ «Báo cáo tổng kết công tác» của Sở Tài chính đến hạn ngày 31/12/2026.`).join('\n');

function messages(n: number, round: string): OutgoingMessage[] {
  return Array.from({ length: n }, (_, i) => ({
    messageId: messageIdFor(`${round}-T-${i}:reminder:1`, 'dondoc.bench'),
    from: { name: 'Văn phòng UBND tỉnh Thái Nguyên', address: 'nhacviec@dondoc.bench' },
    to: [{ name: 'Giám đốc Sở Tài chính', address: `gd${i % 50}@thainguyen.bench` }],
    cc: [{ name: 'Chánh Văn phòng', address: 'cvp@thainguyen.bench' }],
    subject: `Nhắc hạn: Báo cáo tổng kết công tác năm (${i})`,
    text: body,
    html: `<p>${body.replace(/\n/g, '<br>')}</p>`,
  }));
}

async function runBare(port: number, batch: OutgoingMessage[]): Promise<number> {
  const t = nodemailer.createTransport({ pool: true, host: '127.0.0.1', port, secure: false, ...POOL, logger: false });
  const t0 = performance.now();
  await Promise.all(batch.map((m) => t.sendMail({ ...m, headers: { 'Auto-Submitted': 'auto-generated' } })));
  const ms = performance.now() - t0;
  t.close();
  return (batch.length / ms) * 1000;
}

async function runDondoc(port: number, batch: OutgoingMessage[]): Promise<number> {
  const m = makeMailer({
    smtpUrl: `smtp://127.0.0.1:${port}`,
    maxConnections: POOL.maxConnections,
    maxMessages: POOL.maxMessages,
    connectionTimeoutMs: POOL.connectionTimeout,
    greetingTimeoutMs: POOL.greetingTimeout,
    socketTimeoutMs: POOL.socketTimeout,
  });
  const t0 = performance.now();
  await Promise.all(batch.map((msg) => m.send(msg)));
  const ms = performance.now() - t0;
  await m.close();
  return (batch.length / ms) * 1000;
}

const ROUNDS = 5;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 2000);
  const server = await startSink();
  try {
    // Warm-up (JIT, connections), then alternate the order so neither side always goes first.
    await runBare(server.port, messages(200, 'wb'));
    await runDondoc(server.port, messages(200, 'wd'));
    const bare: number[] = [];
    const ours: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      if (r % 2 === 0) {
        bare.push(await runBare(server.port, messages(n, `b${r}`)));
        ours.push(await runDondoc(server.port, messages(n, `d${r}`)));
      } else {
        ours.push(await runDondoc(server.port, messages(n, `d${r}`)));
        bare.push(await runBare(server.port, messages(n, `b${r}`)));
      }
    }
    const b = median(bare);
    const d = median(ours);
    const fmt = (x: number): string => `${Math.round(x).toLocaleString('en-US').padStart(7)} msg/s`;
    console.log(`SMTP send, ${n} messages × ${ROUNDS} rounds each, alternating (median), pool of ${POOL.maxConnections}, local smtp-server in a child process`);
    console.log(`machine: ${os.cpus()[0]?.model ?? 'unknown CPU'} × ${os.cpus().length}, Node ${process.version}`);
    console.log(`bare nodemailer   ${fmt(b)}   (rounds: ${bare.map((x) => Math.round(x)).join(', ')})`);
    console.log(`dondoc makeMailer ${fmt(d)}   (rounds: ${ours.map((x) => Math.round(x)).join(', ')})`);
    console.log(`ratio dondoc / bare: ${(d / b).toFixed(2)}   (issue 5 goal (a) for the whole pipeline: ≥ 0.8)`);
  } finally {
    server.stop();
  }
}

if (process.argv.includes('--sink')) await sink();
else await main();
