import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ALL_SETTINGS } from '../../src/config/settings.js';
import { runCli, type CliResult } from '../support/run-cli.js';

/**
 * Every setting with an invalid value, through the real CLI: exit status 2 and a message naming the setting. The
 * table must have a case for every setting in settings.ts, so a new setting without one fails here.
 */
const AWS_SECRET = 'hostile-aws-secret-9c1e';
const DB_PASSWORD = 'hostile-db-password-4b7d';

/** `undefined`: the setting is removed (for settings where only a missing value is wrong). */
const INVALID: Readonly<Record<string, string | undefined>> = {
  AWS_DISCOVERY_ACCESS_KEY_ID: '',
  AWS_DISCOVERY_SECRET_KEY: '',
  AWS_DISCOVERY_REGIONS: 'mars-1',
  AWS_DISCOVERY_INSTANCE_BASE_PATH: '/',
  AWS_DISCOVERY_ADMIN_GROUP: 'g'.repeat(129),
  AWS_DISCOVERY_RECORD_CONNECTIONS_BY_DEFAULT: 'sometimes',
  AWS_DISCOVERY_KEYS_DIR: 'relative/keys',
  AWS_DISCOVERY_EC2_ENDPOINT: 'ftp://ec2.example.com',
  AWS_DISCOVERY_STS_ENDPOINT: 'ftp://sts.example.com',
  AWS_DISCOVERY_IAM_ENDPOINT: 'iam.example.com',
  AWS_DISCOVERY_ASSUME_ROLES: 'self,arn:aws:iam::12345:role/Short',
  AWS_DISCOVERY_ACCOUNT_FOLDER: 'AWS/{account}',
  AWS_DISCOVERY_OWNER_ID: 'has space',
  AWS_DISCOVERY_PAGE_SIZE: '3',
  AWS_DISCOVERY_LISTING_TIMEOUT: '1h',
  AWS_DISCOVERY_LOG_LEVEL: 'loud',
  AWS_DISCOVERY_LOG_FORMAT: 'xml',
  AWS_DISCOVERY_KSM_CONFIG: 'not-base64-json!',
  AWS_DISCOVERY_SCHEDULE: 'every minute',
  AWS_DISCOVERY_EVENTS_QUEUE_URL: 'http://sqs.us-east-1.amazonaws.com/123456789012/events',
  AWS_DISCOVERY_METRICS_PORT: '70000',
  AWS_DISCOVERY_METRICS_ADDRESS: 'not an address',
  AWS_DISCOVERY_HEALTH_MAX_AGE: '5',
  AWS_DISCOVERY_POLICY: 'delete-everything',
  AWS_DISCOVERY_MAX_DELETE_PERCENT: '150',
  AWS_DISCOVERY_MAX_DELETE_COUNT: '-1',
  AWS_DISCOVERY_ALLOW_MASS_DELETE: 'maybe',
  AWS_DISCOVERY_ADDRESS: 'carrier-pigeon',
  AWS_DISCOVERY_FILTERS: 'no-equals-sign',
  AWS_DISCOVERY_PIN_HOST_KEYS: 'perhaps',
  AWS_DISCOVERY_TRUST_HOSTNAME_TAG: 'only-for-friends',
  AWS_DISCOVERY_DB_LOCK_TIMEOUT: '0',
  POSTGRESQL_HOSTNAME: 'db host',
  POSTGRESQL_PORT: 'fifty',
  POSTGRESQL_DATABASE: '',
  POSTGRESQL_USERNAME: '',
  POSTGRESQL_PASSWORD: undefined,
  MYSQL_HOSTNAME: 'user@db:3306',
  MYSQL_PORT: '0',
  MYSQL_DATABASE: '',
  MYSQL_USERNAME: '',
  MYSQL_PASSWORD: undefined,
};

