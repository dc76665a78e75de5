/**
 * Times real `--once` runs of the built CLI against throwaway PostgreSQL and MariaDB (started by scripts/bench.sh)
 * and the loopback fake EC2: a first run (everything created), a run with no change, and a run where 1% of the
 * instances changed, 1% were terminated and 1% launched. Prints a Markdown table and writes bench/results/*.json.
 *
 *   npm run bench                 # 1,000 instances
 *   npm run bench -- 1000 10000   # several fleet sizes
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeEc2, type FakeInstance } from '../test/support/fake-ec2.js';
import { runCli, summaryOf } from '../test/support/run-cli.js';
import { createTestDatabase, DIALECTS } from '../test/support/test-databases.js';

const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];

function fleet(size: number): FakeInstance[] {
  return Array.from({ length: size }, (_, i) => ({
    instanceId: `i-${i.toString(16).padStart(17, '0')}`,
    region: REGIONS[i % REGIONS.length] as string,
    imageId: i % 3 === 0 ? 'ami-ubuntu' : 'ami-al2023',
    keyName: i % 10 === 9 ? undefined : 'bench',
    privateIp: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    tags: { Name: `host-${i}`, 'kcm:organize': `Team ${i % 20}/Service ${i % 300}`, ...(i % 4 === 0 ? { 'kcm:record': 'true' } : {}) },
  }));
}

function churn(instances: FakeInstance[], size: number): void {
  const n = Math.max(1, Math.floor(size / 100));
  for (let i = 0; i < n; i++) {
    const changed = instances[i * 7] as FakeInstance;
    changed.privateIp = `172.16.${(i >> 8) & 255}.${i & 255}`;
    (instances[i * 7 + 3] as FakeInstance).state = 'terminated';
    instances.push({ ...changed, instanceId: `i-new${i.toString(16).padStart(14, '0')}`, state: 'running', tags: { Name: `new-${i}` } });
  }
}

async function main(): Promise<void> {
  const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
  const keysDir = mkdtempSync(join(tmpdir(), 'ged-bench-keys-'));
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  writeFileSync(join(keysDir, 'bench.pem'), privateKey, { mode: 0o600 });
  const fake = await FakeEc2.start();
  fake.images = REGIONS.flatMap((region) => [
    { imageId: 'ami-al2023', region, name: 'al2023-ami-2023.6-x86_64' },
    { imageId: 'ami-ubuntu', region, name: 'ubuntu/images/hvm-ssd/ubuntu-noble-24.04-amd64-server' },
  ]);
  const rows: Record<string, unknown>[] = [];
  try {
    for (const dialect of DIALECTS) {
      for (const size of sizes.length > 0 ? sizes : [1000]) {
        const database = await createTestDatabase(dialect);
        fake.instances = fleet(size);
        const env = {
          ...database.env,
          AWS_DISCOVERY_ACCESS_KEY_ID: 'AKIDBENCH',
          AWS_DISCOVERY_SECRET_KEY: 'bench',
          AWS_DISCOVERY_REGIONS: REGIONS.join(','),
          AWS_DISCOVERY_EC2_ENDPOINT: fake.endpoint,
          AWS_DISCOVERY_KEYS_DIR: keysDir,
          AWS_DISCOVERY_LOG_LEVEL: 'warn',
        };
        for (const run of ['first run', 'no change', '1% churn']) {
          if (run === '1% churn') churn(fake.instances, size);
          fake.requests.length = 0;
          const started = process.hrtime.bigint();
          const result = await runCli(['--once'], { ...env, AWS_DISCOVERY_LOG_LEVEL: 'info' });
          const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
          if (result.code !== 0) throw new Error(`${dialect} ${size} ${run} failed:\n${result.stdout}\n${result.stderr}`);
          const s = summaryOf(result);
          rows.push({ dialect, instances: size, run, wallMs: Math.round(wallMs), runMs: s.durationMs, created: s.created, updated: s.updated, deleted: s.deleted, ec2Calls: fake.requests.length, peakRssMb: s.peakRssMb });
        }
        await database.drop();
      }
    }
  } finally {
    await fake.close();
    rmSync(keysDir, { recursive: true, force: true });
  }
  const columns = ['dialect', 'instances', 'run', 'wallMs', 'runMs', 'created', 'updated', 'deleted', 'ec2Calls', 'peakRssMb'];
  console.log(`| ${columns.join(' | ')} |\n|${columns.map(() => '---').join('|')}|`);
  for (const r of rows) console.log(`| ${columns.map((c) => String(r[c])).join(' | ')} |`);
  mkdirSync('bench/results', { recursive: true });
  const file = join('bench/results', `run-once-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ node: process.version, rows }, null, 2));
  console.log(`\nwritten to ${file}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
