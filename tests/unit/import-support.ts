// Shared by the import tests: the 2022 Thái Nguyên directory (letter 1510/UBND-TH predates the
// 2025 reorganisation) and the fixtures written by tests/fixtures/make-fixtures.ts.
import path from 'node:path';
import { loadConfig } from '../../src/config/load.js';

export const FIXTURES = path.resolve(import.meta.dirname, '../fixtures');
export const fixture = (...p: string[]): string => path.join(FIXTURES, ...p);

export const config2022 = loadConfig({ file: fixture('dondoc-2022.yaml'), env: {} });
export const org2022 = config2022.org;
export const ZONE = 'Asia/Ho_Chi_Minh';
