// The service's clock. DONDOC_FAKE_NOW (tests and demos only) starts it at a given instant and
// lets it run on in real time, so a demo at night is "inside office hours" and mail goes out;
// BullMQ's delays (at − now) stay right because the offset is constant.
import { parseInstant } from './core/zone.js';
import { DondocError } from './errors.js';

export function makeClock(fakeNow: string | undefined, zoneName: string): () => number {
  if (!fakeNow) return () => Date.now();
  const start = parseInstant(fakeNow, zoneName);
  if (start === null) throw new DondocError('CONFIG_INVALID', `DONDOC_FAKE_NOW: not a real date-time: ${fakeNow}`, [{ path: 'DONDOC_FAKE_NOW', message: 'not a real date-time' }]);
  const offset = start - Date.now();
  return () => Date.now() + offset;
}
