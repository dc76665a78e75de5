import { expect } from 'chai';
import type { Image } from '@aws-sdk/client-ec2';
import type { Ec2Api, InstancePage } from '../../../src/discover/ec2-client.js';
import { createEc2Client, sdkEc2Api } from '../../../src/discover/ec2-client.js';
import { discoverRegion } from '../../../src/discover/discover-region.js';
import type { ScopeListing } from '../../../src/discover/instance.js';
import { FakeEc2 } from '../../support/fake-ec2.js';
import type { FakeInstance } from '../../support/fake-ec2.js';
import { testClients } from '../../support/ec2-test-client.js';

function fleet(count: number): FakeInstance[] {
  return Array.from({ length: count }, (_, n) => ({ instanceId: `i-${n}`, region: 'us-east-1', imageId: 'ami-1' }));
}

function expectFailed(result: ScopeListing): Extract<ScopeListing, { ok: false }> {
  if (result.ok) expect.fail(`expected a failure, got ${result.instances.length} instances`);
  expect(result).to.not.have.property('instances');
  expect(result.error).to.not.include('\n');
  return result;
}

describe('discoverRegion failures through the real EC2Client', () => {
  let fake: FakeEc2;
  const clients = testClients(() => fake);

  beforeEach(async () => {
    fake = await FakeEc2.start();
    fake.instances = fleet(12);
    fake.images = [{ imageId: 'ami-1', region: 'us-east-1', name: 'one' }];
  });
  afterEach(async () => {
    clients.destroyAll();
    await fake.close();
  });

  it('retries an injected RequestLimitExceeded (503) and succeeds', async () => {
    fake.failNext('DescribeInstances', { code: 'RequestLimitExceeded', status: 503, message: 'Request limit exceeded.' });

    const result = await discoverRegion(clients.api('us-east-1', { maxAttempts: 3 }), 'us-east-1');

    expect(result.ok).to.equal(true);
    expect(result.ok && result.instances).to.have.lengthOf(12);
    expect(fake.requestsFor('DescribeInstances')).to.have.lengthOf(2);
  });

  it('gives ok:false with RequestLimitExceeded once retries run out', async () => {
    fake.failNext('DescribeInstances', { code: 'RequestLimitExceeded', status: 503, times: 5 });

    const result = expectFailed(await discoverRegion(clients.api('us-east-1', { maxAttempts: 2 }), 'us-east-1'));

    expect(result.code).to.equal('RequestLimitExceeded');
    expect(fake.requestsFor('DescribeInstances')).to.have.lengthOf(2);
  });

  it('gives ok:false with AuthFailure (401), naming the operation and region, without the secret', async () => {
    const secretAccessKey = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY';
    fake.failNext('DescribeInstances', {
      code: 'AuthFailure',
      status: 401,
      message: 'AWS was not able to validate the provided access credentials',
    });

    const result = expectFailed(await discoverRegion(clients.api('eu-west-1', { secretAccessKey }), 'eu-west-1'));

    expect(result).to.deep.equal({
      scope: 'eu-west-1',
      ok: false,
      code: 'AuthFailure',
      error:
        'DescribeInstances failed in eu-west-1: AuthFailure: AWS was not able to validate the provided access credentials; ' +
        'the AWS credentials were not accepted in eu-west-1: check the access key id and secret key ' +
        '(an AuthFailure in one region only can also mean eu-west-1 is not enabled for the account)',
    });
    expect(JSON.stringify(result)).to.not.include(secretAccessKey);
    expect(fake.requestsFor('DescribeInstances')).to.have.lengthOf(1); // client errors are not retried
  });

  it('gives ok:false with UnauthorizedOperation (403) from DescribeImages', async () => {
    fake.failNext('DescribeImages', {
      code: 'UnauthorizedOperation',
      status: 403,
      message: 'You are not authorized to perform this operation. Encoded authorization failure message: ' + 'x'.repeat(2000),
    });

    const result = expectFailed(await discoverRegion(clients.api('us-east-1'), 'us-east-1'));

    expect(result.code).to.equal('UnauthorizedOperation');
    expect(result.error).to.match(/^DescribeImages failed in us-east-1: UnauthorizedOperation: You are not authorized/);
    expect(result.error).to.match(/; grant ec2:DescribeImages to the discovery credentials$/);
    expect(result.error.length).to.be.below(700); // the AWS message is cut at 500 characters, the hint follows
  });

  it('gives ok:false, not a partial list, when page 2 fails', async () => {
    fake.failNext('DescribeInstances', { code: 'UnauthorizedOperation', status: 403, skip: 1 });

    const result = expectFailed(await discoverRegion(clients.api('us-east-1'), 'us-east-1', { pageSize: 5 }));

    expect(result.code).to.equal('UnauthorizedOperation');
    expect(fake.requestsFor('DescribeInstances').map((r) => r.params.has('NextToken'))).to.deep.equal([false, true]);
  });

  it('fails only the region named in the injected error', async () => {
    fake.instances.push({ instanceId: 'i-west', region: 'eu-west-1' });
    fake.failNext('DescribeInstances', { code: 'AuthFailure', status: 401, region: 'us-east-1' });

    const east = await discoverRegion(clients.api('us-east-1'), 'us-east-1');
    const west = await discoverRegion(clients.api('eu-west-1'), 'eu-west-1');

    expect(east.ok).to.equal(false);
    expect(west.ok && west.instances.map((i) => i.instanceId)).to.deep.equal(['i-west']);
  });

  it('gives ok:false with the Node error code when the endpoint is unreachable', async () => {
    const endpoint = fake.endpoint;
    await fake.close();
    fake = await FakeEc2.start(); // afterEach closes this one
    const credentials = { accessKeyId: 'a', secretAccessKey: 'b' };
    const client = createEc2Client({ region: 'us-east-1', endpoint, maxAttempts: 1, credentials });
    try {
      const result = expectFailed(await discoverRegion(sdkEc2Api(client), 'us-east-1'));

      expect(result.code).to.equal('ECONNREFUSED');
      expect(result.error).to.match(/^DescribeInstances failed in us-east-1: ECONNREFUSED/);
    } finally {
      client.destroy();
    }
  });

  it('gives ok:false with AbortError when the signal is already aborted, without calling AWS', async () => {
    const result = expectFailed(
      await discoverRegion(clients.api('us-east-1'), 'us-east-1', { signal: AbortSignal.abort() }),
    );

    expect(result.code).to.equal('AbortError');
    expect(fake.requests).to.deep.equal([]);
  });
});

describe('discoverRegion with an in-memory Ec2Api', () => {
  function apiOf(pages: InstancePage[]): Ec2Api {
    return {
      async *describeInstancePages() {
        yield* pages;
      },
      describeImages: async (): Promise<Image[]> => [],
      getPasswordData: async () => expect.fail('not used'),
      getConsoleOutput: async () => expect.fail('not used'),
    };
  }

  it('treats an instance without InstanceId as a malformed response, not as a smaller fleet', async () => {
    const api = apiOf([{ instances: [{ InstanceId: 'i-1' }, { State: { Name: 'running' } }] }]);

    const result = expectFailed(await discoverRegion(api, 'us-east-1'));

    expect(result.code).to.equal('MalformedResponse');
  });

  it('throws programming errors instead of reporting them as an AWS failure', async () => {
    const api = apiOf([{ instances: [{ InstanceId: 'i-1', Tags: [null] as never }] }]);

    let thrown: unknown;
    await discoverRegion(api, 'us-east-1').catch((err: unknown) => (thrown = err));

    expect(thrown).to.be.instanceOf(TypeError);
  });
});
