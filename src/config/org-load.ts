// Loads the org directory named by the config's `org` section and checks it as a whole:
// every entry on its own (zod), then the references between entries and the roles. Every
// problem is reported together with the file and path, so an admin fixes them in one pass.
// Called by load.ts; the directory is data, never code (2025 reorganisation: bodies merge).
import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { type Day, formatIsoDay } from '../core/day.js';
import { type Body, type HeadTenure, type Leader, type OrgDirectory, type OrgRoles } from '../core/org.js';
import { codeKey, editDistance, exactKey, namesOf, periodsOverlap } from '../core/org-match.js';
import type { Problem } from '../errors.js';
import { type Locate, formatPath, parseYaml, zodProblems } from './problems.js';
import { SHIPPED_CONFIG } from './paths.js';
import { type BodyEntry, type LeaderEntry, type OrgSection, bodySchema, leaderSchema, orgFileSchema, orgSectionSchema } from './sections/org.js';

export interface OrgLoadResult {
  org: OrgDirectory;
  /** Errors: the config is rejected if there is any. */
  problems: Problem[];
  /** Things to fix that do not stop dondoc (a body that ended has no address, …). */
  warnings: string[];
}

export interface OrgBuildInput {
  /** The directory file's data (parsed YAML). */
  data: unknown;
  /** The directory file as shown in messages. */
  file: string;
  /** The config file as shown in messages (the roles are set there). */
  configFile: string;
  roles: OrgSection['roles'];
  /** Today: a body that ended before it may lack an address (a warning, not an error). */
  today?: Day;
  /** Lines of paths in the directory file and in the config file, for the messages. */
  locate?: Locate;
  configLocate?: Locate;
}

const ROLE_KEYS = { provincial_office: 'provincialOffice', home_affairs: 'homeAffairs', chairman: 'chairman', inspectorate: 'inspectorate' } as const;

/**
 * Reads the directory file named by `section.directory` (relative to the config file). A config
 * without an org section gets the shipped one (directory and roles), like the calendar data:
 * the codes stay in data, never in code.
 */
export function loadOrgDirectory(given: { section: OrgSection | undefined; baseDir: string; configFile: string; today?: Day; configLocate?: Locate }): OrgLoadResult & { text: string } {
  const opts = given.section ? { ...given, section: given.section } : shippedSection(given);
  if ('problems' in opts) return { ...emptyResult(EMPTY_ROLES), problems: opts.problems, text: '' };
  const dir = opts.section.directory;
  const file = path.isAbsolute(dir) ? dir : path.resolve(opts.baseDir, dir);
  const shown = path.isAbsolute(dir) ? dir : path.join(path.dirname(opts.configFile), dir);
  if (!fs.existsSync(file)) {
    return {
      ...emptyResult(opts.section.roles),
      problems: [{ path: `${opts.configFile}: org.directory`, message: `org directory file not found: ${shown}` }],
      text: '',
    };
  }
  const text = fs.readFileSync(file, 'utf8');
  const { data, problems, locate } = parseYaml(shown, text);
  if (problems.length) return { ...emptyResult(opts.section.roles), problems, text };
  // The roles are in the config file the caller read, unless they are the shipped ones.
  const configLocate = given.section ? given.configLocate : undefined;
  const built = buildOrgDirectory({
    data,
    file: shown,
    configFile: opts.configFile,
    roles: opts.section.roles,
    locate,
    ...(configLocate ? { configLocate } : {}),
    ...(opts.today !== undefined ? { today: opts.today } : {}),
  });
  if (!given.section) {
    // Never let a real deployment mail the example addresses without being told.
    built.warnings.unshift(`${given.configFile}: no org section: using the example directory ${shown} (example addresses); set org.directory and org.roles for real use`);
  }
  if (opts.section.issuer) built.org = { ...built.org, issuer: opts.section.issuer };
  return { ...built, text };
}

const EMPTY_ROLES: OrgSection['roles'] = { provincial_office: '', home_affairs: '', chairman: '', inspectorate: '' };

function shippedSection(given: { today?: Day }): { section: OrgSection; baseDir: string; configFile: string; today?: Day } | { problems: Problem[] } {
  const { data, problems } = parseYaml(SHIPPED_CONFIG, fs.readFileSync(SHIPPED_CONFIG, 'utf8'));
  if (problems.length) return { problems };
  const parsed = orgSectionSchema.safeParse((data as { org?: unknown } | null)?.org);
  if (!parsed.success) return { problems: zodProblems(SHIPPED_CONFIG, parsed.error, ['org']) };
  return { section: parsed.data, baseDir: path.dirname(SHIPPED_CONFIG), configFile: SHIPPED_CONFIG, ...(given.today !== undefined ? { today: given.today } : {}) };
}

