// Never a stack trace, even when the reader goes away: each command piped into `head -1` as a
// user does (`dondoc preview ID | head -8`), and again with its stdout closed before it writes
// a byte (so every write fails with EPIPE, whatever the timing), ends quietly with the exit
// code it has when its output is read in full (0 for each of these). Runs the compiled bin as a user runs it.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/cli.js';
import { type PrivateRedis, randomPrefix, startRedis } from '../support/redis-server.js';

const BIN = path.join(ROOT, 'bin', 'dondoc.mjs');
const XLSX = 'tests/fixtures/1510-UBND-TH.xlsx';
const SYT = '1510-ubnd-th-20220416-9-syt';

let server: PrivateRedis;
const prefix = randomPrefix('pipe');
const env = (): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  REDIS_URL: server.url,
  DONDOC_KEY_PREFIX: prefix,
  DONDOC_CONFIG: path.join(ROOT, 'tests/fixtures/dondoc-2022.yaml'),
  DONDOC_FAKE_NOW: '2022-06-20T09:00',
});

const COMMANDS: string[][] = [
  ['--help'],
  ['task', '--help'],
  ['calendar', 'is-working', '2026-02-16'],
  ['calendar', 'days-off', '2026'],
  ['config', 'check'],
  ['import', XLSX, '--dry-run'],
  ['task', 'list'],
  ['task', 'show', SYT],
  ['task', 'follow-successors', '--dry-run'],
  ['preview', SYT],
  ['preview', '--tasks', XLSX, '--at', '2022-06-20T09:00'],
  ['preview', '--tasks', XLSX, '--json'],
  ['simulate', '--tasks', XLSX, '--from', '2022-04-16', '--to', '2022-08-31'],
  ['report', '--from', '2022-04-01', '--to', '2022-06-30', '--format', 'csv'],
  ['delivery', 'list'],
  ['mute', 'list'],
];

const STACK = /^\s+at .+\(.*\)$|^\s+at [^\s]+:\d+:\d+$|Error: write EPIPE|Unhandled 'error' event|node:internal/m;

/** `dondoc ARGV | head -1` in bash with pipefail: dondoc's own exit code and its stderr. */
function intoHead(argv: string[]): { code: number; first: string; stderr: string } {
  const quoted = [BIN, ...argv].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const r = spawnSync('bash', ['-o', 'pipefail', '-c', `"${process.execPath}" ${quoted} | head -1`], { cwd: ROOT, env: env(), encoding: 'utf8' });
  return { code: r.status ?? -1, first: r.stdout, stderr: r.stderr };
}

/** stdout closed by the reader before the command writes anything. */
function closedAtOnce(argv: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...argv], { cwd: ROOT, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : -1), stderr }));
  });
}

beforeAll(async () => {
  server = await startRedis();
  const r = spawnSync(process.execPath, [BIN, 'import', XLSX], { cwd: ROOT, env: env(), encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
});
afterAll(async () => {
  await server?.stop();
});

describe('a closed stdout ends a command quietly', () => {
  it.each(COMMANDS.map((argv) => [argv.join(' '), argv]))('%s | head -1', async (_name, argv) => {
    // Each of these succeeds when its output is read (tests elsewhere show what they print).
    const expected = 0;
    const head = intoHead(argv as string[]);
    expect(head.stderr).not.toMatch(STACK);
    expect(head.code, head.stderr).toBe(expected);
    expect(head.first.length).toBeGreaterThan(0);
    const closed = await closedAtOnce(argv as string[]);
    expect(closed.stderr).not.toMatch(STACK);
    expect(closed.code, closed.stderr).toBe(expected);
  });
});
