/**
 * Each way an endpoint can fail gets its own message: a refused connection, a timeout, a name that does not resolve,
 * and an error page that is not from AWS. Real SDK clients over real sockets; nothing is mocked.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { createEc2Client, type Ec2ClientOptions, sdkEc2Api } from '../../../src/discover/ec2-client.js';
import { discoverRegion } from '../../../src/discover/discover-region.js';
import type { ScopeListing } from '../../../src/discover/instance.js';
import { FakeEc2 } from '../../support/fake-ec2.js';
import { TEST_CREDENTIALS } from '../../support/ec2-test-client.js';

const REGION = 'us-east-1';

async function listWith(endpoint: string, options: Partial<Ec2ClientOptions> = {}): Promise<Extract<ScopeListing, { ok: false }>> {
  const client = createEc2Client({ region: REGION, endpoint, credentials: TEST_CREDENTIALS, maxAttempts: 1, ...options });
  try {
    const result = await discoverRegion(sdkEc2Api(client), REGION);
    if (result.ok) expect.fail(`expected a failure, got ${result.instances.length} instances`);
    expect(result.error).to.not.include('\n');
    expect(result.error).to.match(new RegExp(`^DescribeInstances failed in ${REGION}: `));
    return result;
  } finally {
    client.destroy();
  }
}

/** A server that answers every request with `status` and `body` (as a proxy or load balancer in the way would). */
async function pageServer(status: number, contentType: string, body: string): Promise<Server> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(status, { 'Content-Type': contentType });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

function endpointOf(server: Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function closed(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

describe('discoverRegion failure messages say what happened', function () {
  this.timeout(20_000);

  it('a refused connection (ECONNREFUSED) says the endpoint refused it, not that it timed out', async () => {
    const server = await pageServer(200, 'text/xml', '');
    const endpoint = endpointOf(server);
    await closed(server); // nothing listens on that loopback port any more

    const result = await listWith(endpoint);

    expect(result.code).to.equal('ECONNREFUSED');
    expect(result.error).to.include(`the endpoint for ${REGION} refused the connection`).and.not.include('did not answer in time');
  });

  it('an endpoint that never answers says it did not answer in time', async () => {
    const fake = await FakeEc2.start();
    try {
      fake.hangNext('DescribeInstances', { times: 10 });

      const result = await listWith(fake.endpoint, { requestTimeoutMs: 300 });

      expect(result.error).to.include('did not answer in time').and.not.include('refused');
    } finally {
      await fake.close();
    }
  });

  it('a host name that does not resolve (ENOTFOUND) says so', async () => {
    const result = await listWith('http://ec2.nonexistent.invalid');

    expect(result.code).to.equal('ENOTFOUND');
    expect(result.error).to.include(`no EC2 endpoint answers for ${REGION}: its host name does not resolve (DNS)`);
  });

  const pages = [
    { title: 'an HTML 500 page', status: 500, type: 'text/html', body: '<html><body><h1>500 Internal Server Error</h1></body></html>' },
    { title: 'a plain-text 502', status: 502, type: 'text/plain', body: 'Bad Gateway' },
    { title: 'an HTML 403 from a proxy', status: 403, type: 'text/html', body: '<html><body>Access denied by policy</body></html>' },
  ];
  for (const page of pages) {
    it(`${page.title} is reported as an error page not from AWS, with its status, not as a cut answer`, async () => {
      const server = await pageServer(page.status, page.type, page.body);
      try {
        const result = await listWith(endpointOf(server));

        expect(result.code).to.equal('NonAwsErrorPage');
        expect(result.error).to.include(`NonAwsErrorPage: HTTP ${page.status} with a body that is not an AWS error`);
        expect(result.error).to.include('error page not from AWS (HTML or text').and.not.include('cut or unreadable');
        expect(result.error).to.not.include(page.body);
      } finally {
        await closed(server);
      }
    });
  }

  it('a cut XML answer with HTTP 200 is still reported as cut or unreadable', async () => {
    const fake = await FakeEc2.start();
    try {
      fake.truncateNext('DescribeInstances', { times: 10 });
      fake.instances = [{ instanceId: 'i-1', region: REGION }];

      const result = await listWith(fake.endpoint);

      expect(result.code).to.equal('MalformedResponse');
      expect(result.error).to.include('the answer was cut or unreadable');
    } finally {
      await fake.close();
    }
  });
});
