// Where dondoc's own files live, independent of the working directory, so `npx dondoc` works
// from anywhere and falls back to the shipped example config (the embedded default).
// The same from the sources (src/config/) and from the compiled build (dist/src/config/):
// the package root is the nearest directory above that holds dondoc's package.json.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function packageRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'templates'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(from, '..', '..');
  }
}

export const PACKAGE_ROOT = packageRoot(path.dirname(fileURLToPath(import.meta.url)));
export const SHIPPED_CONFIG = path.join(PACKAGE_ROOT, 'config', 'dondoc.yaml');
export const SHIPPED_CALENDAR_DATA = path.join(PACKAGE_ROOT, 'data', 'calendar');
export const DEFAULT_CONFIG_PATH = path.join('config', 'dondoc.yaml');
