import { expect } from 'chai';
import { createEc2Client, sdkEc2Api, type Ec2Api } from '../../../src/discover/ec2-client.js';
import { discoverRegion } from '../../../src/discover/discover-region.js';
import type { ScopeListing } from '../../../src/discover/instance.js';
import { FakeEc2 } from '../../support/fake-ec2.js';
import type { FakeInstance } from '../../support/fake-ec2.js';
import { TEST_CREDENTIALS, testClients } from '../../support/ec2-test-client.js';

const REGION = 'eu-west-1';

function fleet(count: number): FakeInstance[] {
  return Array.from({ length: count }, (_, n) => ({ instanceId: `i-${String(n).padStart(3, '0')}`, region: REGION, imageId: 'ami-1' }));
}

function expectFailed(result: ScopeListing, code: string): string {
  if (result.ok) return expect.fail(`expected a failure, got ${result.instances.length} instances`);
  expect(result.code).to.equal(code);
  expect(result.error).to.not.include('\n');
  return result.error;
}

function expectOk(result: ScopeListing): Extract<ScopeListing, { ok: true }> {
  if (!result.ok) return expect.fail(`expected ok, got: ${result.error}`);
  return result;
}

/**
 * A deadline the test ends itself: no timer, so nothing depends on how fast the machine is. `passWhen` aborts it as
 * soon as the fake receives a matching request (one the fake then leaves unanswered).
 */
function manualDeadline(fake: FakeEc2) {
  const controller = new AbortController();
  const asked: number[] = [];
  return {
    startDeadline: (ms: number) => {
      asked.push(ms);
      return controller.signal;
    },
    asked,
    passWhen(action: string, nth: number) {
      let seen = 0;
      fake.onRequest = (r) => {
        if (r.action === action && ++seen === nth) controller.abort();
      };
    },
  };
}

