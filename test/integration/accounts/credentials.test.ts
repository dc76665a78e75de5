import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { FakeEc2 } from '../../support/fake-ec2.js';
import { readConnections } from '../../support/guacamole-queries.js';
import { runCli, summaryOf, type CliResult } from '../../support/run-cli.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../support/test-databases.js';

const PROFILE_SECRET = 'profile-secret-never-logged-91c2';
const ENV_SECRET = 'env-secret-never-logged-44aa';
const STATIC_SECRET = 'static-secret-never-logged-0b7e';

/** Which credential source the run logged (`credentials from …`). */
function sourcesOf(result: CliResult): string[] {
  return result.logs.map((l) => String(l.message)).filter((m) => m.startsWith('credentials from '));
}

let runs = 0;

for (const dialect of DIALECTS) {
  describe(`credential sources through the CLI on ${dialect}`, function () {
    let fake: FakeEc2;
    let database: TestDatabase;
    let home: string;
    let base: Record<string, string>;

    before(async function () {
      fake = await FakeEc2.start();
      home = mkdtempSync(join(tmpdir(), 'ged-creds-'));
      writeFileSync(
        join(home, 'credentials'),
        `[default]\naws_access_key_id = AKIDDEFAULTPROFILE\naws_secret_access_key = other\n\n[discovery]\naws_access_key_id = ` +
        `AKIDPROFILE\naws_secret_access_key = ${PROFILE_SECRET}\n`,
      );
      writeFileSync(join(home, 'config'), '[default]\nregion = us-east-1\n\n[profile discovery]\nregion = us-east-1\n');
    });
    after(async function () {
      await fake.close();
      rmSync(home, { recursive: true, force: true });
    });
    beforeEach(async function () {
      database = await createTestDatabase(dialect);
      fake.instances = [
        { instanceId: 'i-00000000000000a01', region: 'us-east-1', privateIp: '10.0.0.1', tags: { Name: 'one' } },
      ];
      fake.images = [];
      fake.requests.length = 0;
      base = {
        ...database.env,
        HOME: home,
        AWS_DISCOVERY_REGIONS: 'us-east-1',
        // MySQL's run lock is server-wide per owner id: a unique one keeps concurrent suites apart.
        AWS_DISCOVERY_OWNER_ID: `accounts-${process.pid}-${++runs}`,
        AWS_DISCOVERY_EC2_ENDPOINT: fake.endpoint,
        AWS_DISCOVERY_KEYS_DIR: home,
        // Nothing outside the test directory may answer.
        AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
        AWS_CONFIG_FILE: join(home, 'config'),
      };
    });
    afterEach(async function () {
      await database.drop();
    });

    function keyIdsSeen(): string[] {
      return [...new Set(fake.requests.map((r) => r.accessKeyId ?? '(none)'))];
    }

    it('uses a named profile from the shared files and says so', async function () {
      const result = await runCli(['--once'], { ...base, AWS_PROFILE: 'discovery' });
      expect(result.code, result.stdout + result.stderr).to.equal(0);
      expect(keyIdsSeen()).to.deep.equal(['AKIDPROFILE']);
      expect(sourcesOf(result)).to.deep.equal(['credentials from shared profile "discovery"']);
      expect(summaryOf(result)).to.include({ created: 1 });
      expect([...(await readConnections(database.db)).keys()]).to.deep.equal(['Amazon EC2/one']);
      expect(result.stdout + result.stderr).not.to.include(PROFILE_SECRET);
    });

    it('prefers the environment over the profile files', async function () {
      const result = await runCli(['--once'], { ...base, AWS_ACCESS_KEY_ID: 'AKIDFROMENV', AWS_SECRET_ACCESS_KEY: ENV_SECRET });
      expect(result.code, result.stdout + result.stderr).to.equal(0);
      expect(keyIdsSeen()).to.deep.equal(['AKIDFROMENV']);
      expect(sourcesOf(result)).to.deep.equal(['credentials from environment']);
      expect(result.stdout + result.stderr).not.to.include(ENV_SECRET);
    });

    it('uses static keys over everything else when both settings are given', async function () {
      const result = await runCli(['--once'], {
        ...base,
        AWS_PROFILE: 'discovery',
        AWS_ACCESS_KEY_ID: 'AKIDFROMENV',
        AWS_SECRET_ACCESS_KEY: ENV_SECRET,
        AWS_DISCOVERY_ACCESS_KEY_ID: 'AKIDSTATIC',
        AWS_DISCOVERY_SECRET_KEY: STATIC_SECRET,
      });
      expect(result.code, result.stdout + result.stderr).to.equal(0);
      expect(keyIdsSeen()).to.deep.equal(['AKIDSTATIC']);
      expect(sourcesOf(result)).to.deep.equal(['credentials from static keys (AWS_DISCOVERY_ACCESS_KEY_ID)']);
      expect(result.stdout + result.stderr).not.to.include(STATIC_SECRET);
    });

    it('exits 2 naming the missing half of the access keys, and calls no AWS', async function () {
      const result = await runCli(['--once'], { ...base, AWS_DISCOVERY_SECRET_KEY: STATIC_SECRET });
      expect(result.code).to.equal(2);
      expect(result.stdout + result.stderr).to.include('AWS_DISCOVERY_ACCESS_KEY_ID: missing while AWS_DISCOVERY_SECRET_KEY is set');
      expect(result.stdout + result.stderr).not.to.include(STATIC_SECRET);
      expect(fake.requests).to.deep.equal([]);
    });

    it('fails the run without deleting anything when no source has credentials', async function () {
      const first = await runCli(['--once'], { ...base, AWS_PROFILE: 'discovery' });
      expect(first.code, first.stdout + first.stderr).to.equal(0);
      const empty = mkdtempSync(join(tmpdir(), 'ged-nocreds-'));
      try {
        const result = await runCli(['--once'], {
          ...base,
          HOME: empty,
          AWS_SHARED_CREDENTIALS_FILE: join(empty, 'credentials'),
          AWS_CONFIG_FILE: join(empty, 'config'),
        });
        expect(result.code, result.stdout + result.stderr).to.equal(1);
        expect(result.stdout).to.include('no AWS credentials found');
      } finally {
        rmSync(empty, { recursive: true, force: true });
      }
      expect([...(await readConnections(database.db)).keys()]).to.deep.equal(['Amazon EC2/one']);
    });
  });
}
