import { expect } from 'chai';
import { createFakeKsmConfig } from '../../support/fake-keeper.js';
import { FakeEc2, type FakeInstance } from '../../support/fake-ec2.js';
import { freePort } from '../../support/free-port.js';
import { importRecordingPackages, moduleLog, runCliRecordingPackages } from '../../support/module-log/loaded-packages.js';
import { startDaemon, summaryOf } from '../../support/run-cli.js';
import { createTestDatabase, DIALECTS, type TestDatabase, type TestDialect } from '../../support/test-databases.js';
import { accountsEnv, useAccountFakes } from '../accounts/accounts-fixture.js';

/**
 * Start-up loads what the command and its configuration use, no more (README, "Start-up loads what is used"): the real
 * CLI runs with a preload that records every module it loads (test/support/module-log/), and each test names the npm
 * packages that must and must not have been loaded.
 */

const DRIVER: Readonly<Record<TestDialect, string>> = { postgres: 'pg', mysql: 'mysql2' };
const STS = '@aws-sdk/client-sts';
const IAM = '@aws-sdk/client-iam';
const SQS = '@aws-sdk/client-sqs';
const DEFAULT_CHAIN = '@aws-sdk/credential-providers';
const KEEPER = '@keeper-security/secrets-manager-core';
const EC2 = '@aws-sdk/client-ec2';

/** Every package in `loaded` and none in `notLoaded`; the message lists what was loaded. */
function expectPackages(packages: ReadonlySet<string>, { loaded = [], notLoaded = [] }: { loaded?: string[]; notLoaded?: string[] }): void {
  const all = [...packages].sort().join(', ');
  expect(
    loaded.filter((p) => !packages.has(p)),
    `missing from the packages loaded: ${all}`,
  ).to.deep.equal([]);
  expect(
    notLoaded.filter((p) => packages.has(p)),
    `loaded without need (all loaded: ${all})`,
  ).to.deep.equal([]);
}

function awsPackages(packages: ReadonlySet<string>): string[] {
  return [...packages].filter((p) => p.startsWith('@aws-sdk/') || p.startsWith('@smithy/'));
}

const box = (instanceId: string, extra: Partial<FakeInstance> = {}): FakeInstance => ({
  instanceId,
  region: 'us-east-1',
  privateIp: '10.0.0.1',
  tags: { Name: instanceId },
  ...extra,
});

