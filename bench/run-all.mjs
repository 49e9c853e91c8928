// Runs every benchmark in bench/ one after another (npm run bench). Each prints its figures;
// copy them into docs/BENCHMARKS.md with the machine they ran on.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

const only = process.argv.slice(2);
// The scale benches (scale-*) take half an hour: they run only when named, e.g. `npm run bench scale`.
const scripts = fs
  .readdirSync('bench')
  .filter((f) => f.endsWith('.ts') && (only.length === 0 ? !f.startsWith('scale-') : only.some((o) => f.includes(o))))
  .sort();
// bench/cli-startup.ts times the compiled build: bring dist/ up to date first.
if (scripts.includes('cli-startup.ts')) {
  const b = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  if (b.status !== 0) process.exit(1);
}
for (const s of scripts) {
  console.log(`\n=== bench/${s}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', `bench/${s}`], { stdio: 'inherit' });
  if (r.status !== 0) process.exitCode = 1;
}
