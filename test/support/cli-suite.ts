import { FakeEc2 } from './fake-ec2.js';
import { createTestDatabase, type TestDatabase, type TestDialect } from './test-databases.js';

/** One fake EC2 per suite and a fresh database per test, for suites that run the CLI against both. */
export interface CliSuite {
  readonly fake: FakeEc2;
  readonly database: TestDatabase;
  /**
   * Settings joining the two: this test's database, static test keys, the fake's endpoint, `us-east-1`, no keys
   * folder; `extra` adds to or overrides them.
   */
  env(extra?: Record<string, string>): Record<string, string>;
}

/**
 * Registers the mocha hooks (call it inside `describe`). Before each test the fake forgets earlier requests, injected
 * failures, instances, images and regions; the suite's own `beforeEach` (registered after) then sets its fleet.
 */
export function useCliSuite(dialect: TestDialect): CliSuite {
  let fake: FakeEc2 | undefined;
  let database: TestDatabase | undefined;
  before(async function () {
    fake = await FakeEc2.start();
  });
  after(async function () {
    await fake?.close();
  });
  beforeEach(async function () {
    database = await createTestDatabase(dialect);
    const f = started(fake);
    f.requests.length = 0;
    f.clearFailures();
    f.instances = [];
    f.images = [];
    f.regions = undefined;
  });
  afterEach(async function () {
    await database?.drop();
  });
  return {
    get fake() {
      return started(fake);
    },
    get database() {
      if (database === undefined) throw new Error('no database outside a test');
      return database;
    },
    env(extra = {}) {
      return {
        ...this.database.env,
        AWS_DISCOVERY_ACCESS_KEY_ID: 'AKIDTEST',
        AWS_DISCOVERY_SECRET_KEY: 'secret-not-used',
        AWS_DISCOVERY_REGIONS: 'us-east-1',
        AWS_DISCOVERY_EC2_ENDPOINT: this.fake.endpoint,
        AWS_DISCOVERY_KEYS_DIR: '/nonexistent',
        ...extra,
      };
    },
  };
}

function started(fake: FakeEc2 | undefined): FakeEc2 {
  if (fake === undefined) throw new Error('the fake EC2 is started in before()');
  return fake;
}