describe('start-up loads what the command uses (the real CLI, every module it loads recorded)', function () {
  /** A module that holds an optional client or driver loads its package at the first use, not when it is imported. */
  const IMPORTED_ALONE: readonly [string, string[]][] = [
    ['config/config.js', ['node-cron', 'winston']],
    ['store/database.js', ['pg', 'mysql2']],
    ['discover/credentials.js', [DEFAULT_CHAIN]],
    ['discover/sts-iam-client.js', [STS, IAM]],
    ['discover/events/event-queue.js', [SQS, EC2]],
    ['enrich/keys/key-source.js', [KEEPER]],
    ['daemon/daemon.js', ['prom-client']],
  ];
  for (const [module, packages] of IMPORTED_ALONE) {
    it(`importing src/${module} loads none of ${packages.join(', ')}`, async function () {
      const loaded = await importRecordingPackages(new URL(`../../../src/${module}`, import.meta.url));
      expectPackages(loaded, { notLoaded: packages });
    });
  }

  for (const args of [['--version'], ['--help']]) {
    it(`${args.join(' ')} loads no npm package at all: no AWS SDK, no driver, no Kysely, no winston`, async function () {
      const { result, packages } = await runCliRecordingPackages(args, {});
      expect(result.code, result.stderr).to.equal(0);
      expect([...packages]).to.deep.equal([]);
    });
  }

  for (const dialect of DIALECTS) {
    const driver = DRIVER[dialect];
    const otherDriver = DRIVER[dialect === 'postgres' ? 'mysql' : 'postgres'];

    describe(`on ${dialect}`, function () {
      let fake: FakeEc2;
      let database: TestDatabase;
      let env: Record<string, string>;

      before(async function () {
        fake = await FakeEc2.start();
      });
      after(async function () {
        await fake.close();
      });
      beforeEach(async function () {
        database = await createTestDatabase(dialect);
        fake.instances = [box('i-0000000000000a001')];
        env = {
          ...database.env,
          AWS_DISCOVERY_ACCESS_KEY_ID: 'AKIDTEST',
          AWS_DISCOVERY_SECRET_KEY: 'startup-secret',
          AWS_DISCOVERY_REGIONS: 'us-east-1',
          AWS_DISCOVERY_EC2_ENDPOINT: fake.endpoint,
          AWS_DISCOVERY_KEYS_DIR: '/nonexistent',
        };
      });
      afterEach(async function () {
        await database.drop();
      });

      it(`status loads Kysely and ${driver}, not ${otherDriver}, no AWS SDK, no winston`, async function () {
        const { result, packages } = await runCliRecordingPackages(['status'], env);
        expect(result.code, result.stderr).to.equal(1); // no run recorded yet
        expect(result.stdout).to.include('No run recorded yet.');
        expectPackages(packages, { loaded: ['kysely', driver], notLoaded: [otherDriver, 'winston', 'node-cron', 'prom-client', KEEPER] });
        expect(awsPackages(packages)).to.deep.equal([]);
      });

      it(`--once with static keys and no roles loads the EC2 client and ${driver}, no other AWS client, Keeper, prom-client or node-cron`, async function () {
        const { result, packages } = await runCliRecordingPackages(['--once'], env);
        expect(result.code, result.stdout + result.stderr).to.equal(0);
        expect(summaryOf(result)).to.include({ created: 1 });
        expectPackages(packages, {
          loaded: [EC2, 'kysely', driver, 'winston'],
          notLoaded: [otherDriver, STS, IAM, SQS, DEFAULT_CHAIN, KEEPER, 'prom-client', 'node-cron'],
        });
      });

      it('--once with the default credential chain (no static keys) loads @aws-sdk/credential-providers', async function () {
        const { AWS_DISCOVERY_ACCESS_KEY_ID: _id, AWS_DISCOVERY_SECRET_KEY: _secret, ...chain } = env;
        const fromEnvironment = { ...chain, AWS_ACCESS_KEY_ID: 'AKIDCHAIN', AWS_SECRET_ACCESS_KEY: 'chain-secret' };
        const { result, packages } = await runCliRecordingPackages(['--once'], fromEnvironment);
        expect(result.code, result.stdout + result.stderr).to.equal(0);
        expect(result.logs.some((l) => l.message === 'credentials from environment')).to.equal(true);
        expectPackages(packages, { loaded: [EC2, DEFAULT_CHAIN], notLoaded: [STS, IAM, SQS, KEEPER] });
      });

      it('--once with AWS_DISCOVERY_KSM_CONFIG loads the Keeper SDK (here for a vault it cannot reach)', async function () {
        fake.instances = [box('i-0000000000000a001', { keyName: 'prod' })];
        const ksm = createFakeKsmConfig({ hostname: '127.0.0.1:1' }); // nothing listens on port 1: the vault is unavailable
        const { result, packages } = await runCliRecordingPackages(['--once'], { ...env, AWS_DISCOVERY_KSM_CONFIG: ksm.config });
        expect(result.code, result.stdout + result.stderr).to.equal(0);
        expect(result.logs.some((l) => l.message === 'Keeper vault unavailable')).to.equal(true);
        expectPackages(packages, { loaded: [EC2, KEEPER], notLoaded: [STS, IAM, SQS, DEFAULT_CHAIN] });
      });

      it('the daemon loads node-cron, and prom-client only with AWS_DISCOVERY_METRICS_PORT', async function () {
        const daemonPackages = async (settings: Record<string, string>) => {
          const log = moduleLog();
          try {
            const daemon = startDaemon({ ...env, ...settings, ...log.env });
            try {
              await daemon.waitForLog((l) => l.message === 'run finished');
            } finally {
              expect(await daemon.stop()).to.equal(0);
            }
            return log.read();
          } finally {
            log.remove();
          }
        };
        expectPackages(await daemonPackages({}), { loaded: ['node-cron'], notLoaded: ['prom-client', STS, IAM, SQS, DEFAULT_CHAIN, KEEPER] });
        expectPackages(await daemonPackages({ AWS_DISCOVERY_METRICS_PORT: String(await freePort()) }), { loaded: ['node-cron', 'prom-client'] });
      });
    });

    describe(`with AWS_DISCOVERY_ASSUME_ROLES on ${dialect}`, function () {
      const suite = useAccountFakes(dialect);

      it('--once loads STS, and IAM only when the account folder shows the alias', async function () {
        const env = accountsEnv(suite.database, suite.fakes);
        const byId = await runCliRecordingPackages(['--once'], { ...env, AWS_DISCOVERY_ACCOUNT_FOLDER: '{id}' });
        expect(byId.result.code, byId.result.stdout + byId.result.stderr).to.equal(0);
        expect(suite.fakes.sts.requestsFor('ListAccountAliases')).to.deep.equal([]);
        expectPackages(byId.packages, { loaded: [EC2, STS], notLoaded: [IAM, SQS, DEFAULT_CHAIN, KEEPER] });

        const byAlias = await runCliRecordingPackages(['--once'], env); // the default folder is {alias}
        expect(byAlias.result.code, byAlias.result.stdout + byAlias.result.stderr).to.equal(0);
        expectPackages(byAlias.packages, { loaded: [EC2, STS, IAM], notLoaded: [SQS, DEFAULT_CHAIN, KEEPER] });
      });
    });
  }
});
