import type { FakeImage, FakeInstance } from '../../support/fake-ec2.js';

/** A small two-region fleet that exercises paging, tags, images, states and name clashes. */
export function fleetFixture(): { instances: FakeInstance[]; images: FakeImage[] } {
  const images: FakeImage[] = [
    { imageId: 'ami-al2023', region: 'us-east-1', name: 'al2023-ami-2023.6.20241010.0-kernel-6.1-x86_64', ownerId: '137112412989' },
    { imageId: 'ami-ubuntu', region: 'us-east-1', name: 'ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20240927', ownerId: '099720109477' },
    { imageId: 'ami-debian', region: 'eu-west-1', name: 'debian-12-amd64-20240717-1811', ownerId: '136693071363', deprecated: true },
  ];
  const instances: FakeInstance[] = [
    { instanceId: 'i-0000000000000web1', region: 'us-east-1', imageId: 'ami-al2023', keyName: 'prod', privateIp: '10.0.0.11', tags: { Name: 'web' } },
    { instanceId: 'i-0000000000000web2', region: 'us-east-1', imageId: 'ami-al2023', keyName: 'prod', privateIp: '10.0.0.12', tags: { Name: 'web' } },
    {
      instanceId: 'i-00000000000000db1',
      region: 'us-east-1',
      imageId: 'ami-ubuntu',
      keyName: 'prod',
      privateIp: '10.0.1.5',
      tags: { Name: 'db-01', 'kcm:organize': 'Databases/MySQL', 'kcm:record': 'TRUE' },
    },
    {
      instanceId: 'i-0000000000000jump',
      region: 'us-east-1',
      imageId: 'ami-ubuntu',
      keyName: 'missing-key',
      publicIp: '54.1.2.3',
      tags: { Name: 'jump', 'kcm:username': 'ops' },
    },
    { instanceId: 'i-000000000000stop1', region: 'us-east-1', state: 'stopped', imageId: 'ami-gone', privateIp: '10.0.0.30', tags: { Name: 'stopped-box' } },
    {
      instanceId: 'i-00000000000000ter',
      region: 'us-east-1',
      state: 'terminated',
      imageId: 'ami-al2023',
      privateIp: '10.0.0.31',
      tags: { Name: 'terminated-box' },
    },
    { instanceId: 'i-0000000000000win1', region: 'us-east-1', platform: 'windows', keyName: 'prod', privateIp: '10.0.2.7', tags: { Name: 'win-01' } },
    {
      instanceId: 'i-000000000000deb01',
      region: 'eu-west-1',
      imageId: 'ami-debian',
      keyName: 'prod',
      privateIp: '10.1.0.5',
      tags: { Name: 'api', 'kcm:organize': ' Apps // EU ' },
    },
  ];
  // Enough unnamed instances to need several pages at page size 5.
  for (let i = 0; i < 9; i++) {
    instances.push({
      instanceId: `i-00000000000000b${i.toString().padStart(2, '0')}`,
      region: 'us-east-1',
      imageId: 'ami-al2023',
      keyName: 'prod',
      privateIp: `10.0.9.${i}`,
      tags: { 'kcm:organize': 'Batch' },
    });
  }
  return { instances, images };
}
