// scripts/audit.mjs (issue 7, item 3) fed with npm audit reports and allow-lists, good and
// bad: a high or critical advisory outside the reviewed allow-list fails, an allow-listed one
// passes with its review shown, a lower one is a warning, an unreachable advisory service is
// "could not check" (exit 0, or 2 with --strict), a malformed allow-list fails naming the
// entry — and no report, however mangled, makes the script crash.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ROOT } from '../support/cli.js';
import { fuzz, fuzzTimeout } from './bad-input-support.js';

// The CI budget runs in seconds; the long run (DONDOC_FUZZ_RUNS) needs longer.
vi.setConfig({ testTimeout: fuzzTimeout(60_000) });

const SCRIPT = path.join(ROOT, 'scripts/audit.mjs');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dondoc-audit-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const write = (content: unknown): string => {
  const f = path.join(tmp, `f${++n}.json`);
  fs.writeFileSync(f, typeof content === 'string' ? content : JSON.stringify(content));
  return f;
};

function audit(report: unknown, allowlist: unknown = { advisories: [] }, ...flags: string[]) {
  const r = spawnSync(process.execPath, [SCRIPT, '--input', write(report), '--allowlist', write(allowlist), ...flags], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

type Severity = 'info' | 'low' | 'moderate' | 'high' | 'critical';
const advisory = (pkg: string, severity: Severity, ghsa: string, source = 1_100_000) => ({
  source,
  name: pkg,
  dependency: pkg,
  title: `Something bad in ${pkg}`,
  url: `https://github.com/advisories/${ghsa}`,
  severity,
  cwe: ['CWE-400'],
  cvss: { score: 7.5, vectorString: null },
  range: '<1.2.3',
});
/** npm audit --json, report version 2: the vulnerable package, and a dependent reached through it. */
const report = (...advisories: Array<ReturnType<typeof advisory>>) => ({
  auditReportVersion: 2,
  vulnerabilities: Object.fromEntries(
    advisories.flatMap((a) => [
      [a.name, { name: a.name, severity: a.severity, isDirect: false, via: [a], effects: [`parent-of-${a.name}`], range: a.range, nodes: [`node_modules/${a.name}`], fixAvailable: true }],
      [`parent-of-${a.name}`, { name: `parent-of-${a.name}`, severity: a.severity, isDirect: true, via: [a.name], effects: [], range: '*', nodes: [`node_modules/parent-of-${a.name}`], fixAvailable: true }],
    ]),
  ),
  metadata: { vulnerabilities: { info: 0, low: 0, moderate: 0, high: advisories.length, critical: 0, total: advisories.length }, dependencies: { prod: 120, dev: 300, optional: 5, peer: 0, peerOptional: 0, total: 420 } },
});
const entry = (over: Record<string, unknown> = {}) => ({
  id: 'GHSA-f9xv-q969-pqx4',
  url: 'https://github.com/advisories/GHSA-f9xv-q969-pqx4',
  package: 'yaml',
  reason: 'Only the admin-written config file is parsed with this package; it is trusted input.',
  reviewed: '2026-11-01',
  reviewer: 'dondoc maintainers',
  ...over,
});
const UNREACHABLE = {
  message: '405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk',
  method: 'POST',
  uri: 'https://registry.npmjs.org/-/npm/v1/security/advisories/bulk',
  statusCode: 405,
  body: '',
  error: { summary: '', detail: '' },
};

describe('scripts/audit.mjs', () => {
  it('passes a clean report, and says how much it checked', () => {
    const r = audit({ auditReportVersion: 2, vulnerabilities: {}, metadata: { vulnerabilities: { info: 0, low: 0, moderate: 0, high: 0, critical: 0, total: 0 }, dependencies: { prod: 120 } } });
    expect(r).toMatchObject({ code: 0, out: expect.stringContaining('audit: ok') });
    expect(r.out).toContain('120 production packages');
  });

  it('fails on a high or critical advisory outside the allow-list, naming it and the way it comes in', () => {
    for (const sev of ['high', 'critical'] as const) {
      const r = audit(report(advisory('yaml', sev, 'GHSA-f9xv-q969-pqx4')));
      expect(r.code).toBe(1);
      expect(r.out).toContain(`${sev} GHSA-F9XV-Q969-PQX4 in yaml <1.2.3: Something bad in yaml — https://github.com/advisories/GHSA-f9xv-q969-pqx4`);
      expect(r.out).toContain('scripts/audit-allowlist.json');
    }
  });

  it('passes an allow-listed one, showing the review; the entry must be for that package', () => {
    const ok = audit(report(advisory('yaml', 'critical', 'GHSA-f9xv-q969-pqx4')), { advisories: [entry()] });
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('allowed (reviewed 2026-11-01)');
    expect(ok.out).toContain('why: Only the admin-written config file');
    const other = audit(report(advisory('handlebars', 'critical', 'GHSA-f9xv-q969-pqx4')), { advisories: [entry()] });
    expect(other.code).toBe(1);
    expect(other.out).toContain('matches no advisory any more');
    // By npm advisory number as well as by GHSA id.
    expect(audit(report(advisory('yaml', 'high', 'GHSA-aaaa-bbbb-cccc', 1_099_999)), { advisories: [entry({ id: 1_099_999, url: undefined })] }).code).toBe(0);
  });

  it('warns about lower advisories without failing, and flags an old review', () => {
    const r = audit(report(advisory('nodemailer', 'moderate', 'GHSA-mm7p-fcc7-pg87'), advisory('yaml', 'high', 'GHSA-f9xv-q969-pqx4')), { advisories: [entry({ reviewed: '2020-01-01' })] });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/warning: moderate GHSA-MM7P-FCC7-PG87 in nodemailer/);
    expect(r.out).toMatch(/reviewed \d+ days ago: review it again/);
  });

  it('cannot check when the advisory service is unreachable: exit 0, or 2 with --strict', () => {
    for (const rep of [UNREACHABLE, 'not json at all', { error: { code: 'ENOLOCK', summary: 'This command requires an existing lockfile.' } }, '', '[]']) {
      const r = audit(rep);
      expect(r.code, r.out).toBe(0);
      expect(r.out).toMatch(/^audit: could not check: /);
      expect(audit(rep, { advisories: [] }, '--strict').code).toBe(2);
    }
    expect(audit(UNREACHABLE).out).toContain('405 Method Not Allowed');
  });

  it('refuses a malformed allow-list, naming each bad entry and field', () => {
    const r = audit(report(), { advisories: [entry({ reason: 'n/a' }), entry({ reviewed: '2026-02-30' }), entry({ package: undefined }), entry({ id: 'CVE-2024-1', url: 'http://x' }), { id: 'GHSA-f9xv-q969-pqx4', package: 'yaml', reason: 'x'.repeat(30), reviewed: '2099-01-01' }, 'yaml', entry({ colour: 'red' })] });
    expect(r.code).toBe(1);
    for (const where of ['advisories[0].reason', 'advisories[1].reviewed', 'advisories[2].package', 'advisories[3].id', 'advisories[3].url', 'advisories[4].reviewed: 2099-01-01 is in the future', 'advisories[5]: expected an object', 'advisories[6]: unknown field "colour"']) {
      expect(r.out).toContain(where);
    }
    expect(audit(report(), 'not json').code).toBe(1);
    expect(audit(report(), { entries: [] }).out).toContain('expected {"advisories": [ … ]}');
  });

  it('never crashes on a mangled report: exit 0, 1 or 2, always with an "audit:" line', () => {
    const mangled = fc.oneof(
      fc.jsonValue({ maxDepth: 4 }),
      fc.record({ auditReportVersion: fc.constant(2), vulnerabilities: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 }) }),
      fc.record({ vulnerabilities: fc.dictionary(fc.string({ maxLength: 8 }), fc.record({ via: fc.array(fc.oneof(fc.string(), fc.jsonValue({ maxDepth: 2 })), { maxLength: 3 }), severity: fc.string() }), { maxKeys: 3 }) }),
      fc.record({ advisories: fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }) }),
    );
    fc.assert(
      fc.property(mangled, (rep) => {
        const r = audit(JSON.stringify(rep));
        expect([0, 1, 2], r.out).toContain(r.code);
        expect(r.out).toMatch(/^audit: /m);
        expect(r.out).not.toMatch(/at .*audit\.mjs:\d+/); // no stack trace
        expect(r.out).not.toContain('audit: failed:'); // no internal error caught at the top
      }),
      fuzz(7176_51, 12),
    );
  });
});
