// Issue 5 benchmark (c): a morning wave — 10,000 notifications due at the same instant (level-1
// escalations of 10,000 tasks due the day before, all at the 07:30 opening). Time from that
// instant until the last one is sent, vs 10,000 ÷ the bare SMTP throughput measured in the same
// run (bare nodemailer, same pool, same server, same bytes). Goal: ratio ≤ 1.25.
//
// Run: npx tsx bench/delivery-wave.ts [N] [LEAD_SECONDS]   (default 10000, 30)
// The engine starts LEAD seconds before the instant: the scheduler hands every notification to
// BullMQ ahead of time (lookahead), so the wave is only sending.
import { at } from '../tests/support/delivery-harness.js';
import { bareThroughput, fmt, machine, renderedLike, startBench, startSink, waitFor } from './lib/delivery-bench.js';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 10_000);
  const leadS = Number(process.argv[3] ?? 30);
  const instant = at('2022-07-01T07:30');
  const bench = await startBench(instant - leadS * 1000 - 60_000);
  const sink = await startSink();
  try {
    const { prefix, store } = bench.space();
    await bench.tasks(store, n);
    const sample = (await store.get((await bench.tasks(bench.space().store, 1))[0]!))!;

    // Bare baseline first (the engine is not running yet): median of 3 rounds of 2,000.
    await bareThroughput(sink, renderedLike(bench.cfg, sample, 200, 'w', instant));
    const rates: number[] = [];
    for (let r = 0; r < 3; r++) rates.push(await bareThroughput(sink, renderedLike(bench.cfg, sample, 2000, `b${r}`, instant)));
    const bare = median(rates);

    bench.clock.set(instant - leadS * 1000);
    const t0 = performance.now();
    const e = await bench.engine(prefix, store, sink, { roles: { scheduler: true, worker: true } });
    await waitFor(async () => (await e.engine.queueDepth()).delayed >= n || bench.clock.now() >= instant, (leadS + 5) * 1000, 'the wave enqueued');
    const scheduledMs = performance.now() - t0;
    const early = bench.clock.now() < instant;
    await waitFor(() => bench.clock.now() >= instant, (leadS + 5) * 1000, 'the instant');
    const tw = performance.now();
    await waitFor(() => e.sent.count >= n, 600_000, 'the wave sent');
    const drainMs = performance.now() - tw;
    await e.close();

    const ideal = (n / bare) * 1000;
    console.log(`delivery wave (c): ${n.toLocaleString('en-US')} notifications due at 07:30:00; engine started ${leadS} s before`);
    console.log(`machine: ${machine()}; redis-server with AOF (everysec); SMTP sink in a child process; pool of 5`);
    console.log(`scheduling: every notification handed to BullMQ in ${fmt(scheduledMs, 'ms')}${early ? ' (before the instant)' : ' (NOT before the instant: part of the drain below)'}`);
    console.log(`bare nodemailer: ${fmt(bare, 'msg/s')} (rounds: ${rates.map((x) => Math.round(x)).join(', ')}) → ${n.toLocaleString('en-US')} in ${fmt(ideal, 'ms')}`);
    console.log(`dondoc drain from the instant: ${fmt(drainMs, 'ms')} (${fmt((n / drainMs) * 1000, 'msg/s')})`);
    console.log(`ratio drain / (N ÷ bare throughput): ${(drainMs / ideal).toFixed(2)}   (goal ≤ 1.25)`);
  } finally {
    sink.stop();
    await bench.stop();
  }
}

await main();