function emptyResult(roles: OrgSection['roles']): OrgLoadResult {
  return { org: { bodies: new Map(), leaders: new Map(), roles: toRoles(roles) }, problems: [], warnings: [] };
}

const toRoles = (r: OrgSection['roles']): OrgRoles => ({
  provincialOffice: r.provincial_office,
  homeAffairs: r.home_affairs,
  chairman: r.chairman,
  inspectorate: r.inspectorate,
});

/** Validates directory data and builds the core OrgDirectory (pure apart from the messages). */
export function buildOrgDirectory(input: OrgBuildInput): OrgLoadResult {
  const { file, today } = input;
  const problems: Problem[] = [];
  const warnings: string[] = [];
  // Every place is named by its path; its line is looked up once, when the path is made.
  const lineOf = new Map<string, number>();
  const place = (where: string, p: PropertyKey[], locate: Locate | undefined): string => {
    const line = locate?.(p);
    if (line !== undefined) lineOf.set(where, line);
    return where;
  };
  const at = (...p: PropertyKey[]): string => place(`${file}: ${formatPath(p)}`, p, input.locate);
  const err = (p: string, message: string): void => {
    const line = lineOf.get(p);
    problems.push({ path: p, message, ...(line !== undefined ? { line } : {}) });
  };
  const warn = (p: string, message: string): void => void warnings.push(`${p}: ${message}`);

  const top = orgFileSchema.safeParse(input.data);
  if (!top.success) return { ...emptyResult(input.roles), problems: zodProblems(file, top.error, [], input.locate) };

  // 1. Each entry on its own. Codes of entries that failed are remembered so a reference to
  //    them is not reported a second time as "unknown".
  const broken = new Set<string>();
  const parseAll = <T>(list: unknown[], schema: z.ZodType<T>, name: string) => {
    const out: Array<{ entry: T; i: number }> = [];
    list.forEach((raw, i) => {
      const r = schema.safeParse(raw);
      if (r.success) out.push({ entry: r.data, i });
      else {
        problems.push(...zodProblems(file, r.error, [name, i], input.locate));
        const code = (raw as { code?: unknown } | null)?.code;
        if (typeof code === 'string') broken.add(codeKey(code));
      }
    });
    return out;
  };
  const leaderEntries = parseAll<LeaderEntry>(top.data.leaders, leaderSchema, 'leaders');
  const bodyEntries = parseAll<BodyEntry>(top.data.bodies, bodySchema, 'bodies');

  // 2. Codes are unique across leaders and bodies, whatever the case ("stc" = "STC").
  const firstAt = new Map<string, string>();
  const claim = (code: string, list: string, i: number): boolean => {
    const k = codeKey(code);
    const prior = firstAt.get(k);
    if (prior) err(at(list, i, 'code'), `duplicate code "${code}" (already used at ${prior}); codes must be unique across leaders and bodies`);
    else firstAt.set(k, formatPath([list, i]));
    return !prior;
  };
  const leaderByKey = new Map<string, Leader>();
  for (const { entry: l, i } of leaderEntries) {
    if (!claim(l.code, 'leaders', i)) continue;
    leaderByKey.set(codeKey(l.code), Object.freeze({ code: l.code, title: l.title, ...(l.name ? { name: l.name } : {}), email: l.email, fields: Object.freeze([...l.fields]) }));
  }
  const bodyEntryByKey = new Map<string, { entry: BodyEntry; i: number }>();
  for (const be of bodyEntries) if (claim(be.entry.code, 'bodies', be.i)) bodyEntryByKey.set(codeKey(be.entry.code), be);

  const ended = (b: { valid_to?: Day | undefined }): boolean => b.valid_to !== undefined && (today === undefined || b.valid_to < today);

  // 3. References, addresses, tenures — per body.
  const bodies = new Map<string, Body>();
  const endedWithoutAddress: string[] = [];
  const unconfirmed: string[] = [];
  const pathOf = new Map<string, number>();
  for (const { entry: e, i } of bodyEntryByKey.values()) {
    let leader: string | undefined;
    if (e.leader !== undefined) {
      leader = leaderByKey.get(codeKey(e.leader))?.code;
      if (!leader && !broken.has(codeKey(e.leader))) {
        const isBody = bodyEntryByKey.has(codeKey(e.leader));
        err(at('bodies', i, 'leader'), isBody ? `"${e.leader}" is a body; give the code of a leader (${listCodes(leaderByKey)})` : `unknown leader "${e.leader}"; known leaders: ${listCodes(leaderByKey)}`);
      }
    }
    let successor: string | undefined;
    if (e.successor !== undefined) {
      const self = codeKey(e.successor) === codeKey(e.code);
      successor = self ? undefined : bodyEntryByKey.get(codeKey(e.successor))?.entry.code;
      if (self) err(at('bodies', i, 'successor'), `a body cannot succeed itself`);
      else if (!successor && !broken.has(codeKey(e.successor))) {
        err(at('bodies', i, 'successor'), `unknown body "${e.successor}"${closest(e.successor, [...bodyEntryByKey.values()].map((b) => b.entry.code))}`);
      }
      if (e.valid_to === undefined) warn(at('bodies', i, 'successor'), `${e.code} has a successor but no valid_to: the successor takes over only once the body ends`);
    } else if (e.valid_to !== undefined && e.no_successor === undefined) {
      warn(at('bodies', i, 'valid_to'), `${e.code} ends on ${formatIsoDay(e.valid_to)} but has no successor: tasks still open there will have no body to follow; add successor (or no_successor: why)`);
    }
    if (e.unconfirmed !== undefined) unconfirmed.push(e.code);
    // A body or role without an address is reported, never skipped (issue 3): an error while
    // the body can still be given tasks, a warning once it has ended.
    if (e.head.email === undefined) {
      if (ended(e)) endedWithoutAddress.push(`${formatPath(['bodies', i])} ${e.code}`);
      else err(at('bodies', i, 'head', 'email'), `missing: ${e.code} (${e.name}) is in force and needs the address of its head (${e.head.title})`);
    }
    checkTenures(e.head_tenures, (j, message) => err(at('bodies', i, 'head_tenures', j), message));

    const tenures: HeadTenure[] = e.head_tenures.map((t) => Object.freeze({ name: t.name, ...(t.title ? { title: t.title } : {}), from: t.from, ...(t.to !== undefined ? { to: t.to } : {}) }));
    const body: Body = Object.freeze({
      code: e.code,
      name: e.name,
      kind: e.kind,
      head: Object.freeze({ title: e.head.title, ...(e.head.email ? { email: e.head.email } : {}) }),
      acting: e.acting,
      headTenures: Object.freeze(tenures),
      ...(e.clerical ? { clerical: Object.freeze({ title: e.clerical.title ?? `Văn thư ${e.name}`, email: e.clerical.email }) } : {}),
      ...(leader ? { leader } : {}),
      ...(e.valid_from !== undefined ? { validFrom: e.valid_from } : {}),
      ...(e.valid_to !== undefined ? { validTo: e.valid_to } : {}),
      ...(successor ? { successor } : {}),
      ...(e.no_successor ? { noSuccessor: e.no_successor } : {}),
      aliases: Object.freeze([...e.aliases]),
      ...(e.source ? { source: e.source } : {}),
      ...(e.unconfirmed !== undefined ? { unconfirmed: e.unconfirmed === true ? 'not checked against its source' : e.unconfirmed } : {}),
    });
    bodies.set(body.code, body);
    pathOf.set(body.code, i);
  }

  // Summaries, one line each: a directory of a hundred communes must not bury the real warnings.
  const some = (list: string[]): string => (list.length > 5 ? `${list.slice(0, 5).join(', ')} and ${list.length - 5} more` : list.join(', '));
  if (endedWithoutAddress.length) {
    const n = endedWithoutAddress.length;
    warnings.push(`${file}: ${n} ${n > 1 ? 'bodies that have' : 'body that has'} ended ${n > 1 ? 'have' : 'has'} no head.email (${some(endedWithoutAddress)}): nothing can be sent to them; their tasks follow their successors`);
  }
  if (unconfirmed.length) {
    warnings.push(`${file}: ${unconfirmed.length} ${unconfirmed.length > 1 ? 'entries are' : 'entry is'} marked unconfirmed (${some(unconfirmed)}): check them against their sources, then remove the unconfirmed lines`);
  }
  checkCycles(bodies, (code, message) => err(at('bodies', pathOf.get(code)!, 'successor'), message));
  checkNames(bodies, pathOf, at, err);

  // 4. Roles point at entries of the directory (7176 §4–§6), from config, never from code.
  const roles = toRoles(input.roles);
  for (const [key, field] of Object.entries(ROLE_KEYS) as Array<[keyof typeof ROLE_KEYS, keyof OrgRoles]>) {
    const written = input.roles[key];
    const p = place(`${input.configFile}: org.roles.${key}`, ['org', 'roles', key], input.configLocate);
    const k = codeKey(written);
    if (broken.has(k)) continue; // its entry is already reported
    if (key === 'chairman') {
      const l = leaderByKey.get(k);
      if (l) roles[field] = l.code;
      else err(p, bodyEntryByKey.has(k) ? `"${written}" is a body; the chairman's role needs a leader code (${listCodes(leaderByKey)})` : `no leader "${written}" in ${file}; known leaders: ${listCodes(leaderByKey)}`);
      continue;
    }
    const b = bodies.get(bodyEntryByKey.get(k)?.entry.code ?? '');
    if (!b) {
      err(p, leaderByKey.has(k) ? `"${written}" is a leader; this role needs a body code` : `no body "${written}" in ${file}${closest(written, [...bodies.keys()])}`);
      continue;
    }
    roles[field] = b.code;
    if (today !== undefined && b.validTo !== undefined && b.validTo < today) {
      err(p, `${b.code} (${b.name}) ended on ${formatIsoDay(b.validTo)}${b.successor ? `: point the role at its successor ${b.successor}` : ''}`);
    } else if (!b.head.email) {
      err(p, `${b.code} (${b.name}) has no address: set its head.email in ${file}`);
    }
  }

  return { org: { bodies, leaders: reKey(leaderByKey), roles }, problems, warnings };
}

