// Where dondoc's own files live, independent of the working directory, so `npx dondoc` works
// from anywhere and falls back to the shipped example config (the embedded default).
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SHIPPED_CONFIG = path.join(PACKAGE_ROOT, 'config', 'dondoc.yaml');
export const SHIPPED_CALENDAR_DATA = path.join(PACKAGE_ROOT, 'data', 'calendar');
export const DEFAULT_CONFIG_PATH = path.join('config', 'dondoc.yaml');
