import type { Kysely } from 'kysely';
import { FakeEc2, OWN_ACCOUNT, type FakeInstance } from '../../support/fake-ec2.js';
import { FakeStsIam } from '../../support/fake-sts-iam.js';
import type { CliResult } from '../../support/run-cli.js';
import { createTestDatabase, type TestDatabase, type TestDialect } from '../../support/test-databases.js';

export const PROD = '222222222222';
export const DEV = '333333333333';
export const PROD_ROLE = `arn:aws:iam::${PROD}:role/Discovery`;
export const DEV_ROLE = `arn:aws:iam::${DEV}:role/ops/Reader`;
export const PROD_EXTERNAL_ID = 'prod-external-id-5d2a';
export const OWN_SECRET = 'own-secret-never-logged-3e9f';
export { OWN_ACCOUNT };

export function box(id: string, account: string, name: string, region = 'us-east-1', tags: Record<string, string> = {}): FakeInstance {
  return { instanceId: id, region, account, privateIp: '10.0.0.1', tags: { Name: name, ...tags } };
}

/** Own account, prod and dev: one instance each (prod has two). */
export function threeAccounts(): FakeInstance[] {
  return [
    box('i-0000000000000a001', OWN_ACCOUNT, 'own-box'),
    box('i-0000000000000b001', PROD, 'prod-web'),
    box('i-0000000000000b002', PROD, 'prod-db', 'eu-west-1'),
    box('i-0000000000000c001', DEV, 'dev-web'),
  ];
}

export interface Fakes {
  readonly ec2: FakeEc2;
  readonly sts: FakeStsIam;
}

/** Registers mocha hooks (inside `describe`): the fakes per suite, reset before each test, and a fresh database per test. */
export function useAccountFakes(dialect: TestDialect): { readonly fakes: Fakes; readonly database: TestDatabase } {
  let fakes: Fakes | undefined;
  let database: TestDatabase | undefined;
  before(async function () {
    fakes = { ec2: await FakeEc2.start(), sts: await FakeStsIam.start() };
  });
  after(async function () {
    await fakes?.ec2.close();
    await fakes?.sts.close();
  });
  beforeEach(async function () {
    database = await createTestDatabase(dialect);
    resetFakes(fakes as Fakes);
  });
  afterEach(async function () {
    await database?.drop();
  });
  return {
    get fakes() {
      if (fakes === undefined) throw new Error('the fakes are started in before()');
      return fakes;
    },
    get database() {
      if (database === undefined) throw new Error('no database outside a test');
      return database;
    },
  };
}

/** Fresh fleet and aliases (dev's alias cannot be read), no recorded requests or refusals. */
export function resetFakes({ ec2, sts }: Fakes): void {
  ec2.instances = threeAccounts();
  ec2.images = [];
  ec2.regions = undefined;
  ec2.regionsByAccount = {};
  ec2.requests.length = 0;
  ec2.clearFailures();
  sts.reset();
  sts.aliases = { [OWN_ACCOUNT]: 'own-alias', [PROD]: 'prod-alias', [DEV]: 'dev-alias' };
  sts.aliasDenied.add(DEV);
  sts.requiredExternalIds.set(PROD_ROLE, PROD_EXTERNAL_ID);
}

/** The settings of a daemon reading its own account, prod (with an external id) and dev. */
export function accountsEnv(database: TestDatabase, fakes: Fakes): Record<string, string> {
  return {
    ...database.env,
    AWS_DISCOVERY_ACCESS_KEY_ID: 'AKIDOWNACCOUNT',
    AWS_DISCOVERY_SECRET_KEY: OWN_SECRET,
    AWS_DISCOVERY_REGIONS: 'us-east-1,eu-west-1',
    AWS_DISCOVERY_ASSUME_ROLES: `self, ${PROD_ROLE}|${PROD_EXTERNAL_ID}\n${DEV_ROLE}`,
    AWS_DISCOVERY_EC2_ENDPOINT: fakes.ec2.endpoint,
    AWS_DISCOVERY_STS_ENDPOINT: fakes.sts.endpoint,
    AWS_DISCOVERY_IAM_ENDPOINT: fakes.sts.endpoint,
    AWS_DISCOVERY_KEYS_DIR: '/nonexistent',
  };
}

/** Instance keys this daemon owns, sorted. */
export async function ownedKeys(db: Kysely<any>): Promise<string[]> {
  const rows = await db.selectFrom('ec2_discovery_owned_object').select('instance_key').where('object_type', '=', 'connection').execute();
  return rows.map((r) => String(r.instance_key)).sort();
}

/** Every row about one account's connections (connection, parameters, grants, bookkeeping), as sorted JSON. */
export async function accountRows(db: Kysely<any>, account: string): Promise<string> {
  const owned = await db
    .selectFrom('ec2_discovery_owned_object')
    .selectAll()
    .where('object_type', '=', 'connection')
    .where('instance_key', 'like', `${account}/%`)
    .execute();
  const ids = owned.map((o) => Number(o.guacamole_id));
  if (ids.length === 0) return '[]';
  const parts = [owned];
  for (const table of ['guacamole_connection', 'guacamole_connection_parameter', 'guacamole_connection_permission']) {
    parts.push(await db.selectFrom(table).selectAll().where('connection_id', 'in', ids).execute());
  }
  return JSON.stringify(parts.map((rows) => rows.map((r) => JSON.stringify(r)).sort()));
}

/** No issued secret key or session token, and not the own secret key, anywhere in the output. */
export function secretsIn(result: CliResult, fakes: Fakes): string[] {
  const output = result.stdout + result.stderr;
  return [OWN_SECRET, PROD_EXTERNAL_ID, ...fakes.sts.issuedSecrets].filter((s) => output.includes(s));
}
