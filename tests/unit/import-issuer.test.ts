// The committee's own letters need no issuer column: `org.issuer` fills it for numbers that
// carry its code; the letter's title block wins over config, an issuer column over both.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { ownIssuerOf, signCodes } from '../../src/import/own-issuer.js';
import { readTaskFile } from '../../src/import/read-task-file.js';
import { org2022, ZONE } from './import-support.js';

const shipped = loadConfig({ env: {} });
const own = shipped.org.issuer!;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dondoc-issuer-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const file = (name: string, text: string): string => {
  const p = path.join(tmp, name);
  fs.writeFileSync(p, text);
  return p;
};
const HEAD = 'STT,"Số, ký hiệu văn bản",Ngày ban hành,Nội dung nhiệm vụ,Đơn vị chủ trì,Thời hạn';

describe('ownIssuerOf', () => {
  it.each([
    ['1510/UBND-TH', 'UBND tỉnh Thái Nguyên'],
    ['7176 /UBND-NC', 'UBND tỉnh Thái Nguyên'],
    ['125/QĐ-UBND', 'UBND tỉnh Thái Nguyên'],
    ['12/2024/QĐ-UBND', 'UBND tỉnh Thái Nguyên'],
    ['08/KH-UBND', 'UBND tỉnh Thái Nguyên'],
    ['45/TB-VPUBND', 'Văn phòng UBND tỉnh Thái Nguyên'],
    ['106/TB-VPCP', undefined],
    ['79/VKS-VP', undefined],
    ['415-KL/TU', undefined],
    ['', undefined],
  ])('%s → %s', (number, issuer) => {
    expect(ownIssuerOf(number, own)).toBe(issuer);
  });
  it('assumes nothing without org.issuer', () => {
    expect(ownIssuerOf('1510/UBND-TH', undefined)).toBeUndefined();
    expect(signCodes('12/2024/QĐ-UBND')).toEqual(['QĐ', 'UBND']);
  });
  it('derives the short forms from a bare name', async () => {
    const { issuerSchema } = await import('../../src/config/sections/org.js');
    expect(issuerSchema.parse('UBND tỉnh Lạng Sơn')).toEqual({ name: 'UBND tỉnh Lạng Sơn', codes: ['UBND'], short: ['UBND tỉnh', 'Ủy ban nhân dân tỉnh'], chairman: ['Chủ tịch UBND tỉnh', 'Chủ tịch Ủy ban nhân dân tỉnh'], also: [] });
  });
});

describe('the issuer of a register row', () => {
  const org = { ...org2022, issuer: own };
  it('comes from config for the committee’s own numbers', async () => {
    const r = await readTaskFile(file('own.csv', `${HEAD}\n1,1510/UBND-TH,16/04/2022,Việc một,Sở Y tế,30/06/2022\n`), { org, zone: ZONE });
    expect(r.problems).toEqual([]);
    expect(r.rows[0]!.input.source.issuer).toBe('UBND tỉnh Thái Nguyên');
  });
  it('is still required for another body’s letter, saying which numbers are taken as own', async () => {
    const r = await readTaskFile(file('other.csv', `${HEAD}\n1,106/TB-VPCP,09/04/2022,Việc hai,Sở Y tế,30/06/2022\n`), { org, zone: ZONE });
    expect(r.rows).toEqual([]);
    expect(r.problems.map((p) => p.message)).toEqual([expect.stringMatching(/thiếu cơ quan ban hành văn bản.*chỉ số ký hiệu có UBND mới được coi là của UBND tỉnh Thái Nguyên/)]);
  });
  it('comes from the title block before config', async () => {
    const r = await readTaskFile(file('title.csv', `ỦY BAN NHÂN DÂN TỈNH BẮC KẠN\n\n${HEAD}\n1,1510/UBND-TH,16/04/2022,Việc ba,Sở Y tế,30/06/2022\n`), { org, zone: ZONE });
    expect(r.rows[0]!.input.source.issuer).toBe('UBND tỉnh Bắc Kạn');
  });
  it('comes from an issuer column before both', async () => {
    const r = await readTaskFile(file('column.csv', `ỦY BAN NHÂN DÂN TỈNH BẮC KẠN\n\n${HEAD},Cơ quan ban hành\n1,1510/UBND-TH,16/04/2022,Việc bốn,Sở Y tế,30/06/2022,Chủ tịch UBND tỉnh Thái Nguyên\n`), { org, zone: ZONE });
    expect(r.rows[0]!.input.source.issuer).toBe('Chủ tịch UBND tỉnh Thái Nguyên');
  });
  it('is the same for the JSON shape', async () => {
    const task = { title: 'Việc năm', source: { number: '08/KH-UBND', date: '2022-04-16' }, lead: 'SYT' };
    const r = await readTaskFile(file('t.json', JSON.stringify([task])), { org, zone: ZONE });
    expect(r.problems).toEqual([]);
    expect(r.rows[0]!.input.source.issuer).toBe('UBND tỉnh Thái Nguyên');
    const bare = await readTaskFile(file('t2.json', JSON.stringify([task])), { org: org2022, zone: ZONE });
    expect(bare.problems.map((p) => p.column)).toEqual(['source.issuer']);
  });
});
