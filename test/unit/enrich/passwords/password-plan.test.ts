import { expect } from 'chai';
import type { DiscoveredInstance } from '../../../../src/discover/instance.js';
import type { KeyLookup, PrivateKeyInfo } from '../../../../src/enrich/keys/key-types.js';
import { toDesiredConnections } from '../../../../src/desired/to-desired-connections.js';
import { diffConnection } from '../../../../src/plan/diff-connection.js';
import { passwordDigest, planPasswordFetches, type PasswordOutcome, type StoredPassword } from '../../../../src/enrich/passwords/password-plan.js';

const RSA: PrivateKeyInfo = { text: 'RSA KEY TEXT\n', format: 'pkcs1', type: 'rsa', encrypted: false, bits: 2048 };
const OTHER_RSA: PrivateKeyInfo = { ...RSA, text: 'ANOTHER RSA KEY\n' };

function win(id: string, keyName: string | undefined, scope = 'us-east-1'): DiscoveredInstance {
  return { scope, instanceId: id, state: 'running', platform: 'windows', privateIp: '10.0.0.1', tags: {}, ...(keyName === undefined ? {} : { keyName }) };
}

function keys(entries: Record<string, KeyLookup>): Map<string, KeyLookup> {
  return new Map(Object.entries(entries));
}

const found = (key: PrivateKeyInfo): KeyLookup => ({ status: 'found', key, source: 'test' });

describe('planPasswordFetches', function () {
  const lookups = keys({
    rsa: found(RSA),
    ed: found({ text: 'ED\n', format: 'openssh', type: 'ed25519', encrypted: false }),
    locked: found({ ...RSA, encrypted: true }),
    gone: { status: 'missing', reason: 'no file gone.pem in /keys' },
    vault: { status: 'unavailable', reason: 'Keeper vault unreachable' },
  });

  const cases: { name: string; instance: DiscoveredInstance; stored?: StoredPassword; fetch: boolean; reason?: RegExp }[] = [
    { name: 'no stored password: fetch', instance: win('i-1', 'rsa'), fetch: true },
    {
      name: 'stored password with a matching digest: no call',
      instance: win('i-1', 'rsa'),
      stored: { password: 'pw', digest: passwordDigest(RSA, 'us-east-1/i-1', 'pw') },
      fetch: false,
    },
    {
      name: 'stored password edited by hand (digest differs): fetch',
      instance: win('i-1', 'rsa'),
      stored: { password: 'edited', digest: passwordDigest(RSA, 'us-east-1/i-1', 'pw') },
      fetch: true,
    },
    {
      name: 'stored password from another key: fetch',
      instance: win('i-1', 'rsa'),
      stored: { password: 'pw', digest: passwordDigest(OTHER_RSA, 'us-east-1/i-1', 'pw') },
      fetch: true,
    },
    { name: 'stored password without digest (set by hand): fetch', instance: win('i-1', 'rsa'), stored: { password: 'pw' }, fetch: true },
    { name: 'ED25519 key pair', instance: win('i-1', 'ed'), fetch: false, reason: /is ED25519: EC2 encrypts Windows passwords only for RSA/ },
    { name: 'passphrase-protected key', instance: win('i-1', 'locked'), fetch: false, reason: /protected by a passphrase/ },
    { name: 'key file missing', instance: win('i-1', 'gone'), fetch: false, reason: /key pair "gone": no file gone\.pem/ },
    { name: 'vault unavailable', instance: win('i-1', 'vault'), fetch: false, reason: /Keeper vault unreachable/ },
    { name: 'no key pair at all', instance: win('i-1', undefined), fetch: false, reason: /without a key pair/ },
  ];
  for (const c of cases) {
    it(c.name, function () {
      const stored = new Map(c.stored === undefined ? [] : [['us-east-1/i-1', c.stored]]);
      const plan = planPasswordFetches([c.instance], lookups, stored, 10);
      expect(plan.fetches.length).to.equal(c.fetch ? 1 : 0);
      const outcome = plan.outcomes.get('us-east-1/i-1');
      if (c.fetch) expect(outcome).to.equal(undefined);
      else if (c.reason !== undefined) expect(outcome).to.have.property('reason').that.matches(c.reason);
      else expect(outcome).to.deep.equal({ status: 'obtained', password: 'pw', digest: c.stored?.digest, fetched: false });
    });
  }

  it('caps the calls per region per run and defers the rest', function () {
    const instances = [
      ...Array.from({ length: 5 }, (_, i) => win(`i-a${i}`, 'rsa')),
      ...Array.from({ length: 2 }, (_, i) => win(`i-b${i}`, 'rsa', 'eu-west-1')),
    ];
    const plan = planPasswordFetches(instances, lookups, new Map(), 3);
    expect(plan.fetches.map((f) => f.key)).to.deep.equal(['us-east-1/i-a0', 'us-east-1/i-a1', 'us-east-1/i-a2', 'eu-west-1/i-b0', 'eu-west-1/i-b1']);
    expect(plan.outcomes.get('us-east-1/i-a4')).to.deep.include({ status: 'unavailable', pending: true });
  });

  it('gives a digest that depends on the key, the instance and the password', function () {
    const base = passwordDigest(RSA, 'r/i-1', 'pw');
    expect(base).to.match(/^[0-9a-f]{64}$/);
    expect(passwordDigest(OTHER_RSA, 'r/i-1', 'pw')).not.to.equal(base);
    expect(passwordDigest(RSA, 'r/i-2', 'pw')).not.to.equal(base);
    expect(passwordDigest(RSA, 'r/i-1', 'pw2')).not.to.equal(base);
  });
});

