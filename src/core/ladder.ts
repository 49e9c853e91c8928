// Where each step of a ladder falls, for one effective deadline date D.
// The anchoring rule (README "How steps are anchored"): every step counts from D.
//   "N working days before" → add(D, −N); "on: deadline" → D; "after N working days" → add(D, N);
//   "N days" are calendar days; each at the opening of office hours unless the step names a
//   time. Hour/minute steps count from the deadline's time when it has one on D, else from the
//   close of office hours on D. Whatever the step says, mail goes out only inside office hours
//   on a working day: a time outside moves to the next opening (calendar.nextOfficeInstant).
import type { Calendar } from './calendar.js';
import type { Day } from './day.js';
import { type Duration, durationMs } from './duration.js';
import type { PolicyStep } from './policy.js';
import type { Deadline } from './task.js';

export interface Slot {
  step: PolicyStep;
  /** Step id with the repeat suffix: "e3-a10wd", "e3-a10wd-x1", … */
  stepId: string;
  repeat: number;
  stepDay: Day;
  scheduledAt: number;
  /** Position in the policy, to order steps falling at the same instant. */
  order: number;
}

const shiftDays = (calendar: Calendar, day: Day, d: Duration, sign: 1 | -1): Day =>
  d.amount === 0 ? day : d.unit === 'working_day' ? calendar.add(day, sign * d.amount) : day + sign * d.amount;

/** The instant a step's day starts being eligible: its named time, else the office opening. */
const onDay = (calendar: Calendar, day: Day, minute: number | undefined): number =>
  calendar.nextOfficeInstant(calendar.zone.instantAt(day, minute ?? calendar.officeHours.intervals[0]![0]));

/** The slots of `steps` for deadline D (with the deadline as written, for timed deadlines). */
export function ladderSlots(steps: readonly PolicyStep[], D: Day, deadline: Deadline, calendar: Calendar, orderBase = 0): Slot[] {
  const out: Slot[] = [];
  const zone = calendar.zone;
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    const { direction, duration } = step.offset;
    const sign = direction === 'before' ? -1 : 1;
    let stepDay: Day;
    let scheduledAt: number;
    if (duration.unit === 'hour' || duration.unit === 'minute') {
      const intervals = calendar.officeHours.intervals;
      const anchor =
        deadline.minute !== undefined && deadline.day === D
          ? zone.instantAt(D, deadline.minute)
          : zone.instantAt(D, intervals[intervals.length - 1]![1]);
      const t = anchor + sign * durationMs(duration);
      stepDay = zone.dayOf(t);
      scheduledAt = calendar.nextOfficeInstant(t);
    } else {
      stepDay = shiftDays(calendar, D, duration, sign);
      scheduledAt = onDay(calendar, stepDay, step.minute);
    }
    const order = orderBase + i * 100;
    out.push({ step, stepId: step.id, repeat: 0, stepDay, scheduledAt, order });
    if (step.repeat) {
      for (let k = 1; k <= step.repeat.times; k++) {
        const day = shiftDays(calendar, stepDay, { amount: step.repeat.every.amount * k, unit: step.repeat.every.unit }, 1);
        out.push({ step, stepId: `${step.id}-x${k}`, repeat: k, stepDay: day, scheduledAt: onDay(calendar, day, step.minute), order: order + k });
      }
    }
  }
  return out;
}