function validEnv(prefix: 'POSTGRESQL' | 'MYSQL', home: string): Record<string, string> {
  return {
    GUACAMOLE_HOME: home, // an empty folder: no guacamole.properties
    AWS_DISCOVERY_ACCESS_KEY_ID: 'AKIDHOSTILE',
    AWS_DISCOVERY_SECRET_KEY: AWS_SECRET,
    AWS_DISCOVERY_REGIONS: 'us-east-1',
    AWS_DISCOVERY_EC2_ENDPOINT: 'http://127.0.0.1:1',
    [`${prefix}_HOSTNAME`]: '127.0.0.1',
    [`${prefix}_PORT`]: '1',
    [`${prefix}_DATABASE`]: 'guacamole_db',
    [`${prefix}_USERNAME`]: 'guacamole_user',
    [`${prefix}_PASSWORD`]: DB_PASSWORD,
  };
}

describe('hostile configuration through the CLI', function () {
  let home: string;
  before(() => {
    home = mkdtempSync(join(tmpdir(), 'ged-home-'));
  });
  after(() => rmSync(home, { recursive: true, force: true }));

  it('has an invalid-value case for every setting in settings.ts', function () {
    expect(Object.keys(INVALID).sort()).to.deep.equal(ALL_SETTINGS.map((s) => s.name).sort());
  });

  // The CLI takes about a second to start: the settings' runs go four at a time, each case then checks its own.
  const results = new Map<string, Promise<CliResult>>();
  const resultFor = (name: string): Promise<CliResult> => {
    if (results.size === 0) {
      const lanes: Promise<unknown>[] = [Promise.resolve(), Promise.resolve(), Promise.resolve(), Promise.resolve()];
      for (const [i, { name: setting }] of ALL_SETTINGS.entries()) {
        const env = validEnv(setting.startsWith('MYSQL_') ? 'MYSQL' : 'POSTGRESQL', home);
        const value = INVALID[setting];
        if (value === undefined) delete env[setting];
        else env[setting] = value;
        const result = (lanes[i % lanes.length] as Promise<unknown>).then(() => runCli(['--once'], env));
        lanes[i % lanes.length] = result;
        results.set(setting, result);
      }
    }
    return results.get(name) as Promise<CliResult>;
  };

  for (const { name } of ALL_SETTINGS) {
    it(`${name}: an invalid value exits 2 naming the setting, no secret shown`, async function () {
      const value = INVALID[name];
      const result = await resultFor(name);
      expect(result.code, result.stderr + result.stdout).to.equal(2);
      expect(result.stderr).to.include(name);
      expect(result.stdout + result.stderr).to.not.include(AWS_SECRET).and.not.include(DB_PASSWORD);
      if (name === 'AWS_DISCOVERY_KSM_CONFIG') expect(result.stderr).to.not.include(value as string);
    });
  }

  it('an unknown AWS_DISCOVERY_* name warns "probably a typo of …", even when another setting is invalid', async function () {
    const env = validEnv('POSTGRESQL', home);
    delete env.AWS_DISCOVERY_REGIONS;
    env.AWS_DISCOVERY_REGOINS = 'us-east-1';
    const result = await runCli(['--once'], env);
    expect(result.code).to.equal(2);
    expect(result.stderr).to.include('AWS_DISCOVERY_REGOINS').and.include('probably a typo of "AWS_DISCOVERY_REGIONS"');
    expect(result.stderr).to.include('AWS_DISCOVERY_REGIONS: required');
  });

  it('an unknown AWS_DISCOVERY_* name warns in the log when the configuration is otherwise valid', async function () {
    const env = { ...validEnv('POSTGRESQL', home), AWS_DISCOVERY_PAGESIZE: '50' };
    const result = await runCli(['--once'], env);
    const line = result.logs.find((l) => l.level === 'warn' && String(l.message).includes('AWS_DISCOVERY_PAGESIZE'));
    expect(String(line?.message)).to.include('probably a typo of "AWS_DISCOVERY_PAGE_SIZE"');
  });
});
