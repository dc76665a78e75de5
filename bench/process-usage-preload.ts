/**
 * Preloaded into the real CLI by cli-process.ts (NODE_OPTIONS=--import=<this file>): when the process exits, writes
 * its CPU time (user and system), its own uptime and its peak RSS as JSON to the file BENCH_PROCESS_USAGE_FILE names.
 * Imports nothing beyond node:fs, so it adds next to nothing to the start-up it helps to measure.
 */
import { writeFileSync } from 'node:fs';

/** What the file holds. */
export interface ProcessUsage {
  readonly userMs: number;
  readonly systemMs: number;
  /** process.uptime(): from Node's start to the 'exit' event (ms). */
  readonly uptimeMs: number;
  readonly peakRssMb: number;
}

const file = process.env.BENCH_PROCESS_USAGE_FILE;
if (file !== undefined && file !== '') {
  process.on('exit', () => {
    const cpu = process.cpuUsage();
    const usage: ProcessUsage = {
      userMs: Math.round(cpu.user / 1000),
      systemMs: Math.round(cpu.system / 1000),
      uptimeMs: Math.round(process.uptime() * 1000),
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    };
    writeFileSync(file, JSON.stringify(usage));
  });
}
