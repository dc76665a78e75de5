import { expect } from 'chai';
import type { Image, Instance } from '@aws-sdk/client-ec2';
import { toDiscoveredInstance, toImageInfo, toTagRecord } from '../../../src/discover/to-discovered-instance.js';

const launchTime = new Date('2024-05-06T07:08:09.000Z');

const fullInstance: Instance = {
  InstanceId: 'i-0abc',
  ImageId: 'ami-123',
  State: { Name: 'running', Code: 16 },
  KeyName: 'deploy',
  Platform: 'windows' as Instance['Platform'], // the wire value; the SDK's enum constant is "Windows"
  PlatformDetails: 'Windows',
  PrivateIpAddress: '10.1.2.3',
  PublicIpAddress: '198.51.100.7',
  PrivateDnsName: 'ip-10-1-2-3.eu-west-1.compute.internal',
  PublicDnsName: 'ec2-198-51-100-7.eu-west-1.compute.amazonaws.com',
  Ipv6Address: '2001:db8::7',
  LaunchTime: launchTime,
  Tags: [
    { Key: 'Name', Value: 'web-1' },
    { Key: 'env', Value: 'prod' },
  ],
};

describe('toDiscoveredInstance', () => {
  it('maps every field', () => {
    expect(toDiscoveredInstance('eu-west-1', fullInstance)).to.deep.equal({
      scope: 'eu-west-1',
      instanceId: 'i-0abc',
      state: 'running',
      imageId: 'ami-123',
      keyName: 'deploy',
      platform: 'windows',
      platformDetails: 'Windows',
      privateIp: '10.1.2.3',
      publicIp: '198.51.100.7',
      privateDns: 'ip-10-1-2-3.eu-west-1.compute.internal',
      publicDns: 'ec2-198-51-100-7.eu-west-1.compute.amazonaws.com',
      ipv6: '2001:db8::7',
      launchTime,
      tags: { Name: 'web-1', env: 'prod' },
    });
  });

  it('turns empty strings into absent fields (no keys left holding undefined)', () => {
    const result = toDiscoveredInstance('us-east-1', {
      InstanceId: 'i-1',
      State: { Name: 'stopped' },
      PublicDnsName: '',
      PrivateDnsName: '',
      KeyName: '',
      PublicIpAddress: '',
    });

    expect(result).to.deep.equal({ scope: 'us-east-1', instanceId: 'i-1', state: 'stopped', tags: {} });
    expect(Object.keys(result ?? {})).to.deep.equal(['scope', 'instanceId', 'state', 'tags']);
  });

  for (const state of ['pending', 'running', 'shutting-down', 'terminated', 'stopping', 'stopped']) {
    it(`keeps the ${state} state`, () => {
      expect(toDiscoveredInstance('r', { InstanceId: 'i-1', State: { Name: state as 'running' } })?.state).to.equal(state);
    });
  }

  it('says "unknown" when the state is missing', () => {
    expect(toDiscoveredInstance('r', { InstanceId: 'i-1' })?.state).to.equal('unknown');
  });

  it('returns undefined for an instance without an id', () => {
    expect(toDiscoveredInstance('r', { State: { Name: 'running' } })).to.equal(undefined);
    expect(toDiscoveredInstance('r', { InstanceId: '' })).to.equal(undefined);
  });

  it('drops an invalid launch time', () => {
    expect(toDiscoveredInstance('r', { InstanceId: 'i-1', LaunchTime: new Date('nope') })).to.not.have.property('launchTime');
  });
});

describe('toTagRecord', () => {
  it('drops tags without a key and keeps empty values', () => {
    const tags = [{ Value: 'orphan' }, { Key: 'empty', Value: '' }, { Key: 'noValue' }, { Key: 'k', Value: 'v' }];

    expect(toTagRecord(tags)).to.deep.equal({
      empty: '',
      noValue: '',
      k: 'v',
    });
  });

  it('keeps a tag named __proto__ as data', () => {
    const record = toTagRecord([{ Key: '__proto__', Value: 'x' }]);

    expect(Object.getPrototypeOf(record)).to.equal(Object.prototype);
    expect(Object.entries(record)).to.deep.equal([['__proto__', 'x']]);
  });

  it('gives an empty record for no tags', () => {
    expect(toTagRecord(undefined)).to.deep.equal({});
  });
});

describe('toImageInfo', () => {
  it('maps the fields the username logic reads', () => {
    const image: Image = {
      ImageId: 'ami-1',
      Name: 'ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20240101',
      Description: 'Canonical, Ubuntu, 22.04 LTS',
      OwnerId: '099720109477',
      ImageOwnerAlias: 'amazon',
      PlatformDetails: 'Linux/UNIX',
      Platform: undefined,
    };

    expect(toImageInfo(image)).to.deep.equal({
      imageId: 'ami-1',
      name: 'ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20240101',
      description: 'Canonical, Ubuntu, 22.04 LTS',
      ownerId: '099720109477',
      ownerAlias: 'amazon',
      platformDetails: 'Linux/UNIX',
    });
  });

  it('returns undefined without an id and drops empty strings', () => {
    expect(toImageInfo({ Name: 'x' })).to.equal(undefined);
    expect(toImageInfo({ ImageId: 'ami-2', Description: '' })).to.deep.equal({ imageId: 'ami-2' });
  });
});
