// The process side of a config reload (docs/DELIVERY.md, "Several processes"); the Redis side
// is src/store/config-channel.ts. A reload is asked for by SIGHUP (request()) or by `dondoc
// config reload`; either validates the file first, so a bad file changes nothing anywhere, then
// publishes. Every subscribed process reloads its own file — a bad one there is refused and
// logged, the old config stays — swaps the config the engine reads, rebuilds what is built per
// config (the API), and one scheduler re-plans every open task.
import { hostname } from 'node:os';
import type { RedisClient } from '../store/redis.js';
import { isDondocError, type Problem } from '../errors.js';
import type { Logger } from '../log.js';
import { claimReplan, configKeys, originOf, publishConfig, storedConfigHash, subscribeConfig } from '../store/config-channel.js';
import type { LoadedConfig } from './load.js';

export type ReloadRequest = { ok: true; hash: string } | { ok: false; problems: readonly Problem[] };

export interface ConfigReloader {
  /** The config in force: the engine and the API read it at every use. */
  current(): LoadedConfig;
  /** Called with each new config after the swap (the API is rebuilt for it). */
  onSwap(fn: (next: LoadedConfig) => Promise<void>): void;
  /** Subscribes a dedicated connection to the reload channel. */
  listen(sub: RedisClient): Promise<void>;
  /** At start: stores this config's hash; if it is not the one stored, re-plans (in the background). */
  announce(): Promise<void>;
  /** SIGHUP: validate the file, then publish; this process reloads when the message comes back. */
  request(): Promise<ReloadRequest>;
}

export function logConfigProblems(logger: Logger, e: unknown, message: string): void {
  if (isDondocError(e)) logger.error({ code: e.code, error: e.message, problems: e.problems.map((p) => `${p.path}: ${p.message}`) }, message);
  else logger.error({ err: e }, message);
}

export function makeConfigReloader(deps: {
  initial: LoadedConfig;
  load: () => LoadedConfig;
  redis: RedisClient;
  prefix: string;
  logger: Logger;
  now: () => number;
  /** Only a scheduler re-plans: it is what plans, and it also moves the digest's job scheduler. */
  replanAll?: () => Promise<number>;
}): ConfigReloader {
  const { redis, prefix, logger } = deps;
  const me = `${hostname()}:${process.pid}`;
  let current = deps.initial;
  const swaps: Array<(next: LoadedConfig) => Promise<void>> = [];
  // One at a time, in order: a reload never overtakes another.
  let queue: Promise<void> = Promise.resolve();
  const enqueue = (what: string, step: () => Promise<void>): void => {
    queue = queue.then(step).catch((err: unknown) => logger.error({ err }, `${what} failed`));
  };

  const replanFor = async (hash: string, why: string): Promise<void> => {
    if (!deps.replanAll || !(await claimReplan(redis, prefix, hash, me))) return;
    const n = await deps.replanAll();
    logger.info({ hash, tasks: n }, `${why}: every open task re-planned`);
  };

  const reloadOwnFile = async (published: string, by: string): Promise<void> => {
    let next: LoadedConfig;
    try {
      next = deps.load();
    } catch (e) {
      logConfigProblems(logger, e, 'config reload refused; the config in force stays');
      return;
    }
    for (const w of next.warnings) logger.warn(`config: ${w}`);
    const previous = current;
    current = next;
    for (const swap of swaps) await swap(next);
    if (next.hash !== published) logger.warn({ hash: next.hash, published }, "this process's config file differs from the one published (another file, or it changed again)");
    logger.info({ hash: next.hash, previous: previous.hash, by }, next.hash === previous.hash ? 'config reloaded (unchanged)' : 'config reloaded');
    if (next.hash !== previous.hash) await replanFor(next.hash, 'config changed');
  };

  return {
    current: () => current,
    onSwap: (fn) => void swaps.push(fn),
    listen: (sub) => subscribeConfig(sub, prefix, (m) => enqueue('config reload', () => reloadOwnFile(m.hash, m.by))),
    async announce() {
      const stored = await storedConfigHash(redis, prefix);
      if (stored === current.hash) return;
      await redis.set(configKeys(prefix).hash, current.hash);
      // In the background: a million tasks take a while, and the service is usable meanwhile.
      const hash = current.hash;
      enqueue('re-planning after a config change', () => replanFor(hash, stored === null ? 'first start' : 'config changed since the last start'));
    },
    async request() {
      let next: LoadedConfig;
      try {
        next = deps.load();
      } catch (e) {
        logConfigProblems(logger, e, 'config reload refused; the config in force stays');
        return { ok: false, problems: isDondocError(e) && e.problems.length ? e.problems : [{ path: 'config', message: e instanceof Error ? e.message : String(e) }] };
      }
      await publishConfig(redis, prefix, { hash: next.hash, by: originOf('sighup'), at: deps.now() });
      return { ok: true, hash: next.hash };
    },
  };
}
