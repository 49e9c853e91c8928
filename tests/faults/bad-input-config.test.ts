// Hostile config and org directory files thrown at the loader (issue 7, item 2): wrong types,
// impossible dates, CRLF and control characters in names and addresses, unknown keys and
// codes, duplicate codes, YAML bombs and garbage. Every one is refused as CONFIG_INVALID with a
// problem naming the file and the dotted path of the field; what loads carries no control
// character and no address that could smuggle a header; nothing else is ever thrown.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { type LoadedConfig, loadConfigText } from '../../src/config/load.js';
import { isDondocError } from '../../src/errors.js';
import { ROOT } from '../support/cli.js';
import { CONTROL_RE, badDate, fuzz, fuzzTimeout, hostileText, hostileWords, notAString, notAnObject, tenMegabytes } from './bad-input-support.js';

// The CI budget runs in seconds; the long run (DONDOC_FUZZ_RUNS) needs longer.
vi.setConfig({ testTimeout: fuzzTimeout(60_000) });

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const CONFIG_TEXT = fs.readFileSync(path.join(ROOT, 'tests/fixtures/dondoc-2022.yaml'), 'utf8');
const ORG_TEXT = fs.readFileSync(path.join(ROOT, 'tests/fixtures/org-2022-thai-nguyen.yaml'), 'utf8');
const CONFIG = parse(CONFIG_TEXT) as Json;
const ORG = parse(ORG_TEXT) as Json;
const ORG_FILE = CONFIG.org.directory as string;
const BODIES = (ORG.bodies as Json[]).length;
const LEADERS = (ORG.leaders as Json[]).length;
const TEN_KB = 10 * 1024;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dondoc-bad-config-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let dirNo = 0;

type Outcome = { ok: true; loaded: LoadedConfig } | { ok: false; code: string; message: string; problems: Array<{ path: string; message: string }> };

/** Writes the two files into a fresh directory and loads them as `dondoc config check` would. */
function load(config: Json | string, org: Json | string = ORG): Outcome & { dir: string } {
  const dir = path.join(tmp, `c${++dirNo}`);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, ORG_FILE), typeof org === 'string' ? org : stringify(org));
  const text = typeof config === 'string' ? config : stringify(config);
  const shown = path.join(dir, 'dondoc.yaml');
  try {
    return { ok: true, loaded: loadConfigText(text, shown, dir), dir };
  } catch (e) {
    if (!isDondocError(e)) throw e;
    return { ok: false, code: e.code, message: e.message, problems: [...e.problems], dir };
  }
}

const expectRefused = (o: Outcome & { dir: string }, file: string, field: RegExp | string, what: string): void => {
  expect(o.ok, `${what}: loaded`).toBe(false);
  if (o.ok) return;
  expect(o.code).toBe('CONFIG_INVALID');
  const where = `${path.join(o.dir, file)}: `;
  const paths = o.problems.map((p) => p.path);
  const hit = o.problems.some((p) => p.path.startsWith(where) && (typeof field === 'string' ? p.path.slice(where.length).startsWith(field) || p.message.includes(field) : field.test(p.path.slice(where.length)) || field.test(p.message)));
  expect(hit, `${what}: ${JSON.stringify(o.problems)}`).toBe(true);
  for (const p of o.problems) expect(p.message.length).toBeGreaterThan(5);
  expect(paths.every((p) => p.length < 400)).toBe(true);
};

