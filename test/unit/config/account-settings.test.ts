import { expect } from 'chai';
import { parseAccountFolder, parseAssumeRoles } from '../../../src/config/accounts.js';
import { parseConfig } from '../../../src/config/config.js';
import type { ConfigError } from '../../../src/shared/errors.js';
import { renderAccountFolder } from '../../../src/desired/account-folder.js';
import { failedScopeMatcher } from '../../../src/plan/failed-scopes.js';
import { adoptKeyedMap, adoptRegionKeys } from '../../../src/plan/adopt-account-scopes.js';
import type { CurrentState } from '../../../src/plan/current-state.js';

const NAME = 'AWS_DISCOVERY_ASSUME_ROLES';
const ROLE = 'arn:aws:iam::222222222222:role/Discovery';

function problemsOf(value: string): string[] {
  const parsed = parseAssumeRoles(NAME, value);
  return 'problems' in parsed ? parsed.problems : [];
}

describe('AWS_DISCOVERY_ASSUME_ROLES parsing', function () {
  it('reads self, role ARNs with paths and partitions, and external ids, separated by commas or whitespace', function () {
    const parsed = parseAssumeRoles(NAME, `self,${ROLE}|ext:id/1=a\n arn:aws-us-gov:iam::333333333333:role/ops/team/Reader`);
    expect(parsed).to.deep.equal({
      accounts: [
        { kind: 'self' },
        { kind: 'role', roleArn: ROLE, accountId: '222222222222', hasExternalId: true },
        { kind: 'role', roleArn: 'arn:aws-us-gov:iam::333333333333:role/ops/team/Reader', accountId: '333333333333', hasExternalId: false },
      ],
      externalIds: { [ROLE]: 'ext:id/1=a' },
    });
  });

  it('a comma inside an external id stays in it; one before self or arn: separates entries', function () {
    expect(parseAssumeRoles(NAME, `${ROLE}|a,b,self,`)).to.deep.equal({
      accounts: [{ kind: 'role', roleArn: ROLE, accountId: '222222222222', hasExternalId: true }, { kind: 'self' }],
      externalIds: { [ROLE]: 'a,b' },
    });
  });

  const invalid: readonly [string, string][] = [
    ['arn:aws:iam::12345:role/Short', 'not an IAM role ARN'],
    ['arn:aws:iam::222222222222:user/alice', 'not an IAM role ARN'],
    ['arn:aws:sts::222222222222:role/Discovery', 'not an IAM role ARN'],
    ['222222222222', 'not an IAM role ARN'],
    [`${ROLE}|x`, 'external id'],
    [`${ROLE}|${'x'.repeat(1225)}`, 'external id'],
    [`${ROLE}|has space`, 'not an IAM role ARN'], // the space splits the entry: "space" is no ARN
    [`${ROLE}|bad#char`, 'external id'],
    [`${ROLE},${ROLE}`, 'named twice'],
    [`${ROLE},arn:aws:iam::222222222222:role/Other`, 'named twice'],
    ['self self', 'listed twice'],
    [' , ', 'names no account'],
  ];
  for (const [value, expected] of invalid) {
    it(`rejects ${JSON.stringify(value.slice(0, 60))} (${expected}), naming the setting`, function () {
      const problems = problemsOf(value);
      expect(problems.join('\n')).to.include(NAME).and.include(expected);
    });
  }

  it('never quotes an external id in a problem', function () {
    expect(problemsOf(`${ROLE}|secret#id`).join('\n')).to.not.include('secret#id');
  });

  it('parseConfig keeps external ids in the secrets, not in the logged configuration', function () {
    const { config, secrets } = parseConfig({
      AWS_DISCOVERY_REGIONS: 'us-east-1',
      AWS_DISCOVERY_ASSUME_ROLES: `self ${ROLE}|ext-id-77`,
      POSTGRESQL_DATABASE: 'g',
      POSTGRESQL_USERNAME: 'u',
      POSTGRESQL_PASSWORD: 'p',
    });
    expect(JSON.stringify(config)).to.not.include('ext-id-77');
    expect(secrets.externalIds).to.deep.equal({ [ROLE]: 'ext-id-77' });
    expect(config.accountFolder).to.deep.equal(['{alias}']);
  });

  it('parseConfig lists every problem of the new settings at once', function () {
    const raw = {
      AWS_DISCOVERY_REGIONS: 'us-east-1',
      AWS_DISCOVERY_ASSUME_ROLES: 'nope',
      AWS_DISCOVERY_ACCOUNT_FOLDER: '{nope}',
      AWS_DISCOVERY_STS_ENDPOINT: 'ftp://x',
      AWS_DISCOVERY_IAM_ENDPOINT: 'x',
      POSTGRESQL_DATABASE: 'g',
      POSTGRESQL_USERNAME: 'u',
      POSTGRESQL_PASSWORD: 'p',
    };
    try {
      parseConfig(raw);
      expect.fail('should throw');
    } catch (err) {
      const message = (err as ConfigError).problems.join('\n');
      for (const name of ['AWS_DISCOVERY_ASSUME_ROLES', 'AWS_DISCOVERY_ACCOUNT_FOLDER', 'AWS_DISCOVERY_STS_ENDPOINT', 'AWS_DISCOVERY_IAM_ENDPOINT'])
        expect(message).to.include(name);
    }
  });
});