function reKey(byKey: Map<string, Leader>): Map<string, Leader> {
  return new Map([...byKey.values()].map((l) => [l.code, l]));
}

function listCodes(m: Map<string, { code: string }>): string {
  return [...m.values()].map((v) => v.code).join(', ') || '(none)';
}

function closest(written: string, codes: string[]): string {
  const k = written.toUpperCase();
  const near = codes
    .map((c) => ({ c, d: editDistance(k, c.toUpperCase()) }))
    .sort((a, b) => a.d - b.d)
    .slice(0, 3)
    .map((x) => x.c);
  return near.length ? `; closest codes: ${near.join(', ')}` : '';
}

/** Head tenures must not overlap (one head at a time, 7176 §5 looks at persons). */
function checkTenures(tenures: ReadonlyArray<{ name: string; from: Day; to?: Day | undefined }>, report: (j: number, message: string) => void): void {
  const order = tenures.map((t, j) => ({ t, j })).sort((a, b) => a.t.from - b.t.from);
  for (let n = 1; n < order.length; n++) {
    const prev = order[n - 1]!;
    const cur = order[n]!;
    if (prev.t.to === undefined || cur.t.from <= prev.t.to) {
      const until = prev.t.to === undefined ? 'with no end' : `to ${formatIsoDay(prev.t.to)}`;
      report(cur.j, `${cur.t.name} from ${formatIsoDay(cur.t.from)} overlaps head_tenures[${prev.j}] (${prev.t.name}, ${formatIsoDay(prev.t.from)} ${until})`);
    }
  }
}

