/**
 * The run's own clock (pure). The worker times `runtime.run()`, which also checks the schema and migrates (the setup,
 * reported apart, as the daemon does it once per process); the run's clock stops while the setup runs, so that run
 * times, EC2 spans and statement times mean what they meant when the setup ran before the run.
 */

/** A stretch of time on the performance clock (ms). */
export interface Window {
  readonly startAt: number;
  readonly endAt: number;
}

/** ms of the run at performance-clock time `t`: time since `start`, less the setup windows that passed before `t`. */
export function runClock(start: number, setup: readonly Window[]): (t: number) => number {
  return (t) => t - start - setup.reduce((paused, w) => paused + Math.max(0, Math.min(t, w.endAt) - Math.max(start, w.startAt)), 0);
}

/** Total length of the windows (ms). */
export function windowsMs(windows: readonly Window[]): number {
  return windows.reduce((sum, w) => sum + (w.endAt - w.startAt), 0);
}
