// Mutes (issue 5, "Operator commands"): an operator can silence a task, or a body (a department
// under reorganisation, a mailbox being moved). A muted notification is not lost: the job
// records it as `muted`, and it goes out if the mute is lifted before a later step supersedes
// it — which is why unmuting re-plans the tasks concerned at once.
//   P:mute:task   HASH  task id   → JSON { by, at, reason }
//   P:mute:body   HASH  body code → JSON { by, at, reason }
import type { RedisClient } from './redis.js';
import type { Task } from '../core/task.js';
import { makeKeys } from './keys.js';
import { makeSchedule } from './schedule.js';

export type MuteKind = 'task' | 'body';

export interface MuteEntry {
  kind: MuteKind;
  key: string;
  by: string;
  at: number;
  reason?: string;
}

export interface Mutes {
  mute(kind: MuteKind, key: string, by: string, now: number, reason?: string): Promise<void>;
  /** Lifts a mute and re-plans what it held back; false when there was none. */
  unmute(kind: MuteKind, key: string): Promise<boolean>;
  list(): Promise<MuteEntry[]>;
  /** The mute that holds the task back: its own, or its lead's or a coordinator's body's. */
  mutedBy(task: Task): Promise<MuteEntry | null>;
  /** The mute for one notification: the task's own, or the body it addresses. */
  mutedFor(taskId: string, body: string): Promise<MuteEntry | null>;
  /** Every mute now, read once (mutes are few): mutedFor() answered from memory, for a job of many items. */
  snapshot(): Promise<(taskId: string, body: string) => MuteEntry | null>;
}

const keyOf = (prefix: string, kind: MuteKind): string => `${prefix}:mute:${kind}`;

function entry(kind: MuteKind, key: string, raw: string | null | undefined): MuteEntry | null {
  if (!raw) return null;
  const v = JSON.parse(raw) as { by: string; at: number; reason?: string };
  return { kind, key, by: v.by, at: v.at, ...(v.reason !== undefined ? { reason: v.reason } : {}) };
}

/** `now` stamps the re-plan an unmute asks for (the service passes its injected clock). */
export function makeMutes(redis: RedisClient, prefix: string, now: () => number = Date.now): Mutes {
  const schedule = makeSchedule(redis, prefix);
  const taskKeys = makeKeys(prefix);
  return {
    async mute(kind, key, by, at, reason) {
      const reasonText = reason?.normalize('NFC').trim();
      await redis.hset(keyOf(prefix, kind), key, JSON.stringify({ by, at, ...(reasonText ? { reason: reasonText } : {}) }));
    },

    async unmute(kind, key) {
      const removed = (await redis.hdel(keyOf(prefix, kind), key)) > 0;
      if (!removed) return false;
      // What was held back goes out now if it is still the step to send.
      const ids = kind === 'task' ? [key] : await redis.zrange(taskKeys.body(key), 0, -1);
      await schedule.touch(ids, now());
      return true;
    },

    async list() {
      const out: MuteEntry[] = [];
      for (const kind of ['task', 'body'] as const) {
        const all = await redis.hgetall(keyOf(prefix, kind));
        for (const [key, raw] of Object.entries(all)) out.push(entry(kind, key, raw)!);
      }
      return out.sort((a, b) => a.at - b.at || (a.key < b.key ? -1 : 1));
    },

    async mutedBy(task) {
      const own = entry('task', task.id, await redis.hget(keyOf(prefix, 'task'), task.id));
      if (own) return own;
      const bodies = [...new Set([task.lead, ...task.coordinators])];
      const raws = await redis.hmget(keyOf(prefix, 'body'), ...bodies);
      for (let i = 0; i < bodies.length; i++) {
        const e = entry('body', bodies[i]!, raws[i]);
        if (e) return e;
      }
      return null;
    },

    async snapshot() {
      const [tasks, bodies] = await Promise.all([redis.hgetall(keyOf(prefix, 'task')), redis.hgetall(keyOf(prefix, 'body'))]);
      return (taskId, body) => entry('task', taskId, tasks[taskId]) ?? entry('body', body, bodies[body]);
    },

    async mutedFor(taskId, body) {
      const [t, b] = await Promise.all([redis.hget(keyOf(prefix, 'task'), taskId), redis.hget(keyOf(prefix, 'body'), body)]);
      return entry('task', taskId, t) ?? entry('body', body, b);
    },
  };
}

