import { expect } from 'chai';
import { databaseConfigured, parseConfig, parseConfigWithoutDatabase } from '../../../src/config/config.js';
import { readEnvironment } from '../../../src/config/env.js';
import { problemsOf } from './config-problems.js';

const aws = { AWS_DISCOVERY_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_DISCOVERY_SECRET_KEY: 'SECRET-AWS', AWS_DISCOVERY_REGIONS: 'us-east-1' };

/** The raw settings read from this environment and guacamole.properties (`$GUACAMOLE_HOME/guacamole.properties`). */
function read(env: Record<string, string>, properties?: string) {
  return readEnvironment({ ...env, GUACAMOLE_HOME: '/guac' }, (path) => {
    if (path === '/guac/guacamole.properties' && properties !== undefined) return properties;
    throw Object.assign(new Error(path), { code: 'ENOENT' });
  });
}

describe('a first look: the configuration without a database', function () {
  const configuredCases: { title: string; env: Record<string, string>; properties?: string; expected: boolean }[] = [
    { title: 'AWS settings only', env: aws, expected: false },
    { title: 'guacamole.properties without database keys', env: aws, properties: 'guacd-hostname: localhost\naws-discovery-page-size: 5\n', expected: false },
    { title: 'one PostgreSQL setting', env: { ...aws, POSTGRESQL_HOSTNAME: 'db' }, expected: true },
    { title: 'one MySQL setting, even empty', env: { ...aws, MYSQL_PASSWORD: '' }, expected: true },
    { title: 'a legacy name', env: { ...aws, POSTGRES_DATABASE: 'guacamole_db' }, expected: true },
    { title: 'a database key in guacamole.properties', env: aws, properties: 'mysql-hostname: db\n', expected: true },
  ];
  for (const c of configuredCases) {
    it(`databaseConfigured: ${c.title} → ${c.expected}`, function () {
      expect(databaseConfigured(read(c.env, c.properties).settings)).to.equal(c.expected);
    });
  }

  it('parses every other setting as a run does, without a database or its password', function () {
    const { config, secrets } = parseConfigWithoutDatabase({ ...aws, AWS_DISCOVERY_INSTANCE_BASE_PATH: 'Cloud/EC2' });
    expect(config).to.not.have.property('database');
    expect(config.basePath).to.deep.equal(['Cloud', 'EC2']);
    expect(config.regions).to.deep.equal(['us-east-1']);
    expect(secrets).to.deep.equal({ awsAccessKeyId: 'AKIDEXAMPLE', awsSecretKey: 'SECRET-AWS' });
    // A run needs the database, by name.
    expect(problemsOf(() => parseConfig(aws))).to.deep.equal([
      'POSTGRESQL_* or MYSQL_*: no database configured (set POSTGRESQL_DATABASE, POSTGRESQL_USERNAME, POSTGRESQL_PASSWORD, … or the MYSQL_ ones)',
    ]);
  });

  it('reports the problems of the other settings, and every read problem (a database setting whose file cannot be read)', function () {
    const problems = problemsOf(() =>
      parseConfigWithoutDatabase({ AWS_DISCOVERY_PAGE_SIZE: '3' }, ['POSTGRESQL_PASSWORD_FILE: cannot read /run/secrets/db (EACCES)']),
    );
    expect(problems).to.have.length(3);
    expect(problems[0]).to.equal('POSTGRESQL_PASSWORD_FILE: cannot read /run/secrets/db (EACCES)');
    expect(problems.join('\n')).to.include('AWS_DISCOVERY_REGIONS: required').and.include('AWS_DISCOVERY_PAGE_SIZE').and.not.include('no database configured');
  });
});
