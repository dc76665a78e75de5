import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeEc2 } from '../../support/fake-ec2.js';
import { createTestDatabase, type CreateTestDatabaseOptions, type TestDatabase, type TestDialect } from '../../support/test-databases.js';
import { fleetFixture } from '../once/fleet-fixture.js';

/** What each `status` test starts from: the fixture fleet on a fake EC2, a fresh database, and a run's settings. */
export interface StatusContext {
  readonly fake: FakeEc2;
  readonly database: TestDatabase;
  /** The settings a run needs, the database's included; the keys folder is empty, so every key is missing. */
  readonly env: Record<string, string>;
  /** The (empty) keys folder. */
  readonly keysDir: string;
}

/** Registers the suite's hooks; `use` receives a fresh context before each test (its database made with `options`). */
export function statusFixture(dialect: TestDialect, use: (context: StatusContext) => void, options: CreateTestDatabaseOptions = {}): void {
  let fake: FakeEc2;
  let keysDir: string;
  let database: TestDatabase;
  before(async function () {
    fake = await FakeEc2.start();
    keysDir = mkdtempSync(join(tmpdir(), 'ged-status-keys-'));
  });
  after(async function () {
    await fake.close();
    rmSync(keysDir, { recursive: true, force: true });
  });
  beforeEach(async function () {
    database = await createTestDatabase(dialect, options);
    const fleet = fleetFixture();
    fake.instances = fleet.instances;
    fake.images = fleet.images;
    fake.clearFailures();
    const env = {
      ...database.env,
      AWS_DISCOVERY_ACCESS_KEY_ID: 'AKIDTEST',
      AWS_DISCOVERY_SECRET_KEY: 'status-secret-never-shown',
      AWS_DISCOVERY_REGIONS: 'us-east-1,eu-west-1',
      AWS_DISCOVERY_EC2_ENDPOINT: fake.endpoint,
      AWS_DISCOVERY_KEYS_DIR: keysDir,
    };
    use({ fake, database, env, keysDir });
  });
  afterEach(async function () {
    await database.drop();
  });
}
