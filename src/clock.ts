// The one clock of a dondoc process, handed to everything that needs "now": the service (its
// scheduler, workers, API and pages) and every CLI command (src/cli/context.ts), so status
// lines, history stamps, previews and the schedule all agree.
//
// DONDOC_FAKE_NOW (tests and demos only) starts the clock at a given instant and lets it run on
// in real time, so a demo at night is "inside office hours" and mail goes out; BullMQ's delays
// (at − now) stay right because the offset is constant. Each process's clock starts at that
// instant when the process starts: a command run while `dondoc start` has been up for a few
// minutes is those minutes behind it, never ahead, so what it changes is due at once.
import { parseInstant } from './core/zone.js';
import { DondocError } from './errors.js';

/** Epoch milliseconds. */
export type Clock = () => number;

/** What DONDOC_FAKE_NOW accepts: a local date-time (in the config's zone) or one with an offset. */
export const FAKE_NOW_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?$/;

export const FAKE_NOW_EXAMPLE = '2026-03-10T09:00 or 2026-03-10T09:00:00+07:00';

function badFakeNow(value: string, why: string): DondocError {
  return new DondocError('CONFIG_INVALID', `DONDOC_FAKE_NOW: ${why}, got ${JSON.stringify(value)} (expected a date-time like ${FAKE_NOW_EXAMPLE})`, [
    { path: 'DONDOC_FAKE_NOW', message: why },
  ]);
}

/** The instant DONDOC_FAKE_NOW names, or a CONFIG_INVALID error saying what to write. */
export function parseFakeNow(value: string, zoneName: string): number {
  const text = value.trim();
  if (!FAKE_NOW_RE.test(text)) throw badFakeNow(value, 'not a date-time');
  const t = parseInstant(text, zoneName);
  if (t === null) throw badFakeNow(value, 'not a real date-time');
  return t;
}

/**
 * The process's clock: the system clock, or — with `fakeNow` — one that starts there when this
 * is called and runs on. The zone reads a local `fakeNow`; a function is asked once, at the
 * first reading, so a CLI command can name the zone of the config it loads by then.
 */
export function makeClock(fakeNow: string | undefined, zoneName: string | (() => string), realNow: () => number = Date.now): Clock {
  if (fakeNow === undefined || fakeNow.trim() === '') return realNow;
  const startedAt = realNow();
  let offset: number | undefined;
  return () => {
    offset ??= parseFakeNow(fakeNow, typeof zoneName === 'function' ? zoneName() : zoneName) - startedAt;
    return realNow() + offset;
  };
}
