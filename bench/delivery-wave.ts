// Benchmark (c): a morning wave — 10,000 notifications due at the same instant (level-1
// escalations of 10,000 tasks due the day before, all at the 07:30 opening), with bundling on
// as shipped: each goes to its head and to the Office, a copy each, and each person's copies go
// as lists of at most 50 (policy.bundle). Time from that instant until the last item is
// recorded sent, vs the same messages (rendered by the same code: src/core/delivery-run.ts and
// src/mail/task-mail.ts) sent by bare nodemailer in the same run (same pool, same server).
// Goal: ratio ≤ 1.25. It prints how many messages the wave became.
//
// Run: npx tsx bench/delivery-wave.ts [N] [LEAD_SECONDS]   (default 10000, 30)
// Profile: BENCH_ONLY=dondoc node --import tsx --cpu-prof bench/delivery-wave.ts
// The engine starts LEAD seconds before the instant: the scheduler places every copy in its
// bundle ahead of time (lookahead), so the wave is only sending.
import { runDelivery } from '../src/core/delivery-run.js';
import type { Replay } from '../src/core/replay.js';
import type { Task } from '../src/core/task.js';
import { messageIdFor } from '../src/mail/message.js';
import { loadTemplates } from '../src/mail/render.js';
import { renderTaskMail, taskMailMessage } from '../src/mail/task-mail.js';
import { identityOf } from '../src/queue/job-context.js';
import { at } from '../tests/support/delivery-harness.js';
import { bareThroughput, cpuMeter, fmt, machine, startBench, startSink, waitFor } from './lib/delivery-bench.js';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 10_000);
  const leadS = Number(process.argv[3] ?? 30);
  const instant = at('2022-07-01T07:30');
  const bench = await startBench(instant - leadS * 1000 - 60_000);
  const sink = await startSink();
  try {
    const { prefix, store } = bench.space();
    const ids = await bench.tasks(store, n);
    const tasks = (await Promise.all(ids.map((id) => store.get(id)))).filter((t): t is Task => t !== null);

    // The mails the wave becomes, rendered as the engine renders them: the bare baseline sends these.
    const cfg = bench.cfg;
    const still = (t: Task): Replay => ({ id: t.id, eventTimes: [], at: () => t, nextEventAfter: () => Infinity });
    const mails = runDelivery(tasks.map(still), cfg.config.policy, cfg.calendar, cfg.org, { from: instant, until: instant + 60_000, gatherMs: cfg.config.delivery.bundle_gather });
    const templates = loadTemplates();
    const messages = (round: string) =>
      mails.map((m) => {
        const items = m.items.map((i) => ({ n: i.n, task: i.task, copyId: i.copy.id }));
        const msg = taskMailMessage(renderTaskMail(templates, cfg, m.id, m.recipient, items), identityOf(cfg), messageIdFor(`${round}-${m.id}`, cfg.config.mail.messageIdDomain), m.id, m.recipient, items);
        return msg;
      });
    const copies = mails.reduce((k, m) => k + m.items.length, 0);

    // Bare baseline first (the engine is not running yet): the same messages, median of 3 rounds.
    const times: number[] = [];
    // BENCH_ONLY=dondoc: the engine's drain alone (for a profiler).
    if (process.env.BENCH_ONLY !== 'dondoc') await bareThroughput(sink, messages('w'));
    for (let r = 0; r < (process.env.BENCH_ONLY === 'dondoc' ? 1 : 3); r++) times.push((mails.length / (await bareThroughput(sink, messages(`b${r}`)))) * 1000);
    const idealMs = median(times);

    bench.clock.set(instant - leadS * 1000);
    const t0 = performance.now();
    const e = await bench.engine(prefix, store, sink, { roles: { scheduler: true, worker: true } });
    await waitFor(async () => (await e.engine.queueDepth()).delayed >= new Set(mails.map((m) => m.bundle)).size || bench.clock.now() >= instant, (leadS + 5) * 1000, 'the wave placed');
    const scheduledMs = performance.now() - t0;
    const early = bench.clock.now() < instant;
    await waitFor(() => bench.clock.now() >= instant, (leadS + 5) * 1000, 'the instant');
    const tw = performance.now();
    const cpu = await cpuMeter(bench.redis);
    await waitFor(() => e.sent.count >= copies, 600_000, 'the wave sent');
    const drainMs = performance.now() - tw;
    const used = await cpu();
    const calls = [...used.calls.values()].reduce((a, b) => a + b, 0);
    const sentMessages = e.sent.messages;
    await e.close();

    console.log(`delivery wave (c): ${n.toLocaleString('en-US')} notifications due at 07:30:00 → ${copies.toLocaleString('en-US')} copies (one per person) → ${mails.length.toLocaleString('en-US')} messages (lists of at most ${cfg.config.policy.bundle.maxItems}; dondoc sent ${sentMessages}); engine started ${leadS} s before`);
    console.log(`machine: ${machine()}; redis-server with AOF (everysec); SMTP sink in a child process; pool of 5`);
    console.log(`scheduling: every copy placed in its bundle in ${fmt(scheduledMs, 'ms')}${early ? ' (before the instant)' : ' (NOT before the instant: part of the drain below)'}`);
    console.log(`bare nodemailer, the same ${mails.length} messages: ${fmt(idealMs, 'ms')} (rounds: ${times.map((x) => Math.round(x)).join(', ')} ms)`);
    console.log(`dondoc drain from the instant: ${fmt(drainMs, 'ms')} (${fmt((sentMessages / drainMs) * 1000, 'msg/s')}, ${fmt((copies / drainMs) * 1000, 'items/s')})`);
    console.log(`dondoc CPU per item: ${((used.ownMs / copies) * 1000).toFixed(0)} µs node, ${((used.redisMs / copies) * 1000).toFixed(0)} µs redis-server; ${(calls / copies).toFixed(1)} Redis commands per item (scripts' own counted)`);
    console.log(`ratio drain / bare time for the same messages: ${(drainMs / idealMs).toFixed(2)}   (goal ≤ 1.25)`);
  } finally {
    sink.stop();
    await bench.stop();
  }
}

await main();
