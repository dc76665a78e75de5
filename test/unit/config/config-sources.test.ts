import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../../src/config/config.js';
import { closestName, decodeProperties, propertiesFilePath } from '../../../src/config/config-sources.js';
import { readEnvironment } from '../../../src/config/env.js';
import { ALL_SETTINGS, propertyNameOf } from '../../../src/config/settings.js';
import { ConfigError } from '../../../src/shared/errors.js';

const ETC = '/etc/guacamole/guacamole.properties';
const SECRET = 'Pr0perties-Secret';

/** readEnvironment over an in-memory file system; a `code` instead of content makes the read fail with it. */
function read(env: Record<string, string>, files: Record<string, string | Uint8Array | { code: string }> = {}) {
  return readEnvironment(env, (path) => {
    const content = files[path];
    if (content === undefined) throw Object.assign(new Error(`no ${path}`), { code: 'ENOENT' });
    if (typeof content === 'object' && 'code' in content) throw Object.assign(new Error(content.code), { code: content.code });
    return content;
  });
}

const awsEnv = { AWS_DISCOVERY_ACCESS_KEY_ID: 'AKID', AWS_DISCOVERY_SECRET_KEY: 'aws-secret', AWS_DISCOVERY_REGIONS: 'us-east-1' };

const guacamoleProperties = [
  '# written for Guacamole',
  'guacd-hostname: guacd',
  'postgresql-hostname: db.internal',
  'postgresql-port: 5433',
  'postgresql-database: guacamole_db',
  'postgresql-username: guacamole_user',
  `postgresql-password: ${SECRET}`,
  'postgresql-ssl-mode: require',
  'ldap-hostname: ldap.internal',
].join('\n');

