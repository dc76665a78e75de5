import { constants } from 'node:os';
import type { Logger } from '../shared/logger.js';

/** Under Docker's 10 s between SIGTERM and SIGKILL. */
const FORCE_EXIT_AFTER_MS = 8_000;
/** Status of a forced exit after the time limit (a second signal exits 128 + its number: 130 SIGINT, 143 SIGTERM). */
const FORCED_EXIT_STATUS = 1;

/** The subset of `process` the handler uses, so tests can drive it. */
export interface SignalTarget {
  on(event: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  off(event: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
}

export interface ShutdownOptions {
  readonly logger: Logger;
  readonly forceAfterMs?: number;
  readonly signals?: readonly NodeJS.Signals[];
  readonly target?: SignalTarget;
  /** The forced path only; the graceful path ends by itself with `process.exitCode`. */
  readonly exit?: (code: number) => void;
}

export interface ShutdownHandle {
  /** Aborted by the first SIGTERM or SIGINT. */
  readonly signal: AbortSignal;
  /** Stops listening for signals. A forced-exit timer already armed stays armed (unref'd) in case something lingers. */
  dispose(): void;
}

/**
 * First SIGTERM/SIGINT: abort `signal` (the caller stops its schedule, lets the run in progress finish or roll back,
 * closes everything) and arm an unref'd timer that forces exit after `forceAfterMs`. A second signal forces exit at once.
 */
export function handleShutdownSignals(options: ShutdownOptions): ShutdownHandle {
  const { logger, forceAfterMs = FORCE_EXIT_AFTER_MS, signals = ['SIGTERM', 'SIGINT'], target = process } = options;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const controller = new AbortController();
  const forced = (message: string, code: number): void => {
    // The logger may already be closed: write directly.
    process.stderr.write(`guacamole-ec2-discovery: ${message}; exiting with status ${code}\n`);
    exit(code);
  };
  const listener = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) {
      forced(`second ${signal} during shutdown: forcing exit`, 128 + (constants.signals[signal] ?? 0));
      return;
    }
    logger.info('shutting down: stopping the schedule and letting a run in progress finish or roll back', { signal });
    controller.abort(new Error(`stopped by ${signal}`));
    setTimeout(() => forced(`shutdown took longer than ${forceAfterMs / 1000}s: forcing exit`, FORCED_EXIT_STATUS), forceAfterMs).unref();
  };
  for (const s of signals) target.on(s, listener);
  return {
    signal: controller.signal,
    dispose: () => {
      for (const s of signals) target.off(s, listener);
    },
  };
}
