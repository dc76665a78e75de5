import { expect } from 'chai';
import type { DiscoveredInstance } from '../../../src/discover/instance.js';
import type { KeyLookup } from '../../../src/enrich/keys/key-types.js';
import { toDesiredConnections, type MappingOptions } from '../../../src/desired/to-desired-connections.js';
import { diffConnection } from '../../../src/plan/diff-connection.js';
import type { PasswordOutcome } from '../../../src/enrich/passwords/password-plan.js';

const KEY_TEXT = 'SECRET-KEY-TEXT-3f9a';
const PASSWORD = 'SECRET-PASSWORD-71c2';
const DIGEST = 'digest-of-the-password';
const options: MappingOptions = { basePath: ['Amazon EC2'], recordByDefault: false, charset: 'utf8mb4', parameterValueLimit: 4096 };
const keys = new Map<string, KeyLookup>([
  ['deploy', { status: 'found', key: { text: KEY_TEXT, format: 'pkcs1', type: 'rsa', encrypted: false }, source: 'test' }],
]);
const ADDRESSES = {
  privateIp: '10.0.0.5',
  publicIp: '54.0.0.5',
  privateDns: 'ip-10-0-0-5.ec2.internal',
  publicDns: 'ec2-54-0-0-5.compute-1.amazonaws.com',
  ipv6: '2600:1f18::5',
};

function linux(tags: Record<string, string>, over: Partial<DiscoveredInstance> = {}): DiscoveredInstance {
  return { scope: 'us-east-1', instanceId: 'i-0lin', state: 'running', keyName: 'deploy', ...ADDRESSES, tags, ...over };
}
function windows(tags: Record<string, string>): DiscoveredInstance {
  return { scope: 'us-east-1', instanceId: 'i-0win', state: 'running', keyName: 'deploy', platform: 'windows', ...ADDRESSES, tags };
}

function mapOne(instance: DiscoveredInstance, opts: { trust?: boolean; password?: PasswordOutcome | 'none' } = {}) {
  const passwords = new Map<string, PasswordOutcome>();
  const outcome = opts.password ?? { status: 'obtained', password: PASSWORD, digest: DIGEST, fetched: true };
  if (outcome !== 'none') passwords.set(`us-east-1/${instance.instanceId}`, outcome);
  const result = toDesiredConnections(
    { instances: [instance], images: new Map(), keys, passwords },
    { ...options, ...(opts.trust === undefined ? {} : { trustHostnameTag: opts.trust }) },
  );
  expect(result.connections).to.have.length(1);
  return { connection: result.connections[0]!, warnings: result.warnings.map((w) => w.message) };
}

const WITHHELD = new RegExp(
  'kcm:hostname "(.+)" is not one of this instance\'s own addresses or DNS names: ' +
    "the connection is written without the instance's (private key|Administrator password).*AWS_DISCOVERY_TRUST_HOSTNAME_TAG=true",
);

