// The Redis key layout of the task registry.
//
// Per task (one Redis Cluster hash slot, thanks to the {id} hash tag, so one Lua script can
// change them together and the store runs unchanged on a cluster):
//   P:task:{ID}             STRING  the task, JSON (core Task: day numbers, epoch-ms instants)
//   P:task:{ID}:history     LIST    one JSON TaskEvent per change, appended, never rewritten
//
// Across tasks (each key in its own slot; see index-entries.ts for scores):
//   P:idx:all               ZSET    every task
//   P:idx:open              ZSET    tasks with an occurrence still to do
//   P:idx:closed            ZSET    tasks done or cancelled (recurring tasks too, see below)
//   P:idx:body:CODE         ZSET    tasks the body leads or coordinates
//   P:idx:dirty             ZSET    ids whose index update may not have finished (score: ms)
//
// How the indexes stay correct on a cluster: a change is (1) marked dirty, (2) written to the
// task's own slot by one atomic script (task + history; the revision check is in the script),
// (3) reflected in the indexes, (4) unmarked. A crash between (2) and (4) leaves the id in
// P:idx:dirty; list() re-indexes dirty ids older than a few seconds before it reads, and
// `dondoc task reindex` rebuilds everything. Indexes only pick candidates: every listed task is
// re-checked against its own JSON, so a stale entry costs a read, never a wrong answer.
// Task ids are [a-z0-9-] and body codes [A-Za-z0-9_.-], so neither can contain a brace.

export interface Keys {
  prefix: string;
  task(id: string): string;
  history(id: string): string;
  all: string;
  open: string;
  closed: string;
  body(code: string): string;
  dirty: string;
  /** Pattern matching every task key, for SCAN. */
  taskPattern: string;
  /** The id in a task key, or undefined for other keys (history…). */
  idOfTaskKey(key: string): string | undefined;
}

export function makeKeys(prefix: string): Keys {
  const head = `${prefix}:task:{`;
  return {
    prefix,
    task: (id) => `${head}${id}}`,
    history: (id) => `${head}${id}}:history`,
    all: `${prefix}:idx:all`,
    open: `${prefix}:idx:open`,
    closed: `${prefix}:idx:closed`,
    body: (code) => `${prefix}:idx:body:${code}`,
    dirty: `${prefix}:idx:dirty`,
    taskPattern: `${prefix}:task:{*}`,
    idOfTaskKey: (key) => (key.startsWith(head) && key.endsWith('}') ? key.slice(head.length, -1) : undefined),
  };
}