describe('AWS_DISCOVERY_ACCOUNT_FOLDER', function () {
  const F = 'AWS_DISCOVERY_ACCOUNT_FOLDER';
  it('defaults to {alias}; none means no folder; / splits levels, empty . and .. segments are dropped', function () {
    expect(parseAccountFolder(F, undefined)).to.deep.equal({ template: ['{alias}'] });
    expect(parseAccountFolder(F, ' None ')).to.deep.equal({ template: undefined });
    expect(parseAccountFolder(F, '/AWS//./../{alias} ({id})/')).to.deep.equal({ template: ['AWS', '{alias} ({id})'] });
  });

  for (const [value, expected] of [
    ['{account}', 'unknown placeholder {account}'],
    ['{alias', 'unmatched brace'],
    ['id}', 'unmatched brace'],
    ['', 'names no folder'],
    [' / ', 'names no folder'],
    ['x'.repeat(129), 'longer than 128'],
  ] as const) {
    it(`rejects ${JSON.stringify(value.slice(0, 20))} (${expected})`, function () {
      const parsed = parseAccountFolder(F, value);
      expect('problems' in parsed ? parsed.problems.join('\n') : '').to.include(F).and.include(expected);
    });
  }

  it('renders the alias, else the id; an alias never adds a folder level', function () {
    expect(renderAccountFolder(['AWS', '{alias} ({id})'], { id: '222222222222', alias: 'prod' }, 'utf8mb4')).to.deep.equal(['AWS', 'prod (222222222222)']);
    expect(renderAccountFolder(['{alias}'], { id: '222222222222' }, 'utf8mb4')).to.deep.equal(['222222222222']);
    expect(renderAccountFolder(['{alias}'], { id: '1', alias: 'a/b' }, 'utf8mb4')).to.deep.equal(['a/b']);
  });
});

describe('failed scopes', function () {
  it('a failed account (<id>/*) covers its regions only; * covers everything; plain regions stay exact', function () {
    const m = failedScopeMatcher(['222222222222/*', 'eu-west-1', '333333333333/us-east-1']);
    expect(['222222222222/us-east-1', '222222222222/eu-west-1', 'eu-west-1', '333333333333/us-east-1'].every((s) => m.has(s))).to.equal(true);
    expect(['333333333333/eu-west-1', 'us-east-1', '111111111111/eu-west-1', '2222222222222/us-east-1'].some((s) => m.has(s))).to.equal(false);
    expect(failedScopeMatcher(['*']).has('anything/at-all')).to.equal(true);
  });
});

describe('adopting single-account keys when roles are turned on', function () {
  const SELF = '111111111111';
  it('prefixes region-scoped owned connections (and stored passwords/host keys) with the own account; others stay', function () {
    const current: CurrentState = {
      groups: [],
      connections: [
        { id: 1, parentId: null, name: 'a', protocol: 'ssh', owner: { key: 'us-east-1/i-1', scope: 'us-east-1' } },
        { id: 2, parentId: null, name: 'b', protocol: 'ssh', owner: { key: '222222222222/us-east-1/i-2', scope: '222222222222/us-east-1' } },
        { id: 3, parentId: null, name: 'human', protocol: 'ssh' },
      ],
      readableConnections: new Set(),
      readableGroups: new Set(),
      staleRecords: [],
    };
    const { current: adopted, adopted: count } = adoptRegionKeys(current, SELF);
    expect(count).to.equal(1);
    expect(adopted.connections.map((c) => c.owner?.key)).to.deep.equal([`${SELF}/us-east-1/i-1`, '222222222222/us-east-1/i-2', undefined]);
    expect(adopted.connections[0]!.owner!.scope).to.equal(`${SELF}/us-east-1`);
    expect(adoptRegionKeys(adopted, SELF).adopted).to.equal(0);
    const stored = new Map([['us-east-1/i-1', 'k1'], ['222222222222/us-east-1/i-2', 'k2']]);
    expect([...adoptKeyedMap(stored, SELF).keys()]).to.deep.equal([`${SELF}/us-east-1/i-1`, '222222222222/us-east-1/i-2']);
    expect([...adoptKeyedMap(stored, undefined).keys()]).to.deep.equal([...stored.keys()]);
  });
});
