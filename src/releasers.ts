// Cleanup registered as each resource is created and run in reverse order (graphile-worker's
// releasers): a start-up that fails half-way releases exactly what it made, and a shutdown
// closes the HTTP server before the workers, the workers before Redis, Redis before the
// redis-server. A release that fails is logged and the others still run.
import type { Logger } from './log.js';

export interface Releasers {
  add(name: string, release: () => Promise<unknown> | void): void;
  releaseAll(): Promise<void>;
}

export function makeReleasers(logger: Logger): Releasers {
  const stack: Array<{ name: string; release: () => Promise<unknown> | void }> = [];
  return {
    add(name, release) {
      stack.push({ name, release });
    },
    async releaseAll() {
      while (stack.length) {
        const r = stack.pop()!;
        try {
          await r.release();
          logger.debug({ resource: r.name }, 'released');
        } catch (err) {
          logger.warn({ err, resource: r.name }, `closing ${r.name} failed`);
        }
      }
    },
  };
}
