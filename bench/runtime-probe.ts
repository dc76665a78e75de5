/**
 * The hooks the scenario worker passes to the real runtime (src/cli/run-with-config.ts `buildRuntime`), and what they
 * saw: EC2 call spans (timed-ec2.ts), SQL counted apart for the setup (the runtime's `prepare` step: schema check,
 * write privileges, migrations) and for the run (sql-counter.ts), and the setup's windows, CPU time and the RSS after it.
 */
import type { KyselyPlugin, PluginTransformResultArgs } from 'kysely';
import type { BuildHooks } from '../src/cli/run-with-config.js';
import type { Window } from './run-clock.js';
import { SqlCounter } from './sql-counter.js';
import { timedEc2, type CallSpans } from './timed-ec2.js';

const MB = 1024 * 1024;

export class RuntimeProbe {
  readonly setupSql = new SqlCounter();
  readonly runSql = new SqlCounter();
  readonly spans: CallSpans = {};
  /** When the runtime prepared (performance clock). */
  readonly setupWindows: Window[] = [];
  /** CPU time of the process while the runtime prepared (user + system, µs). */
  setupCpuMicros = 0;
  /** RSS after the last setup step, as the run proper started (MB); undefined before. */
  rssAfterSetupMb: number | undefined;

  #counting = this.runSql;
  #setupStarted: { at: number; cpu: NodeJS.CpuUsage } | undefined;

  readonly hooks: BuildHooks = {
    wrapEc2: (api) => timedEc2(api, this.spans),
    sql: {
      observe: (event) => this.#counting.observe(event),
      // Each counter adds the rows of the writes it saw logged; the other passes the result on untouched.
      plugin: chain(this.setupSql.plugin, this.runSql.plugin),
    },
    onStep: (_step, edge) => (edge === 'start' ? this.#setupStart() : this.#setupEnd()),
  };

  #setupStart(): void {
    this.#counting = this.setupSql;
    this.#setupStarted = { at: performance.now(), cpu: process.cpuUsage() };
  }

  #setupEnd(): void {
    const started = this.#setupStarted;
    this.#counting = this.runSql;
    if (started === undefined) return;
    const cpu = process.cpuUsage(started.cpu);
    this.setupWindows.push({ startAt: started.at, endAt: performance.now() });
    this.setupCpuMicros += cpu.user + cpu.system;
    this.rssAfterSetupMb = process.memoryUsage().rss / MB;
    this.#setupStarted = undefined;
  }
}

function chain(...plugins: readonly KyselyPlugin[]): KyselyPlugin {
  return {
    transformQuery: (args) => args.node,
    transformResult: async (args: PluginTransformResultArgs) => {
      let result = args.result;
      for (const plugin of plugins) result = await plugin.transformResult({ ...args, result });
      return result;
    },
  };
}
