#!/usr/bin/env node
// The dondoc command. Runs the compiled build in dist/ (made by `npm ci` through the prepare
// script, or `npm run build`), so a command starts in a fraction of a second. A checkout
// without a build falls back to the TypeScript sources through tsx (a dev dependency), slower,
// and says so; after changing the sources, `npm run build` brings dist/ up to date.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/src/cli/main.js', import.meta.url);
let runCli;
if (existsSync(compiled)) {
  ({ runCli } = await import(compiled.href));
} else {
  let tsx;
  try {
    tsx = await import('tsx/esm/api');
  } catch {
    process.stderr.write('dondoc is not built (no dist/): run `npm run build` (or `npm ci`) in its directory\n');
    process.exit(3);
  }
  process.stderr.write('dondoc: no compiled build (dist/): running the sources through tsx; `npm run build` makes it start fast\n');
  tsx.register();
  ({ runCli } = await import('../src/cli/main.ts'));
}
process.exitCode = await runCli(process.argv.slice(2));