describe('secrets and kcm:hostname in the mapping', function () {
  it('a Windows instance tagged with a foreign hostname: written to that host without the password, nothing preserved, a warning', function () {
    const { connection, warnings } = mapOne(windows({ 'kcm:hostname': 'rdp.attacker.example' }));
    expect(connection.parameters).to.include({ hostname: 'rdp.attacker.example', port: '3389', username: 'Administrator' });
    expect(connection.parameters).to.not.have.property('password');
    expect(connection).to.not.have.property('preserve');
    expect(connection).to.not.have.property('secretDigest');
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.match(WITHHELD).and.include('Administrator password');
    expect(JSON.stringify(warnings)).to.not.include(PASSWORD);
  });

  it('a Windows password not known this run is not preserved onto a foreign host either', function () {
    const { connection } = mapOne(windows({ 'kcm:hostname': 'rdp.attacker.example' }), { password: 'none' });
    expect(connection).to.not.have.property('preserve');
    const own = mapOne(windows({}), { password: 'none' });
    expect(own.connection.preserve).to.deep.equal(['password']);
  });

  it('a connection that held the password loses it when the tag names a foreign host', function () {
    const before = mapOne(windows({})).connection;
    expect(before.parameters.password).to.equal(PASSWORD);
    const after = mapOne(windows({ 'kcm:hostname': 'rdp.attacker.example' })).connection;
    const current = {
      id: 7,
      parentId: 1,
      name: before.name,
      protocol: 'rdp',
      owner: { key: before.key, scope: before.scope, secretDigest: DIGEST },
      parameters: before.parameters,
    };
    const diff = diffConnection(current, after, 1);
    expect(diff?.removeParameters).to.deep.equal(['password']);
    expect(diff?.setParameters).to.deep.equal({ hostname: 'rdp.attacker.example' });
  });

  it('a Linux instance tagged with a foreign hostname gets no private-key, and an existing key is removed', function () {
    const { connection, warnings } = mapOne(linux({ 'kcm:hostname': 'ssh.attacker.example' }));
    expect(connection.parameters).to.include({ hostname: 'ssh.attacker.example', port: '22' });
    expect(connection.parameters).to.not.have.property('private-key');
    expect(warnings.join('\n')).to.match(WITHHELD).and.include('private key');
    const current = {
      id: 8,
      parentId: 1,
      name: connection.name,
      protocol: 'ssh',
      owner: { key: connection.key, scope: connection.scope },
      parameters: { ...connection.parameters, hostname: '10.0.0.5', 'private-key': KEY_TEXT },
    };
    expect(diffConnection(current, connection, 1)?.removeParameters).to.deep.equal(['private-key']);
  });

  it('a key the vault could not give this run is not preserved onto a foreign host', function () {
    const unavailable = new Map<string, KeyLookup>([['deploy', { status: 'unavailable', reason: 'vault down' }]]);
    const run = (tags: Record<string, string>) =>
      toDesiredConnections({ instances: [linux(tags)], images: new Map(), keys: unavailable }, options).connections[0]!;
    expect(run({}).preserve).to.deep.equal(['private-key']);
    expect(run({ 'kcm:hostname': 'ssh.attacker.example' })).to.not.have.property('preserve');
  });

  const own: readonly [string, string][] = [
    ['its private IP', '10.0.0.5'],
    ['its public IP', '54.0.0.5'],
    ['its private DNS name in upper case', 'IP-10-0-0-5.EC2.INTERNAL'],
    ['its public DNS name with a trailing dot', 'ec2-54-0-0-5.compute-1.amazonaws.com.'],
    ['its IPv6 address written out', '2600:1F18:0:0:0:0:0:5'],
  ];
  for (const [title, hostname] of own) {
    it(`kcm:hostname naming ${title} keeps the secrets`, function () {
      const l = mapOne(linux({ 'kcm:hostname': hostname }));
      expect(l.connection.parameters).to.include({ hostname, 'private-key': KEY_TEXT });
      expect(l.warnings).to.deep.equal([]);
      const w = mapOne(windows({ 'kcm:hostname': hostname }));
      expect(w.connection.parameters).to.include({ hostname, password: PASSWORD });
      expect(w.connection.secretDigest).to.equal(DIGEST);
    });
  }

  it('kcm:protocol/kcm:port cannot pair a Windows key pair with SSH to a foreign host', function () {
    const foreign = mapOne(windows({ 'kcm:protocol': 'ssh', 'kcm:port': '2222', 'kcm:hostname': 'ssh.attacker.example' }));
    expect(foreign.connection).to.deep.include({ protocol: 'ssh' });
    expect(foreign.connection.parameters).to.include({ hostname: 'ssh.attacker.example', port: '2222' });
    expect(foreign.connection.parameters).to.not.have.property('private-key');
    expect(foreign.connection.parameters).to.not.have.property('password');
    expect(foreign.warnings.join('\n')).to.match(WITHHELD);
    // Over SSH to its own address, the key pair is the instance's own credential.
    expect(mapOne(windows({ 'kcm:protocol': 'ssh' })).connection.parameters).to.include({ 'private-key': KEY_TEXT });
  });

  it('no protocol carries a secret to a foreign host; VNC and telnet carry none at all', function () {
    for (const protocol of ['ssh', 'rdp', 'vnc', 'telnet']) {
      for (const instance of [
        linux({ 'kcm:protocol': protocol, 'kcm:hostname': 'x.attacker.example' }),
        windows({ 'kcm:protocol': protocol, 'kcm:hostname': 'x.attacker.example' }),
      ]) {
        const { connection } = mapOne(instance);
        expect(JSON.stringify(connection), `${instance.instanceId} ${protocol}`).to.not.include(KEY_TEXT).and.not.include(PASSWORD);
        expect(connection, protocol).to.not.have.property('preserve');
      }
    }
    expect(mapOne(linux({ 'kcm:protocol': 'vnc', 'kcm:hostname': 'x.attacker.example' })).warnings).to.deep.equal([]);
  });

  it('an instance without a key pair is told so, not that a secret was withheld', function () {
    const { warnings } = mapOne(linux({ 'kcm:hostname': 'ssh.attacker.example' }, { keyName: undefined }));
    expect(warnings).to.deep.equal(['launched without a key pair: the user will be asked for credentials']);
  });

  it('with AWS_DISCOVERY_TRUST_HOSTNAME_TAG the secrets follow the tag, as before', function () {
    const l = mapOne(linux({ 'kcm:hostname': 'bastion.example.com' }), { trust: true });
    expect(l.connection.parameters).to.include({ hostname: 'bastion.example.com', 'private-key': KEY_TEXT });
    expect(l.warnings).to.deep.equal([]);
    const w = mapOne(windows({ 'kcm:hostname': 'rdp.example.com' }), { trust: true });
    expect(w.connection.parameters).to.include({ hostname: 'rdp.example.com', password: PASSWORD });
    expect(mapOne(windows({ 'kcm:hostname': 'rdp.example.com' }), { trust: true, password: 'none' }).connection.preserve).to.deep.equal(['password']);
  });
});
