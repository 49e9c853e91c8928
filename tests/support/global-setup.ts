// Runs once before the suite. Integration tests start their own redis-server and SMTP
// server on free ports (tests/support/*), so all this checks is that the binaries exist,
// failing early with a useful message instead of a timeout per test.
//
// Tests that run `bin/dondoc.mjs` as a user does run the compiled build (dist/): it is brought
// up to date here when a source is newer than it, so they always test the code as it is.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function newestMtime(p: string): number {
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const name of fs.readdirSync(p)) max = Math.max(max, newestMtime(path.join(p, name)));
  return max;
}

function buildIfStale(): void {
  const stamp = path.join(ROOT, 'dist', '.tsbuildinfo');
  const built = fs.existsSync(stamp) ? fs.statSync(stamp).mtimeMs : -1;
  const sources = Math.max(...['src', 'jobs', 'tsconfig.json', 'tsconfig.build.json'].map((p) => newestMtime(path.join(ROOT, p))));
  if (built >= sources) return;
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' });
  // tsc leaves the build info untouched when nothing changed (an edit undone): mark it fresh.
  const now = new Date();
  fs.utimesSync(stamp, now, now);
}

export default function setup(): void {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error('redis-server is not installed: integration tests need it (apt-get install -y redis-server). .ci/run installs it.');
  }
  buildIfStale();
}
