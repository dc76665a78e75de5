/**
 * Wraps the worker's `Ec2Api` to see when each kind of call happened during the run (for the time breakdown:
 * how long listing took, how long fetching passwords took). Counting calls is the fake's request log's job.
 */
import type { Ec2Api } from '../src/discover/ec2-client.js';

export interface CallSpan {
  calls: number;
  /** First call started, last call ended (ms on the performance clock). */
  firstStart: number;
  lastEnd: number;
}

export type CallSpans = Record<string, CallSpan>;

export function timedEc2(api: Ec2Api, spans: CallSpans): Ec2Api {
  const record = (name: string, started: number): void => {
    const span = (spans[name] ??= { calls: 0, firstStart: started, lastEnd: 0 });
    span.calls += 1;
    span.firstStart = Math.min(span.firstStart, started);
    span.lastEnd = Math.max(span.lastEnd, performance.now());
  };
  const timed = async <T>(name: string, call: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await call();
    } finally {
      record(name, started);
    }
  };
  return {
    async *describeInstancePages(options) {
      const pages = api.describeInstancePages(options)[Symbol.asyncIterator]();
      for (;;) {
        const started = performance.now();
        const next = await pages.next();
        if (next.done === true) return;
        record('DescribeInstances', started);
        yield next.value;
      }
    },
    describeImages: (ids, options) => timed('DescribeImages', () => api.describeImages(ids, options)),
    getPasswordData: (id, options) => timed('GetPasswordData', () => api.getPasswordData(id, options)),
    getConsoleOutput: (id, options) => timed('GetConsoleOutput', () => api.getConsoleOutput(id, options)),
  };
}

/** Spans on the run's clock (ms from its start, see run-clock.ts). */
export function relativeSpans(spans: CallSpans, clock: (t: number) => number): Record<string, { calls: number; fromMs: number; toMs: number }> {
  return Object.fromEntries(
    Object.entries(spans).map(([name, s]) => [name, { calls: s.calls, fromMs: Math.round(clock(s.firstStart)), toMs: Math.round(clock(s.lastEnd)) }]),
  );
}
