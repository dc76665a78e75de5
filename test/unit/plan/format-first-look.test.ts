import { expect } from 'chai';
import type { DesiredConnection, SkippedInstance } from '../../../src/desired/desired-connection.js';
import type { DiscoveredInstance } from '../../../src/discover/instance.js';
import type { KeyLookup, PrivateKeyInfo } from '../../../src/enrich/keys/key-types.js';
import type { PasswordOutcome } from '../../../src/enrich/passwords/password-plan.js';
import { FIRST_LOOK_HEADER, formatFirstLook, type FirstLookInput } from '../../../src/plan/format-first-look.js';
import { planChanges } from '../../../src/plan/plan-changes.js';
import { BASE, desired, EMPTY } from './plan-fixtures.js';

const KEY_TEXT = '-----BEGIN OPENSSH PRIVATE KEY-----\nSECRET-KEY-MATERIAL\n-----END OPENSSH PRIVATE KEY-----\n';
const PASSWORD = 'Adm1n-SECRET-pw';
const PRIVATE_KEY: PrivateKeyInfo = { text: KEY_TEXT, format: 'openssh', type: 'rsa', encrypted: false };

function instance(id: string, over: Partial<DiscoveredInstance> = {}): DiscoveredInstance {
  return { scope: 'us-east-1', instanceId: id, state: 'running', privateIp: '10.0.0.1', tags: {}, ...over };
}

/** A first look of these connections (planned against an empty Guacamole) and instances. */
function look(connections: readonly DesiredConnection[], instances: readonly DiscoveredInstance[], over: Partial<FirstLookInput> = {}): string[] {
  const changes = planChanges({ desired: connections, current: EMPTY, skipped: [], failedScopes: new Set() });
  const input: FirstLookInput = {
    changes,
    instances,
    skipped: [],
    failed: [],
    keys: new Map(),
    passwords: new Map(),
    keeperVault: false,
    adminGroup: 'Admins',
    keysDir: '/keys',
    ...over,
  };
  return formatFirstLook(input).split('\n');
}

const found = (source: string): KeyLookup => ({ status: 'found', key: PRIVATE_KEY, source });

