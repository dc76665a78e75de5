import { expect } from 'chai';
import { DescribeImagesCommand, DescribeInstancesCommand, DescribeRegionsCommand } from '@aws-sdk/client-ec2';
import type { Filter } from '@aws-sdk/client-ec2';
import { FakeEc2 } from './fake-ec2.js';
import { testClients } from './ec2-test-client.js';

/** The fake's own contract, checked through the real SDK so the tests above it can rely on it. */
describe('FakeEc2', () => {
  let fake: FakeEc2;
  const clients = testClients(() => fake);
  const send = <T>(command: T) => clients.client('us-east-1').send(command as never) as Promise<never>;
  const rejection = async (promise: Promise<unknown>): Promise<{ name: string; $fault?: string }> => {
    try {
      await promise;
    } catch (err) {
      return err as { name: string };
    }
    return expect.fail('expected a rejection');
  };

  beforeEach(async () => {
    fake = await FakeEc2.start();
    fake.instances = [
      { instanceId: 'i-1', region: 'us-east-1', state: 'running', tags: { Env: 'prod', Team: 'a' } },
      { instanceId: 'i-2', region: 'us-east-1', state: 'stopped', tags: { Env: 'dev' } },
      { instanceId: 'i-3', region: 'us-east-1', state: 'running' },
      { instanceId: 'i-4', region: 'us-east-1', state: 'running', tags: { Env: 'production' } },
      { instanceId: 'i-5', region: 'eu-west-1' },
    ];
    fake.images = [
      { imageId: 'ami-1', region: 'us-east-1', name: 'one' },
      { imageId: 'ami-old', region: 'us-east-1', name: 'old', deprecated: true },
    ];
  });
  afterEach(async () => {
    clients.destroyAll();
    await fake.close();
  });

  async function instanceIds(filters: Filter[]): Promise<string[]> {
    const out = await clients.client('us-east-1').send(new DescribeInstancesCommand({ Filters: filters }));
    return (out.Reservations ?? []).flatMap((r) => (r.Instances ?? []).map((i) => i.InstanceId ?? ''));
  }

  it('groups instances into reservations', async () => {
    const out = await clients.client('us-east-1').send(new DescribeInstancesCommand({}));

    expect(out.Reservations?.map((r) => r.Instances?.length)).to.deep.equal([3, 1]);
    expect(out.NextToken).to.equal(undefined);
  });

  it('filters by state, instance id, tag value (with wildcards) and tag key; filters AND, values OR', async () => {
    expect(await instanceIds([{ Name: 'instance-state-name', Values: ['running'] }])).to.deep.equal(['i-1', 'i-3', 'i-4']);
    expect(await instanceIds([{ Name: 'instance-id', Values: ['i-2', 'i-3'] }])).to.deep.equal(['i-2', 'i-3']);
    expect(await instanceIds([{ Name: 'tag:Env', Values: ['prod'] }])).to.deep.equal(['i-1']);
    expect(await instanceIds([{ Name: 'tag:Env', Values: ['prod*'] }])).to.deep.equal(['i-1', 'i-4']);
    expect(await instanceIds([{ Name: 'tag-key', Values: ['Team', 'Nope'] }])).to.deep.equal(['i-1']);
    expect(
      await instanceIds([
        { Name: 'tag-key', Values: ['Env'] },
        { Name: 'instance-state-name', Values: ['stopped'] },
      ]),
    ).to.deep.equal(['i-2']);
  });

  it('rejects unknown filters, out-of-range MaxResults and more than 200 filter values', async () => {
    const values = Array.from({ length: 201 }, (_, n) => `i-${n}`);
    const describe = (input: object) => send(new DescribeInstancesCommand(input));

    const unknownFilter = describe({ Filters: [{ Name: 'colour', Values: ['red'] }] });
    expect((await rejection(unknownFilter)).name).to.equal('InvalidParameterValue');
    expect((await rejection(describe({ MaxResults: 3 }))).name).to.equal('InvalidParameterValue');
    expect((await rejection(describe({ Filters: [{ Name: 'instance-id', Values: values }] }))).name).to.equal(
      'FilterLimitExceeded',
    );
  });

  it('fails DescribeImages by ImageId for an unknown id, but not with the image-id filter', async () => {
    const error = await rejection(send(new DescribeImagesCommand({ ImageIds: ['ami-1', 'ami-gone'] })));
    expect(error).to.include({ name: 'InvalidAMIID.NotFound', $fault: 'client' });

    const out = await clients.client('us-east-1').send(
      new DescribeImagesCommand({ Filters: [{ Name: 'image-id', Values: ['ami-1', 'ami-gone'] }] }),
    );
    expect(out.Images?.map((i) => i.ImageId)).to.deep.equal(['ami-1']);
  });

  it('hides deprecated images from the filter unless IncludeDeprecated, but not from ImageId', async () => {
    const client = clients.client('us-east-1');
    const filter = [{ Name: 'image-id', Values: ['ami-1', 'ami-old'] }];

    const hidden = await client.send(new DescribeImagesCommand({ Filters: filter }));
    const included = await client.send(new DescribeImagesCommand({ Filters: filter, IncludeDeprecated: true }));
    const byId = await client.send(new DescribeImagesCommand({ ImageIds: ['ami-old'] }));

    expect(hidden.Images?.map((i) => i.ImageId)).to.deep.equal(['ami-1']);
    expect(included.Images?.map((i) => i.ImageId)).to.deep.equal(['ami-1', 'ami-old']);
    expect(byId.Images?.[0]?.DeprecationTime).to.be.a('string');
  });

  it('lists the fleet regions, or the ones set', async () => {
    const regions = async () =>
      (await clients.client('us-east-1').send(new DescribeRegionsCommand({}))).Regions?.map((r) => [r.RegionName, r.Endpoint]);

    expect(await regions()).to.deep.equal([
      ['eu-west-1', 'ec2.eu-west-1.amazonaws.com'],
      ['us-east-1', 'ec2.us-east-1.amazonaws.com'],
    ]);
    fake.regions = ['ap-south-1'];
    expect(await regions()).to.deep.equal([['ap-south-1', 'ec2.ap-south-1.amazonaws.com']]);
  });

  it('answers an unknown action with InvalidAction in the EC2 error shape, region from the credential scope', async () => {
    const res = await fetch(fake.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: 'AWS4-HMAC-SHA256 Credential=AKID/20260101/sa-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: 'Action=RunInstances&Version=2016-11-15',
    });

    expect(res.status).to.equal(400);
    expect(await res.text()).to.match(/<Response><Errors><Error><Code>InvalidAction<\/Code>.*<RequestID>/);
    expect(fake.requests.map((r) => [r.action, r.region])).to.deep.equal([['RunInstances', 'sa-east-1']]);
  });
});
