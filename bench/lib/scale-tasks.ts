// Many realistic tasks straight into Redis, for the scale benchmarks (bench/scale-*.ts): each
// task is built the way the API and the importer build it (resolveBodies + build: the org
// directory, successors, the first history event), then written with the store's own key
// layout and index entries (keys.ts, index-entries.ts) in pipelines of a few thousand commands
// — a million tasks in about a minute instead of an hour of one-by-one creates. What the store
// would also write and these skip: the dirty marks (cleared at once by a real write anyway).
// One Redis server only: a cluster pipeline must stay within one node's slots.
import type { LoadedConfig } from '../../src/config/load.js';
import type { Day } from '../../src/core/day.js';
import type { Deadline, Task } from '../../src/core/task.js';
import type { TaskInput } from '../../src/core/task-codec.js';
import { indexEntries, redisScore } from '../../src/store/index-entries.js';
import { makeKeys } from '../../src/store/keys.js';
import { type RedisClient, eachServer } from '../../src/store/redis.js';
import { scheduleKey } from '../../src/store/schedule.js';
import { makeTaskBuilder } from '../../src/store/task-builder.js';

export interface GenerateOptions {
  prefix: string;
  cfg: LoadedConfig;
  /** The clock: tasks are created "now", assigned before it. */
  now: number;
  /** How many tasks. */
  n: number;
  /** Share of tasks whose deadline has passed (an escalation is due now); the rest are due in the next 12 months. */
  overdue: number;
  /** Give each task a schedule entry at this instant (null: none, as before the scheduler runs). */
  scheduleAt: number | null;
  /** Deterministic pseudo-random seed, so runs compare. */
  seed?: number;
  /** Called every 100,000 tasks. */
  progress?: (done: number) => void;
  /** Task numbers start here (ids stay unique across calls); default 0. */
  first?: number;
  /** The deadline of task i, instead of the random spread (the delivery benchmark times each minute). */
  deadline?: (i: number) => Deadline;
}

/** Bodies that can lead a task in the config's year: an active head with a mailbox. */
export function leadBodies(cfg: LoadedConfig, onDay: Day): string[] {
  return [...cfg.org.bodies.values()].filter((b) => b.head.email && (b.validFrom ?? -Infinity) <= onDay && (b.validTo ?? Infinity) >= onDay).map((b) => b.code);
}

const SUBJECTS = [
  'V/v tập trung thực hiện một số nhiệm vụ trọng tâm',
  'V/v triển khai Chương trình chuyển đổi số của tỉnh',
  'V/v tăng cường công tác phòng, chống thiên tai và tìm kiếm cứu nạn',
  'V/v đẩy nhanh tiến độ giải ngân vốn đầu tư công',
  'V/v báo cáo kết quả thực hiện cải cách hành chính',
];

/** Writes `n` tasks (and, if asked, their schedule entries); returns the ids in order. */
export async function generateTasks(redis: RedisClient, o: GenerateOptions): Promise<string[]> {
  const keys = makeKeys(o.prefix);
  const schedule = scheduleKey(o.prefix);
  const zone = o.cfg.calendar.zone;
  const today = zone.dayOf(o.now);
  const builder = makeTaskBuilder({ calendar: o.cfg.calendar, org: o.cfg.org, now: () => o.now });
  const bodies = leadBodies(o.cfg, today);
  let seed = o.seed ?? 7176;
  const rand = (k: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % k;
  };

  const ids: string[] = [];
  const CHUNK = 5000;
  const first = o.first ?? 0;
  let inFlight: Promise<unknown> = Promise.resolve();
  for (let start = first; start < first + o.n; start += CHUNK) {
    // Few, wide commands (one MSET, one ZADD per index key) keep the client's garbage low.
    const mset: string[] = [];
    const zadds = new Map<string, Array<string | number>>();
    const pipe = redis.pipeline();
    for (let i = start; i < Math.min(first + o.n, start + CHUNK); i++) {
      const letter = Math.floor(i / 40) + 1;
      const item = (i % 40) + 1;
      const overdue = rand(1_000_000) < o.overdue * 1_000_000;
      // Overdue: due 1–25 days ago (some reach level 2 or 3); else 1–365 days ahead.
      const fixed = o.deadline?.(i);
      const deadline: Day = fixed ? fixed.day : overdue ? today - 1 - rand(25) : today + 1 + rand(365);
      const assigned: Day = Math.min(today, deadline - 20 - rand(60));
      const lead = bodies[rand(bodies.length)]!;
      const coordinators = [...new Set(Array.from({ length: rand(3) }, () => bodies[rand(bodies.length)]!))].filter((c) => c !== lead);
      const input: TaskInput = {
        kind: 'task',
        title: `Tổ chức thực hiện và báo cáo kết quả nhiệm vụ số ${item} của văn bản ${letter}/UBND-TH, gửi Văn phòng UBND tỉnh tổng hợp`,
        source: { number: `${letter}/UBND-TH`, date: assigned, issuer: 'UBND tỉnh Thái Nguyên', subject: SUBJECTS[letter % SUBJECTS.length]!, item: String(item) },
        lead,
        coordinators,
        // A few deadlines name a time of day (16:00), as some letters do.
        deadline: fixed ?? (rand(10) === 0 ? { day: deadline, minute: 16 * 60 } : { day: deadline }),
        events: [],
      } as TaskInput;
      const built = builder.build(builder.resolveBodies(input), 'bench');
      const task: Task = built.task;
      ids.push(task.id);
      mset.push(keys.task(task.id), JSON.stringify(task));
      pipe.rpush(keys.history(task.id), ...built.events.map((e) => JSON.stringify(e)));
      const add = (key: string, score: string | number): void => {
        const list = zadds.get(key);
        if (list) list.push(score, task.id);
        else zadds.set(key, [score, task.id]);
      };
      for (const e of indexEntries(task, keys)) add(e.key, redisScore(e.score));
      if (o.scheduleAt !== null) add(schedule, Math.floor(o.scheduleAt));
    }
    pipe.mset(...mset);
    for (const [key, args] of zadds) pipe.zadd(key, ...args);
    // One chunk in flight while the next is built.
    await inFlight;
    inFlight = pipe.exec();
    if (o.progress && Math.floor((start + CHUNK - first) / 100_000) > Math.floor((start - first) / 100_000)) o.progress(Math.min(o.n, start + CHUNK - first));
  }
  await inFlight;
  return ids;
}

/** A schedule entry for each id at `at` (after the tasks were written without one). */
export async function scheduleAll(redis: RedisClient, prefix: string, ids: readonly string[], at: number): Promise<void> {
  const key = scheduleKey(prefix);
  for (let i = 0; i < ids.length; i += 5000) {
    const args: Array<string | number> = [];
    for (const id of ids.slice(i, i + 5000)) args.push(Math.floor(at), id);
    await redis.zadd(key, ...args);
  }
}

/** INFO used_memory of every master, summed (bytes). */
export async function usedMemory(redis: RedisClient): Promise<number> {
  let total = 0;
  for (const s of eachServer(redis)) total += Number(/used_memory:(\d+)/.exec(await s.info('memory'))![1]);
  return total;
}
