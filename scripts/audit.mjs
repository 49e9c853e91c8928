#!/usr/bin/env node
// Checks the production dependencies for known advisories (issue 7, item 3):
//
//   npm run audit [-- --strict] [-- --input report.json] [-- --allowlist file.json]
//
// Runs `npm audit --omit=dev --json` and sorts what it reports:
//   - a high or critical advisory that is not in the reviewed allow-list fails (exit 1);
//   - one in the allow-list is shown with its review, and passes;
//   - a low or moderate one is printed as a warning, and passes (reviewed when convenient);
//   - an allow-list entry no advisory matches any more is pointed out, to be removed.
// When the advisory service cannot be reached (no network, or a registry proxy that answers
// 405 to the bulk advisory endpoint) it prints "could not check: …" and exits 0, so CI stays
// green for a reason that is not the code's; with --strict (a release check by hand) it exits 2.
// A malformed allow-list is an error of ours and fails (exit 1).
//
// The allow-list (scripts/audit-allowlist.json) holds reviewed decisions, each with the
// advisory (GHSA id or npm advisory number, and its URL), the package, why it does not apply to
// dondoc, and the date it was reviewed. Entries reviewed more than a year ago are flagged.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BLOCKING = new Set(['high', 'critical']);
const REVIEW_AGAIN_DAYS = 365;

const EXIT = { ok: 0, failed: 1, unchecked: 2 };

function parseArgs(argv) {
  const opts = { strict: false, input: undefined, allowlist: path.join(ROOT, 'scripts/audit-allowlist.json') };
  const value = (i, flag) => {
    const v = argv[i];
    if (v === undefined || v === '' || v.startsWith('--')) {
      console.error(`audit: ${flag} needs a file`);
      process.exit(EXIT.failed);
    }
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--strict') opts.strict = true;
    else if (a === '--input') opts.input = value(++i, a);
    else if (a === '--allowlist') opts.allowlist = value(++i, a);
    else if (a === '--help' || a === '-h') {
      console.log('usage: node scripts/audit.mjs [--strict] [--input npm-audit.json] [--allowlist file.json]');
      process.exit(EXIT.ok);
    } else {
      console.error(`audit: unknown argument ${JSON.stringify(a)} (try --help)`);
      process.exit(EXIT.failed);
    }
  }
  return opts;
}

const isDay = (s) => typeof s === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s);
const ghsaOf = (s) => (typeof s === 'string' ? (/GHSA(?:-[23456789cfghjmpqrvwx]{4}){3}/i.exec(s)?.[0]?.toUpperCase() ?? null) : null);

/** Reads and checks the allow-list; every problem is reported, with the entry it is in. */
function loadAllowlist(file) {
  let data;
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    return { problems: [`${file}: ${e.code === 'ENOENT' ? 'not found' : `not valid JSON (${e.message})`}`] };
  }
  const problems = [];
  const list = data && typeof data === 'object' && !Array.isArray(data) ? data.advisories : undefined;
  if (!Array.isArray(list)) return { problems: [`${file}: expected {"advisories": [ … ]}`] };
  const today = new Date().toISOString().slice(0, 10);
  const entries = [];
  list.forEach((e, i) => {
    const at = `${file}: advisories[${i}]`;
    if (!e || typeof e !== 'object' || Array.isArray(e)) return void problems.push(`${at}: expected an object`);
    const known = new Set(['id', 'url', 'package', 'reason', 'reviewed', 'reviewer', 'severity', 'title']);
    for (const k of Object.keys(e)) if (!known.has(k)) problems.push(`${at}: unknown field "${k}" (fields: ${[...known].join(', ')})`);
    const id = e.id === undefined ? undefined : String(e.id);
    if (id === undefined && typeof e.url !== 'string') problems.push(`${at}: give the advisory's "id" (GHSA-… or the npm advisory number) and its "url"`);
    if (id !== undefined && !ghsaOf(id) && !/^\d{1,9}$/.test(id)) problems.push(`${at}.id: expected GHSA-xxxx-xxxx-xxxx or an npm advisory number, got ${JSON.stringify(e.id)}`);
    if (e.url !== undefined && (typeof e.url !== 'string' || !/^https:\/\/\S+$/.test(e.url))) problems.push(`${at}.url: expected an https:// URL, got ${JSON.stringify(e.url)}`);
    if (typeof e.package !== 'string' || !/^(@[a-z0-9._~-]+\/)?[a-z0-9._~-]+$/i.test(e.package)) problems.push(`${at}.package: expected the npm package the advisory is about, got ${JSON.stringify(e.package)}`);
    if (typeof e.reason !== 'string' || e.reason.trim().length < 20) problems.push(`${at}.reason: say why the advisory does not apply to dondoc (a sentence, at least 20 characters)`);
    if (!isDay(e.reviewed)) problems.push(`${at}.reviewed: expected the review date YYYY-MM-DD, got ${JSON.stringify(e.reviewed)}`);
    else if (e.reviewed > today) problems.push(`${at}.reviewed: ${e.reviewed} is in the future`);
    entries.push({ ...e, id, ghsa: ghsaOf(id) ?? ghsaOf(e.url), index: i });
  });
  return { problems, entries };
}

