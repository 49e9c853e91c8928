// Calendar speed: is-working checks, add and count over 10-year spans.
// Run: npx tsx bench/calendar.ts   (prints figures; no pass/fail)
import { loadConfig } from '../src/config/load.js';
import { dayFromYmd } from '../src/core/day.js';

const t0 = performance.now();
const { calendar } = loadConfig({ file: 'config/dondoc.yaml', env: {} });
const buildMs = performance.now() - t0;

const lo = dayFromYmd(2020, 1, 1);
const span = dayFromYmd(2030, 1, 1) - lo; // 10 years
let seed = 42;
const rnd = (n: number): number => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed % n;
};
const N = 2_000_000;
const days = Int32Array.from({ length: N }, () => lo + rnd(span));
const ns = Int32Array.from({ length: N }, () => rnd(2 * 2500) - 2500); // up to ±10 years of working days

function measure(name: string, fn: (i: number) => number): void {
  let sink = 0;
  for (let i = 0; i < 100_000; i++) sink += fn(i); // warm-up
  const start = performance.now();
  for (let i = 0; i < N; i++) sink += fn(i);
  const ms = performance.now() - start;
  console.log(`${name.padEnd(34)} ${Math.round((N / ms) * 1000).toLocaleString('en-US').padStart(14)} ops/s   (${N.toLocaleString('en-US')} in ${ms.toFixed(0)} ms; checksum ${sink % 997})`);
}

console.log(`calendar build (1900–2199 tables + config load): ${buildMs.toFixed(1)} ms`);
measure('isWorkingDay (2020–2029)', (i) => (calendar.isWorkingDay(days[i]!) ? 1 : 0));
measure('add(d, n), |n| ≤ 2500 (≈10 years)', (i) => calendar.add(days[i]!, ns[i]!));
measure('count(d, d + up to 10 years)', (i) => calendar.count(days[i]!, days[i]! + (ns[i]! & 0xfff)));
measure('effectiveEnd(d)', (i) => calendar.effectiveEnd(days[i]!));
