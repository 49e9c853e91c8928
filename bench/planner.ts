// Planner speed: plans per second over 100,000 open tasks on one core, and the time that
// implies for re-planning one million (goal: under a minute). Tasks use the shipped config,
// its org directory and the default 7176 ladder; deadlines spread over 2025–2026 so plans
// cross Tết, the swapped days and every state (planned, due, superseded).
//   npx tsx bench/planner.ts [N]
import { loadConfig } from '../src/config/load.js';
import { dayFromYmd } from '../src/core/day.js';
import { planNotifications } from '../src/core/planner.js';
import type { Task } from '../src/core/task.js';

const N = Number(process.argv[2] ?? 100_000);
const loaded = loadConfig({ file: 'config/dondoc.yaml', env: {} });
const { calendar, org } = loaded;
const policy = loaded.config.policy;
const codes = [...org.bodies.values()].filter((b) => b.validTo === undefined && b.head.email).map((b) => b.code);
const first = dayFromYmd(2025, 1, 1);

// A deterministic pseudo-random sequence, so runs compare.
let seed = 7176;
const rand = (n: number): number => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed % n;
};

const tasks: Task[] = [];
for (let i = 0; i < N; i++) {
  const deadline = first + 30 + rand(700);
  const lead = codes[rand(codes.length)]!;
  const coordinators = rand(3) === 0 ? [] : [codes[rand(codes.length)]!, codes[rand(codes.length)]!].filter((c) => c !== lead);
  tasks.push({
    id: `bench-${i}`,
    revision: 1,
    kind: 'task',
    title: `Nhiệm vụ ${i}`,
    source: { number: `${i}/UBND-TH`, date: deadline - 60, issuer: 'UBND tỉnh Thái Nguyên' },
    lead,
    coordinators: [...new Set(coordinators)],
    assignedOn: deadline - 30 - rand(60),
    deadline: { day: deadline },
    extensions: [],
    occurrences: {},
    createdAt: 0,
    updatedAt: 0,
  });
}
const now = calendar.zone.instantAt(dayFromYmd(2025, 12, 1), 9 * 60);

const run = (): { ms: number; notifications: number } => {
  const t0 = performance.now();
  let notifications = 0;
  for (const t of tasks) notifications += planNotifications(t, undefined, policy, calendar, org, now).length;
  return { ms: performance.now() - t0, notifications };
};

run(); // warm-up: JIT and the recipient cache
const { ms, notifications } = run();
const perSecond = N / (ms / 1000);
console.log(`planner: ${N.toLocaleString('en')} tasks planned in ${(ms / 1000).toFixed(2)} s on one core`);
console.log(`  ${Math.round(perSecond).toLocaleString('en')} plans/s, ${Math.round(notifications / (ms / 1000)).toLocaleString('en')} notifications/s (${(notifications / N).toFixed(1)} per task)`);
console.log(`  1,000,000 open tasks: ${(1_000_000 / perSecond).toFixed(1)} s (goal < 60 s) → ratio ${(1_000_000 / perSecond / 60).toFixed(2)} of the budget`);