/** Runs npm audit; returns its parsed report or why none could be had. */
function runNpmAudit() {
  const r = spawnSync('npm', ['audit', '--omit=dev', '--json'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000, maxBuffer: 64 << 20, env: { ...process.env, npm_config_fund: 'false', npm_config_update_notifier: 'false' } });
  if (r.error) return { unreachable: r.error.code === 'ETIMEDOUT' ? 'npm audit did not answer within 120 s' : `cannot run npm audit (${r.error.message})` };
  return parseReport(r.stdout, (r.stderr ?? '').split('\n').filter((l) => l && !/^npm warn (Unknown|config)/i.test(l)).slice(0, 3).join(' | '));
}

/** npm audit's JSON (report v2, or v1 of older npm), or the error it printed instead. */
function parseReport(text, stderr = '') {
  let data;
  try {
    data = JSON.parse(text);
  } catch {
    return { unreachable: `npm audit printed no report${stderr ? `: ${stderr}` : ''}` };
  }
  if (data && typeof data === 'object' && !Array.isArray(data)) {
    if (data.vulnerabilities && typeof data.vulnerabilities === 'object' && !Array.isArray(data.vulnerabilities)) return { report: data };
    if (data.advisories && typeof data.advisories === 'object' && !Array.isArray(data.advisories)) return { report: data };
    const message = data.error?.summary || data.error?.detail || data.error?.code || data.message;
    if (message || data.statusCode) return { unreachable: `${String(message ?? `HTTP ${data.statusCode}`).split('\n')[0]}` };
  }
  return { unreachable: 'npm audit printed JSON that is not an audit report' };
}

/** One entry per advisory: its id, package, severity, title, URL and the top-level packages it reaches. */
function advisoriesOf(report) {
  const out = new Map();
  const add = (a) => {
    const key = a.url || `${a.source}:${a.package}`;
    const seen = out.get(key);
    if (seen) for (const v of a.via) seen.via.add(v);
    else out.set(key, { ...a, via: new Set(a.via) });
  };
  const str = (v) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
  if (report.vulnerabilities) {
    for (const [name, v] of Object.entries(report.vulnerabilities)) {
      if (!v || typeof v !== 'object') continue;
      for (const via of Array.isArray(v.via) ? v.via : []) {
        if (!via || typeof via !== 'object') continue; // a name: the advisory is listed under that package
        add({ source: str(via.source), package: str(via.name) || name, severity: str(via.severity || v.severity).toLowerCase(), title: str(via.title), url: str(via.url), range: str(via.range), via: [name] });
      }
    }
  } else {
    for (const a of Object.values(report.advisories)) {
      if (!a || typeof a !== 'object') continue;
      add({ source: str(a.id), package: str(a.module_name), severity: str(a.severity).toLowerCase(), title: str(a.title), url: str(a.url), range: str(a.vulnerable_versions), via: [str(a.module_name)] });
    }
  }
  return [...out.values()].map((a) => ({ ...a, ghsa: ghsaOf(a.url) ?? ghsaOf(a.source), via: [...a.via] }));
}

