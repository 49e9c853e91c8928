// What the engine reports to the metrics endpoint (the process shell turns these into
// Prometheus counters and gauges); optional, so tests and the CLI need none.
export interface EngineMetrics {
  sent(kind: string, level: number): void;
  failed(kind: string): void;
  skipped(reason: string): void;
  scheduleLag(seconds: number): void;
}

export const NO_METRICS: EngineMetrics = { sent: () => {}, failed: () => {}, skipped: () => {}, scheduleLag: () => {} };
