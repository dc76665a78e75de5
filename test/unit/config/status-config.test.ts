import { expect } from 'chai';
import { parseConfig, parseStatusConfig } from '../../../src/config/config.js';
import { problemsOf } from './config-problems.js';

const database = { POSTGRESQL_DATABASE: 'guacamole_db', POSTGRESQL_USERNAME: 'guacamole_user', POSTGRESQL_PASSWORD: 'pw' };

describe('parseStatusConfig', function () {
  it('needs only the database settings; the owner id defaults as for runs', function () {
    const parsed = parseStatusConfig(database);
    expect(parsed.config).to.deep.equal({
      ownerId: 'default',
      healthMaxAgeSeconds: 600,
      database: { dialect: 'postgres', host: 'localhost', port: 5432, database: 'guacamole_db', user: 'guacamole_user' },
    });
    expect(parsed.secrets).to.deep.equal({ databasePassword: 'pw' });
    expect(parsed.warnings).to.deep.equal([]);
    // parseConfig still requires the regions for runs.
    const forRuns = problemsOf(() => parseConfig(database));
    expect(forRuns).to.have.length(1);
    expect(forRuns[0]).to.match(/^AWS_DISCOVERY_REGIONS: required/);
  });

  it('does not check settings it does not use', function () {
    const raw = { ...database, AWS_DISCOVERY_REGIONS: '!!', AWS_DISCOVERY_SECRET_KEY: 'x', AWS_DISCOVERY_SCHEDULE: 'often' };
    expect(problemsOf(() => parseStatusConfig(raw))).to.deep.equal([]);
  });

  it('reports database and owner-id problems by setting name', function () {
    const problems = problemsOf(() => parseStatusConfig({ ...database, POSTGRESQL_PORT: 'x', AWS_DISCOVERY_OWNER_ID: 'a b' }));
    expect(problems).to.have.length(2);
    expect(problems.join('\n')).to.include('AWS_DISCOVERY_OWNER_ID').and.include('POSTGRESQL_PORT');
    expect(problemsOf(() => parseStatusConfig({}))[0]).to.include('no database configured');
  });

  it('read problems: fatal for what status reads (or the properties file), a warning for settings it does not use', function () {
    const readProblems = [
      'AWS_DISCOVERY_SECRET_KEY_FILE: cannot read /run/secrets/key (EACCES)',
      'AWS_DISCOVERY_KSM_CONFIG: set either AWS_DISCOVERY_KSM_CONFIG or AWS_DISCOVERY_KSM_CONFIG_FILE, not both',
    ];
    const parsed = parseStatusConfig(database, readProblems);
    expect(parsed.warnings).to.deep.equal(readProblems.map((p) => `${p} (not used by status)`));

    const fatal = ['POSTGRESQL_PASSWORD_FILE: cannot read /run/secrets/db (EACCES)', '/etc/guacamole/guacamole.properties: cannot read (EACCES)'];
    expect(problemsOf(() => parseStatusConfig(database, [...readProblems, ...fatal]))).to.deep.equal(fatal);
    const owner = ['AWS_DISCOVERY_OWNER_ID_FILE: cannot read /x (ENOENT)'];
    expect(problemsOf(() => parseStatusConfig(database, owner))).to.deep.equal(owner);
  });
});
