// A private redis-server per suite: a free loopback port, its own temp dir, persistence as
// dondoc requires it in production (AOF on, no RDB snapshots, noeviction). Tests never touch
// the machine's 6379, and a suite may kill and restart its server to test failures.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface PrivateRedis {
  url: string;
  port: number;
  dir: string;
  /** Shuts down cleanly (SHUTDOWN via SIGTERM) and removes the temp dir. */
  stop(): Promise<void>;
  /** Kills the process (default SIGKILL: a crash); the data dir stays for restart(). */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts again on the same port and dir, replaying the AOF. */
  restart(): Promise<void>;
}

export interface RedisOptions {
  /** Extra redis-server arguments, e.g. ['--maxmemory', '10mb']. */
  args?: string[];
  /** Keep the dir after stop() (to look at a failed test's data). */
  keepDir?: boolean;
}

export function randomPrefix(label = 't'): string {
  return `${label}-${randomBytes(4).toString('hex')}`;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** Sends PING over a raw socket; true when the server answers +PONG. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host: '127.0.0.1' });
    const done = (ok: boolean): void => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(500, () => done(false));
    sock.on('error', () => done(false));
    sock.on('connect', () => sock.write('PING\r\n'));
    sock.on('data', (d) => done(d.toString().startsWith('+PONG')));
  });
}

const running = new Set<PrivateRedis>();
process.once('exit', () => {
  // Last resort when a suite forgot stop(): never leave servers behind.
  for (const r of running) void r.kill('SIGKILL');
});

export async function startRedis(opts: RedisOptions = {}): Promise<PrivateRedis> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dondoc-redis-'));
  let port = await freePort();
  let child: ChildProcess | undefined;
  let log = '';

  const launch = async (): Promise<void> => {
    log = '';
    const args = [
      '--port', String(port),
      '--bind', '127.0.0.1',
      '--dir', dir,
      '--appendonly', 'yes',
      '--appendfsync', 'always',
      '--save', '',
      '--maxmemory-policy', 'noeviction',
      '--daemonize', 'no',
      '--logfile', '',
      ...(opts.args ?? []),
    ];
    const proc = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    proc.stdout?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
    proc.stderr?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (proc.exitCode !== null) throw new Error(`redis-server exited with ${proc.exitCode}:\n${log}`);
      if (await ping(port)) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    proc.kill('SIGKILL');
    throw new Error(`redis-server did not answer PING on port ${port} within 10 s:\n${log}`);
  };

  const waitExit = (proc: ChildProcess | undefined): Promise<void> =>
    new Promise((resolve) => {
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return resolve();
      proc.once('exit', () => resolve());
    });

  try {
    await launch();
  } catch (e) {
    // A port taken between freePort() and listen: try once more on another port.
    port = await freePort();
    await launch().catch((e2) => {
      fs.rmSync(dir, { recursive: true, force: true });
      throw e2 ?? e;
    });
  }

  const server: PrivateRedis = {
    get url() {
      return `redis://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    dir,
    async kill(signal = 'SIGKILL') {
      const proc = child;
      proc?.kill(signal);
      await waitExit(proc);
    },
    async restart() {
      await server.kill('SIGKILL');
      await launch();
    },
    async stop() {
      running.delete(server);
      const proc = child;
      proc?.kill('SIGTERM');
      await waitExit(proc);
      if (!opts.keepDir) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  running.add(server);
  return server;
}
