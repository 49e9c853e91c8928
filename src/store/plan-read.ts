// What planning a task needs from Redis, in one round trip: the task and its whole delivery log
// (releases and copies). Both live in the task's hash slot ({ID}: src/store/keys.ts,
// src/store/delivery-log.ts), so one script reads them together, also on a Redis Cluster. The
// scheduler plans every task it leases this way, and a bundle job every task of its items.
import type { Task } from '../core/task.js';
import type { DeliveryRecord } from './delivery-log.js';
import { deliveryKeys } from './delivery-log.js';
import { makeKeys } from './keys.js';
import type { RedisClient } from './redis.js';

export interface PlanRead {
  task: Task | null;
  records: DeliveryRecord[];
}

// KEYS[1] task, KEYS[2] delivery log. Returns {task JSON or false, record JSON…}.
const READ_LUA = `
local out = {redis.call('GET', KEYS[1])}
for _, v in ipairs(redis.call('HVALS', KEYS[2])) do out[#out + 1] = v end
return out
`;

type Scripts = { dondocPlanRead(taskKey: string, logKey: string): Promise<Array<string | null>> };

export function makePlanReader(redis: RedisClient, prefix: string): (taskId: string) => Promise<PlanRead> {
  const r = redis as unknown as Partial<Scripts>;
  if (!r.dondocPlanRead) redis.defineCommand('dondocPlanRead', { numberOfKeys: 2, lua: READ_LUA });
  const s = redis as unknown as Scripts;
  const keys = makeKeys(prefix);
  const log = deliveryKeys(prefix);
  return async (taskId) => {
    const [raw, ...recs] = await s.dondocPlanRead(keys.task(taskId), log.record(taskId));
    const task = raw ? (JSON.parse(raw) as Task) : null;
    if (task && (typeof task.id !== 'string' || typeof task.revision !== 'number')) throw new Error(`${keys.task(taskId)}: not a dondoc task`);
    const records = recs.map((v) => JSON.parse(v!) as DeliveryRecord).sort((a, b) => a.plannedAt - b.plannedAt || (a.id < b.id ? -1 : 1));
    return { task, records };
  };
}
