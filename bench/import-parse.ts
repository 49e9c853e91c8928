// Import parsing speed: a generated 100,000-row register in CSV → validated task inputs
// (decode, header, dates and deadline phrases, body matching, schema, shared ids). Parsing
// only: writing to Redis is measured by bench/store-*.ts.
// Run: npx tsx bench/import-parse.ts [rows]   (prints figures; no pass/fail)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config/load.js';
import { readTaskFile } from '../src/import/read-task-file.js';

const N = Number(process.argv[2] ?? 100_000);
const { org } = loadConfig({ file: 'tests/fixtures/dondoc-2022.yaml', env: {} });
const bodies = [...org.bodies.values()];
const DEADLINES = ['Quý II/2022', '30/06/2022', 'Năm 2022', 'tháng 9 năm 2022', 'Thường xuyên', 'hoàn thành trong quý III năm 2022', '15/12/2022'];

let seed = 7176;
const rnd = (n: number): number => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed % n;
};
const q = (s: string): string => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

// 1,000 letters of 100 items each; bodies written as clerks do (names, some without diacritics).
const lines = ['STT,"Số, ký hiệu văn bản",Ngày ban hành,Cơ quan ban hành,Mục,Nội dung nhiệm vụ,Đơn vị chủ trì,Đơn vị phối hợp,Thời hạn,Ngày hoàn thành'];
for (let i = 0; i < N; i++) {
  const letter = Math.floor(i / 100);
  const first = i % 100 === 0;
  const lead = bodies[rnd(bodies.length)]!;
  const coord = [bodies[rnd(bodies.length)]!, bodies[rnd(bodies.length)]!].filter((b) => b !== lead).map((b) => b.name);
  const leadName = rnd(4) === 0 ? lead.name.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D') : lead.name;
  lines.push(
    [
      String(i + 1),
      first ? `${1000 + letter}/UBND-TH` : '',
      first ? `${1 + (letter % 28)}/${1 + (letter % 6)}/2022` : '',
      first ? 'UBND tỉnh Thái Nguyên' : '',
      String((i % 100) + 1),
      `Nhiệm vụ số ${i + 1}: triển khai thực hiện nội dung được giao, báo cáo kết quả về UBND tỉnh; bảo đảm tiến độ và chất lượng.`,
      leadName,
      coord.join('; '),
      DEADLINES[rnd(DEADLINES.length)]!,
      rnd(5) === 0 ? '20/12/2022' : '',
    ]
      .map(q)
      .join(','),
  );
}
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dondoc-bench-'));
const file = path.join(dir, 'register.csv');
fs.writeFileSync(file, '\ufeff' + lines.join('\r\n'));
const mb = fs.statSync(file).size / 1e6;

try {
  const start = performance.now();
  const result = await readTaskFile(file, { org, zone: 'Asia/Ho_Chi_Minh' });
  const ms = performance.now() - start;
  const heap = process.memoryUsage().heapUsed / 1e6;
  console.log(`rows read:        ${N.toLocaleString('en-US')} (${mb.toFixed(1)} MB CSV)`);
  console.log(`tasks / problems: ${result.rows.length.toLocaleString('en-US')} / ${result.problems.length.toLocaleString('en-US')}`);
  console.log(`parse time:       ${(ms / 1000).toFixed(2)} s`);
  console.log(`rows per second:  ${Math.round((N / ms) * 1000).toLocaleString('en-US')}`);
  console.log(`heap used after:  ${heap.toFixed(0)} MB`);
  if (result.problems.length) console.log('first problem:', result.problems[0]);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
