import { expect } from 'chai';
import { parseConfig } from '../../../src/config/config.js';
import { readEnvironment, type FileReader } from '../../../src/config/env.js';
import { ConfigError } from '../../../src/shared/errors.js';
import { problemsOf as problemsOfParse } from './config-problems.js';

const SECRET_KEY = 'SECRET-AWS-KEY-123';
const DB_PASSWORD = 'DB-PASSWORD-XYZ';

const valid = {
  AWS_DISCOVERY_ACCESS_KEY_ID: 'AKIDEXAMPLE',
  AWS_DISCOVERY_SECRET_KEY: SECRET_KEY,
  AWS_DISCOVERY_REGIONS: 'us-east-1',
  POSTGRESQL_DATABASE: 'guacamole_db',
  POSTGRESQL_USERNAME: 'guacamole_user',
  POSTGRESQL_PASSWORD: DB_PASSWORD,
};

/** The problems parseConfig reports, or [] when it succeeds. */
function problemsOf(raw: Record<string, string | undefined>, readProblems: string[] = []): readonly string[] {
  return problemsOfParse(() => parseConfig(raw, readProblems));
}

const noFiles: FileReader = (path) => {
  throw Object.assign(new Error(`no ${path}`), { code: 'ENOENT' });
};

function load(env: Record<string, string>, files: Record<string, string> = {}) {
  const read = readEnvironment(env, (path) => {
    const content = files[path];
    return content === undefined ? noFiles(path) : content;
  });
  return { read, parsed: () => parseConfig(read.settings, read.problems) };
}

