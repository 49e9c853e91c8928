// The world of a fault test (issue 7): a config FILE that the test and real `dondoc start`
// processes read alike (the 2022 Thái Nguyên fixture plus delivery timings of seconds), the
// environment those processes get, and a clock they share with the test. Each process's clock is
// DONDOC_FAKE_NOW taken from the test's clock at spawn time, so processes started at different
// moments agree (to the ~1 s a process takes to start), as machines with NTP would.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type LoadedConfig, loadConfig } from '../../src/config/load.js';
import { ROOT } from './cli.js';
import { DOMAIN } from './delivery-harness.js';
import { type DondocProcess, spawnDondocProcess } from './dondoc-process.js';

const FIXTURES = path.join(ROOT, 'tests/fixtures');
export const ADMIN = 'quantri@thainguyen.example.gov.vn';

export interface FaultConfigOptions {
  /** YAML replacing the fixture's empty calendar section (days off…). */
  calendar?: string;
  /** The daily digest (default off: the fault cases count task notifications; the weekly
   * summary and the lateness notices are off too — threshold 1000 — for the same reason). */
  digest?: boolean;
  /** The claim lease (default 5s: longer than the 1+1+2 s of SMTP timeouts, as the schema demands). */
  lease?: string;
  /** Tries in all (default 4), 100–400 ms apart. */
  attempts?: number;
  concurrency?: number;
  /** policy.bundle: on by default, 50 items a mail (the shipped defaults). */
  bundle?: { enabled?: boolean; max_items?: number };
}

/** The config text: fixture + mail identity + a delivery section fit for tests. */
export function faultConfigText(o: FaultConfigOptions = {}): string {
  const fixture = fs.readFileSync(path.join(FIXTURES, 'dondoc-2022.yaml'), 'utf8');
  const base = o.calendar ? fixture.replace(/^calendar: \{\}$/m, `calendar: ${o.calendar}`) : fixture;
  const bundle = `bundle: { enabled: ${o.bundle?.enabled ?? true}, max_items: ${o.bundle?.max_items ?? 50} }`;
  return `${base}\npolicy: { ${o.digest ? '' : 'digest: { enabled: false }, '}${bundle} }\n
accountability: { lateness: { threshold: 1000 }, reports: { weekly: { enabled: false } } }
mail:
  from: { name: Văn phòng UBND tỉnh Thái Nguyên, address: nhacviec@${DOMAIN} }
delivery:
  connection_timeout: 1s
  greeting_timeout: 1s
  socket_timeout: 2s
  lease: ${o.lease ?? '5s'}
  bundle_gather: 1s
  retry: { attempts: ${o.attempts ?? 4}, backoff_initial: 100ms, backoff_max: 400ms, jitter: 0.2 }
  admin_email: ${ADMIN}
  scheduler_tick: 100ms
  reconcile_every: 10s
  concurrency: ${o.concurrency ?? 4}
`;
}

export interface FaultFiles {
  dir: string;
  file: string;
  /** (Re)writes the config file; returns it loaded as the processes will load it. */
  write(o?: FaultConfigOptions): LoadedConfig;
  load(): LoadedConfig;
  remove(): void;
}

/** A temp dir holding the config and the org directory it names. */
export function faultFiles(o: FaultConfigOptions = {}): FaultFiles {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dondoc-fault-'));
  fs.copyFileSync(path.join(FIXTURES, 'org-2022-thai-nguyen.yaml'), path.join(dir, 'org-2022-thai-nguyen.yaml'));
  const file = path.join(dir, 'dondoc.yaml');
  const files: FaultFiles = {
    dir,
    file,
    write(next = o) {
      fs.writeFileSync(file, faultConfigText(next));
      return files.load();
    },
    load: () => loadConfig({ file }),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
  files.write(o);
  return files;
}

export interface ProcessWorld {
  redisUrl: string;
  smtpUrl: string;
  prefix: string;
  configFile: string;
  /** The test's clock: each process starts its own at this instant. */
  now(): number;
}

/** `dondoc start --role ROLE` on the world's Redis, SMTP server, config and clock. */
export function spawnRole(w: ProcessWorld, role: 'all' | 'scheduler' | 'worker', extra: Record<string, string> = {}): DondocProcess {
  return spawnDondocProcess(['start', '--role', role], {
    env: {
      REDIS_URL: w.redisUrl,
      SMTP_URL: w.smtpUrl,
      DONDOC_KEY_PREFIX: w.prefix,
      DONDOC_CONFIG: w.configFile,
      DONDOC_FAKE_NOW: new Date(w.now()).toISOString(),
      DONDOC_REDIS_TIMEOUT_MS: '1000',
      DONDOC_LOG_LEVEL: 'debug',
      // role all serves the API too: a port nobody else uses.
      DONDOC_HTTP_PORT: '0',
      ...extra,
    },
  });
}

/** The last lines of a process's log, for a failing test's message. */
export function tail(p: DondocProcess, lines = 40): string {
  return p.stderr().trim().split('\n').slice(-lines).join('\n');
}

/**
 * A process's clock as an offset from the wall clock, read from its "DONDOC_FAKE_NOW is set"
 * line (the fake instant and the wall time of the same moment). Its clock started when the
 * process got that far, a second or more after the spawn, so it runs behind the test's.
 */
export function clockOffset(p: DondocProcess): number {
  for (const line of p.stderr().split('\n')) {
    if (!line.includes('DONDOC_FAKE_NOW is set')) continue;
    const l = JSON.parse(line) as { time: string; now: string };
    return Date.parse(l.now) - Date.parse(l.time);
  }
  throw new Error(`no DONDOC_FAKE_NOW line in the log of this process:\n${tail(p)}`);
}

/**
 * Sets the test's clock to the slowest process clock, so the test never stamps a change (a
 * task's schedule entry) in the future of a scheduler — what NTP gives machines in production.
 */
export function alignClock(clock: { set(instant: number): void }, procs: readonly DondocProcess[]): void {
  const offset = Math.min(...procs.map(clockOffset));
  clock.set(Date.now() + offset);
}
