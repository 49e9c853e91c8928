// Letters per second for `dondoc extract` (read + draft, no sheet written): the seed letters
// as .docx and .pdf built here, and the short letters of tests/fixtures/letters as .md. The
// baseline measured in the same run is the .md form of the same letters (drafting alone), so
// the ratio shows what reading Word and PDF costs.
// Run: npx tsx bench/extract.ts [seconds per case]   (prints figures; no pass/fail)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config/load.js';
import { extractLetter } from '../src/extract/extract-letter.js';
import { docxFromMarkdown, pdfFromMarkdown } from '../tests/support/letter-files.js';

const SECONDS = Number(process.argv[2] ?? 3);
const LETTERS = 'tests/fixtures/letters';
const SEEDS: Array<[string, string]> = [
  ['1510-UBND-TH-thai-nguyen-2022-04-16.md', `${LETTERS}/dondoc-thai-nguyen-2022.yaml`],
  ['7176-UBND-NC-thai-nguyen-2024-12-04.md', 'config/dondoc.yaml'],
  ['79-VKS-VP-lang-son-2023-01-16.md', `${LETTERS}/dondoc-lang-son-2023.yaml`],
];
const SHORT = ['702-UBND-CNNXD-mot-doan.md', '1456-UBND-TH-ba-doan.md', '1234-UBND-KT-thieu-tieu-de.md', '45-TB-VPUBND-ket-luan.md'].map((f): [string, string] => [f, 'config/dondoc.yaml']);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dondoc-bench-extract-'));

async function files(set: Array<[string, string]>, format: 'md' | 'docx' | 'pdf'): Promise<Array<{ file: string; org: ReturnType<typeof loadConfig>['org'] }>> {
  const out = [];
  for (const [name, config] of set) {
    const md = fs.readFileSync(path.join(LETTERS, name), 'utf8');
    const file = path.join(tmp, name.replace(/\.md$/, `.${format}`));
    fs.writeFileSync(file, format === 'md' ? md : format === 'docx' ? await docxFromMarkdown(md) : await pdfFromMarkdown(md));
    out.push({ file, org: loadConfig({ file: config, env: {} }).org });
  }
  return out;
}

async function rate(label: string, list: Awaited<ReturnType<typeof files>>): Promise<number> {
  for (const l of list) await extractLetter(l.file, l.org); // warm up
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < SECONDS * 1000) {
    for (const l of list) await extractLetter(l.file, l.org);
    n += list.length;
  }
  const perSecond = n / ((performance.now() - t0) / 1000);
  const size = list.reduce((s, l) => s + fs.statSync(l.file).size, 0);
  console.log(`${label.padEnd(34)} ${perSecond.toFixed(1).padStart(8)} letters/s   (${list.length} letters, ${(size / 1024).toFixed(0)} KiB)`);
  return perSecond;
}

console.log(`extract: read + draft, ${SECONDS} s per case, node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'})`);
const seedMd = await rate('seeds, .md (baseline)', await files(SEEDS, 'md'));
const seedDocx = await rate('seeds, .docx', await files(SEEDS, 'docx'));
const seedPdf = await rate('seeds, .pdf', await files(SEEDS, 'pdf'));
const shortMd = await rate('short letters, .md', await files(SHORT, 'md'));
const shortDocx = await rate('short letters, .docx', await files(SHORT, 'docx'));
const shortPdf = await rate('short letters, .pdf', await files(SHORT, 'pdf'));
console.log(`ratio to .md: seeds docx ${(seedDocx / seedMd).toFixed(2)}, pdf ${(seedPdf / seedMd).toFixed(2)}; short docx ${(shortDocx / shortMd).toFixed(2)}, pdf ${(shortPdf / shortMd).toFixed(2)}`);
fs.rmSync(tmp, { recursive: true, force: true });
