// `node bin/dondoc.mjs start` as a user runs it, as a child process a test can wait on: until
// the ready line, until a log line, until it exits. The output stays with the handle, so a
// failing test can print it.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './cli.js';

export interface DondocProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** The ready line; rejects if the process exits first or takes longer than timeoutMs. */
  ready(timeoutMs?: number): Promise<string>;
  /** Resolves when stderr (the log) matches; rejects on exit or timeout. */
  waitForLog(re: RegExp, timeoutMs?: number): Promise<string>;
  /** Exit code (or 128 + signal number when killed by a signal). */
  exited: Promise<number>;
  signal(sig: NodeJS.Signals): void;
  /** SIGTERM, then the exit code; SIGKILL after timeoutMs. */
  stop(timeoutMs?: number): Promise<number>;
}

export function spawnDondocProcess(argv: string[], opts: { env: Record<string, string | undefined>; cwd?: string }): DondocProcess {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'dondoc.mjs'), ...argv], {
    cwd: opts.cwd ?? ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DONDOC_LOG_FORMAT: 'json', ...opts.env } as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const listeners = new Set<() => void>();
  const poke = (): void => {
    for (const l of [...listeners]) l();
  };
  child.stdout!.on('data', (d: Buffer) => ((out += d.toString()), poke()));
  child.stderr!.on('data', (d: Buffer) => ((err += d.toString()), poke()));
  const exited = new Promise<number>((resolve) => {
    // 'close': after the exit AND the end of its output, so stdout()/stderr() are complete.
    child.on('close', (code, signal) => {
      resolve(code ?? 128 + (signal === 'SIGKILL' ? 9 : signal === 'SIGTERM' ? 15 : 1));
      setImmediate(poke);
    });
  });
  let done = false;
  void exited.then(() => (done = true));

  const waitFor = <T>(check: () => T | undefined, what: string, timeoutMs: number): Promise<T> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`${what}: not within ${timeoutMs} ms\n--- stdout\n${out}\n--- stderr\n${err}`)), timeoutMs);
      const finish = (e?: Error, v?: T): void => {
        clearTimeout(timer);
        listeners.delete(listener);
        if (e) reject(e);
        else resolve(v as T);
      };
      const listener = (): void => {
        const v = check();
        if (v !== undefined) return finish(undefined, v);
        if (done) finish(new Error(`${what}: dondoc exited first (code ${child.exitCode})\n--- stdout\n${out}\n--- stderr\n${err}`));
      };
      listeners.add(listener);
      listener();
    });

  return {
    child,
    stdout: () => out,
    stderr: () => err,
    ready: (timeoutMs = 30_000) => waitFor(() => /^dondoc ready: .*$/m.exec(out)?.[0], 'ready line', timeoutMs),
    waitForLog: (re, timeoutMs = 10_000) => waitFor(() => re.exec(err)?.[0], `log matching ${re}`, timeoutMs),
    exited,
    signal: (sig) => void child.kill(sig),
    async stop(timeoutMs = 15_000) {
      if (!done) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Polls until check() gives a value (files appearing, HTTP state); rejects after timeoutMs. */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A one-shot command (`dondoc delivery list`…) in a directory of the test's choosing. */
export async function runDondoc(argv: string[], opts: { env: Record<string, string | undefined>; cwd?: string }): Promise<{ code: number; stdout: string; stderr: string }> {
  const p = spawnDondocProcess(argv, opts);
  const code = await p.exited;
  return { code, stdout: p.stdout(), stderr: p.stderr() };
}