describe('discoverRegion bounds through the real EC2Client', () => {
  let fake: FakeEc2;
  const clients = testClients(() => fake);

  beforeEach(async () => {
    fake = await FakeEc2.start();
    fake.instances = fleet(12);
    fake.images = [{ imageId: 'ami-1', region: REGION, name: 'one' }];
  });
  afterEach(async () => {
    clients.destroyAll();
    await fake.close();
  });

  it('an endpoint that answers every page with the NextToken it was asked with: abandoned at the first repeat', async () => {
    fake.pagingFaults[REGION] = 'same-token';

    const error = expectFailed(await discoverRegion(clients.api(REGION), REGION, { pageSize: 5 }), 'RepeatedNextToken');

    expect(error).to.equal(
      'DescribeInstances in eu-west-1 returned the NextToken of an earlier page (RepeatedNextToken: page 2 repeats the token of page 1): the listing is ' +
      'abandoned and nothing in eu-west-1 changes this run',
    );
    expect(fake.requestsFor('DescribeInstances'), 'no third page is asked for').to.have.length(2);
    expect(fake.requestsFor('DescribeImages')).to.have.length(0);
  });

  it('a last page pointing back to an earlier page (a cycle): abandoned when the token comes round again', async () => {
    fake.pagingFaults[REGION] = 'cycle';

    const error = expectFailed(await discoverRegion(clients.api(REGION), REGION, { pageSize: 5 }), 'RepeatedNextToken');

    expect(error).to.include('page 3 repeats the token of page 1');
    expect(fake.requestsFor('DescribeInstances')).to.have.length(3);
  });

  it('endless distinct tokens: abandoned at the page cap', async () => {
    fake.pagingFaults[REGION] = 'endless';

    const error = expectFailed(await discoverRegion(clients.api(REGION), REGION, { pageSize: 5, maxPages: 6 }), 'TooManyPages');

    expect(error).to.equal(
      'DescribeInstances in eu-west-1 still returned a NextToken after 6 pages (TooManyPages: the page cap, far above any real region): the listing is ' +
      'abandoned and nothing in eu-west-1 changes this run',
    );
    expect(fake.requestsFor('DescribeInstances')).to.have.length(6);
  });

  it('a listing of exactly the page cap completes', async () => {
    const result = expectOk(await discoverRegion(clients.api(REGION), REGION, { pageSize: 5, maxPages: 3 }));
    expect(result.instances).to.have.length(12);
  });

  it('a DescribeImages answering with the NextToken it was asked with: the scope fails, nothing loops', async () => {
    fake.imagePagingFaults[REGION] = 'same-token';

    const error = expectFailed(await discoverRegion(clients.api(REGION), REGION, { pageSize: 5 }), 'RepeatedNextToken');

    expect(error).to.equal(
      'DescribeImages in eu-west-1 returned the NextToken of an earlier page (RepeatedNextToken: page 2 repeats the token of page 1): the listing is ' +
      'abandoned and nothing in eu-west-1 changes this run',
    );
    expect(fake.requestsFor('DescribeImages')).to.have.length(2);
  });

  it('the deadline passing while a DescribeInstances page is unanswered: the scope fails at once with ListingTimeout', async () => {
    const deadline = manualDeadline(fake);
    fake.hangNext('DescribeInstances', { skip: 1, times: 100 }); // page 1 answers, page 2 never does
    deadline.passWhen('DescribeInstances', 2);

    const error = expectFailed(
      await discoverRegion(clients.api(REGION), REGION, { pageSize: 5, listingTimeoutMs: 90_000, startDeadline: deadline.startDeadline }),
      'ListingTimeout',
    );

    expect(deadline.asked).to.deep.equal([90_000]);
    expect(error).to.equal(
      'listing eu-west-1 did not finish within 90 s (ListingTimeout, AWS_DISCOVERY_LISTING_TIMEOUT; DescribeInstances was still waiting for AWS, 1 ' +
      'DescribeInstances page(s) read): the listing is abandoned and nothing in eu-west-1 changes this run; the next run tries again',
    );
    expect(fake.requestsFor('DescribeInstances'), 'the unanswered attempt is not retried').to.have.length(2);
  });

  it('the deadline passing during DescribeImages: the scope fails, naming DescribeImages', async () => {
    const deadline = manualDeadline(fake);
    fake.hangNext('DescribeImages', { times: 100 });
    deadline.passWhen('DescribeImages', 1);

    const error = expectFailed(await discoverRegion(clients.api(REGION), REGION, { pageSize: 5, startDeadline: deadline.startDeadline }), 'ListingTimeout');

    expect(deadline.asked, 'the default deadline is 60 s').to.deep.equal([60_000]);
    expect(error).to.include('did not finish within 60 s').and.include('DescribeImages was still waiting for AWS, 3 DescribeInstances page(s) read');
  });

  it('the deadline holds even against an Ec2Api that ignores its abort signal', async () => {
    const controller = new AbortController();
    const ignoring: Ec2Api = {
      async *describeInstancePages() {
        yield { instances: [{ InstanceId: 'i-1' }], nextToken: 'page-2' };
        controller.abort(); // the deadline passes while the next page is "in flight", and that page never comes
        await new Promise<never>(() => undefined);
      },
      describeImages: () => expect.fail('not used'),
      getPasswordData: () => expect.fail('not used'),
      getConsoleOutput: () => expect.fail('not used'),
    };

    const error = expectFailed(await discoverRegion(ignoring, REGION, { startDeadline: () => controller.signal }), 'ListingTimeout');
    expect(error).to.include('1 DescribeInstances page(s) read');
  });

  it('a response whose body stops coming: the attempt ends on the socket idle timeout instead of waiting for ever', async () => {
    fake.stallNext('DescribeInstances', { times: 100 });
    const client = createEc2Client({ region: REGION, endpoint: fake.endpoint, credentials: TEST_CREDENTIALS, maxAttempts: 2, requestTimeoutMs: 300 });
    try {
      const error = expectFailed(await discoverRegion(sdkEc2Api(client), REGION, { startDeadline: () => new AbortController().signal }), 'TimeoutError');
      expect(error).to.include('timed out').and.include('did not answer in time');
      expect(fake.requestsFor('DescribeInstances')).to.have.length(2);
    } finally {
      client.destroy();
    }
  });

  it('a shutdown is still a shutdown (AbortError), not a listing timeout', async () => {
    const shutdown = new AbortController();
    fake.hangNext('DescribeInstances', { times: 100 });
    fake.onRequest = () => shutdown.abort();

    const result = await discoverRegion(clients.api(REGION), REGION, { signal: shutdown.signal, startDeadline: () => new AbortController().signal });
    expect(result.ok).to.equal(false);
    expect(!result.ok && result.code).to.equal('AbortError');
  });

  it('an instance listed on two pages and twice on one page: one instance each, the last listing kept', async () => {
    const stale = { instanceId: 'i-dup', region: REGION, imageId: 'ami-1', privateIp: '10.0.0.1', tags: { Name: 'old' } };
    const fresh = { ...stale, privateIp: '10.0.0.2', tags: { Name: 'new' } };
    const twin = { instanceId: 'i-twin', region: REGION, privateIp: '10.0.0.3' };
    fake.instances = [stale, ...fleet(6), twin, twin, fresh]; // pages of 5: [stale, 0..3], [4, 5, twin, twin, fresh]

    const result = expectOk(await discoverRegion(clients.api(REGION), REGION, { pageSize: 5 }));

    expect(result.instances.map((i) => i.instanceId)).to.deep.equal(['i-dup', ...fleet(6).map((i) => i.instanceId), 'i-twin']);
    expect(result.instances[0]).to.include({ privateIp: '10.0.0.2' });
    expect(result.instances[0]?.tags).to.deep.equal({ Name: 'new' });
    expect(result.duplicates).to.deep.equal(['i-twin', 'i-dup']); // in the order the repeats came
    expect(fake.requestsFor('DescribeInstances')).to.have.length(2);
  });

  it('names no duplicates when there are none', async () => {
    const result = expectOk(await discoverRegion(clients.api(REGION), REGION, { pageSize: 5 }));
    expect(result).to.not.have.property('duplicates');
  });
});
