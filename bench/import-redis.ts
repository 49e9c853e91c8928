// Benchmark: import 100,000 tasks from a CSV register into a private Redis, the way
// `dondoc import` does (read + validate, build, idempotent upsert), then again (all unchanged).
// Prints tasks per second per phase and Redis bytes per task (INFO used_memory delta / count,
// and MEMORY USAGE of a sample of keys).
//
//   npx tsx bench/import-redis.ts [--count 100000]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config/load.js';
import { readTaskFile } from '../src/import/read-task-file.js';
import { connectRedis } from '../src/store/redis.js';
import { makeTaskBuilder } from '../src/store/task-builder.js';
import { makeTaskStore } from '../src/store/task-store.js';
import type { UpsertItem } from '../src/store/upsert-plan.js';
import { startRedis } from '../tests/support/redis-server.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argCount = process.argv.indexOf('--count');
const COUNT = argCount > 0 ? Number(process.argv[argCount + 1]) : 100_000;
const ITEMS_PER_LETTER = 100;

const cfg = loadConfig({ file: path.join(ROOT, 'tests/fixtures/dondoc-2022.yaml') });
const bodies = [...cfg.org.bodies.values()];

/** A clerk's register: title rows, Vietnamese headers, one row per task, ";"-separated coordinators. */
function writeCsv(file: string): void {
  const q = (s: string): string => (/[",\n;]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = [
    'ỦY BAN NHÂN DÂN TỈNH THÁI NGUYÊN',
    'DANH MỤC NHIỆM VỤ (dữ liệu thử hiệu năng)',
    '',
    ['STT', 'Số, ký hiệu văn bản', 'Ngày ban hành', 'Trích yếu', 'Nội dung nhiệm vụ', 'Đơn vị chủ trì', 'Đơn vị phối hợp', 'Thời hạn'].map(q).join(','),
  ];
  for (let i = 0; i < COUNT; i++) {
    const letter = Math.floor(i / ITEMS_PER_LETTER) + 1;
    const item = (i % ITEMS_PER_LETTER) + 1;
    const month = (letter % 12) + 1;
    const lead = bodies[i % bodies.length]!;
    const coord = [bodies[(i * 7 + 3) % bodies.length]!, bodies[(i * 13 + 5) % bodies.length]!].filter((b) => b !== lead);
    lines.push(
      [
        String(item),
        `${letter}/UBND-TH`,
        `${String((letter % 28) + 1).padStart(2, '0')}/${String(month).padStart(2, '0')}/2022`,
        `V/v triển khai nhiệm vụ trọng tâm tháng ${month} năm 2022`,
        `Nhiệm vụ số ${item} của văn bản ${letter}: tổ chức thực hiện, báo cáo kết quả về UBND tỉnh qua Văn phòng UBND tỉnh đúng thời hạn.`,
        lead.name,
        coord.map((b) => b.name).join('; '),
        i % 10 === 0 ? 'Năm 2023' : i % 10 === 1 ? 'Thường xuyên' : `${String((i % 28) + 1).padStart(2, '0')}/${String(((month + 2) % 12) + 1).padStart(2, '0')}/2023`,
      ]
        .map(q)
        .join(','),
    );
  }
  fs.writeFileSync(file, `\ufeff${lines.join('\n')}\n`);
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const rate = (n: number, ms: number): string => `${fmt((n / ms) * 1000)} tasks/s (${(ms / 1000).toFixed(2)} s)`;

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dondoc-bench-'));
  const file = path.join(dir, 'register.csv');
  writeCsv(file);
  // Production persistence (AOF, fsync every second), not the tests' fsync-always.
  const server = await startRedis({ args: ['--appendfsync', 'everysec'] });
  const redis = await connectRedis(server.url, { role: 'cli', timeoutMs: 60_000 });
  const now = Date.parse('2022-12-01T02:00:00Z');
  try {
    const store = makeTaskStore({ redis, url: server.url, prefix: 'bench', calendar: cfg.calendar, now: () => now });
    const builder = makeTaskBuilder({ calendar: cfg.calendar, org: cfg.org, now: () => now });
    const memBefore = usedMemory(await redis.info('memory'));

    let t0 = performance.now();
    const read = await readTaskFile(file, { org: cfg.org, zone: cfg.calendar.zone.name });
    const tRead = performance.now() - t0;
    if (read.problems.length) throw new Error(`the generated register has ${read.problems.length} problems, e.g. ${JSON.stringify(read.problems[0])}`);

    t0 = performance.now();
    const items: UpsertItem[] = read.rows.map((r) => builder.build(builder.resolveBodies(r.input), 'import:bench'));
    const tBuild = performance.now() - t0;

    t0 = performance.now();
    const first = await store.upsertMany(items, 'import:bench');
    const tWrite = performance.now() - t0;

    t0 = performance.now();
    const again = await store.upsertMany(items, 'import:bench');
    const tAgain = performance.now() - t0;

    const memAfter = usedMemory(await redis.info('memory'));
    const n = first.created.length;
    const sample = items.filter((_, i) => i % Math.max(1, Math.floor(items.length / 200)) === 0).map((it) => it.task.id);
    const usage = async (keys: string[]): Promise<number> => {
      let total = 0;
      for (const k of keys) total += Number((await redis.call('MEMORY', 'USAGE', k, 'SAMPLES', '0')) ?? 0);
      return total / keys.length;
    };
    const taskBytes = await usage(sample.map((id) => store.keys.task(id)));
    const historyBytes = await usage(sample.map((id) => store.keys.history(id)));
    const indexKeys = [store.keys.all, store.keys.open, store.keys.closed, ...bodies.map((b) => store.keys.body(b.code))];
    let indexTotal = 0;
    for (const k of indexKeys) indexTotal += Number((await redis.call('MEMORY', 'USAGE', k, 'SAMPLES', '0')) ?? 0);

    const out = [
      `dondoc import into Redis — ${fmt(read.rows.length)} tasks from a ${(fs.statSync(file).size / 1e6).toFixed(1)} MB CSV (${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version})`,
      `  read + validate (readTaskFile)  ${rate(read.rows.length, tRead)}`,
      `  build (org checks, buildTask)   ${rate(items.length, tBuild)}`,
      `  write (upsertMany, created ${fmt(n)})  ${rate(n, tWrite)}`,
      `  total first import              ${rate(n, tRead + tBuild + tWrite)}`,
      `  re-import (unchanged ${fmt(again.unchanged.length)})     ${rate(again.unchanged.length, tAgain)} (write phase only)`,
      `Redis memory: ${fmt(memAfter - memBefore)} bytes used_memory delta → ${fmt((memAfter - memBefore) / n)} bytes per task`,
      `  MEMORY USAGE (sample of ${sample.length}): task ${fmt(taskBytes)} B + history ${fmt(historyBytes)} B per task; indexes ${fmt(indexTotal / n)} B per task`,
    ];
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    redis.disconnect();
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function usedMemory(info: string): number {
  const m = /^used_memory:(\d+)/m.exec(info);
  if (!m) throw new Error('INFO memory has no used_memory');
  return Number(m[1]);
}

await main();
