// What every processor in jobs/ is given: the stores, the config in force (read at every use: a
// reload swaps it), the mailer, the clock, and a way to enqueue follow-up jobs. Built once per
// engine by engine.ts; processors are factories over it (makeSendNotification(ctx) …).
import path from 'node:path';
import type { Logger } from 'pino';
import type { LoadedConfig } from '../config/load.js';
import type { TaskNotification } from '../core/notification.js';
import { type PlanHistory, planNotifications } from '../core/planner.js';
import { maxReachWorkingDays } from '../core/policy.js';
import type { Task } from '../core/task.js';
import type { MailIdentity } from '../mail/eml.js';
import type { Mailer, SendResult } from '../mail/message.js';
import { type Templates, loadTemplates } from '../mail/render.js';
import type { Bundles } from '../store/bundles.js';
import type { DeliveryLog } from '../store/delivery-log.js';
import type { PlanRead } from '../store/plan-read.js';
import type { Mutes } from '../store/mutes.js';
import type { Schedule } from '../store/schedule.js';
import type { TaskStore } from '../store/task-store.js';
import type { EngineMetrics } from './metrics.js';

export type EnsureOutcome = 'added' | 'kept' | 'moved' | 'promoted';

export interface Enqueuer {
  /** Makes sure the job of this bundle exists and fires at `fireAt` (idempotent). */
  bundle(id: string, fireAt: number, now: number): Promise<EnsureOutcome>;
  /** The digest of a day (ISO date), job id digest-YYYYMMDD. */
  digest(isoDay: string): Promise<void>;
  /** The failure report about a record, to delivery.admin_email; logs an error when none is set. */
  report(taskId: string, id: string): Promise<void>;
}

export interface JobContext {
  store: TaskStore;
  /** A task and its delivery log, in one round trip (src/store/plan-read.ts). */
  planRead: (taskId: string) => Promise<PlanRead>;
  log: DeliveryLog;
  bundles: Bundles;
  mutes: Mutes;
  schedule: Schedule;
  config: () => LoadedConfig;
  templates: () => Templates;
  mailer: Mailer;
  now: () => number;
  logger: Logger;
  metrics: EngineMetrics;
  enqueue: Enqueuer;
  /** This engine instance ("host-pid-rand"): claims are owned by `${owner}:job-${jobId}`. */
  owner: string;
  leaseMs: number;
  /** A job may fire this much before its notification's `at` and still send (timers are not exact). */
  earlyMs: number;
  /** Sends this process made whose records could not be written yet (Redis down), by Message-ID: reused, never sent again. */
  unrecorded: Map<string, SendResult>;
  /** Mails this process is sending right now (a job BullMQ hands out again while it runs waits). */
  inProgress: Set<string>;
}

/** How far recurring occurrences are planned: enough for every step of the next weeks (issue 5: small). */
export function horizonDaysFor(loaded: LoadedConfig): number {
  const reach = Math.max(...Object.values(loaded.config.policy.kinds).map((k) => maxReachWorkingDays(k)));
  return 40 + 2 * reach;
}

/** The plan of a task as the delivery side sees it (short horizon, the delivery log as history). */
export function planFor(loaded: LoadedConfig, task: Task, history: PlanHistory, now: number): TaskNotification[] {
  return planNotifications(task, history, loaded.config.policy, loaded.calendar, loaded.org, now, { horizonDays: horizonDaysFor(loaded) });
}

export function identityOf(loaded: LoadedConfig): MailIdentity {
  return { from: loaded.config.mail.from, messageIdDomain: loaded.config.mail.messageIdDomain };
}

/** Templates of the config in force, loaded once per config (mail.templates is relative to the config file). */
export function templatesCache(config: () => LoadedConfig): () => Templates {
  let cached: { hash: string; templates: Templates } | undefined;
  return () => {
    const loaded = config();
    if (cached?.hash !== loaded.hash) {
      const dir = loaded.config.mail.templates;
      cached = { hash: loaded.hash, templates: loadTemplates(dir === undefined ? undefined : path.resolve(path.dirname(loaded.file), dir)) };
    }
    return cached.templates;
  };
}