/** A chain of successors must end; each cycle is reported once, at its first body in the file. */
function checkCycles(bodies: Map<string, Body>, report: (code: string, message: string) => void): void {
  const done = new Set<string>();
  for (const start of bodies.values()) {
    const walk: string[] = [];
    let b: Body | undefined = start;
    while (b && !done.has(b.code) && !walk.includes(b.code)) {
      walk.push(b.code);
      b = b.successor ? bodies.get(b.successor) : undefined;
    }
    if (b && walk.includes(b.code)) {
      const cycle = walk.slice(walk.indexOf(b.code));
      report(cycle[0]!, `successor cycle ${[...cycle, cycle[0]].join(' → ')}: a chain of successors must end at a body in force`);
    }
    for (const c of walk) done.add(c);
  }
}

/** A name or alias must lead to one body at a time, and must not be another body's code. */
function checkNames(bodies: Map<string, Body>, pathOf: Map<string, number>, at: (...p: PropertyKey[]) => string, err: (p: string, m: string) => void): void {
  const seen = new Map<string, Array<{ body: Body; where: string }>>();
  const byCode = new Map([...bodies.values()].map((b) => [codeKey(b.code), b]));
  for (const body of bodies.values()) {
    const i = pathOf.get(body.code)!;
    namesOf(body).forEach((n, j) => {
      const wherePath: PropertyKey[] = j === 0 ? ['bodies', i, 'name'] : ['bodies', i, 'aliases', j - 1];
      const where = formatPath(wherePath);
      const full = at(...wherePath);
      // Names that differ in their diacritics only are two names (xã Văn Lăng, xã Văn Lang).
      const key = exactKey(n);
      if (!key) return err(full, `"${n}" has no letters or digits to match on`);
      const other = byCode.get(codeKey(n));
      if (other && other !== body) return err(full, `"${n}" is the code of ${other.code} (${other.name}); a clerk writing it would get that body`);
      const prior = (seen.get(key) ?? []).find((s) => s.body !== body && periodsOverlap(s.body, body));
      if (prior) return err(full, `"${n}" also names ${prior.body.code} (${prior.where}) at the same time; a name or alias must lead to one body`);
      seen.set(key, [...(seen.get(key) ?? []), { body, where }]);
    });
  }
}
