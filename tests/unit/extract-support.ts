// Shared by the extract tests: the letters of tests/fixtures/letters, the configs they are read
// with, and the projection of a draft row that the expected-rows files record.
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config/load.js';
import { formatIsoDay } from '../../src/core/day.js';
import type { Draft, DraftRow } from '../../src/extract/draft.js';
import { draftLetter } from '../../src/extract/draft.js';
import { joinBlocks } from '../../src/extract/letter-text.js';
import { markdownBlocks } from '../../src/extract/read-markdown.js';

export const LETTERS = path.resolve(import.meta.dirname, '../fixtures/letters');
export const letterPath = (name: string): string => path.join(LETTERS, name);

const configs = new Map<string, ReturnType<typeof loadConfig>>();
export const configFor = (name: string) => {
  const file = name === 'shipped' ? undefined : letterPath(name);
  let c = configs.get(name);
  if (!c) configs.set(name, (c = loadConfig({ ...(file ? { file } : {}), env: {} })));
  return c;
};

/** Each fixture letter, the config it is read with, and its expected-rows file. */
export const FIXTURES: Array<{ letter: string; config: string; expected: string }> = [
  { letter: '1510-UBND-TH-thai-nguyen-2022-04-16.md', config: 'dondoc-thai-nguyen-2022.yaml', expected: 'expected/1510-UBND-TH.yaml' },
  { letter: '7176-UBND-NC-thai-nguyen-2024-12-04.md', config: 'shipped', expected: 'expected/7176-UBND-NC.yaml' },
  { letter: '79-VKS-VP-lang-son-2023-01-16.md', config: 'dondoc-lang-son-2023.yaml', expected: 'expected/79-VKS-VP.yaml' },
  { letter: '702-UBND-CNNXD-mot-doan.md', config: 'shipped', expected: 'expected/702-UBND-CNNXD.yaml' },
  { letter: '1456-UBND-TH-ba-doan.md', config: 'shipped', expected: 'expected/1456-UBND-TH.yaml' },
  { letter: '1234-UBND-KT-thieu-tieu-de.md', config: 'shipped', expected: 'expected/1234-UBND-KT.yaml' },
  { letter: '45-TB-VPUBND-ket-luan.md', config: 'shipped', expected: 'expected/45-TB-VPUBND.yaml' },
];

export const draftOf = (letter: string, config: string, expandAll = false): Draft =>
  draftLetter(joinBlocks(markdownBlocks(fs.readFileSync(letterPath(letter), 'utf8'))), configFor(config).org, { expandAll });

/** What an expected-rows file says of a row. */
export function project(r: DraftRow): Record<string, unknown> {
  const lead = r.lead.value;
  return {
    number: r.number ?? null,
    issuer: r.issuer ?? null,
    item: r.item.value,
    lead: lead === undefined ? null : 'code' in lead ? lead.code : 'all' in lead ? 'ALL' : `? ${lead.unknown}`,
    coordinators: r.coordinators.value.map((c) => c.code),
    deadline: r.deadline.value === undefined ? null : r.deadline.value === null ? 'none' : formatIsoDay(r.deadline.value.day),
    ...(r.reportTo ? { report_to: r.reportTo.value.code ?? r.reportTo.value.name } : {}),
    ...(r.recurrence ? { recurrence: r.recurrence.value } : {}),
    flags: [...new Set(r.flags.map((f) => f.field))],
  };
}

export const expectedRows = (file: string): unknown[] => parse(fs.readFileSync(letterPath(file), 'utf8')).rows as unknown[];
