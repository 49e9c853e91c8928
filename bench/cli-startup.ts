// CLI start-up (docs/BENCHMARKS.md, "CLI start-up"): wall time of `dondoc --help`,
// `dondoc calendar is-working`, `dondoc task list` against a local Redis, and the time until
// `dondoc start` prints its ready line — the compiled build (bin/dondoc.mjs → dist/) against the
// same sources run through tsx (bench/lib/tsx-cli.mjs), measured in the same run, as ratios.
// Each figure is the median of N runs (default 9); the two variants alternate so that the load
// of the machine weighs on both alike.
// Run: npx tsx bench/cli-startup.ts [N]      (needs a built dist/: npm run build)
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, randomPrefix, startRedis } from '../tests/support/redis-server.js';
import { machine } from './lib/delivery-bench.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const N = Number(process.argv[2] ?? 9);
const VARIANTS = {
  compiled: [path.join(ROOT, 'bin', 'dondoc.mjs')],
  tsx: [path.join(ROOT, 'bench', 'lib', 'tsx-cli.mjs')],
} as const;
type Variant = keyof typeof VARIANTS;

if (!fs.existsSync(path.join(ROOT, 'dist', 'src', 'cli', 'main.js'))) {
  console.error('bench/cli-startup: no dist/: run `npm run build` first');
  process.exit(1);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function once(variant: Variant, argv: string[], env: NodeJS.ProcessEnv): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [...VARIANTS[variant], ...argv], { cwd: ROOT, env, encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${variant} ${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

/** Spawn → "dondoc ready" on stdout; then SIGTERM and wait for the exit (not counted). */
function untilReady(variant: Variant, env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [...VARIANTS[variant], 'start'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let ready: number | undefined;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (ready === undefined && /^dondoc ready: /m.test(out)) {
        ready = performance.now() - t0;
        child.kill('SIGTERM');
      }
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => (ready !== undefined ? resolve(ready) : reject(new Error(`${variant} start exited ${code} before ready:\n${err.slice(-2000)}`))));
  });
}

async function main(): Promise<void> {
  const redis = await startRedis({ args: ['--appendfsync', 'everysec'] });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'dondoc-bench-cli-'));
  try {
    const base: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, REDIS_URL: redis.url, DONDOC_KEY_PREFIX: randomPrefix('bench-cli'), DONDOC_LOG_LEVEL: 'warn' };
    // Something for task list to list: the 14 tasks of letter 1510/UBND-TH, on the shipped config.
    once('compiled', ['import', 'tests/fixtures/1510-UBND-TH.xlsx'], base);
    const cases: Array<{ name: string; target: string; run: (v: Variant) => Promise<number> | number }> = [
      { name: 'dondoc --help', target: '< 300 ms', run: (v) => once(v, ['--help'], base) },
      { name: 'dondoc calendar is-working 2026-02-16', target: '< 300 ms', run: (v) => once(v, ['calendar', 'is-working', '2026-02-16'], base) },
      { name: 'dondoc task list (14 tasks, local Redis)', target: '—', run: (v) => once(v, ['task', 'list'], base) },
      {
        name: 'dondoc start → ready line (local Redis)',
        target: '< 2000 ms',
        run: async (v) => untilReady(v, { ...base, DONDOC_HTTP_PORT: String(await freePort()), DONDOC_OUTBOX_DIR: path.join(work, 'outbox') }),
      },
    ];
    console.log(`machine: ${machine()}, load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}; median of ${N} runs each`);
    // The floor: what starting Node itself costs on this machine right now.
    const floor: number[] = [];
    for (let i = 0; i < N; i++) {
      const t0 = performance.now();
      spawnSync(process.execPath, ['-e', '0']);
      floor.push(performance.now() - t0);
    }
    console.log(`node -e 0 (the floor): ${median(floor).toFixed(0)} ms`);
    console.log('| command | compiled | tsx (sources) | compiled / tsx | target |');
    console.log('|---|---|---|---|---|');
    for (const c of cases) {
      const times: Record<Variant, number[]> = { compiled: [], tsx: [] };
      await c.run('compiled'); // warm the file cache
      for (let i = 0; i < N; i++) for (const v of ['compiled', 'tsx'] as const) times[v].push(await c.run(v));
      const [a, b] = [median(times.compiled), median(times.tsx)];
      console.log(`| \`${c.name}\` | ${a.toFixed(0)} ms | ${b.toFixed(0)} ms | ${(a / b).toFixed(2)} | ${c.target} |`);
    }
  } finally {
    await redis.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

await main();