const matches = (entry, a) =>
  entry.package === a.package && ((entry.ghsa && entry.ghsa === a.ghsa) || (entry.id && entry.id === a.source) || (entry.url && a.url && entry.url === a.url));

const label = (a) => `${a.severity} ${a.ghsa ?? (a.source ? `npm advisory ${a.source}` : 'advisory')} in ${a.package}${a.range ? ` ${a.range}` : ''}: ${a.title || '(no title)'}${a.url ? ` — ${a.url}` : ''}`;

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const allow = loadAllowlist(opts.allowlist);
  if (allow.problems.length) {
    console.error(`audit: the allow-list has ${allow.problems.length} problem${allow.problems.length > 1 ? 's' : ''}:`);
    for (const p of allow.problems) console.error(`  ${p}`);
    return EXIT.failed;
  }

  let got;
  if (opts.input) {
    let text;
    try {
      text = fs.readFileSync(opts.input, 'utf8');
    } catch (e) {
      console.error(`audit: ${opts.input}: ${e.code === 'ENOENT' ? 'not found' : e.message}`);
      return EXIT.failed;
    }
    got = parseReport(text);
  } else got = runNpmAudit();

  if (got.unreachable) {
    console.log(`audit: could not check: ${got.unreachable}`);
    console.log('audit: the advisory service is not reachable from here (offline, or a registry proxy without /-/npm/v1/security/advisories/bulk); nothing was checked.');
    if (opts.strict) {
      console.log('audit: --strict: failing (exit 2). Run it where the npm registry answers.');
      return EXIT.unchecked;
    }
    return EXIT.ok;
  }

  const advisories = advisoriesOf(got.report);
  const used = new Set();
  const blocking = [];
  const today = Date.now();
  for (const a of advisories) {
    const entry = allow.entries.find((e) => matches(e, a));
    if (entry) {
      used.add(entry.index);
      const age = Math.floor((today - Date.parse(`${entry.reviewed}T00:00:00Z`)) / 86_400_000);
      console.log(`audit: allowed (reviewed ${entry.reviewed}): ${label(a)}\n         why: ${entry.reason}`);
      if (age > REVIEW_AGAIN_DAYS) console.log(`audit: warning: the allow-list entry for ${a.ghsa ?? a.source} was reviewed ${age} days ago: review it again`);
    } else if (BLOCKING.has(a.severity)) blocking.push(a);
    else console.log(`audit: warning: ${label(a)} (not blocking; review it, fix it with an update, or add it to the allow-list)`);
  }
  for (const e of allow.entries) {
    if (!used.has(e.index)) console.log(`audit: note: allow-list entry ${e.id ?? e.url} (${e.package}) matches no advisory any more: remove it`);
  }
  const counts = got.report.metadata?.vulnerabilities;
  const deps = got.report.metadata?.dependencies;
  const total = typeof deps === 'object' && deps ? (deps.prod ?? deps.total) : undefined;
  if (blocking.length) {
    console.error(`audit: ${blocking.length} high or critical advisor${blocking.length > 1 ? 'ies' : 'y'} in production dependencies, not in the allow-list:`);
    for (const a of blocking) console.error(`  ${label(a)}${a.via.length && a.via[0] !== a.package ? ` (via ${a.via.join(', ')})` : ''}`);
    console.error('audit: update the package (npm update / an override), or — if it does not apply to dondoc — add a reviewed entry to scripts/audit-allowlist.json');
    return EXIT.failed;
  }
  console.log(`audit: ok: no high or critical advisory outside the allow-list${total !== undefined ? ` (${total} production packages checked)` : ''}${counts ? `; reported: ${['critical', 'high', 'moderate', 'low', 'info'].map((s) => `${counts[s] ?? 0} ${s}`).join(', ')}` : ''}`);
  return EXIT.ok;
}

try {
  process.exitCode = main();
} catch (e) {
  console.error(`audit: failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = EXIT.failed;
}
