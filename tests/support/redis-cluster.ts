// A private 3-master Redis Cluster on loopback ports, for tests/cluster (docs/SCALING.md):
// three `redis-server --cluster-enabled yes`, each with its own temp dir and a cluster bus port
// picked free (not port + 10000, which may be taken or past 65535), joined by
// `redis-cli --cluster create … --cluster-replicas 0 --cluster-yes`. Ready when every node
// says cluster_state:ok and agrees on the slot map. Persistence as dondoc wants in production
// (AOF on, noeviction), fsync every second to keep the suite fast.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePort } from './redis-server.js';

const run = promisify(execFile);

export interface PrivateCluster {
  /** REDIS_URL for dondoc: redis+cluster://127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3 */
  url: string;
  ports: number[];
  /** A plain connection to each master (to see where keys landed). */
  node(port: number): Redis;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});

function startNode(dir: string, port: number, busPort: number): { proc: ChildProcess; log: () => string } {
  let log = '';
  const proc = spawn(
    'redis-server',
    [
      '--port', String(port),
      '--cluster-port', String(busPort),
      '--bind', '127.0.0.1',
      '--dir', dir,
      '--cluster-enabled', 'yes',
      '--cluster-config-file', 'nodes.conf',
      '--cluster-node-timeout', '5000',
      '--appendonly', 'yes',
      '--appendfsync', 'everysec',
      '--save', '',
      '--maxmemory-policy', 'noeviction',
      '--daemonize', 'no',
      '--logfile', '',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  running.add(proc);
  proc.on('exit', () => running.delete(proc));
  proc.stdout?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
  proc.stderr?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
  return { proc, log: () => log };
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`redis cluster: timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startCluster(size = 3): Promise<PrivateCluster> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dondoc-cluster-'));
  const ports: number[] = [];
  const busPorts: number[] = [];
  while (ports.length < size) {
    const p = await freePort();
    const b = await freePort();
    if (p !== b && !ports.includes(p) && !busPorts.includes(b) && !ports.includes(b) && !busPorts.includes(p)) {
      ports.push(p);
      busPorts.push(b);
    }
  }
  const nodes = ports.map((port, i) => {
    const dir = path.join(root, String(port));
    fs.mkdirSync(dir);
    return startNode(dir, port, busPorts[i]!);
  });
  const conns = new Map<number, Redis>();
  const node = (port: number): Redis => {
    let c = conns.get(port);
    if (!c) {
      conns.set(port, (c = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 1, retryStrategy: (t) => Math.min(20 * t, 200) })));
      // Refused while the server starts: the callers poll until it answers.
      c.on('error', () => {});
    }
    return c;
  };
  const stop = async (): Promise<void> => {
    for (const c of conns.values()) c.disconnect();
    await Promise.all(
      nodes.map(
        ({ proc }) =>
          new Promise<void>((resolve) => {
            if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
            proc.once('exit', () => resolve());
            proc.kill('SIGTERM');
          }),
      ),
    );
    fs.rmSync(root, { recursive: true, force: true });
  };

  try {
    await until(async () => (await Promise.all(ports.map((p) => node(p).ping()))).every((r) => r === 'PONG'), 'every node to answer PING', 10_000);
    await run('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], { timeout: 30_000 });
    await until(
      async () => {
        const infos = await Promise.all(ports.map((p) => node(p).cluster('INFO') as Promise<string>));
        if (!infos.every((i) => /cluster_state:ok/.test(i) && /cluster_slots_assigned:16384/.test(i) && new RegExp(`cluster_known_nodes:${size}\\b`).test(i))) return false;
        // Every node must know every master's slots, or a client's first slot map may be partial.
        const shards = await Promise.all(ports.map((p) => node(p).cluster('SLOTS') as Promise<unknown[]>));
        return shards.every((s) => s.length === size);
      },
      'cluster_state:ok on every node',
      20_000,
    );
  } catch (e) {
    const logs = nodes.map((n, i) => `--- node ${ports[i]}:\n${n.log()}`).join('\n');
    await stop();
    throw new Error(`${(e as Error).message}\n${logs}`);
  }

  return {
    url: `redis+cluster://${ports.map((p) => `127.0.0.1:${p}`).join(',')}`,
    ports,
    node,
    stop,
  };
}