describe('parseConfig', () => {
  it('applies the defaults', () => {
    const { config, secrets } = parseConfig(valid);
    expect(config.basePath).to.deep.equal(['Amazon EC2']);
    expect(config.adminGroup).to.equal('AWS EC2 Administrators');
    expect(config.keysDir).to.equal('/etc/guacamole/cloud-connector-secrets/aws');
    expect(config.recordByDefault).to.equal(false);
    expect(config.ownerId).to.equal('default');
    expect(config.pageSize).to.equal(1000);
    expect(config.listingTimeoutSeconds).to.equal(60);
    expect(config.logLevel).to.equal('info');
    expect(config.database).to.deep.equal({ dialect: 'postgres', host: 'localhost', port: 5432, database: 'guacamole_db', user: 'guacamole_user' });
    expect(secrets).to.deep.equal({ awsAccessKeyId: 'AKIDEXAMPLE', awsSecretKey: SECRET_KEY, databasePassword: DB_PASSWORD });
  });

  const regionCases: { regions: string; expected: string[] }[] = [
    { regions: 'us-east-1', expected: ['us-east-1'] },
    { regions: ' us-west-1 , us-east-1 ', expected: ['us-west-1', 'us-east-1'] },
    { regions: 'eu-west-1,,eu-west-1,', expected: ['eu-west-1'] },
    { regions: 'us-gov-west-1', expected: ['us-gov-west-1'] },
  ];
  for (const { regions, expected } of regionCases) {
    it(`reads regions ${JSON.stringify(regions)}`, () => {
      expect(parseConfig({ ...valid, AWS_DISCOVERY_REGIONS: regions }).config.regions).to.deep.equal(expected);
    });
  }

  const booleanCases: { value: string | undefined; expected: boolean }[] = [
    { value: undefined, expected: false },
    { value: 'true', expected: true },
    { value: ' TRUE ', expected: true },
    { value: 'yes', expected: true },
    { value: '1', expected: true },
    { value: 'on', expected: true },
    { value: 'false', expected: false },
    { value: 'No', expected: false },
    { value: '0', expected: false },
    { value: 'off', expected: false },
    { value: '', expected: false },
  ];
  for (const { value, expected } of booleanCases) {
    it(`reads record-by-default ${JSON.stringify(value)} as ${expected}`, () => {
      const raw = { ...valid, AWS_DISCOVERY_RECORD_CONNECTIONS_BY_DEFAULT: value };
      expect(parseConfig(raw).config.recordByDefault).to.equal(expected);
    });
  }

  const basePathCases: { value: string; expected: string[] }[] = [
    { value: 'Cloud', expected: ['Cloud'] },
    { value: ' /AWS// Prod /', expected: ['AWS', 'Prod'] },
  ];
  for (const { value, expected } of basePathCases) {
    it(`reads base path ${JSON.stringify(value)}`, () => {
      expect(parseConfig({ ...valid, AWS_DISCOVERY_INSTANCE_BASE_PATH: value }).config.basePath).to.deep.equal(expected);
    });
  }

  it('reads a MySQL database with its default port', () => {
    const raw = {
      ...valid,
      POSTGRESQL_DATABASE: undefined,
      POSTGRESQL_USERNAME: undefined,
      POSTGRESQL_PASSWORD: undefined,
      MYSQL_DATABASE: 'g',
      MYSQL_USERNAME: 'u',
      MYSQL_PASSWORD: 'p',
      MYSQL_HOSTNAME: 'db',
    };
    const { config, secrets } = parseConfig(raw);
    expect(config.database).to.deep.equal({ dialect: 'mysql', host: 'db', port: 3306, database: 'g', user: 'u' });
    expect(secrets.databasePassword).to.equal('p');
  });

  const problemCases: { title: string; raw: Record<string, string | undefined>; expected: RegExp[] }[] = [
    {
      title: 'a bad region',
      raw: { ...valid, AWS_DISCOVERY_REGIONS: 'us-east-1,Moon-Base' },
      expected: [/^AWS_DISCOVERY_REGIONS: not a region name: Moon-Base/],
    },
    { title: 'no region', raw: { ...valid, AWS_DISCOVERY_REGIONS: ' , ' }, expected: [/^AWS_DISCOVERY_REGIONS: names no region/] },
    {
      title: 'a bad boolean',
      raw: { ...valid, AWS_DISCOVERY_RECORD_CONNECTIONS_BY_DEFAULT: 'maybe' },
      expected: [/^AWS_DISCOVERY_RECORD_CONNECTIONS_BY_DEFAULT: expected true or false/],
    },
    { title: 'both databases', raw: { ...valid, MYSQL_DATABASE: 'x' }, expected: [/^POSTGRESQL_\* and MYSQL_\*: both/] },
    {
      title: 'no database',
      raw: { ...valid, POSTGRESQL_DATABASE: undefined, POSTGRESQL_USERNAME: undefined, POSTGRESQL_PASSWORD: undefined },
      expected: [/^POSTGRESQL_\* or MYSQL_\*: no database configured/],
    },
    { title: 'a missing password', raw: { ...valid, POSTGRESQL_PASSWORD: undefined }, expected: [/^POSTGRESQL_PASSWORD: required/] },
    { title: 'a bad port', raw: { ...valid, POSTGRESQL_PORT: '70000' }, expected: [/^POSTGRESQL_PORT: expected a whole number/] },
    { title: 'an empty base path', raw: { ...valid, AWS_DISCOVERY_INSTANCE_BASE_PATH: ' / ' }, expected: [/^AWS_DISCOVERY_INSTANCE_BASE_PATH: must name/] },
    { title: 'a bad endpoint', raw: { ...valid, AWS_DISCOVERY_EC2_ENDPOINT: 'ftp://x' }, expected: [/^AWS_DISCOVERY_EC2_ENDPOINT: not an http/] },
    {
      title: 'a listing timeout below 10 s',
      raw: { ...valid, AWS_DISCOVERY_LISTING_TIMEOUT: '5' },
      expected: [/^AWS_DISCOVERY_LISTING_TIMEOUT: expected a whole number from 10 to 3600, got "5"/],
    },
    { title: 'a read problem', raw: valid, expected: [/^X_FILE: cannot read/] },
  ];
  for (const { title, raw, expected } of problemCases) {
    it(`reports ${title} by setting name`, () => {
      const problems = problemsOf(raw, title === 'a read problem' ? ['X_FILE: cannot read /nope (ENOENT)'] : []);
      expect(problems).to.have.length(expected.length);
      expected.forEach((pattern, i) => expect(problems[i]).to.match(pattern));
    });
  }

  it('reads AWS_DISCOVERY_LISTING_TIMEOUT in seconds, from the environment or guacamole.properties', () => {
    expect(parseConfig({ ...valid, AWS_DISCOVERY_LISTING_TIMEOUT: ' 300 ' }).config.listingTimeoutSeconds).to.equal(300);
    const fromFile = load(valid as Record<string, string>, { '/etc/guacamole/guacamole.properties': 'aws-discovery-listing-timeout: 120\n' });
    expect(fromFile.parsed().config.listingTimeoutSeconds).to.equal(120);
  });

  it('lists every problem at once, each starting with a setting name', () => {
    const problems = problemsOf({ AWS_DISCOVERY_REGIONS: 'nowhere', AWS_DISCOVERY_RECORD_CONNECTIONS_BY_DEFAULT: 'maybe', AWS_DISCOVERY_PAGE_SIZE: '2' });
    for (const name of ['AWS_DISCOVERY_REGIONS', 'AWS_DISCOVERY_RECORD_CONNECTIONS_BY_DEFAULT', 'AWS_DISCOVERY_PAGE_SIZE', 'POSTGRESQL_* or MYSQL_*']) {
      expect(problems.some((p) => p.startsWith(`${name}:`)), name).to.equal(true);
    }
    for (const p of problems) expect(p).to.match(/^[A-Z][A-Z0-9_*]*( (or|and) [A-Z0-9_*]+)?: /);
  });

  for (const value of ['*', 'all', ' ALL ']) {
    it(`reads regions ${JSON.stringify(value)} as every enabled region`, () => {
      const { config } = parseConfig({ ...valid, AWS_DISCOVERY_REGIONS: value });
      expect(config.allRegions).to.equal(true);
      expect(config.regions).to.deep.equal([]);
    });
  }

  it('accepts no access keys at all (the default credential chain)', () => {
    const { secrets } = parseConfig({ ...valid, AWS_DISCOVERY_ACCESS_KEY_ID: undefined, AWS_DISCOVERY_SECRET_KEY: undefined });
    expect(secrets.awsAccessKeyId).to.equal('');
    expect(secrets.awsSecretKey).to.equal('');
  });

  it('names the missing half of half-configured access keys', () => {
    expect(problemsOf({ ...valid, AWS_DISCOVERY_SECRET_KEY: undefined })).to.deep.equal([
      'AWS_DISCOVERY_SECRET_KEY: missing while AWS_DISCOVERY_ACCESS_KEY_ID is set (set both, or neither for the default credential chain)',
    ]);
    const problems = problemsOf({ ...valid, AWS_DISCOVERY_ACCESS_KEY_ID: '  ' });
    expect(problems).to.have.length(1);
    expect(problems[0]).to.match(/^AWS_DISCOVERY_ACCESS_KEY_ID: missing while AWS_DISCOVERY_SECRET_KEY is set/);
    expect(problems[0]).not.to.include(SECRET_KEY);
  });

  it('keeps secrets out of the config object', () => {
    const { config } = parseConfig({ ...valid, AWS_DISCOVERY_ACCESS_KEY_ID: 'AKID-SECRETISH' });
    const text = JSON.stringify(config);
    expect(text).not.to.include(SECRET_KEY);
    expect(text).not.to.include(DB_PASSWORD);
  });

  it('trusts kcm:hostname with secrets only when AWS_DISCOVERY_TRUST_HOSTNAME_TAG says so', () => {
    expect(parseConfig(valid).config.trustHostnameTag).to.equal(false);
    expect(parseConfig({ ...valid, AWS_DISCOVERY_TRUST_HOSTNAME_TAG: ' True ' }).config.trustHostnameTag).to.equal(true);
    expect(parseConfig({ ...valid, AWS_DISCOVERY_TRUST_HOSTNAME_TAG: 'off' }).config.trustHostnameTag).to.equal(false);
    expect(problemsOf({ ...valid, AWS_DISCOVERY_TRUST_HOSTNAME_TAG: 'sometimes' })).to.deep.equal([
      'AWS_DISCOVERY_TRUST_HOSTNAME_TAG: expected true or false, got "sometimes"',
    ]);
  });
});

