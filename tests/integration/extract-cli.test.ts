// `dondoc extract` and `dondoc import LETTER` end to end: .docx and .pdf letters the test
// builds from the seed letters (Vietnamese kept through Word and PDF), the sheet written with
// --out and read back by import, a letter imported in one step (flagged rows block the write
// unless --partial, which writes only the unflagged ones), and every kind of bad input: one
// message, exit 1, nothing written.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseInstant } from '../../src/core/zone.js';
import { ROOT, runCliCaptured } from '../support/cli.js';
import { docxFromMarkdown, pdfFromMarkdown, writeFile } from '../support/letter-files.js';
import { type PrivateRedis, randomPrefix, startRedis } from '../support/redis-server.js';

const LETTERS = path.join(ROOT, 'tests/fixtures/letters');
const TN2022 = path.join(LETTERS, 'dondoc-thai-nguyen-2022.yaml');
const LS2023 = path.join(LETTERS, 'dondoc-lang-son-2023.yaml');
const md = (name: string): string => fs.readFileSync(path.join(LETTERS, name), 'utf8');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dondoc-extract-'));
const at = (f: string) => path.join(tmp, f);
const now = () => parseInstant('2024-12-10T09:00', 'Asia/Ho_Chi_Minh')!;
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

type Json = { documents: Array<Record<string, any>>; rows: Array<Record<string, any>>; flagged: number }; // eslint-disable-line @typescript-eslint/no-explicit-any
const extractJson = async (file: string, ...args: string[]) => {
  const r = await runCliCaptured(['extract', file, '--json', ...args], { env: {}, now });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Json;
};
const leads = (j: Json, item: string) => j.rows.filter((r) => r.item.value === item).map((r) => r.lead.value?.code ?? (r.lead.value?.all ? 'ALL' : null));

