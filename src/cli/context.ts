// What every CLI command gets: its output streams, the environment, the clock and a lazy
// config loader. Tests call runCli() with their own context; nothing here is global.
import { type Day } from '../core/day.js';
import { makeZone } from '../core/zone.js';
import { type LoadedConfig, loadConfig } from '../config/load.js';

export interface Output {
  write(text: string): void;
}

export interface CliContext {
  stdout: Output;
  stderr: Output;
  env: Record<string, string | undefined>;
  /** The clock, injected: epoch milliseconds. */
  now(): number;
  /** Loads (once per file) and returns the config; `file` from --config. */
  config(file?: string): LoadedConfig;
}

export function makeCliContext(partial: Partial<Omit<CliContext, 'config'>> = {}): CliContext {
  const env = partial.env ?? process.env;
  const now = partial.now ?? (() => Date.now());
  const cache = new Map<string, LoadedConfig>();
  const ctx: CliContext = {
    stdout: partial.stdout ?? { write: (t) => void process.stdout.write(t) },
    stderr: partial.stderr ?? { write: (t) => void process.stderr.write(t) },
    env,
    now,
    config(file) {
      const key = file ?? '';
      let c = cache.get(key);
      if (!c) {
        c = loadConfig({ ...(file ? { file } : {}), env, today: todayIn(env, now()) });
        cache.set(key, c);
      }
      return c;
    },
  };
  return ctx;
}

function todayIn(env: Record<string, string | undefined>, now: number): Day {
  // The configured zone is not known before the config is read; the default zone is close
  // enough to pick "this year" for warnings.
  return makeZone(env.TZ_DONDOC ?? 'Asia/Ho_Chi_Minh').dayOf(now);
}
