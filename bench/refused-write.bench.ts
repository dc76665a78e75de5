/**
 * What a refused write costs (issue 14): a first run of the synthetic fleet, once as it is and once with a test
 * trigger refusing one instance's connection. The second run takes the slow path: the normal transaction fails, a
 * second one pins the refusal on its instance (savepoint bisection) and writes everything else.
 *
 *   BENCH_ENTRY=refused-write.bench ./scripts/bench.sh 1000 10000
 *
 * Prints one Markdown table. Times are the runs' own (RunReport.durationMs), in this process, fake EC2 included.
 */
import { DIALECTS, createTestDatabase, type TestDialect } from '../test/support/test-databases.js';
import { startHarness } from '../test/faults/fault-harness.js';
import { makeBenchKeys } from './bench-keys.js';
import { makeFleet, REGIONS } from './fleet.js';

interface Row {
  readonly dialect: TestDialect;
  readonly size: number;
  readonly normalMs: number;
  readonly refusedMs: number;
  readonly created: number;
  readonly rejected: number;
}

async function firstRun(dialect: TestDialect, size: number, keysDir: string, passwordData: readonly string[], refuse: boolean) {
  const database = await createTestDatabase(dialect);
  if (refuse) {
    // The fleet's instance 1 is Linux, named host-1.
    const statements =
      dialect === 'postgres'
        ? [
            `CREATE FUNCTION ged_bench_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.connection_name = 'host-1' THEN RAISE EXCEPTION 'refused ` +
            `by the benchmark'; END IF; RETURN NEW; END $$`,
            `CREATE TRIGGER ged_bench_refuse BEFORE INSERT ON guacamole_connection FOR EACH ROW EXECUTE FUNCTION ged_bench_refuse()`,
          ]
        : [
            `CREATE TRIGGER ged_bench_refuse BEFORE INSERT ON guacamole_connection FOR EACH ROW BEGIN IF NEW.connection_name = 'host-1' THEN SIGNAL SQLSTATE ` +
            `'45000' SET MESSAGE_TEXT = 'refused by the benchmark'; END IF; END`,
          ];
    for (const s of statements) await database.exec(s);
  }
  const h = await startHarness(dialect, {
    database,
    settings: { AWS_DISCOVERY_REGIONS: REGIONS.join(','), AWS_DISCOVERY_PAGE_SIZE: '1000', AWS_DISCOVERY_KEYS_DIR: keysDir, AWS_DISCOVERY_LOG_LEVEL: 'warn' },
  });
  try {
    const fleet = makeFleet(size, passwordData);
    h.fake.instances = fleet.instances;
    h.fake.images = fleet.images;
    return await h.run();
  } finally {
    await h.close();
  }
}

async function main(): Promise<void> {
  const sizes = process.argv.slice(2).map(Number).filter((n) => Number.isInteger(n) && n > 0);
  const keys = makeBenchKeys();
  const rows: Row[] = [];
  for (const dialect of DIALECTS) {
    for (const size of sizes.length > 0 ? sizes : [1000, 10_000]) {
      const normal = await firstRun(dialect, size, keys.dir, keys.passwordData, false);
      const refused = await firstRun(dialect, size, keys.dir, keys.passwordData, true);
      rows.push({
        dialect,
        size,
        normalMs: normal.durationMs,
        refusedMs: refused.durationMs,
        created: refused.created,
        rejected: refused.skippedByReason.rejected ?? 0,
      });
      process.stderr.write(`${dialect} ${size}: ${normal.durationMs} ms normal, ${refused.durationMs} ms with one refused write\n`);
    }
  }
  console.log('| database | instances | first run | first run, one write refused | ratio | created / refused |');
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(
      `| ${r.dialect} | ${r.size.toLocaleString('en')} | ${r.normalMs} ms | ${r.refusedMs} ms | ${(r.refusedMs / r.normalMs).toFixed(2)}× | ${r.created} ` +
      `/ ${r.rejected} |`,
    );
  }
}

await main();