/** Addresses that are not one plain address: CRLF and header smuggling, controls, lists, brackets. */
const hostileEmail: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    'giamdoc.syt@thainguyen.gov.vn\r\nBcc: spy@evil.test',
    'giamdoc.syt@thainguyen.gov.vn\nTo: victim@evil.test',
    'giamdoc\u0000syt@thainguyen.gov.vn',
    'giamdoc.syt@thai\u0007nguyen.gov.vn',
    'giamdoc.syt@thainguyen.gov.vn\u0085Bcc:spy@evil.test',
    'giamdoc.syt@thainguyen\u2028.gov.vn',
    'giamdoc\u007fsyt@thainguyen.gov.vn',
    'giamdoc syt@thainguyen.gov.vn',
    '<giamdoc.syt@thainguyen.gov.vn>',
    'Giám đốc <giamdoc.syt@thainguyen.gov.vn>',
    'giamdoc.syt@thainguyen.gov.vn, spy@evil.test',
    'giamdoc.syt@thainguyen.gov.vn;spy@evil.test',
    'a@b@thainguyen.gov.vn',
    '"giamdoc"@thainguyen.gov.vn',
    'giamdoc.syt@thainguyen',
    '@thainguyen.gov.vn',
    'giamdoc.syt@',
    '',
  ),
  fc
    .tuple(fc.stringMatching(/^[a-z]{1,8}$/), fc.constantFrom('\r', '\n', '\u0000', '\u001b', '\u0085', '\u009b', '\u2028', '\u2029', '\t', '\u000b', '\u000c'), fc.boolean())
    .map(([local, c, inDomain]) => (inDomain ? `${local}@thai${c}nguyen.gov.vn` : `${local}${c}x@thainguyen.gov.vn`)),
);

interface Mutation {
  what: string;
  file: 'config' | 'org';
  field: string | RegExp;
  apply(config: Json, org: Json): void;
}

const at = (i: number, n: number): number => i % n;
const bodyField = (f: string, v: unknown, i: number): Mutation => {
  const k = at(i, BODIES);
  const parts = f.split('.');
  return {
    what: `bodies[${k}].${f} = ${JSON.stringify(v)?.slice(0, 60)}`,
    file: 'org',
    field: `bodies[${k}].${f}`,
    apply: (_c, o) => {
      let x = o.bodies[k];
      for (const p of parts.slice(0, -1)) x = x[p] ??= {};
      x[parts[parts.length - 1]!] = v;
    },
  };
};
const configField = (f: string, v: unknown, field: string | RegExp = f): Mutation => ({
  what: `${f} = ${JSON.stringify(v)?.slice(0, 60)}`,
  file: 'config',
  field,
  apply: (c) => {
    const parts = f.split('.');
    let x = c;
    for (const p of parts.slice(0, -1)) x = x[p] ??= {};
    x[parts[parts.length - 1]!] = v;
  },
});

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(hostileEmail, fc.nat()).map(([e, i]) => bodyField('head.email', e, i)),
  fc.tuple(hostileEmail, fc.nat()).map(([e, i]) => bodyField('clerical.email', e, i)),
  fc.tuple(hostileEmail, fc.nat()).map(([e, i]): Mutation => ({ what: `leaders[${at(i, LEADERS)}].email = ${JSON.stringify(e)}`, file: 'org', field: `leaders[${at(i, LEADERS)}].email`, apply: (_c, o) => void (o.leaders[at(i, LEADERS)].email = e) })),
  hostileEmail.map((e) => configField('mail.from.address', e)),
  fc.tuple(fc.constantFrom('name', 'head.title', 'code'), notAString, fc.nat()).map(([f, v, i]) => bodyField(f, v, i)),
  fc.tuple(fc.constantFrom('head', 'clerical'), notAnObject, fc.nat()).map(([f, v, i]) => bodyField(f, v, i)),
  fc.tuple(fc.constantFrom('valid_from', 'valid_to'), badDate, fc.nat()).map(([f, v, i]) => bodyField(f, v, i)),
  fc.tuple(fc.constantFrom('acting'), fc.constantFrom('yes', 'có', 1, 'true ')).chain(([f, v]) => fc.nat().map((i) => bodyField(f, v, i))),
  fc.tuple(hostileWords(3), fc.nat()).map(([code, i]) => bodyField('code', code, i)),
  fc.tuple(fc.constantFrom('kind', 'leader', 'successor'), fc.constantFrom('NOBODY', 'sở', 'ubnd huyện', '<script>')).chain(([f, v]) => fc.nat().map((i) => bodyField(f, v, i))),
  fc.tuple(fc.nat(), fc.nat()).filter(([i, j]) => at(i, BODIES) !== at(j, BODIES)).map(([i, j]): Mutation => {
    const [a, b] = [at(i, BODIES), at(j, BODIES)];
    return { what: `bodies[${b}].code = bodies[${a}].code`, file: 'org', field: /^bodies\[\d+\]\.code/, apply: (_c, o) => void (o.bodies[b].code = o.bodies[a].code) };
  }),
  fc.oneof(notAString, fc.constantFrom('Asia/Hanoi', 'UTC+7', 'GMT+07:00', 'Asia/Ho_Chi_Minh\r\n')).map((v) => configField('timezone', v)),
  fc.tuple(fc.constantFrom('open', 'close'), fc.oneof(notAString, fc.constantFrom('25:00', '7:30', '07:60', '07:\n30', '24:00', '-1:00'))).map(([f, v]) => configField(`office_hours.${f}`, v)),
  fc.tuple(fc.constantFrom('days_off', 'working_days'), badDate).map(([f, d]) => configField(`calendar.${f}`, [{ date: d, name: 'Nghỉ bù' }], `calendar.${f}[0].date`)),
  badDate.map((d) => configField('calendar.swaps', [{ day_off: d, work_on: '2022-04-23' }], 'calendar.swaps[0].day_off')),
  fc.constantFrom('calendar.days_off', 'calendar.working_days', 'calendar.holidays', 'office_hours', 'org.roles').chain((f) => notAnObject.filter((v) => !Array.isArray(v)).map((v) => configField(f, v))),
  fc.tuple(fc.constantFrom('chairman', 'provincial_office', 'home_affairs', 'inspectorate'), fc.constantFrom('NOBODY', 'SYTT', 'ct', 'Chủ tịch')).map(([r, v]) => configField(`org.roles.${r}`, v, r === 'chairman' && v === 'ct' ? 'org.roles' : /roles|org/)),
  fc.tuple(fc.constantFrom('', 'office_hours.', 'calendar.', 'mail.', 'org.'), fc.stringMatching(/^[a-z][a-z_]{2,12}$/)).filter(([s, k]) => !['timezone', 'office_hours', 'calendar', 'policy', 'mail', 'delivery', 'org', 'accountability', 'open', 'close', 'lunch', 'holidays', 'days_off', 'working_days', 'swaps', 'official_data', 'from', 'message_id_domain', 'templates', 'directory', 'roles'].includes(k)).map(
    ([s, k]) => configField(`${s}${k}`, 1, new RegExp(`${k}`)),
  ),
  hostileWords(3).map((d) => configField('mail.message_id_domain', d)),
);

