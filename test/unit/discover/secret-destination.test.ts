import { expect } from 'chai';
import type { DiscoveredInstance } from '../../../src/discover/instance.js';
import { isOwnAddress, secretMayGoTo } from '../../../src/discover/secret-destination.js';
import { needsWindowsPassword } from '../../../src/enrich/passwords/password-plan.js';

const OWN = {
  privateIp: '10.0.0.5',
  publicIp: '54.0.0.5',
  ipv6: '2600:1f18:0:5::a',
  privateDns: 'ip-10-0-0-5.ec2.internal',
  publicDns: 'ec2-54-0-0-5.compute-1.amazonaws.com',
} as const;

describe('secretMayGoTo: a secret only goes to the instance itself', function () {
  const cases: readonly [string, boolean][] = [
    ['10.0.0.5', true],
    ['54.0.0.5', true],
    ['ip-10-0-0-5.ec2.internal', true],
    ['IP-10-0-0-5.EC2.Internal', true],
    ['ip-10-0-0-5.ec2.internal.', true],
    ['EC2-54-0-0-5.compute-1.amazonaws.com.', true],
    ['2600:1f18:0:5::a', true],
    ['2600:1F18:0000:0005:0000:0000:0000:000A', true],
    ['2600:1f18:0:5:0:0:0:a', true],
    [' 10.0.0.5 ', true],
    // Not the instance: another host, a near miss, or a form a resolver may read as another address.
    ['rdp.attacker.example', false],
    ['10.0.0.6', false],
    ['010.0.0.5', false],
    ['10.0.0.5.', false],
    ['ip-10-0-0-5.ec2.internal.attacker.example', false],
    ['ec2.internal', false],
    ['2600:1f18:0:5::b', false],
    ['::ffff:10.0.0.5', false],
    ['fe80::1%eth0', false],
    ['', false],
    ['.', false],
  ];
  for (const [hostname, own] of cases) {
    it(`${JSON.stringify(hostname)} ${own ? 'is' : 'is not'} the instance's own`, function () {
      expect(isOwnAddress(hostname, OWN)).to.equal(own);
      expect(secretMayGoTo(hostname, OWN, false)).to.equal(own);
    });
  }

  it('matches an address the instance has, not a kind it lacks', function () {
    expect(isOwnAddress('54.0.0.5', { privateIp: '10.0.0.5' })).to.equal(false);
    expect(isOwnAddress('', { privateIp: '10.0.0.5', publicDns: '' })).to.equal(false);
    expect(isOwnAddress('10.0.0.5', {})).to.equal(false);
  });

  it('the opt-in (AWS_DISCOVERY_TRUST_HOSTNAME_TAG) lets any host have it', function () {
    expect(secretMayGoTo('rdp.attacker.example', OWN, true)).to.equal(true);
    expect(secretMayGoTo('10.0.0.5', OWN, true)).to.equal(true);
  });
});

describe('needsWindowsPassword: no GetPasswordData for a password that would be withheld', function () {
  const windows = (tags: Record<string, string>): DiscoveredInstance => ({
    scope: 'us-east-1',
    instanceId: 'i-1',
    state: 'running',
    platform: 'Windows',
    ...OWN,
    tags,
  });
  const cases: readonly [string, Record<string, string>, boolean, boolean][] = [
    ['no tags', {}, false, true],
    ['its own public DNS in upper case', { 'kcm:hostname': OWN.publicDns.toUpperCase() }, false, true],
    ['its own IPv6', { 'kcm:hostname': '2600:1f18:0:5:0::a' }, false, true],
    ['an invalid kcm:hostname (ignored, the instance address is used)', { 'kcm:hostname': 'a b' }, false, true],
    ['a foreign kcm:hostname', { 'kcm:hostname': 'rdp.attacker.example' }, false, false],
    ['a foreign kcm:hostname with the opt-in', { 'kcm:hostname': 'rdp.attacker.example' }, true, true],
    ['kcm:protocol ssh (no RDP password at all)', { 'kcm:protocol': 'ssh' }, false, false],
    ['kcm:ignore', { 'kcm:ignore': 'true' }, false, false],
  ];
  for (const [title, tags, trust, expected] of cases) {
    it(`${title}: ${expected ? 'fetched' : 'not fetched'}`, function () {
      expect(needsWindowsPassword(windows(tags), trust)).to.equal(expected);
    });
  }
  it('a Linux instance never', function () {
    expect(needsWindowsPassword({ scope: 'us-east-1', instanceId: 'i-2', state: 'running', tags: {} }, true)).to.equal(false);
  });
});
