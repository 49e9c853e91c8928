// Benchmark (a): send throughput through dondoc — bundle job → re-read and re-plan the tasks →
// release → claim → render → send → record — vs bare nodemailer sending the same rendered bytes
// with the same pool to the same local SMTP server, in the same run, per message. Goal: ≥ 0.8.
//
// Run: npx tsx bench/delivery-throughput.ts [N]     (default N = 2000; prints figures)
// Profile: BENCH_ONLY=dondoc (or bare) node --import tsx --cpu-prof bench/delivery-throughput.ts 1000
// Each dondoc round: N tasks whose level-1 escalation falls due at the same instant — a copy to
// the head and one to the Office each, 2N messages, bundling off so that each copy is its own
// message (per-message cost; bench/delivery-wave.ts measures lists). The engine (scheduler +
// worker, default settings) starts a few seconds before, places them ahead of time, and the
// round is timed from the instant to the 2N-th message.
import os from 'node:os';
import { at } from '../tests/support/delivery-harness.js';
import { bareThroughput, cpuMeter, fmt, machine, renderedLike, startBench, startSink, waitFor } from './lib/delivery-bench.js';

const ROUNDS = 3;
/** The engine starts this long before the instant: time to hand the notifications to BullMQ. */
const LEAD_MS = 5000;
const sum = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 2000);
  const bench = await startBench(at('2022-07-01T07:00'), { bundle: false });
  const sink = await startSink();
  try {
    const instant = at('2022-07-01T07:30');
    interface Round {
      rate: number;
      /** CPU per message, ms: this process, and redis-server. */
      own: number;
      redis: number;
      /** Redis commands per message. */
      calls: number;
      byCommand: Map<string, number>;
    }
    const runDondoc = async (count: number): Promise<Round> => {
      const { prefix, store } = bench.space();
      // The clock first: creating a task asks for a re-plan at "now".
      bench.clock.set(instant - LEAD_MS - 60_000);
      await bench.tasks(store, count);
      bench.clock.set(instant - LEAD_MS);
      const e = await bench.engine(prefix, store, sink, { roles: { scheduler: true, worker: true }, ...(process.env.BENCH_CONCURRENCY ? { tuning: { concurrency: Number(process.env.BENCH_CONCURRENCY) } } : {}) });
      await waitFor(() => bench.clock.now() >= instant, LEAD_MS + 5000, 'the instant');
      const t0 = performance.now();
      const cpu = await cpuMeter(bench.redis);
      await waitFor(() => e.sent.messages >= 2 * count, 300_000, 'every message sent');
      const ms = performance.now() - t0;
      const used = await cpu();
      await e.close();
      return { rate: ((2 * count) / ms) * 1000, own: used.ownMs / (2 * count), redis: used.redisMs / (2 * count), calls: sum(used.calls) / (2 * count), byCommand: used.calls };
    };
    const { store: s0 } = bench.space();
    const [sampleId] = await bench.tasks(s0, 1);
    const sample = (await s0.get(sampleId!))!;
    const runBare = async (count: number, round: string): Promise<Round> => {
      const batch = renderedLike(bench.cfg, sample, count, round, instant);
      const cpu = await cpuMeter(bench.redis);
      const rate = await bareThroughput(sink, batch);
      const used = await cpu();
      return { rate, own: used.ownMs / count, redis: used.redisMs / count, calls: sum(used.calls) / count, byCommand: used.calls };
    };

    if (process.env.BENCH_ONLY === 'dondoc') {
      // For a profiler (node --cpu-prof): dondoc's rounds alone.
      for (let r = 0; r < ROUNDS; r++) {
        const x = await runDondoc(n);
        console.log(`dondoc round ${r}: ${Math.round(x.rate)} msg/s, ${x.own.toFixed(2)} ms node + ${x.redis.toFixed(2)} ms redis per message, ${x.calls.toFixed(1)} Redis commands per message: ${[...x.byCommand].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${(v / (2 * n)).toFixed(2)}`).join(', ')}`);
      }
      return;
    }
    if (process.env.BENCH_ONLY === 'bare') {
      for (let r = 0; r < ROUNDS; r++) console.log(`bare round ${r}: ${JSON.stringify(await runBare(2 * n, `p${r}`), (k, v) => (k === 'byCommand' ? undefined : v))}`);
      return;
    }
    // Warm-up: JIT, connections (a first round costs about twice the CPU per message).
    await runBare(2000, 'wb');
    await runDondoc(500);
    const bare: Round[] = [];
    const ours: Round[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      if (r % 2 === 0) {
        bare.push(await runBare(2 * n, `b${r}`));
        ours.push(await runDondoc(n));
      } else {
        ours.push(await runDondoc(n));
        bare.push(await runBare(2 * n, `b${r}`));
      }
    }
    const b = median(bare.map((r) => r.rate));
    const d = median(ours.map((r) => r.rate));
    const cpuOf = (rs: Round[]) => ({ own: median(rs.map((r) => r.own)), redis: median(rs.map((r) => r.redis)) });
    const cb = cpuOf(bare);
    const cd = cpuOf(ours);
    const bytes = renderedLike(bench.cfg, sample, 1, 'x', instant)[0]!;
    console.log(`delivery throughput (a): ${n} tasks → ${2 * n} copies → ${2 * n} messages (one per person, bundling off) × ${ROUNDS} rounds each, alternating (median); pool of 5; ~${Math.round((bytes.html.length + bytes.text.length) / 1024)} KB per message`);
    console.log(`machine: ${machine()}; load average ${os.loadavg()[0]!.toFixed(1)}; redis-server with AOF (everysec); SMTP sink in a child process`);
    console.log(`bare nodemailer          ${fmt(b, 'msg/s').padStart(12)}   (rounds: ${bare.map((x) => Math.round(x.rate)).join(', ')})   CPU per message: ${cb.own.toFixed(2)} ms node, ${cb.redis.toFixed(2)} ms redis`);
    console.log(`dondoc (job→plan→send)   ${fmt(d, 'msg/s').padStart(12)}   (rounds: ${ours.map((x) => Math.round(x.rate)).join(', ')})   CPU per message: ${cd.own.toFixed(2)} ms node, ${cd.redis.toFixed(2)} ms redis; ${median(ours.map((r) => r.calls)).toFixed(1)} Redis commands`);
    console.log(`ratio dondoc / bare: ${(d / b).toFixed(2)}   (goal ≥ 0.8); CPU per message dondoc / bare: ${((cd.own + cd.redis) / (cb.own + cb.redis)).toFixed(2)}`);
  } finally {
    sink.stop();
    await bench.stop();
  }
}

await main();
