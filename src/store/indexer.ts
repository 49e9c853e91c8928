// Keeping the cross-task indexes in step with the tasks (see keys.ts for why they are a
// separate step from the atomic per-task write): sync after a write, mark ids dirty before
// it, repair dirty ids, and rebuild everything. Every command touches one key, so each is
// valid on a Redis Cluster; commands of a batch are grouped per key.
import { type RedisClient, scanKeys } from './redis.js';
import type { Task } from '../core/task.js';
import { indexEntries, redisScore } from './index-entries.js';
import type { Keys } from './keys.js';

const BATCH = 500;

export interface Indexer {
  syncIndexes(writes: ReadonlyArray<{ prev: Task | null; next: Task }>): Promise<void>;
  markDirty(ids: readonly string[]): Promise<unknown>;
  /** Re-indexes ids marked dirty at least `olderThanMs` ago; returns how many. */
  repair(olderThanMs: number): Promise<number>;
  reindexAll(ids: AsyncIterable<string[]>): Promise<{ tasks: number; removed: number }>;
}

export function makeIndexer(deps: { redis: RedisClient; keys: Keys; getMany(ids: readonly string[]): Promise<Array<Task | null>> }): Indexer {
  const { redis, keys, getMany } = deps;

  /**
   * Index updates for written changes: remove what the old version had and the new lacks, add
   * the rest. Grouped by index key (one ZADD/ZREM per key per batch), each a single-key command,
   * so a batch is cheap and every command stays valid on a cluster.
   */
  const syncIndexes = async (writes: ReadonlyArray<{ prev: Task | null; next: Task }>): Promise<void> => {
    const adds = new Map<string, Array<string | number>>();
    const rems = new Map<string, string[]>();
    const push = <T>(m: Map<string, T[]>, key: string, ...v: T[]): void => {
      const list = m.get(key);
      if (list) list.push(...v);
      else m.set(key, v);
    };
    for (const { prev, next } of writes) {
      const want = indexEntries(next, keys);
      const wanted = new Set(want.map((e) => e.key));
      for (const e of prev ? indexEntries(prev, keys) : []) if (!wanted.has(e.key)) push(rems, e.key, next.id);
      for (const e of want) push(adds, e.key, redisScore(e.score), next.id);
    }
    await Promise.all([...[...rems].map(([k, ids]) => redis.zrem(k, ...ids)), ...[...adds].map(([k, args]) => redis.zadd(k, ...args))]);
    if (writes.length) await redis.zrem(keys.dirty, ...writes.map((w) => w.next.id));
  };

  const markDirty = (ids: readonly string[]): Promise<unknown> => {
    const t = Date.now(); // operational time (repair age), not domain time
    return redis.zadd(keys.dirty, ...ids.flatMap((id) => [t, id]));
  };


  async function repair(olderThanMs: number): Promise<number> {
    let total = 0;
    for (;;) {
      const ids = await redis.zrangebyscore(keys.dirty, '-inf', String(Date.now() - olderThanMs), 'LIMIT', 0, BATCH);
      if (!ids.length) return total;
      const tasks = await getMany(ids);
      // The old entries are not known here; extra entries only cost a read (list re-checks).
      await syncIndexes(tasks.flatMap((t) => (t ? [{ prev: null, next: t }] : [])));
      await redis.zrem(keys.dirty, ...ids);
      total += ids.length;
      if (ids.length < BATCH) return total;
    }
  }

  /**
   * Every entry each task should have, then every entry that is there: add the first, remove
   * the rest. Safe while writers run: an entry is removed only if the task, read again, still
   * does not want it, and only the dirty marks seen at the start are cleared. On a cluster,
   * scanKeys visits every master.
   */
  async function reindexAll(ids: AsyncIterable<string[]>): Promise<{ tasks: number; removed: number }> {
    const dirtyAtStart = await redis.zrange(keys.dirty, 0, -1);
    const wanted = new Map<string, Set<string>>();
    let count = 0;
    for await (const batch of ids) {
      const tasks = (await getMany(batch)).filter((t): t is Task => t !== null);
      for (const t of tasks) {
        count++;
        for (const e of indexEntries(t, keys)) {
          let m = wanted.get(e.key);
          if (!m) wanted.set(e.key, (m = new Set()));
          m.add(t.id);
        }
      }
      await syncIndexes(tasks.map((t) => ({ prev: null, next: t })));
    }
    let removed = 0;
    const indexKeys = new Set([keys.all, keys.open, keys.closed]);
    for await (const found of scanKeys(redis, `${keys.body('')}*`)) for (const k of found) indexKeys.add(k);
    for (const key of indexKeys) {
      const m = wanted.get(key);
      let zc = '0';
      do {
        const [next, flat] = await redis.zscan(key, zc, 'COUNT', 1000);
        zc = next;
        const suspects: string[] = [];
        for (let j = 0; j < flat.length; j += 2) if (!m?.has(flat[j]!)) suspects.push(flat[j]!);
        if (!suspects.length) continue;
        const current = await getMany(suspects);
        const stale = suspects.filter((_, j) => !current[j] || !indexEntries(current[j]!, keys).some((e) => e.key === key));
        if (stale.length) removed += await redis.zrem(key, ...stale);
      } while (zc !== '0');
    }
    if (dirtyAtStart.length) await redis.zrem(keys.dirty, ...dirtyAtStart);
    return { tasks: count, removed };
  }

  return { syncIndexes, markDirty, repair, reindexAll };
}