describe('letters built as .docx and .pdf from the seeds', () => {
  for (const format of ['docx', 'pdf'] as const) {
    it(`7176/UBND-NC as .${format}: items 1–6, items 4 and 5 led by VPUBND and SNV, diacritics kept`, async () => {
      const source = md('7176-UBND-NC-thai-nguyen-2024-12-04.md');
      const file = writeFile(at(`7176.${format}`), format === 'docx' ? await docxFromMarkdown(source) : await pdfFromMarkdown(source));
      const j = await extractJson(file);
      expect(j.documents[0]!.number.value).toBe('7176/UBND-NC');
      expect(j.documents[0]!.date.value).toBe('2024-12-04');
      expect(j.documents[0]!.issuer.value).toBe('UBND tỉnh Thái Nguyên');
      expect(j.documents[0]!.subject.value).toBe('V/v chấn chỉnh việc thực hiện nhiệm vụ giải quyết hồ sơ, công việc; kỷ luật, kỷ cương hành chính');
      expect(j.documents[0]!.items.map((i: { number: string }) => i.number)).toEqual(['1', '2', '3', '4', '5', '6']);
      expect(leads(j, '4')).toEqual(['VPUBND']);
      expect(leads(j, '5')).toEqual(['SNV']);
      expect(j.rows.find((r) => r.item.value === '5')!.title).toBe('Gắn kết quả tham mưu thực hiện nhiệm vụ được UBND tỉnh, Chủ tịch UBND tỉnh giao');
    });

    it(`79/VKS-VP with plan 08/KH-UBND as .${format}: VI.8 yearly to Sở Nội vụ, VI.1 one row per department`, async () => {
      const source = md('79-VKS-VP-lang-son-2023-01-16.md');
      const file = writeFile(at(`79.${format}`), format === 'docx' ? await docxFromMarkdown(source) : await pdfFromMarkdown(source));
      const j = await extractJson(file, '--config', LS2023);
      expect(j.documents.map((d) => d.number.value)).toEqual(['79/VKS-VP', '08/KH-UBND']);
      expect(j.documents[1]!.items.filter((i: { task: boolean }) => i.task).map((i: { number: string }) => i.number)).toEqual(['IV.1', 'IV.2', 'IV.3', 'IV.4', 'IV.5', 'V.1', 'V.2', 'VI.1', 'VI.2', 'VI.3', 'VI.4', 'VI.5', 'VI.6', 'VI.7', 'VI.8']);
      const vi8 = j.rows.find((r) => r.item.value === 'VI.8')!;
      expect(vi8.recurrence.value).toEqual({ freq: 'yearly' });
      expect(vi8.report_to.value.code).toBe('SNV');
      expect(leads(j, 'VI.1')).toEqual(['SKHDT', 'SGTVT', 'SCT', 'STTTT', 'SNNPTNT', 'SXD', 'STNMT', 'SYT', 'SKHCN', 'SGDDT', 'SVHTTDL', 'SNV', 'STC', 'TTT']);
    });
  }

  it('1510/UBND-TH as .pdf: the twelve items, item 12 led by Ban Dân tộc tỉnh', async () => {
    const file = writeFile(at('1510.pdf'), await pdfFromMarkdown(md('1510-UBND-TH-thai-nguyen-2022-04-16.md')));
    const j = await extractJson(file, '--config', TN2022);
    expect(j.documents[0]!.items.map((i: { number: string }) => i.number)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12']);
    expect(leads(j, '12')).toEqual(['BDT']);
  });

  it('a Word list numbered automatically keeps its numbers', async () => {
    const { Document, Packer, Paragraph, AlignmentType, LevelFormat } = await import('docx');
    const doc = new Document({
      numbering: { config: [{ reference: 'n', levels: [{ level: 0, format: LevelFormat.DECIMAL, text: '%1.', alignment: AlignmentType.LEFT }] }] },
      sections: [
        {
          children: [
            new Paragraph('Số: 77/UBND-TH'),
            new Paragraph('Thái Nguyên, ngày 2 tháng 1 năm 2024'),
            new Paragraph('Chủ tịch UBND tỉnh yêu cầu các cơ quan thực hiện các nội dung sau đây:'),
            new Paragraph({ text: 'Giao Sở Y tế chủ trì rà soát, hoàn thành trước ngày 30/6/2024.', numbering: { reference: 'n', level: 0 } }),
            new Paragraph({ text: 'Giao Sở Tài chính bố trí kinh phí, hoàn thành trong quý III năm 2024.', numbering: { reference: 'n', level: 0 } }),
          ],
        },
      ],
    });
    const file = writeFile(at('auto.docx'), Buffer.from(await Packer.toBuffer(doc)));
    const j = await extractJson(file);
    expect(j.rows.map((r) => [r.item.value, r.lead.value.code, r.deadline.value])).toEqual([
      ['1', 'SYT', '2024-06-30'],
      ['2', 'STC', '2024-09-30'],
    ]);
  });
});

describe('the sheet: written by extract --out, read by import as it is', () => {
  it('writes .csv and .xlsx with the import headers and the review columns', async () => {
    for (const ext of ['csv', 'xlsx']) {
      const out = at(`1456.${ext}`);
      const r = await runCliCaptured(['extract', path.join(LETTERS, '1456-UBND-TH-ba-doan.md'), '--out', out], { env: {}, now });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`3 dòng, 1 cần xem lại; đã ghi ${out}`);
      const p = await runCliCaptured(['preview', '--tasks', out, '--json'], { env: {}, now });
      // The ALL row is refused by name; the two others plan.
      expect(p.code).toBe(1);
      expect(p.stderr).toContain('dòng 3');
      expect(p.stderr).toContain('không có đơn vị "ALL: Các sở, ban, ngành tỉnh" trong danh bạ');
      expect(p.stderr).toContain('2 lỗi ở các dòng của tệp; chưa lập lịch gửi');
    }
  });
});

