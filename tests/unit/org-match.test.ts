import { describe, expect, it } from 'vitest';
import { buildOrgDirectory } from '../../src/config/org-load.js';
import { loadConfig, loadConfigText } from '../../src/config/load.js';
import { type Day, parseIsoDay } from '../../src/core/day.js';
import { editDistance, makeBodyMatcher, nameKey } from '../../src/core/org-match.js';

const day = (s: string): Day => parseIsoDay(s)!;
const shipped = loadConfig({ env: {} }).org;
const match = makeBodyMatcher(shipped);
const ROLES = { provincial_office: 'VPUBND', home_affairs: 'SNV', chairman: 'CT', inspectorate: 'TTT' };

function codeOf(text: string, onDay?: Day): string | undefined {
  const r = match(text, onDay);
  return r.ok ? r.body.code : undefined;
}

describe('makeBodyMatcher on the shipped directory', () => {
  it.each([
    ['STC', 'STC'],
    ['stc', 'STC'],
    [' p-pdp ', 'P-PDP'],
    ['Sở Tài chính', 'STC'],
    ['SỞ TÀI CHÍNH', 'STC'],
    ['so tai chinh', 'STC'],
    ['Sở Tài chính'.normalize('NFD'), 'STC'],
    ['  Sở  Tài   chính. ', 'STC'],
    ['Sở Văn hoá - Thể thao và Du lịch', 'SVHTTDL'],
    ['Sở VH, TT & DL', 'SVHTTDL'],
    ['Sở NN & MT', 'SNNMT'],
    ['sở gd&đt', 'SGDDT'],
    ['VP UBND tỉnh', 'VPUBND'],
    ['Văn phòng Ủy ban nhân dân tỉnh', 'VPUBND'],
    ['Uỷ ban nhân dân phường Phan Đình Phùng', 'P-PDP'],
    ['UBND xã Đại Từ', 'X-DAITU'],
    ['Phường Bắc Kạn', 'P-BACKAN'],
    ['Tài chính', 'STC'],
    ['Nội vụ', 'SNV'],
    ['Sở Thanh tra tỉnh', 'TTT'],
  ])('%j → %s', (text, code) => {
    expect(codeOf(text, day('2026-03-02'))).toBe(code);
  });

  it('finds every body by its code, name and aliases, in any case and in NFD', () => {
    for (const b of shipped.bodies.values()) {
      for (const text of [b.code, b.name, ...b.aliases]) {
        for (const variant of [text, text.normalize('NFD'), text.toUpperCase(), text.toLowerCase()]) {
          const r = match(variant);
          expect(r.ok && r.named.code, variant).toBe(b.code);
        }
      }
    }
  });

  it('leads a body that ended to its successor on a later day, and says which was named', () => {
    const r = match('Sở Kế hoạch và Đầu tư', day('2026-01-05'));
    expect(r).toMatchObject({ ok: true, body: { code: 'STC' }, named: { code: 'SKHDT' } });
    expect(codeOf('Sở KH&ĐT', day('2025-02-28'))).toBe('SKHDT');
    expect(codeOf('Sở KH&ĐT', day('2025-03-01'))).toBe('STC');
    expect(codeOf('Sở KH&ĐT')).toBe('SKHDT');
    expect(codeOf('Ban Dân tộc tỉnh', day('2026-01-05'))).toBe('SDTTG');
    expect(codeOf('Sở LĐTB&XH', day('2026-01-05'))).toBe('SNV');
    expect(codeOf('Sở Tài chính tỉnh Bắc Kạn', day('2025-06-30'))).toBe('BK-STC');
    expect(codeOf('Sở Tài chính tỉnh Bắc Kạn', day('2025-07-01'))).toBe('STC');
  });

  it('suggests the 3 closest known names for an unknown one', () => {
    const r = match('Sở Giáo dục Đào tạo');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.suggestions).toHaveLength(3);
    expect(r.suggestions[0]).toBe('Sở Giáo dục và Đào tạo');
    const typo = match('So Tai chanh');
    expect(!typo.ok && typo.suggestions[0]).toBe('Sở Tài chính');
    const ranked = !typo.ok ? typo.suggestions.map((s) => editDistance(nameKey('So Tai chanh'), nameKey(s))) : [];
    expect(ranked).toEqual([...ranked].sort((a, b) => a - b));
    expect(match('')).toMatchObject({ ok: false });
    expect(match('Sở TC')).toMatchObject({ ok: false });
  });
});

describe('makeBodyMatcher on the 2022 directory', () => {
  const org = loadConfigText(
    `org:\n  directory: org-2022-thai-nguyen.yaml\n  roles: { provincial_office: VPUBND, home_affairs: SNV, chairman: CT, inspectorate: TTT }\n`,
    'tests/fixtures/dondoc-2022.yaml',
    'tests/fixtures',
  ).org;
  const m = makeBodyMatcher(org);
  it.each([
    ['UBND huyện Đại Từ', 'UBND-DAITU'],
    ['Ủy ban nhân dân huyện Đại Từ', 'UBND-DAITU'],
    ['UBND TP Thái Nguyên', 'UBND-TPTN'],
    ['Ủy ban nhân dân thành phố Phổ Yên', 'UBND-PHOYEN'],
    ['huyen vo nhai', 'UBND-VONHAI'],
    ['Ban Dân tộc', 'BDT'],
    ['Sở KH&ĐT', 'SKHDT'],
  ])('%j → %s', (text, code) => {
    const r = m(text, day('2022-04-16'));
    expect(r.ok && r.body.code).toBe(code);
  });
});

describe('bodies that share a name in different periods', () => {
  const { org, problems } = buildOrgDirectory({
    file: 'org.yaml',
    configFile: 'dondoc.yaml',
    roles: ROLES,
    today: day('2026-01-01'),
    data: {
      leaders: [{ code: 'CT', title: 'Chủ tịch UBND tỉnh', email: 'ct@x.example.gov.vn' }],
      bodies: [
        { code: 'VPUBND', name: 'Văn phòng UBND tỉnh', kind: 'van_phong', head: { title: 'Chánh Văn phòng', email: 'vp@x.example.gov.vn' } },
        { code: 'TTT', name: 'Thanh tra tỉnh', kind: 'nganh', head: { title: 'Chánh Thanh tra', email: 'tt@x.example.gov.vn' } },
        { code: 'SNV-OLD', name: 'Sở Nội vụ', kind: 'so', valid_to: '2025-02-28', successor: 'SNV', head: { title: 'Giám đốc Sở Nội vụ' } },
        { code: 'SNV', name: 'Sở Nội vụ', kind: 'so', valid_from: '2025-03-01', head: { title: 'Giám đốc Sở Nội vụ', email: 'snv@x.example.gov.vn' } },
      ],
    },
  });

  it('is allowed when the periods do not overlap, and the day picks the body', () => {
    expect(problems).toEqual([]);
    const m = makeBodyMatcher(org);
    expect(m('Sở Nội vụ', day('2024-05-01'))).toMatchObject({ ok: true, body: { code: 'SNV-OLD' } });
    expect(m('Sở Nội vụ', day('2025-05-01'))).toMatchObject({ ok: true, body: { code: 'SNV' } });
    expect(m('Nội vụ')).toMatchObject({ ok: true, body: { code: 'SNV' } });
  });
});
