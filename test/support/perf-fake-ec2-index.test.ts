import { expect } from 'chai';
import { FakeEc2Error, getPasswordData, type FakeFleet } from './fake-ec2-actions.js';
import type { FakeInstance } from './fake-ec2.js';

/**
 * The fake's GetPasswordData finds its instance through an index once the same instance array is looked up again;
 * tests change that array and its instances between requests, so every answer must stay what a scan would give.
 */

function lookup(instances: FakeInstance[], region: string, id: string): string {
  const fleet: FakeFleet = { instances, images: [], regions: undefined };
  try {
    return getPasswordData(fleet, region, new URLSearchParams({ InstanceId: id }));
  } catch (err) {
    if (err instanceof FakeEc2Error) return `${err.code}: ${err.message}`;
    throw err;
  }
}

/** What the scan (the former implementation) answers. */
function expected(instances: readonly FakeInstance[], region: string, id: string): string {
  const instance = instances.find((i) => i.region === region && i.instanceId === id);
  if (instance === undefined) return `InvalidInstanceID.NotFound: The instance ID '${id}' does not exist`;
  return lookup([instance], region, id);
}

function instance(n: number, region = 'us-east-1', passwordData = `pw-${n}`): FakeInstance {
  return { instanceId: `i-${String(n).padStart(17, '0')}`, region, passwordData };
}

describe('fake EC2: GetPasswordData instance index', () => {
  it('answers as a scan would while the array and its instances change between lookups', () => {
    const fleet = Array.from({ length: 50 }, (_, n) => instance(n, n % 2 === 0 ? 'us-east-1' : 'eu-west-1'));
    const ids = () => [
      ...fleet.map((i) => [i.region, i.instanceId] as const),
      ['us-east-1', 'i-missing'] as const,
      ['ap-south-1', fleet[0]?.instanceId ?? ''] as const,
    ];
    const check = () => {
      for (const [region, id] of ids()) expect(lookup(fleet, region, id), `${region} ${id}`).to.equal(expected(fleet, region, id));
    };
    check(); // first lookups scan, later ones use the index
    check();
    fleet.push(instance(100)); // grows: the index is rebuilt
    check();
    fleet[3] = instance(200, 'eu-west-1'); // same length, element replaced
    check();
    (fleet[4] as FakeInstance).instanceId = 'i-renamed'; // an instance edited in place
    (fleet[5] as FakeInstance).passwordData = 'changed';
    check();
    fleet.splice(0, 2, instance(300), instance(301)); // same length, elements moved
    check();
    fleet.length = 10;
    check();
  });

  it('finds instances in a region that contains a slash, and the first of duplicates', () => {
    const fleet: FakeInstance[] = [
      { instanceId: 'b/c', region: 'a', passwordData: 'one' },
      { instanceId: 'c', region: 'a/b', passwordData: 'two' },
      { instanceId: 'c', region: 'a/b', passwordData: 'three' },
    ];
    for (let round = 0; round < 3; round++) {
      expect(lookup(fleet, 'a', 'b/c')).to.equal(expected(fleet, 'a', 'b/c'));
      expect(lookup(fleet, 'a/b', 'c')).to.equal(expected(fleet, 'a/b', 'c'));
      expect(lookup(fleet, 'a/b', 'c')).to.contain('two');
    }
  });
});
