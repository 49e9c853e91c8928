// From validated input to a task ready to store, the same way for the API, the CLI and
// imports: body codes or names checked against the org directory (unknown ones named with the
// closest known names), defaults filled by buildTask, and — since letters outlive bodies —
// the lead and coordinators moved to their successors as of today, with history. Pure.
import type { Calendar } from '../core/calendar.js';
import type { Day } from '../core/day.js';
import type { OrgDirectory } from '../core/org.js';
import { makeBodyMatcher } from '../core/org-match.js';
import type { TaskInput } from '../core/task-codec.js';
import { buildTask } from '../core/task-ops.js';
import { DondocError, type Problem } from '../errors.js';
import { followSuccessors } from './successors.js';
import type { UpsertItem } from './upsert-plan.js';

export interface TaskBuilder {
  /** A body named by code or name (any case, with or without diacritics) → its code; else INPUT_REJECTED with suggestions. */
  resolveBodyCode(text: string, path?: string): string;
  /** Checks the input's bodies and leader against the directory; returns it with canonical codes. */
  resolveBodies(input: TaskInput): TaskInput;
  /** Builds the task (successors followed as of today), with buildTask's warnings. */
  build(input: TaskInput, by: string): UpsertItem & { warnings: string[] };
}

export function makeTaskBuilder(deps: { calendar: Calendar; org: OrgDirectory; now: () => number }): TaskBuilder {
  const { calendar, org, now } = deps;
  const matcher = makeBodyMatcher(org);
  const hintOf = (s: string[]): string => (s.length ? `; did you mean: ${s.join('; ')}?` : '');

  return {
    resolveBodyCode(text, path = 'body') {
      const m = matcher(text);
      if (m.ok) return m.named.code;
      const message = `unknown body ${JSON.stringify(text)}${hintOf(m.suggestions)}`;
      throw new DondocError('INPUT_REJECTED', message, [{ path, message }]);
    },

    resolveBodies(input) {
      const problems: Problem[] = [];
      // The body that carried the work when it was assigned; successors come after (build).
      const onDay: Day = input.assigned_on ?? input.source.date;
      const resolve = (text: string, path: string): string => {
        const m = matcher(text, onDay);
        if (m.ok) return m.body.code;
        problems.push({ path, message: `unknown body ${JSON.stringify(text)}${hintOf(m.suggestions)}` });
        return text;
      };
      const lead = resolve(input.lead, 'lead');
      const coordinators = input.coordinators.map((c, i) => resolve(c, `coordinators[${i}]`));
      if (input.leader !== undefined && !org.leaders.has(input.leader)) {
        problems.push({ path: 'leader', message: `unknown leader ${JSON.stringify(input.leader)}; known: ${[...org.leaders.keys()].join(', ')}` });
      }
      if (problems.length) throw new DondocError('INPUT_REJECTED', `${problems.length} unknown ${problems.length === 1 ? 'entry' : 'entries'} in the org directory`, problems);
      return { ...input, lead, coordinators };
    },

    build(input, by) {
      const actor = { by, now: now() };
      const built = buildTask(input, calendar, org, actor);
      let task = built.task;
      const events = [...built.events];
      for (const c of followSuccessors(task, org, calendar.zone.dayOf(actor.now), actor)) {
        task = c.task;
        events.push(c.event);
      }
      return { task, events, warnings: built.warnings };
    },
  };
}