describe('guacamole.properties as a source of settings', () => {
  describe('where the file is', () => {
    const cases: { env: Record<string, string>; expected: string; fromGuacamoleHome: boolean }[] = [
      { env: {}, expected: ETC, fromGuacamoleHome: false },
      { env: { GUACAMOLE_HOME: '/srv/guac' }, expected: '/srv/guac/guacamole.properties', fromGuacamoleHome: true },
      { env: { GUACAMOLE_HOME: '/srv/guac/' }, expected: '/srv/guac/guacamole.properties', fromGuacamoleHome: true },
      { env: { GUACAMOLE_HOME: ' ' }, expected: ETC, fromGuacamoleHome: false },
    ];
    for (const { env, expected, fromGuacamoleHome } of cases) {
      it(`GUACAMOLE_HOME=${JSON.stringify(env.GUACAMOLE_HOME)} reads ${expected}`, () => {
        expect(propertiesFilePath(env)).to.deep.equal({ path: expected, fromGuacamoleHome });
      });
    }

    it('reads nothing and says nothing when /etc/guacamole/guacamole.properties does not exist', () => {
      const result = read(awsEnv);
      expect(result.propertiesFile).to.equal(undefined);
      expect(result.warnings).to.deep.equal([]);
      expect(result.problems).to.deep.equal([]);
      expect(result.sources).to.deep.equal({
        AWS_DISCOVERY_ACCESS_KEY_ID: 'environment',
        AWS_DISCOVERY_SECRET_KEY: 'environment',
        AWS_DISCOVERY_REGIONS: 'environment',
      });
    });

    it('warns when GUACAMOLE_HOME names a folder without guacamole.properties', () => {
      const result = read({ ...awsEnv, GUACAMOLE_HOME: '/srv/guac' }, { [ETC]: 'aws-discovery-owner-id=etc' });
      expect(result.warnings).to.deep.equal([
        'GUACAMOLE_HOME is set but /srv/guac/guacamole.properties does not exist; settings come from the environment only',
      ]);
      expect(result.settings.AWS_DISCOVERY_OWNER_ID).to.equal(undefined);
    });

    it('reads $GUACAMOLE_HOME/guacamole.properties instead of /etc/guacamole', () => {
      const result = read(
        { GUACAMOLE_HOME: '/srv/guac' },
        { '/srv/guac/guacamole.properties': 'aws-discovery-owner-id=srv', [ETC]: 'aws-discovery-owner-id=etc' },
      );
      expect(result.settings.AWS_DISCOVERY_OWNER_ID).to.equal('srv');
      expect(result.propertiesFile).to.equal('/srv/guac/guacamole.properties');
    });
  });

  describe('reading it', () => {
    it("takes the database from Guacamole's own properties and ignores the other keys", () => {
      const result = read(awsEnv, { [ETC]: guacamoleProperties });
      expect(result.problems).to.deep.equal([]);
      expect(result.warnings).to.deep.equal([]);
      expect(result.propertiesFile).to.equal(ETC);
      const { config, secrets } = parseConfig(result.settings, result.problems);
      expect(config.database).to.deep.equal({ dialect: 'postgres', host: 'db.internal', port: 5433, database: 'guacamole_db', user: 'guacamole_user' });
      expect(secrets.databasePassword).to.equal(SECRET);
      expect(result.settings).not.to.have.property('POSTGRESQL_SSL_MODE');
      expect(result.sources.POSTGRESQL_PASSWORD).to.equal('guacamole.properties');
      expect(result.sources.AWS_DISCOVERY_REGIONS).to.equal('environment');
    });

    it('maps every setting to its property name (lower case, "-" for "_")', () => {
      const text = ALL_SETTINGS.map(({ name }) => `${propertyNameOf(name)} = value of ${name}`).join('\n');
      const result = read({}, { [ETC]: text });
      for (const { name } of ALL_SETTINGS) {
        expect(result.settings[name], name).to.equal(`value of ${name}`);
        expect(result.sources[name], name).to.equal('guacamole.properties');
      }
      expect(result.warnings).to.deep.equal([]);
    });

    it("uses Guacamole's JDBC property names for the database settings", () => {
      const names = ALL_SETTINGS.filter(({ name }) => !name.startsWith('AWS_')).map(({ name }) => propertyNameOf(name));
      expect(names).to.have.members(
        ['hostname', 'port', 'database', 'username', 'password'].flatMap((field) => [`postgresql-${field}`, `mysql-${field}`]),
      );
    });

    it('reports an unreadable file by path, and parseConfig refuses to start', () => {
      const result = read(awsEnv, { [ETC]: { code: 'EACCES' } });
      expect(result.problems).to.have.length(1);
      expect(result.problems[0]).to.match(/^\/etc\/guacamole\/guacamole\.properties: cannot read \(EACCES\)/);
      expect(() => parseConfig({ ...result.settings, POSTGRESQL_DATABASE: 'd', POSTGRESQL_USERNAME: 'u', POSTGRESQL_PASSWORD: 'p' }, result.problems)).to.throw(
        ConfigError,
      );
    });

    it('reports a malformed file by path and line, without its content', () => {
      const result = read(awsEnv, { [ETC]: `# ok\npostgresql-database: g\npostgresql-password: ${SECRET}\\u12` });
      expect(result.problems).to.deep.equal([`${ETC}, line 3: malformed \\uXXXX escape (expected four hexadecimal digits after \\u)`]);
      expect(result.settings.POSTGRESQL_DATABASE).to.equal(undefined);
    });

    it('warns about one of our keys given twice; the later wins', () => {
      const result = read({}, { [ETC]: 'aws-discovery-owner-id=a\nx=y\naws-discovery-owner-id=b' });
      expect(result.settings.AWS_DISCOVERY_OWNER_ID).to.equal('b');
      expect(result.warnings).to.deep.equal([`${ETC}: aws-discovery-owner-id is set on lines 1 and 3; line 3 wins`]);
    });

    const encodings: { title: string; bytes: Uint8Array; expected: string }[] = [
      { title: 'UTF-8', bytes: Buffer.from('aws-discovery-admin-group=Büro', 'utf8'), expected: 'Büro' },
      { title: 'ISO-8859-1 (as Java reads it)', bytes: Buffer.from('aws-discovery-admin-group=Büro', 'latin1'), expected: 'Büro' },
      { title: 'ASCII with \\u escapes', bytes: Buffer.from('aws-discovery-admin-group=B\\u00fcro', 'ascii'), expected: 'Büro' },
      { title: 'UTF-8 with a byte order mark', bytes: Buffer.from('\ufeffaws-discovery-admin-group=Büro', 'utf8'), expected: 'Büro' },
    ];
    for (const { title, bytes, expected } of encodings) {
      it(`decodes a file in ${title}`, () => {
        expect(decodeProperties(bytes)).to.match(/^aws-discovery-admin-group=/);
        expect(read({}, { [ETC]: bytes }).settings.AWS_DISCOVERY_ADMIN_GROUP).to.equal(expected);
      });
    }
  });

  describe('environment over file', () => {
    it('lets each environment variable override its property, and records where each came from', () => {
      const result = read({ ...awsEnv, POSTGRESQL_HOSTNAME: 'env-host' }, { [ETC]: guacamoleProperties });
      expect(result.settings.POSTGRESQL_HOSTNAME).to.equal('env-host');
      expect(result.settings.POSTGRESQL_PORT).to.equal('5433');
      expect(result.sources.POSTGRESQL_HOSTNAME).to.equal('environment');
      expect(result.sources.POSTGRESQL_PORT).to.equal('guacamole.properties');
      expect(result.sources).not.to.have.property('AWS_DISCOVERY_OWNER_ID');
    });

    it('lets NAME_FILE override the property', () => {
      const result = read({ POSTGRESQL_PASSWORD_FILE: '/run/secrets/pw' }, { [ETC]: guacamoleProperties, '/run/secrets/pw': 'from-secret\n' });
      expect(result.settings.POSTGRESQL_PASSWORD).to.equal('from-secret');
      expect(result.sources.POSTGRESQL_PASSWORD).to.equal('environment');
    });

    it('lets a legacy environment name override the property', () => {
      const result = read({ POSTGRES_USER: 'legacy' }, { [ETC]: guacamoleProperties });
      expect(result.settings.POSTGRESQL_USERNAME).to.equal('legacy');
      expect(result.warnings).to.deep.equal(['POSTGRES_USER is deprecated: use POSTGRESQL_USERNAME']);
    });

    it('warns when an empty environment variable hides a value from the file', () => {
      const result = read({ POSTGRESQL_PASSWORD: '' }, { [ETC]: guacamoleProperties });
      expect(result.settings.POSTGRESQL_PASSWORD).to.equal('');
      expect(result.warnings).to.deep.equal([`POSTGRESQL_PASSWORD is set but empty in the environment; it overrides postgresql-password in ${ETC}`]);
    });

    it('warns that an account folder without AWS_DISCOVERY_ASSUME_ROLES does nothing', () => {
      const ignored = read({ AWS_DISCOVERY_ACCOUNT_FOLDER: '{id}' }, { [ETC]: guacamoleProperties });
      expect(ignored.warnings).to.deep.equal([
        'AWS_DISCOVERY_ACCOUNT_FOLDER is ignored: it applies only with AWS_DISCOVERY_ASSUME_ROLES (list self to keep the own account)',
      ]);
      const used = read({ AWS_DISCOVERY_ACCOUNT_FOLDER: '{id}', AWS_DISCOVERY_ASSUME_ROLES: 'self' }, { [ETC]: guacamoleProperties });
      expect(used.warnings).to.deep.equal([]);
    });

    it("drops the file's other database when the environment configures one", () => {
      const file = 'mysql-hostname: mysql.internal\nmysql-database: g\nmysql-username: u\nmysql-password: p';
      const env = { ...awsEnv, POSTGRESQL_DATABASE: 'pg', POSTGRESQL_USERNAME: 'pu', POSTGRESQL_PASSWORD: 'pp' };
      const result = read(env, { [ETC]: file });
      expect(result.warnings).to.deep.equal([`${ETC}: mysql-* settings are ignored because the environment configures the other database`]);
      expect(parseConfig(result.settings, result.problems).config.database.dialect).to.equal('postgres');
    });

    it('adds the environment to the file when both name the same database', () => {
      const result = read({ ...awsEnv, POSTGRESQL_PASSWORD: 'env-pw' }, { [ETC]: guacamoleProperties });
      const { config, secrets } = parseConfig(result.settings, result.problems);
      expect(config.database.host).to.equal('db.internal');
      expect(secrets.databasePassword).to.equal('env-pw');
      expect(result.warnings).to.deep.equal([]);
    });
  });

  describe('unknown names', () => {
    const propertyCases: { key: string; expected: string }[] = [
      { key: 'aws-discovery-region', expected: 'probably a typo of "aws-discovery-regions"' },
      { key: 'aws-discovery-secert-key', expected: 'probably a typo of "aws-discovery-secret-key"' },
      { key: 'AWS_DISCOVERY_REGIONS', expected: 'probably a typo of "aws-discovery-regions"' },
      { key: 'aws-discovery-Owner-Id', expected: 'probably a typo of "aws-discovery-owner-id"' },
      { key: 'aws-discovery-something-else-entirely', expected: 'is ignored' },
    ];
    for (const { key, expected } of propertyCases) {
      it(`warns about the unknown property ${key}, naming its line but not its value`, () => {
        const result = read({}, { [ETC]: `# x\n${key} = ${SECRET}` });
        expect(result.warnings).to.have.length(1);
        expect(result.warnings[0]).to.include(`${ETC}, line 2: unknown property "${key}" is ignored`);
        expect(result.warnings[0]).to.include(expected);
        expect(result.warnings[0]).not.to.include(SECRET);
        expect(result.problems).to.deep.equal([]);
      });
    }

    it("says nothing about Guacamole's and other extensions' keys", () => {
      const result = read(
        {},
        { [ETC]: 'postgresql-ssl-mode=require\nmysql-driver=mariadb\nrecording-search-path=/r\ntotp-issuer=x\nenable-environment-properties=true' },
      );
      expect(result.warnings).to.deep.equal([]);
    });

    const envCases: { name: string; expected: string | undefined }[] = [
      { name: 'AWS_DISCOVERY_REGION', expected: `AWS_DISCOVERY_REGION is not a setting and is ignored; probably a typo of "AWS_DISCOVERY_REGIONS"` },
      {
        name: 'AWS_DISCOVERY_SECRET_KYE_FILE',
        expected: `AWS_DISCOVERY_SECRET_KYE_FILE is not a setting and is ignored; probably a typo of "AWS_DISCOVERY_SECRET_KEY_FILE"`,
      },
      { name: 'aws_discovery_regions', expected: `aws_discovery_regions is not a setting and is ignored; probably a typo of "AWS_DISCOVERY_REGIONS"` },
      { name: 'AWS_DISCOVERY_COMPLETELY_DIFFERENT', expected: 'AWS_DISCOVERY_COMPLETELY_DIFFERENT is not a setting and is ignored' },
      { name: 'AWS_DISCOVERY_SECRET_KEY_FILE', expected: undefined },
      { name: 'AWS_DISCOVERY_REGIONS', expected: undefined },
      { name: 'AWS_REGION', expected: undefined },
      { name: 'POSTGRESQL_SSL_MODE', expected: undefined },
    ];
    for (const { name, expected } of envCases) {
      it(`${expected === undefined ? 'accepts' : 'warns about'} the environment variable ${name}`, () => {
        const value = name.endsWith('_FILE') ? '/run/secrets/x' : SECRET;
        const result = read({ [name]: value }, { '/run/secrets/x': 'x' });
        expect(result.warnings).to.deep.equal(expected === undefined ? [] : [expected]);
      });
    }
  });

  describe('closestName', () => {
    const known = ['aws-discovery-regions', 'aws-discovery-keys-dir', 'aws-discovery-metrics-port', 'aws-discovery-metrics-address'];
    const cases: { name: string; expected: string | undefined }[] = [
      { name: 'aws-discovery-regions', expected: 'aws-discovery-regions' },
      { name: 'aws-discovery-regoins', expected: 'aws-discovery-regions' },
      { name: 'aws-discovery-key-dir', expected: 'aws-discovery-keys-dir' },
      { name: 'aws-discovery-metrics-adress', expected: 'aws-discovery-metrics-address' },
      { name: 'aws-discovery-keys-directory', expected: undefined },
      { name: 'something', expected: undefined },
    ];
    for (const { name, expected } of cases) {
      it(`suggests ${String(expected)} for ${name}`, () => {
        expect(closestName(name, known)).to.equal(expected);
      });
    }
    it('suggests nothing from an empty list', () => {
      expect(closestName('x', [])).to.equal(undefined);
    });
  });

  describe('on disk', () => {
    let home: string;
    before(() => {
      home = mkdtempSync(join(tmpdir(), 'guac-home-'));
    });
    after(() => rmSync(home, { recursive: true, force: true }));

    it('reads a real file under GUACAMOLE_HOME with the default reader', () => {
      writeFileSync(join(home, 'guacamole.properties'), Buffer.from('aws-discovery-admin-group = Gr\u00fcppe\r\npostgresql-port: 6543\r\n', 'latin1'));
      const result = readEnvironment({ GUACAMOLE_HOME: home });
      expect(result.problems).to.deep.equal([]);
      expect(result.settings.AWS_DISCOVERY_ADMIN_GROUP).to.equal('Grüppe');
      expect(result.settings.POSTGRESQL_PORT).to.equal('6543');
      rmSync(join(home, 'guacamole.properties'));
    });

    it('reports a guacamole.properties that is not a readable file', () => {
      mkdirSync(join(home, 'guacamole.properties'));
      const result = readEnvironment({ GUACAMOLE_HOME: home });
      expect(result.problems).to.have.length(1);
      expect(result.problems[0]).to.equal(`${home}/guacamole.properties: cannot read (EISDIR)`);
    });
  });
});
