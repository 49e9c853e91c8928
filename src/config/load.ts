// The one place that reads config files. Parses YAML once, validates with zod, reports every
// problem together (file, dotted path, what to write), builds the calendar and freezes the
// result. Nothing else in dondoc reads the config file or the calendar data.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { type Calendar, makeCalendar } from '../core/calendar.js';
import { type Day, formatIsoDay, yearOfDay } from '../core/day.js';
import { type DayOffEntry, HOLIDAY_NAMES, type OfficialYear, type WorkingDayEntry } from '../core/holidays.js';
import type { OrgDirectory } from '../core/org.js';
import { DondocError, type Problem } from '../errors.js';
import { loadOrgDirectory } from './org-load.js';
import { formatPath, parseYaml, zodProblems } from './problems.js';

export { formatPath, parseYaml, zodProblems };
import { DEFAULT_CONFIG_PATH, SHIPPED_CALENDAR_DATA, SHIPPED_CONFIG } from './paths.js';
import { type DondocConfig, configSchema } from './schema.js';
import { type DayOffEntryInput, calendarSchema, officialYearFileSchema } from './sections/calendar.js';
import { orgSectionSchema } from './sections/org.js';
import { withLinkSecrets } from './sections/links.js';

export interface LoadedConfig {
  /** The file as the user named it (used in every message). */
  readonly file: string;
  readonly config: DondocConfig;
  readonly calendar: Calendar;
  /** The org directory (config `org.directory`) with the roles resolved to its entries. */
  readonly org: OrgDirectory;
  /** Things an admin should know that do not stop dondoc (e.g. years computed by rule). */
  readonly warnings: readonly string[];
  /** Identifies the config in force (config file + calendar data), for re-planning. */
  readonly hash: string;
}

export interface LoadOptions {
  /** Explicit file (CLI --config); else DONDOC_CONFIG; else config/dondoc.yaml; else the shipped one. */
  file?: string;
  env?: Record<string, string | undefined>;
  /** Today, for warnings about the current and next year; injected, never read here. */
  today?: Day;
}

function resolveFile(opts: LoadOptions): { file: string; shown: string } {
  const explicit = opts.file ?? opts.env?.DONDOC_CONFIG;
  if (explicit) {
    if (!fs.existsSync(explicit)) throw new DondocError('CONFIG_NOT_FOUND', `${explicit}: config file not found (check --config or DONDOC_CONFIG)`);
    return { file: explicit, shown: explicit };
  }
  if (fs.existsSync(DEFAULT_CONFIG_PATH)) return { file: DEFAULT_CONFIG_PATH, shown: DEFAULT_CONFIG_PATH };
  return { file: SHIPPED_CONFIG, shown: SHIPPED_CONFIG };
}

const expandDaysOff = (e: DayOffEntryInput, fallbackSource: string): DayOffEntry[] => {
  const from = e.date ?? e.from!;
  const to = e.date ?? e.to!;
  const out: DayOffEntry[] = [];
  for (let d = from; d <= to; d++) {
    out.push({ day: d, name: e.name, source: e.source ?? fallbackSource, ...(e.holiday ? { holiday: e.holiday } : {}) });
  }
  return out;
};

function loadOfficialYears(dir: string, problems: Problem[], hash: ReturnType<typeof createHash>): OfficialYear[] {
  if (!fs.existsSync(dir)) {
    problems.push({ path: dir, message: 'calendar data directory not found (calendar.official_data)' });
    return [];
  }
  const years: OfficialYear[] = [];
  for (const name of fs.readdirSync(dir).filter((n) => /\.ya?ml$/.test(n)).sort()) {
    const file = path.join(dir, name);
    const text = fs.readFileSync(file, 'utf8');
    hash.update(name).update(text);
    const { data, problems: syntax, locate } = parseYaml(file, text);
    if (syntax.length) {
      problems.push(...syntax);
      continue;
    }
    const parsed = officialYearFileSchema.safeParse(data);
    if (!parsed.success) {
      problems.push(...zodProblems(file, parsed.error, [], locate));
      continue;
    }
    const y = parsed.data;
    const daysOff = y.days_off.flatMap((e) => expandDaysOff(e, file));
    const workingDays: WorkingDayEntry[] = y.working_days.map((e) => ({ day: e.date, name: e.name, source: e.source ?? file }));
    const stray = [...daysOff, ...workingDays].find((e) => yearOfDay(e.day) !== y.year);
    if (stray) problems.push({ path: file, message: `${formatIsoDay(stray.day)} is not in year ${y.year}` });
    if (years.some((o) => o.year === y.year)) problems.push({ path: file, message: `a second schedule for ${y.year}` });
    years.push({ year: y.year, covers: y.covers, daysOff, workingDays });
  }
  return years;
}

/** Reads, validates and freezes the config. Throws DondocError('CONFIG_INVALID') listing every problem. */
export function loadConfig(opts: LoadOptions = {}): LoadedConfig {
  const { file, shown } = resolveFile(opts);
  const text = readConfigFile(file, shown);
  return loadConfigText(text, shown, path.dirname(file), opts.today, opts.env);
}

/** The config without the org directory: for commands that only count working days. */
export type CalendarConfig = Pick<LoadedConfig, 'file' | 'config' | 'calendar' | 'warnings'>;

/**
 * Reads and validates the config file like loadConfig, but not the org directory it names:
 * `dondoc calendar …` needs the calendar only, and starts faster without it.
 */
