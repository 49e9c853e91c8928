// Issue 5 benchmark (b): Redis bytes per open task for its delivery plan — dondoc's schedule
// index (one entry per task; jobs only for what is due within the lookahead) vs the naive way,
// one delayed BullMQ job per future notification — measured in the same run on the same tasks.
// Goal: ratio ≤ 0.25 (and ≤ 1 KB per task: a million open tasks must fit).
//
// Run: npx tsx bench/delivery-memory.ts [N]     (default N = 5000 open tasks; prints figures)
// Bytes are INFO used_memory deltas around the planning alone (the tasks exist before, without
// their index entries), so both sides count everything they add: keys, BullMQ's own indexes,
// allocator overhead.
import { Queue } from 'bullmq';
import { Redis as IORedis } from 'ioredis';
import { isPending } from '../src/core/notification.js';
import { BACKOFF_TYPE } from '../src/queue/backoff.js';
import { planFor } from '../src/queue/job-context.js';
import { JOBS, QUEUES, bullPrefix } from '../src/queue/names.js';
import type { RedisClient } from '../src/store/redis.js';
import { at } from '../tests/support/delivery-harness.js';
import { fmt, machine, startBench, startSink, waitFor } from './lib/delivery-bench.js';

async function usedMemory(redis: RedisClient): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)![1]);
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 5000);
  // 10/05/2022: every step of a deadline on 31/12/2022 is months away.
  const bench = await startBench(at('2022-05-10T09:00'));
  const sink = await startSink();
  const over = { deadline: '2022-12-31', coordinators: ['STC'] };
  try {
    // dondoc: the scheduler plans every task; nothing is near, so each gets an index entry only.
    const a = bench.space();
    await bench.tasks(a.store, n, over);
    // Creating a task already touches the index: start both sides from the tasks alone.
    await bench.redis.del(`${a.prefix}:schedule`);
    const before = await usedMemory(bench.redis);
    const s = await bench.engine(a.prefix, a.store, sink, { roles: { scheduler: true, worker: false } });
    await s.engine.replanAll();
    await waitFor(async () => (await s.engine.schedule.size()) === n && ((await s.engine.schedule.earliest()) ?? 0) > bench.clock.now(), 300_000, 'every task planned');
    await s.close();
    const ours = ((await usedMemory(bench.redis)) - before) / n;
    const indexBytes = Number(await bench.redis.memory('USAGE', `${a.prefix}:schedule`, 'SAMPLES', 0)) / n;
    const depth = await (async () => {
      const conn = new IORedis(bench.server.url, { maxRetriesPerRequest: null });
      const q = new Queue(QUEUES.notify, { connection: conn, prefix: bullPrefix(a.prefix) });
      const c = await q.getJobCounts('delayed', 'waiting');
      await q.close();
      conn.disconnect();
      return c;
    })();

    // Baseline: the same tasks, each future notification parked as a delayed BullMQ job.
    const b = bench.space();
    const ids = await bench.tasks(b.store, n, over);
    await bench.redis.del(`${b.prefix}:schedule`);
    const conn = new IORedis(bench.server.url, { maxRetriesPerRequest: null });
    const q = new Queue(QUEUES.notify, { connection: conn, prefix: bullPrefix(b.prefix) });
    await q.waitUntilReady();
    const before2 = await usedMemory(bench.redis);
    let jobs = 0;
    const now = bench.clock.now();
    for (let i = 0; i < ids.length; i += 200) {
      const tasks = await Promise.all(ids.slice(i, i + 200).map((id) => b.store.get(id)));
      const bulk = tasks.flatMap((task) =>
        planFor(bench.cfg, task!, new Set(), now)
          .filter((x) => isPending(x.state))
          .map((x) => ({
            name: JOBS.send,
            data: { taskId: x.taskId, id: x.id, kind: x.kind, level: x.level, at: x.at },
            opts: { jobId: x.id, delay: x.at - now, attempts: 8, backoff: { type: BACKOFF_TYPE }, removeOnComplete: true, removeOnFail: true },
          })),
      );
      jobs += bulk.length;
      await q.addBulk(bulk);
    }
    const naive = ((await usedMemory(bench.redis)) - before2) / n;
    await q.close();
    conn.disconnect();

    console.log(`delivery memory (b): ${n.toLocaleString('en-US')} open tasks (deadline 31/12/2022, one coordinator), planned on 10/05/2022`);
    console.log(`machine: ${machine()}; bytes = INFO used_memory delta around the planning`);
    console.log(`dondoc schedule index   ${fmt(ours, 'B/task').padStart(12)}   (index entry by MEMORY USAGE: ${Math.round(indexBytes)} B; BullMQ jobs: ${(depth.delayed ?? 0) + (depth.waiting ?? 0)})`);
    console.log(`one delayed job each    ${fmt(naive, 'B/task').padStart(12)}   (${(jobs / n).toFixed(1)} jobs per task, ${fmt(naive / (jobs / n), 'B/job')})`);
    console.log(`ratio dondoc / naive: ${(ours / naive).toFixed(3)}   (goal ≤ 0.25; budget 1 KB per task: ${ours <= 1024 ? 'within' : 'OVER'})`);
  } finally {
    sink.stop();
    await bench.stop();
  }
}

await main();