describe('Windows mapping and preserved secrets', function () {
  const options = { basePath: ['Amazon EC2'], recordByDefault: true, charset: 'utf8mb4' as const, parameterValueLimit: 4096 };

  function mapOne(passwords: Map<string, PasswordOutcome> | undefined, lookups = keys({ rsa: found(RSA) }), instance = win('i-1', 'rsa')) {
    const result = toDesiredConnections({ instances: [instance], images: new Map(), keys: lookups, ...(passwords ? { passwords } : {}) }, options);
    return { connection: result.connections[0]!, warnings: result.warnings.map((w) => w.message) };
  }

  it('puts an obtained password and its digest on the RDP connection, without typescript recording', function () {
    const { connection } = mapOne(new Map([['us-east-1/i-1', { status: 'obtained', password: 'pw', digest: 'd1', fetched: true }]]));
    expect(connection.protocol).to.equal('rdp');
    expect(connection.parameters).to.deep.equal({
      hostname: '10.0.0.1',
      port: '3389',
      username: 'Administrator',
      password: 'pw',
      'ignore-cert': 'true',
      security: 'any',
      'recording-path': '${HISTORY_PATH}/${HISTORY_UUID}',
      'create-recording-path': 'true',
    });
    expect(connection.secretDigest).to.equal('d1');
    expect(connection.preserve).to.equal(undefined);
  });

  it('keeps the stored password when none is available this run, and says why', function () {
    const { connection, warnings } = mapOne(new Map([['us-east-1/i-1', { status: 'unavailable', reason: 'EC2 has not generated it yet', pending: true }]]));
    expect(connection.parameters).not.to.have.property('password');
    expect(connection.preserve).to.deep.equal(['password']);
    expect(warnings.join()).to.match(/no Administrator password: EC2 has not generated it yet/);
  });

  it('recognises the platform whatever its case', function () {
    expect(mapOne(undefined, undefined, { ...win('i-1', 'rsa'), platform: 'Windows' }).connection.protocol).to.equal('rdp');
  });

  it('keeps the stored private key of an SSH connection when the key source is unavailable', function () {
    const linux: DiscoveredInstance = { scope: 'us-east-1', instanceId: 'i-1', state: 'running', keyName: 'k', privateIp: '10.0.0.2', tags: {} };
    const { connection, warnings } = mapOne(undefined, keys({ k: { status: 'unavailable', reason: 'Keeper vault unreachable: timeout' } }), linux);
    expect(connection.parameters).not.to.have.property('private-key');
    expect(connection.preserve).to.deep.equal(['private-key']);
    expect(warnings.join()).to.match(/keeps the key it has/);
  });

  it('does not remove a preserved parameter, but replaces it when a value is known', function () {
    const current = {
      id: 1,
      parentId: 5,
      name: 'n',
      protocol: 'rdp',
      owner: { key: 'k', scope: 'r', secretDigest: 'd1' },
      parameters: { hostname: 'h', password: 'old' },
    };
    expect(diffConnection(current, { name: 'n', protocol: 'rdp', parameters: { hostname: 'h' }, preserve: ['password'] }, 5)).to.equal(undefined);
    expect(diffConnection(current, { name: 'n', protocol: 'rdp', parameters: { hostname: 'h' } }, 5)?.removeParameters).to.deep.equal(['password']);
    const refreshed = diffConnection(current, { name: 'n', protocol: 'rdp', parameters: { hostname: 'h', password: 'new' }, secretDigest: 'd2' }, 5);
    expect(refreshed).to.deep.include({ setParameters: { password: 'new' }, secretDigest: 'd2' });
    expect(refreshed?.changed).to.deep.equal(['parameter password', 'password digest']);
  });
});