describe('formatFirstLook', function () {
  it('says first what it is, then the folder tree: subfolders before connections, each level by name', function () {
    const lines = look(
      [
        desired('i-1', 'zeta', [...BASE, 'Apps', 'EU']),
        desired('i-2', 'alpha', BASE),
        desired('i-3', 'beta', [...BASE, 'Apps']),
        desired('i-4', 'db', [...BASE, 'Databases']),
      ],
      ['i-1', 'i-2', 'i-3', 'i-4'].map((id) => instance(id)),
    );
    expect(lines[0]).to.equal(FIRST_LOOK_HEADER);
    expect(lines.slice(1, 10)).to.deep.equal([
      '',
      'Amazon EC2/',
      '  Apps/',
      '    EU/',
      '      zeta  ssh 10.0.0.1:22  login: ec2-user  key: none (launched without a key pair)',
      '    beta  ssh 10.0.0.1:22  login: ec2-user  key: none (launched without a key pair)',
      '  Databases/',
      '    db  ssh 10.0.0.1:22  login: ec2-user  key: none (launched without a key pair)',
      '  alpha  ssh 10.0.0.1:22  login: ec2-user  key: none (launched without a key pair)',
    ]);
    expect(lines.at(-1)).to.equal('4 connections and 4 folders to create; private keys: 0 found, 4 without; 0 instances skipped');
    expect(lines).to.include('user group "Admins" would be created, with READ on every connection and its folders');
  });

  const keyCases: { title: string; lookup?: KeyLookup; keeper?: boolean; attached: boolean; keyName?: string; expected: string }[] = [
    { title: 'a key found in the folder', lookup: found('/keys/prod.pem'), attached: true, expected: 'key: found prod (/keys/prod.pem)' },
    {
      title: 'a key found in the vault',
      lookup: found('Keeper record "prod" (uid1)'),
      keeper: true,
      attached: true,
      expected: 'key: found prod (Keeper record "prod" (uid1))',
    },
    { title: 'a missing key file', lookup: { status: 'missing', reason: 'no key file /keys/prod.pem' }, attached: false, expected: 'key: missing prod.pem' },
    {
      title: 'a key in neither the vault nor the folder',
      lookup: { status: 'missing', reason: 'no record; no file' },
      keeper: true,
      attached: false,
      expected: 'key: missing prod (no Keeper record, no prod.pem)',
    },
    {
      title: 'a file that is no key',
      lookup: { status: 'invalid', reason: '/keys/prod.pem holds a public key' },
      attached: false,
      expected: 'key: unusable prod (/keys/prod.pem holds a public key)',
    },
    {
      title: 'a vault that did not answer',
      lookup: { status: 'unavailable', reason: 'key source failed: timeout' },
      attached: false,
      expected: 'key: unavailable prod (key source failed: timeout)',
    },
    {
      title: 'a key withheld from a foreign kcm:hostname',
      lookup: found('/keys/prod.pem'),
      attached: false,
      expected: "key: withheld (kcm:hostname is not one of the instance's own addresses)",
    },
    { title: 'an instance without a key pair', attached: false, keyName: '', expected: 'key: none (launched without a key pair)' },
  ];
  for (const c of keyCases) {
    it(`shows ${c.title}`, function () {
      const connection = desired('i-1', 'web', BASE, c.attached ? { 'private-key': KEY_TEXT } : {});
      const keyName = c.keyName ?? 'prod';
      const keys = new Map(c.lookup === undefined ? [] : [['prod', c.lookup] as const]);
      const lines = look([connection], [instance('i-1', keyName === '' ? {} : { keyName })], { keys, keeperVault: c.keeper === true });
      expect(lines).to.include(`  web  ssh 10.0.0.1:22  login: ec2-user  ${c.expected}`);
      expect(lines.at(-1)).to.include(`private keys: ${c.attached ? '1 found' : '0 found, 1 without'}`);
    });
  }

  const passwordCases: { title: string; outcome?: PasswordOutcome; attached: boolean; expected: string }[] = [
    {
      title: 'a decrypted password',
      outcome: { status: 'obtained', password: PASSWORD, digest: 'd', fetched: true },
      attached: true,
      expected: 'password: found (decrypted with key win)',
    },
    {
      title: 'a password EC2 has not generated yet',
      outcome: { status: 'unavailable', reason: 'EC2 has not generated it yet', pending: true },
      attached: false,
      expected: 'password: not yet (EC2 has not generated it yet)',
    },
    {
      title: 'a password no key can decrypt',
      outcome: { status: 'unavailable', reason: 'key pair "win": no key file /keys/win.pem' },
      attached: false,
      expected: 'password: none (key pair "win": no key file /keys/win.pem)',
    },
    {
      title: 'a password withheld from a foreign kcm:hostname',
      attached: false,
      expected: "password: withheld (kcm:hostname is not one of the instance's own addresses)",
    },
  ];
  for (const c of passwordCases) {
    it(`shows ${c.title} for a Windows instance`, function () {
      const rdp: DesiredConnection = {
        ...desired('i-w', 'win', BASE, { port: '3389', username: 'Administrator', ...(c.attached ? { password: PASSWORD } : {}) }),
        protocol: 'rdp',
      };
      const passwords = new Map(c.outcome === undefined ? [] : [['us-east-1/i-w', c.outcome] as const]);
      const lines = look([rdp], [instance('i-w', { platform: 'windows', keyName: 'win' })], { passwords });
      expect(lines).to.include(`  win  rdp 10.0.0.1:3389  login: Administrator  ${c.expected}`);
      const counts = c.attached ? '1 found' : '0 found, 1 without';
      expect(lines.at(-1)).to.equal(`1 connection and 1 folder to create; Windows passwords: ${counts}; 0 instances skipped`);
    });
  }

  it('names no secret for protocols that carry none, brackets IPv6 addresses and marks recorded connections', function () {
    const vnc: DesiredConnection = { ...desired('i-v', 'desk', BASE, { hostname: '2600:1f18::5', port: '5900' }), protocol: 'vnc' };
    const rec = desired('i-r', 'rec', BASE, { 'recording-path': '${HISTORY_PATH}/${HISTORY_UUID}' });
    const lines = look([vnc, rec], [instance('i-v', { keyName: 'prod' }), instance('i-r')]);
    expect(lines).to.include('  desk  vnc [2600:1f18::5]:5900  login: ec2-user');
    expect(lines).to.include('  rec  ssh 10.0.0.1:22  login: ec2-user  key: none (launched without a key pair)  recorded');
  });

  it('lists every instance left out, by key, with its name and why: state, kcm:ignore, or the mapping', function () {
    const skipped: SkippedInstance[] = [{ key: 'us-east-1/i-b', scope: 'us-east-1', instanceId: 'i-b', code: 'no_address', reason: 'no address yet' }];
    const lines = look(
      [],
      [
        instance('i-c', { state: 'terminated', tags: { Name: 'gone' } }),
        instance('i-b', { tags: { Name: 'new' } }),
        instance('i-a', { tags: { 'kcm:ignore': 'TRUE' } }),
        instance('i-d', { state: 'shutting-down' }),
      ],
      { skipped },
    );
    const at = lines.indexOf('skipped (4):');
    expect(lines.slice(at, at + 5)).to.deep.equal([
      'skipped (4):',
      '  i-a (us-east-1): kcm:ignore=true',
      '  i-b "new" (us-east-1): no address yet',
      '  i-c "gone" (us-east-1): terminated: only pending, running, stopping and stopped instances get a connection',
      '  i-d (us-east-1): shutting-down: only pending, running, stopping and stopped instances get a connection',
    ]);
    expect(lines.at(-1)).to.equal('0 connections and 0 folders to create; 4 instances skipped');
  });

  it('shows failed listings, name clashes and the Keeper vault', function () {
    const lines = look([desired('i-1', 'web'), desired('i-2', 'web')], [instance('i-1'), instance('i-2')], {
      failed: [{ scope: 'eu-west-1', error: 'DescribeInstances failed in eu-west-1: UnauthorizedOperation' }],
      keeperVault: true,
    });
    expect(lines).to.include.members([
      'not listed (1):',
      '  eu-west-1: DescribeInstances failed in eu-west-1: UnauthorizedOperation',
      'renamed:',
      '  us-east-1/i-1: name "web" is wanted by 2 instances in "Amazon EC2": named "web (i-1)"',
      'keys: <key pair name>.pem in /keys (AWS_DISCOVERY_KEYS_DIR), after the Keeper vault',
    ]);
    expect(lines.at(-1)).to.match(/; 1 listing failed$/);
  });

  it('never prints a secret, and text from EC2 cannot add or forge a line', function () {
    const lines = look(
      [desired('i-1', 'web', BASE, { 'private-key': KEY_TEXT })],
      [instance('i-1', { keyName: 'prod' }), instance('i-2', { state: 'terminated', tags: { Name: 'evil\n  web  ssh 1.2.3.4:22\u001b[2J' } })],
      { keys: new Map([['prod', found('/keys/prod.pem')]]) },
    );
    const text = lines.join('\n');
    expect(text).to.not.include('SECRET-KEY-MATERIAL').and.not.include('PRIVATE KEY');
    expect(lines.filter((l) => l.includes('web  ssh'))).to.have.length(2); // the real one, and the visible fake in the skipped line
    expect(lines).to.include(
      '  i-2 "evil\\n  web  ssh 1.2.3.4:22\\u001b[2J" (us-east-1): terminated: only pending, running, stopping and stopped instances get a connection',
    );
  });
});