describe('loadConfigText with a hostile config or org directory', () => {
  it('refuses each bad value as CONFIG_INVALID, naming the file and the field', () => {
    fc.assert(
      fc.property(mutation, (m) => {
        const config = structuredClone(CONFIG);
        const org = structuredClone(ORG);
        m.apply(config, org);
        // "ct" for chairman matches the leader CT: codes compare without case — that one loads.
        const o = load(config, org);
        if (o.ok && m.what.startsWith('org.roles.chairman = "ct"')) return;
        expectRefused(o, m.file === 'org' ? ORG_FILE : 'dondoc.yaml', m.field, m.what);
      }),
      fuzz(7176_11, 80),
    );
  });

  it('loads hostile but harmless names only without control characters, and every address plain', () => {
    fc.assert(
      fc.property(fc.nat(), fc.constantFrom('name', 'head.title', 'aliases', 'clerical.title'), hostileText(), (i, field, value) => {
        const org = structuredClone(ORG);
        const k = at(i, BODIES);
        const b = org.bodies[k];
        if (field === 'aliases') b.aliases = [value];
        else if (field === 'clerical.title') b.clerical = { title: value, email: 'vanthu@thainguyen.gov.vn' };
        else if (field === 'name') b.name = value;
        else b.head.title = value;
        const o = load(CONFIG, org);
        if (!o.ok) {
          // Refused (a control character, an empty or clashing name): it must say where.
          expectRefused(o, ORG_FILE, new RegExp(`^bodies\\[${k}\\]|^bodies`), `bodies[${k}].${field} = ${JSON.stringify(value)}`);
          return;
        }
        const texts: string[] = [o.loaded.config.mail.from.name, o.loaded.config.mail.from.address];
        for (const x of o.loaded.org.bodies.values()) texts.push(x.name, x.head.title, x.head.email ?? '', x.clerical?.title ?? '', x.clerical?.email ?? '', ...x.aliases);
        for (const l of o.loaded.org.leaders.values()) texts.push(l.title, l.email);
        for (const t of texts) expect(t, JSON.stringify(t)).not.toMatch(CONTROL_RE);
        for (const t of texts) expect(t).toBe(t.normalize('NFC'));
      }),
      fuzz(7176_12, 60),
    );
  });

  it('answers garbage, YAML bombs, deep nesting and 10 MB values with CONFIG_INVALID, never a crash or a hang', () => {
    const bomb = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]', ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`)].join('\n');
    const fixed = [
      bomb,
      `${'['.repeat(5000)}${']'.repeat(5000)}`,
      `${'- '.repeat(3000)}x`,
      `office_hours:\n  open: "07:30"\n  open: "08:00"`,
      '!!js/function "function(){return 1}"',
      'timezone: !!binary aGVsbG8=',
      '%YAML 9.9\n---\na: 1',
      '---\na: 1\n---\nb: 2',
      '\u0000\u0001\u0002',
      '\ufeff\ufeff',
      'org: { directory: /dev/null, roles: { provincial_office: VPUBND, home_affairs: SNV, chairman: CT, inspectorate: TTT } }',
      'org: { directory: ../../../../../../etc/passwd, roles: { provincial_office: VPUBND, home_affairs: SNV, chairman: CT, inspectorate: TTT } }',
      '__proto__: { polluted: true }\ntimezone: Asia/Ho_Chi_Minh',
      'constructor: { prototype: { polluted: true } }',
    ];
    fc.assert(
      fc.property(fc.oneof(fc.constantFrom(...fixed), fc.string({ unit: 'binary', maxLength: 300 }), fc.jsonValue({ maxDepth: 3 }).map((v) => stringify(v))), (text) => {
        const started = performance.now();
        const o = load(text);
        expect(performance.now() - started, 'took too long').toBeLessThan(5_000);
        expect(({} as Json).polluted).toBeUndefined();
        if (o.ok) return; // an empty document or a lone scalar may well be the defaults
        expect(o.code).toBe('CONFIG_INVALID');
        expect(o.problems.length).toBeGreaterThan(0);
        for (const p of o.problems) {
          // The file named: the config, or the directory file it points at (/etc/passwd, /dev/null).
          expect(p.path.startsWith(o.dir) || /^\/(etc|dev)\//.test(p.path), JSON.stringify(p)).toBe(true);
          expect(p.path.length + p.message.length, 'a problem must stay readable').toBeLessThan(2_000);
        }
      }),
      fuzz(7176_13, 120),
    );
  });

  it('refuses a 10 MB name or address by its path, with a short message, in seconds', () => {
    const org = structuredClone(ORG);
    org.bodies[3].name = tenMegabytes();
    org.leaders[1].email = `${'a'.repeat(TEN_KB)}@thainguyen.gov.vn`;
    const started = performance.now();
    const o = load(CONFIG, org);
    const tz = load(`timezone: ${tenMegabytes().replace(/[^a-z]/gi, 'x')}`);
    expect(performance.now() - started).toBeLessThan(15_000);
    expectRefused(tz, 'dondoc.yaml', 'timezone', '10 MB time zone');
    expectRefused(o, ORG_FILE, 'bodies[3].name', '10 MB name');
    expectRefused(o, ORG_FILE, 'leaders[1].email', '10 kB address');
    if (!o.ok) for (const p of o.problems) expect(p.message.length).toBeLessThan(400);
  });

  it('a garbage or hostile org directory file is refused the same way', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.constantFrom('leaders: 5\nbodies: x', 'bodies: []', '[]', 'leaders: []\nbodies: []', `leaders: []\nbodies:\n  - ${'"'}${'x'.repeat(100_000)}"`)), (orgText) => {
        const o = load(CONFIG, orgText);
        expect(o.ok).toBe(false);
        if (o.ok) return;
        expect(o.code).toBe('CONFIG_INVALID');
        expect(o.problems.some((p) => p.path.startsWith(path.join(o.dir, ORG_FILE)) || p.path.startsWith(path.join(o.dir, 'dondoc.yaml')))).toBe(true);
        for (const p of o.problems) expect(p.path.length + p.message.length).toBeLessThan(2_000);
      }),
      fuzz(7176_14, 80),
    );
  });
});
