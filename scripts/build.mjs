#!/usr/bin/env node
// The compiled build: src/ and jobs/ → dist/ with tsc (tsconfig.build.json, incremental), so
// `bin/dondoc.mjs` runs JavaScript and starts fast. Run by `npm ci` / `npm install` (the
// `prepare` script), by `npm run build`, and before the tests (tests/support/global-setup.ts).
// An install without dev dependencies (`npm ci --omit=dev`) has no TypeScript: it keeps a
// dist/ made elsewhere (the Dockerfile copies one from its build stage), or says what to do.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MAIN = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');

let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  if (fs.existsSync(MAIN)) {
    console.error('build: TypeScript is not installed (production install); keeping the existing dist/');
    process.exit(0);
  }
  console.error('build: TypeScript is not installed and there is no dist/: run `npm ci` (with dev dependencies) to build, or copy a built dist/ here');
  process.exit(1);
}
const r = spawnSync(process.execPath, [tsc, '-p', path.join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit', cwd: ROOT });
process.exit(r.status ?? 1);