export function loadCalendarConfig(opts: LoadOptions = {}): CalendarConfig {
  const { file, shown } = resolveFile(opts);
  const text = readConfigFile(file, shown);
  return deepFreeze(readConfig(text, shown, path.dirname(file), opts.today, opts.env, false));
}

function readConfigFile(file: string, shown: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DondocError('CONFIG_NOT_FOUND', `${shown}: cannot read the config file (${code ?? (e as Error).message})`, [], { cause: e });
  }
}

export function loadConfigText(text: string, shown: string, baseDir: string, today?: Day, env?: Record<string, string | undefined>): LoadedConfig {
  const r = readConfig(text, shown, baseDir, today, env, true);
  return deepFreeze({ file: shown, config: r.config, calendar: r.calendar, org: r.org!, warnings: r.warnings, hash: r.hash });
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * One pass over everything (config check reports it all at once): the schema, then — even when
 * the schema refused some section — the calendar data and the org directory with its
 * references (roles, successors, leaders), each checked from the sections that are valid.
 */
function readConfig(text: string, shown: string, baseDir: string, today: Day | undefined, env: Record<string, string | undefined> | undefined, withOrg: boolean) {
  const problems: Problem[] = [];
  const hash = createHash('sha256').update(text);
  const { data, problems: syntax, locate } = parseYaml(shown, text);
  if (syntax.length) throw invalid(shown, syntax);
  const parsed = configSchema.safeParse(data);
  if (!parsed.success) problems.push(...zodProblems(shown, parsed.error, [], locate));
  const raw = isRecord(data) ? data : {};

  // The sections the rest needs, from the whole parse or each on its own.
  const calendarSection = parsed.success ? parsed.data.calendar : calendarSchema.safeParse(raw.calendar ?? {}).data;
  const dataDir = calendarSection?.official_data ? path.resolve(baseDir, calendarSection.official_data) : SHIPPED_CALENDAR_DATA;
  const officialYears = calendarSection ? loadOfficialYears(dataDir, problems, hash) : [];

  let orgLoaded: ReturnType<typeof loadOrgDirectory> | undefined;
  if (withOrg) {
    const section = parsed.success ? { ok: true as const, value: parsed.data.org } : raw.org === undefined ? { ok: true as const, value: undefined } : ((r) => (r.success ? { ok: true as const, value: r.data } : { ok: false as const }))(orgSectionSchema.safeParse(raw.org));
    if (section.ok) {
      orgLoaded = loadOrgDirectory({ section: section.value, baseDir, configFile: shown, configLocate: locate, ...(today !== undefined ? { today } : {}) });
      problems.push(...orgLoaded.problems);
      hash.update(orgLoaded.text);
    }
  }
  if (problems.length || !parsed.success) throw invalid(shown, problems);

  // Link secrets may come from DONDOC_LINK_SECRET (kept out of the file and of its hash).
  const links = withLinkSecrets(parsed.data.links, env);
  const config = { ...parsed.data, links: links.links };
  const extraDaysOff = config.calendar.days_off.flatMap((e) => expandDaysOff(e, shown));
  const extraWorkingDays: WorkingDayEntry[] = config.calendar.working_days.map((e) => ({ day: e.date, name: e.name, source: e.source ?? shown }));
  for (const s of config.calendar.swaps) {
    const name = s.name ?? `Hoán đổi: nghỉ ${formatIsoDay(s.day_off)}, làm bù ${formatIsoDay(s.work_on)}`;
    extraDaysOff.push({ day: s.day_off, name, source: s.source ?? shown });
    extraWorkingDays.push({ day: s.work_on, name: `Làm bù cho ngày ${formatIsoDay(s.day_off)}`, source: s.source ?? shown });
  }

  const calendar = makeCalendar({
    zone: config.timezone,
    officeHours: { intervals: config.office_hours.intervals },
    officialYears,
    recurringHolidays: config.calendar.holidays.map((h) => ({
      name: h.name,
      calendar: h.lunar ? 'lunar' : 'solar',
      month: Number(h.date.slice(0, 2)),
      day: Number(h.date.slice(3, 5)),
      fromYear: h.from_year,
      toYear: h.to_year,
      compensate: h.compensate,
      source: h.source ?? shown,
    })),
    extraDaysOff,
    extraWorkingDays,
  });

  const warnings: string[] = [];
  if (today !== undefined) {
    for (const y of [yearOfDay(today), yearOfDay(today) + 1]) {
      const note = calendar.yearNote(y);
      if (note.fromRule.length === 0) continue;
      const names = note.fromRule.map((h) => HOLIDAY_NAMES[h]).join(', ');
      warnings.push(
        `calendar ${y}: no official schedule for ${names}; placed by the Labour Code rules${note.approximate ? ' (approximate: the yearly decision may differ)' : ''}. Add data/calendar/${y}.yaml or calendar.days_off when it is announced.`,
      );
    }
  }
  warnings.push(...(orgLoaded?.warnings ?? []), ...links.warnings);
  return { file: shown, config, calendar, org: orgLoaded?.org, warnings, hash: hash.digest('hex').slice(0, 16) };
}

function invalid(file: string, problems: Problem[]): DondocError {
  return new DondocError('CONFIG_INVALID', `${file}: ${problems.length} problem${problems.length > 1 ? 's' : ''} in the config`, problems);
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) if (typeof v !== 'function') deepFreeze(v);
  }
  return o;
}