describe('dondoc import LETTER', () => {
  let server: PrivateRedis;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    await server?.stop();
  });
  const dondoc = (prefix: string, ...argv: string[]) => runCliCaptured(argv, { env: { REDIS_URL: server.url, DONDOC_KEY_PREFIX: prefix, USER: 'vanthu' }, now });

  it('--dry-run shows the drafted rows and what would be written; flagged rows block the write', async () => {
    const prefix = randomPrefix('let');
    const letter = path.join(LETTERS, '1456-UBND-TH-ba-doan.md');
    const dry = await dondoc(prefix, 'import', letter, '--dry-run');
    expect(dry.code).toBe(1);
    expect(dry.stdout).toContain('dòng 2: mục P1 · chủ trì: Sở Tài chính');
    expect(dry.stdout).toContain('dòng 3: mục P2 · chủ trì: ALL: Các sở, ban, ngành tỉnh; UBND các huyện, thành phố');
    expect(dry.stdout).toContain('cần xem lại');
    expect(dry.stdout).toContain('lỗi: ');
    expect(dry.stdout).toContain('--expand-all');
    const json = JSON.parse((await dondoc(prefix, 'import', letter, '--dry-run', '--json')).stdout) as { written: boolean; draft: unknown[]; problems: Array<{ row: number }> };
    expect(json.written).toBe(false);
    expect(json.draft).toHaveLength(3);
    expect([...new Set(json.problems.map((p) => p.row))]).toEqual([3]);
    // Nothing was written.
    const list = await dondoc(prefix, 'task', 'list', '--json');
    expect(JSON.parse(list.stdout)).toMatchObject({ items: [] });
  });

  it('--partial writes the unflagged rows only; --expand-all makes the ALL row one row per body', async () => {
    const prefix = randomPrefix('let');
    const letter = path.join(LETTERS, '1456-UBND-TH-ba-doan.md');
    const partial = JSON.parse((await dondoc(prefix, 'import', letter, '--partial', '--json')).stdout) as { created: Array<{ id: string }> };
    expect(partial.created.map((c) => c.id)).toEqual(['1456-ubnd-th-20240325-p1-stc', '1456-ubnd-th-20240325-p3-skhdt']);
    const prefix2 = randomPrefix('let');
    const all = JSON.parse((await dondoc(prefix2, 'import', letter, '--expand-all', '--json')).stdout) as { summary: { created: number; rejected: number }; problems: unknown[] };
    expect(all.problems).toEqual([]);
    expect(all.summary.rejected).toBe(0);
    expect(all.summary.created).toBeGreaterThan(10);
  });
});

describe('bad input: one clear message, exit 1, nothing written', () => {
  const refused = async (file: string, expected: RegExp) => {
    const out = at(`never-${path.basename(file)}.xlsx`);
    const r = await runCliCaptured(['extract', file, '--out', out], { env: {}, now });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(expected);
    expect(r.stderr).toContain(file);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(fs.existsSync(out)).toBe(false);
  };

  it('a scanned PDF without a text layer: says how to get one', async () => {
    const PDFDocument = (await import('pdfkit')).default;
    const doc = new PDFDocument();
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.rect(50, 50, 400, 600).fill('#888'); // a page of "image", no text
    doc.end();
    await new Promise((r) => doc.on('end', r));
    await refused(writeFile(at('scan.pdf'), Buffer.concat(chunks)), /no text layer.*ocrmypdf -l vie.*tesseract-ocr-vie/s);
  });

  it('an encrypted PDF and an encrypted .docx', async () => {
    await refused(writeFile(at('locked.pdf'), await pdfFromMarkdown(md('702-UBND-CNNXD-mot-doan.md'), { encrypt: true })), /protected by a password/);
    await refused(writeFile(at('locked.docx'), Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(4096)])), /\.docx is encrypted/);
  });

  it('a truncated PDF and a truncated .docx', async () => {
    const pdf = await pdfFromMarkdown(md('702-UBND-CNNXD-mot-doan.md'));
    await refused(writeFile(at('cut.pdf'), pdf.subarray(0, Math.floor(pdf.length / 2))), /cut short/);
    const docx = await docxFromMarkdown(md('702-UBND-CNNXD-mot-doan.md'));
    await refused(writeFile(at('cut.docx'), docx.subarray(0, Math.floor(docx.length / 2))), /not a readable \.docx.*cut short/);
  });

  it('a 50 MB file', async () => {
    const big = at('big.pdf');
    fs.writeFileSync(big, '%PDF-1.7\n');
    fs.truncateSync(big, 50 * 1024 * 1024);
    await refused(big, /50\.0 MB is too large for a letter \(at most 20\.0 MB\)/);
  });

  it('a letter of context only, with no directive', async () => {
    await refused(path.join(LETTERS, '88-UBND-NC-chi-boi-canh.md'), /no directive found: none of its \d+ paragraphs assigns a task/);
  });

  it('an unknown letter type or sheet type is a usage error (exit 2)', async () => {
    const r = await runCliCaptured(['extract', path.join(LETTERS, '702-UBND-CNNXD-mot-doan.md'), '--out', at('x.ods')], { env: {}, now });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('expected a .xlsx or .csv file');
    const s = await runCliCaptured(['extract', at('letter.odt')], { env: {}, now });
    expect(s.code).toBe(2);
  });
});