describe('readEnvironment', () => {
  const fileCases: { content: string; expected: string }[] = [
    { content: 'pw', expected: 'pw' },
    { content: 'pw\n', expected: 'pw' },
    { content: 'pw\r\n', expected: 'pw' },
    { content: 'pw\n\n', expected: 'pw\n' },
    { content: ' pw \n', expected: ' pw ' },
  ];
  for (const { content, expected } of fileCases) {
    it(`reads NAME_FILE content ${JSON.stringify(content)} as ${JSON.stringify(expected)}`, () => {
      const { read } = load({ POSTGRESQL_PASSWORD_FILE: '/run/secrets/pw' }, { '/run/secrets/pw': content });
      expect(read.settings.POSTGRESQL_PASSWORD).to.equal(expected);
      expect(read.problems).to.deep.equal([]);
    });
  }

  it('reports NAME and NAME_FILE both set', () => {
    const { read } = load({ POSTGRESQL_PASSWORD: 'a', POSTGRESQL_PASSWORD_FILE: '/f' }, { '/f': 'b' });
    expect(read.problems).to.have.length(1);
    expect(read.problems[0]).to.match(/^POSTGRESQL_PASSWORD: set either/);
    expect(() => parseConfig({ ...valid, ...read.settings }, read.problems)).to.throw(ConfigError);
  });

  it('reports an unreadable NAME_FILE by name without the content', () => {
    const { read } = load({ AWS_DISCOVERY_SECRET_KEY_FILE: '/missing' });
    expect(read.problems).to.deep.equal(['AWS_DISCOVERY_SECRET_KEY_FILE: cannot read /missing (ENOENT)']);
    expect(read.settings.AWS_DISCOVERY_SECRET_KEY).to.equal(undefined);
  });

  const legacyCases: { legacy: string; canonical: string }[] = [
    { legacy: 'POSTGRES_PASSWORD', canonical: 'POSTGRESQL_PASSWORD' },
    { legacy: 'POSTGRES_DATABASE', canonical: 'POSTGRESQL_DATABASE' },
    { legacy: 'POSTGRESQL_USER', canonical: 'POSTGRESQL_USERNAME' },
    { legacy: 'POSTGRES_USER', canonical: 'POSTGRESQL_USERNAME' },
    { legacy: 'MYSQL_USER', canonical: 'MYSQL_USERNAME' },
  ];
  for (const { legacy, canonical } of legacyCases) {
    it(`accepts legacy ${legacy} as ${canonical} with a warning`, () => {
      const { read } = load({ [legacy]: 'value-1' });
      expect(read.settings[canonical]).to.equal('value-1');
      expect(read.warnings).to.deep.equal([`${legacy} is deprecated: use ${canonical}`]);
      expect(read.problems).to.deep.equal([]);
    });
  }

  it('prefers the canonical name and warns that the legacy one is ignored', () => {
    const { read } = load({ POSTGRESQL_PASSWORD: 'new', POSTGRES_PASSWORD: 'old' });
    expect(read.settings.POSTGRESQL_PASSWORD).to.equal('new');
    expect(read.warnings).to.deep.equal(['POSTGRES_PASSWORD is ignored because POSTGRESQL_PASSWORD is set']);
  });

  it('feeds parseConfig end to end, secrets from files, none in config, warnings or problems', () => {
    const env = {
      AWS_DISCOVERY_ACCESS_KEY_ID: 'AKID',
      AWS_DISCOVERY_SECRET_KEY_FILE: '/s/key',
      AWS_DISCOVERY_REGIONS: ' us-west-1 , us-east-1 ',
      POSTGRES_PASSWORD_FILE: '/s/pw',
      POSTGRESQL_USER: 'guac',
      POSTGRESQL_DATABASE: 'guacdb',
      UNRELATED: 'x',
    };
    const { read, parsed } = load(env, { '/s/key': `${SECRET_KEY}\n`, '/s/pw': `${DB_PASSWORD}\n` });
    const { config, secrets } = parsed();
    expect(config.regions).to.deep.equal(['us-west-1', 'us-east-1']);
    expect(config.database.user).to.equal('guac');
    expect(secrets.awsSecretKey).to.equal(SECRET_KEY);
    expect(secrets.databasePassword).to.equal(DB_PASSWORD);
    expect(read.warnings).to.have.length(2);
    const visible = JSON.stringify([config, read.warnings, read.problems]);
    expect(visible).not.to.include(SECRET_KEY);
    expect(visible).not.to.include(DB_PASSWORD);
  });
});
