// Prometheus metrics (issue 5, "Observability"), in a registry of dondoc's own (never the global
// one, so a test can build two): what this process's workers did — notifications sent, failed,
// skipped by reason — and what the whole system looks like, read from Redis at each scrape —
// the queue depth and how far behind the scheduler is. Served as `GET /metrics` by the API, and
// by the small listener of DONDOC_METRICS_PORT in processes without one.
//
// Counters are per process (Prometheus sums them over instances); the gauges read at scrape
// time describe the shared queue, so every process reports the same value: use max(), not sum().
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

export interface QueueDepth {
  waiting: number;
  delayed: number;
  active: number;
  failed: number;
}

/** Read at each scrape; errors (Redis down) leave the last values and set dondoc_redis_up 0. */
export interface MetricsSources {
  queueDepth?: () => Promise<QueueDepth>;
  scheduleLagSeconds?: () => Promise<number>;
  redisUp?: () => Promise<boolean>;
  /** Open tasks nobody can be reminded of, as the latest accountability pass counted them. */
  unaddressed?: () => Promise<number>;
}

/** What the engine reports as it works (src/queue/engine.ts EngineMetrics). */
export interface EngineMetricsSink {
  sent(kind: string, level: number): void;
  failed(kind: string): void;
  skipped(reason: string): void;
  scheduleLag(seconds: number): void;
}

export interface Metrics {
  registry: Registry;
  engine: EngineMetricsSink;
  /** Connects the scrape-time gauges to the running parts (after they exist). */
  setSources(sources: MetricsSources): void;
  /** The exposition text and its content type. */
  render(): Promise<{ body: string; contentType: string }>;
}

export function makeMetrics(opts: { defaultMetrics?: boolean; labels?: Record<string, string> } = {}): Metrics {
  const registry = new Registry();
  if (opts.labels) registry.setDefaultLabels(opts.labels);
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'dondoc_' });
  let sources: MetricsSources = {};

  const sent = new Counter({
    name: 'dondoc_notifications_sent_total',
    help: 'Notifications accepted by the mail server (or written to the outbox), by kind and escalation level',
    labelNames: ['kind', 'level'] as const,
    registers: [registry],
  });
  const failed = new Counter({
    name: 'dondoc_notifications_failed_total',
    help: 'Notifications recorded as failed (permanent error, or retries used up) and reported',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const skipped = new Counter({
    name: 'dondoc_notifications_skipped_total',
    help: 'Notifications not sent because the plan changed at fire time (completed, cancelled, extended, superseded, muted…), by reason',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  let lastLag = 0;
  const lag = new Gauge({
    name: 'dondoc_schedule_lag_seconds',
    help: 'How long the oldest due task has waited for the scheduler (0 when none is due)',
    registers: [registry],
    async collect() {
      if (sources.scheduleLagSeconds) {
        try {
          lastLag = await sources.scheduleLagSeconds();
        } catch {
          /* Redis down: keep the last value; dondoc_redis_up says why */
        }
      }
      this.set(lastLag);
    },
  });
  const depth = new Gauge({
    name: 'dondoc_queue_jobs',
    help: 'Jobs in the notify queue by state (waiting, delayed, active, failed)',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      if (!sources.queueDepth) return;
      try {
        const d = await sources.queueDepth();
        for (const state of ['waiting', 'delayed', 'active', 'failed'] as const) this.set({ state }, d[state]);
      } catch {
        /* Redis down: keep the last values */
      }
    },
  });
  void depth;
  const redisUp = new Gauge({
    name: 'dondoc_redis_up',
    help: '1 when Redis answered the last scrape, 0 when it did not',
    registers: [registry],
    async collect() {
      if (!sources.redisUp) return;
      this.set((await sources.redisUp().catch(() => false)) ? 1 : 0);
    },
  });
  void redisUp;
  let lastUnaddressed = 0;
  const unaddressed = new Gauge({
    name: 'dondoc_tasks_unaddressed',
    help: 'Open tasks whose lead body nobody can be reminded at (ended without successor, unknown, no address), as the latest accountability pass found them',
    registers: [registry],
    async collect() {
      if (sources.unaddressed) lastUnaddressed = await sources.unaddressed().catch(() => lastUnaddressed);
      this.set(lastUnaddressed);
    },
  });
  void unaddressed;

  return {
    registry,
    engine: {
      sent: (kind, level) => sent.inc({ kind, level: String(level) }),
      failed: (kind) => failed.inc({ kind }),
      skipped: (reason) => skipped.inc({ reason }),
      scheduleLag: (seconds) => {
        lastLag = seconds;
        lag.set(seconds);
      },
    },
    setSources(s) {
      sources = s;
    },
    async render() {
      return { body: await registry.metrics(), contentType: registry.contentType };
    },
  };
}

/** `GET /metrics` on an app (no token: the figures hold no task data, and scrapers rarely authenticate). */
export function registerMetricsRoute(app: FastifyInstance, metrics: Metrics): void {
  app.get('/metrics', async (_req, reply) => {
    const { body, contentType } = await metrics.render();
    return reply.type(contentType).send(body);
  });
}
