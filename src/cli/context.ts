// What every CLI command gets: its output streams, the environment, the clock and a lazy
// config loader. Tests call runCli() with their own context; nothing here is global.
//
// The clock is the process's one clock (src/clock.ts): DONDOC_FAKE_NOW, as the service reads
// it, unless a test injects its own. The config module is loaded by runCli before a command
// runs (loadConfigModule), not at import: `dondoc --help` never pays for zod and YAML.
import { type Clock, makeClock } from '../clock.js';
import type { CalendarConfig, LoadedConfig } from '../config/load.js';
import { type Output, type StdStream, guardedOutput } from './output.js';

export type { Output };

export interface CliContext {
  stdout: Output;
  stderr: Output;
  env: Record<string, string | undefined>;
  /** The clock, injected: epoch milliseconds. */
  now(): number;
  /** Loads (once per file) and returns the config; `file` from --config. */
  config(file?: string): LoadedConfig;
  /** The config without the org directory, for the calendar commands (faster to load). */
  calendarConfig(file?: string): CalendarConfig;
}

type ConfigModule = typeof import('../config/load.js');
let configModule: ConfigModule | undefined;

/** Loads the config module once; runCli does it before any command that may read the config. */
export async function loadConfigModule(): Promise<void> {
  configModule ??= await import('../config/load.js');
}

/** Zone the clock reads a local DONDOC_FAKE_NOW in before any config is loaded. */
const DEFAULT_ZONE = 'Asia/Ho_Chi_Minh';

export function makeCliContext(partial: Partial<Omit<CliContext, 'config' | 'calendarConfig'>> = {}): CliContext {
  const env = partial.env ?? process.env;
  const cache = new Map<string, LoadedConfig>();
  const calendars = new Map<string, CalendarConfig>();
  let zone: string | undefined;
  const module = (): ConfigModule => {
    if (!configModule) throw new Error('the config module is not loaded (call loadConfigModule first)');
    return configModule;
  };
  const now: Clock = partial.now ?? makeClock(env.DONDOC_FAKE_NOW, () => zone ?? DEFAULT_ZONE);
  const ctx: CliContext = {
    stdout: partial.stdout ?? guardedOutput(process.stdout as StdStream),
    stderr: partial.stderr ?? guardedOutput(process.stderr as StdStream),
    env,
    now,
    config(file) {
      const key = file ?? '';
      let c = cache.get(key);
      if (!c) {
        c = module().loadConfig({ ...(file ? { file } : {}), env, today: todayIn(now()) });
        zone ??= c.calendar.zone.name;
        cache.set(key, c);
      }
      return c;
    },
    calendarConfig(file) {
      const key = file ?? '';
      let c: CalendarConfig | undefined = cache.get(key) ?? calendars.get(key);
      if (!c) {
        c = module().loadCalendarConfig({ ...(file ? { file } : {}), env, today: todayIn(now()) });
        zone ??= c.calendar.zone.name;
        calendars.set(key, c);
      }
      return c;
    },
  };
  return ctx;
}

function todayIn(now: number): number {
  // The configured zone is not known before the config is read; the default zone is close
  // enough to pick "this year" for warnings. Whole days since the epoch at UTC+7.
  return Math.floor((now + 7 * 3_600_000) / 86_400_000);
}
