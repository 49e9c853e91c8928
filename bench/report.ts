// Report and repeat-lateness speed (pure core, one core): a monthly report over N tasks, its
// xlsx, and one evaluation of the lateness rule (what the engine does on each wake-up).
// Tasks use the shipped config; deadlines spread over 2025–2026, a third done (some late),
// a tenth extended.
//   npx tsx bench/report.ts [N]
import { loadConfig } from '../src/config/load.js';
import { dayFromYmd } from '../src/core/day.js';
import { latenessCrossings } from '../src/core/lateness.js';
import { type ReportInput, buildReport } from '../src/core/report.js';
import type { Task } from '../src/core/task.js';
import { renderReport } from '../src/report/render.js';

const N = Number(process.argv[2] ?? 100_000);
const loaded = loadConfig({ file: 'config/dondoc.yaml', env: {} });
const { calendar, org } = loaded;
const zone = calendar.zone;
const codes = [...org.bodies.values()].filter((b) => b.validTo === undefined && b.head.email).map((b) => b.code);
const first = dayFromYmd(2025, 1, 1);

let seed = 7176;
const rand = (n: number): number => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed % n;
};

const inputs: ReportInput[] = [];
for (let i = 0; i < N; i++) {
  const deadline = first + 30 + rand(700);
  const task: Task = {
    id: `bench-${i}`,
    revision: 1,
    kind: 'task',
    title: `Nhiệm vụ ${i}`,
    source: { number: `${i}/UBND-TH`, date: deadline - 60, issuer: 'UBND tỉnh Thái Nguyên' },
    lead: codes[rand(codes.length)]!,
    coordinators: [],
    assignedOn: deadline - 30 - rand(60),
    deadline: { day: deadline },
    extensions: [],
    occurrences: {},
    createdAt: 0,
    updatedAt: 0,
  };
  if (rand(10) === 0) task.extensions.push({ occurrence: 'once', previous: { day: deadline }, deadline: { day: deadline + 20 }, document: 'CV', approvedBy: 'CT', at: zone.instantAt(deadline - 3, 600) });
  if (rand(3) === 0) task.occurrences.once = { completedAt: zone.instantAt(deadline - 5 + rand(12), 600) };
  inputs.push({ task, history: [] });
}

const time = async <T>(what: string, fn: () => T | Promise<T>): Promise<T> => {
  await fn(); // warm-up
  const t0 = performance.now();
  const out = await fn();
  console.log(`  ${what}: ${((performance.now() - t0) / 1000).toFixed(2)} s`);
  return out;
};

console.log(`report: ${N.toLocaleString('en')} tasks, one core`);
const now = zone.instantAt(dayFromYmd(2026, 7, 15), 9 * 60);
const month = { from: dayFromYmd(2026, 6, 1), to: dayFromYmd(2026, 6, 30), now };
const report = await time('buildReport, June 2026', () => buildReport(inputs, calendar, org, month));
console.log(`    ${report.rows.length.toLocaleString('en')} rows in scope, ${report.bodies.length} bodies`);
await time('xlsx of that report', () => renderReport(report, 'xlsx'));
const crossings = await time('latenessCrossings (calendar year)', () => latenessCrossings(inputs, calendar, org, loaded.config.accountability.lateness, now));
console.log(`    ${crossings.length} crossings`);
