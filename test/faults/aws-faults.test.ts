import { expect } from 'chai';
import type { Kysely } from 'kysely';
import type { RunReport } from '../../src/run/run-report.js';
import type { FakeEc2 } from '../support/fake-ec2.js';
import { encryptLikeEc2 } from '../support/key-fixtures.js';
import { readConnections } from '../support/guacamole-queries.js';
import { diffRows } from '../support/row-diff.js';
import { DIALECTS } from '../support/test-databases.js';
import { logLinesMatching, startHarness, type FaultHarness, type HarnessOptions } from './fault-harness.js';
import { PUBLIC_PEM } from './fault-keys.js';
import { changeBothRegions, connectionRows, FAILING, regionIds } from './region-rows.js';

interface RegionFault {
  readonly title: string;
  inject(fake: FakeEc2): void;
  /** The AWS (or transport) error code the report must name. */
  readonly code: string | RegExp;
  /** What else the message must say (the missing permission, the region, the hint). */
  readonly mentions: readonly string[];
  readonly harness?: HarnessOptions;
  /** Calls to the failing operation in the failing region, when the test bounds them. */
  readonly attempts?: { readonly action: string; readonly count: number };
}

/** Every call of `action` in the failing region answers with this EC2 error. */
function failsInFailingRegion(action: string, code: string, status: number, message?: string): (fake: FakeEc2) => void {
  return (fake) => fake.failNext(action, { code, status, ...(message === undefined ? {} : { message }), region: FAILING, times: 1000 });
}

const FAULTS: readonly RegionFault[] = [
  {
    title: 'persistent throttling (RequestLimitExceeded, 503): gives up after the bounded attempts',
    inject: failsInFailingRegion('DescribeInstances', 'RequestLimitExceeded', 503),
    code: 'RequestLimitExceeded',
    mentions: ['throttling'],
    attempts: { action: 'DescribeInstances', count: 5 },
  },
  {
    title: 'an endpoint that never answers: each attempt times out, the run ends',
    inject: (fake) => fake.hangNext('DescribeInstances', { region: FAILING, times: 1000 }),
    code: 'ETIMEDOUT',
    mentions: ['did not answer in time'],
    // Only the hanging region's client is short-timed, and not so short that a busy machine's answer looks like a hang.
    harness: { regionClient: { [FAILING]: { requestTimeoutMs: 2000, maxAttempts: 2 } } },
    attempts: { action: 'DescribeInstances', count: 2 },
  },
  {
    title: 'a paginator that answers with the NextToken it was asked with: abandoned at the first repeat, not followed for ever',
    inject: (fake) => (fake.pagingFaults[FAILING] = 'same-token'),
    code: 'RepeatedNextToken',
    mentions: ['DescribeInstances in eu-west-1 returned the NextToken of an earlier page', 'nothing in eu-west-1 changes this run'],
    attempts: { action: 'DescribeInstances', count: 2 },
  },
  {
    title: 'a DescribeImages that answers with the NextToken it was asked with',
    inject: (fake) => (fake.imagePagingFaults[FAILING] = 'same-token'),
    code: 'RepeatedNextToken',
    mentions: ['DescribeImages in eu-west-1 returned the NextToken of an earlier page'],
    attempts: { action: 'DescribeImages', count: 2 },
  },
  {
    title: 'an endpoint that sends the headers, then stops in the middle of the body: the socket idle timeout ends each attempt',
    inject: (fake) => fake.stallNext('DescribeInstances', { region: FAILING, times: 1000 }),
    code: 'TimeoutError',
    mentions: ['timed out', 'did not answer in time'],
    harness: { client: { requestTimeoutMs: 400, maxAttempts: 2 } },
    attempts: { action: 'DescribeInstances', count: 2 },
  },
  {
    title: 'a truncated XML response',
    inject: (fake) => fake.truncateNext('DescribeInstances', { region: FAILING, times: 1000 }),
    code: 'MalformedResponse',
    mentions: ['DescribeInstances failed in eu-west-1', 'the answer was cut or unreadable'],
  },
  {
    title: 'invalid credentials (AuthFailure)',
    inject: failsInFailingRegion('DescribeInstances', 'AuthFailure', 401, 'AWS was not able to validate the provided access credentials'),
    code: 'AuthFailure',
    mentions: ['credentials were not accepted in eu-west-1'],
  },
  {
    title: 'a request signed too long ago or expired credentials (RequestExpired)',
    inject: failsInFailingRegion('DescribeInstances', 'RequestExpired', 400, 'Request has expired.'),
    code: 'RequestExpired',
    mentions: ['have expired'],
  },
  {
    title: 'an expired session token (ExpiredToken)',
    inject: failsInFailingRegion('DescribeInstances', 'ExpiredToken', 400, 'The security token included in the request is expired'),
    code: 'ExpiredToken',
    mentions: ['have expired'],
  },
  {
    title: 'DescribeInstances not allowed (UnauthorizedOperation)',
    inject: failsInFailingRegion('DescribeInstances', 'UnauthorizedOperation', 403, 'You are not authorized to perform this operation.'),
    code: 'UnauthorizedOperation',
    mentions: ['grant ec2:DescribeInstances'],
  },
  {
    title: 'DescribeImages not allowed (UnauthorizedOperation): no username changes because an AMI could not be read',
    inject: failsInFailingRegion('DescribeImages', 'UnauthorizedOperation', 403, 'You are not authorized to perform this operation.'),
    code: 'UnauthorizedOperation',
    mentions: ['DescribeImages failed in eu-west-1', 'grant ec2:DescribeImages'],
  },
  {
    title: 'a region not enabled for the account (OptInRequired)',
    inject: failsInFailingRegion('DescribeInstances', 'OptInRequired', 401, 'You are not subscribed to this service.'),
    code: 'OptInRequired',
    mentions: ['the region eu-west-1 is not enabled'],
  },
];

for (const dialect of DIALECTS) {
  describe(`AWS faults on ${dialect}: the region's connections unchanged row for row, the other region synced`, function () {
    let h: FaultHarness | undefined;

    afterEach(async function () {
      await h?.close();
      h = undefined;
    });

    async function syncedThenChanged(options: HarnessOptions = {}, failingFromStart: readonly string[] = []): Promise<FaultHarness> {
      h = await startHarness(dialect, options);
      expect((await h.run()).failedRegions).to.deep.equal(failingFromStart);
      changeBothRegions(h.fake);
      return h;
    }

    async function expectHealthySynced(db: Kysely<any>): Promise<void> {
      const connections = await readConnections(db);
      expect(connections.get('Amazon EC2/east-new')?.parameters.hostname, 'the healthy region synced').to.equal('10.0.8.1');
    }

    for (const fault of FAULTS) {
      it(fault.title, async function () {
        const h = await syncedThenChanged(fault.harness);
        const before = await connectionRows(h.database.db, regionIds(h.fake, FAILING));
        h.fake.requests.length = 0;
        fault.inject(h.fake);

        const report = await h.run();
        expect(report.ok).to.equal(false);
        expect(report.failedRegions).to.deep.equal([FAILING]);
        const line = logLinesMatching(h.logs, 'error', /region listing failed/).find((l) => l.region === FAILING);
        expect(line, 'an error line names the failed region').to.not.equal(undefined);
        const error = String(line?.error);
        if (typeof fault.code === 'string') {
          expect(line?.code).to.equal(fault.code);
          expect(error).to.include(fault.code);
        } else expect(String(line?.code)).to.match(fault.code);
        for (const m of fault.mentions) expect(error).to.include(m);
        expect(JSON.stringify(h.logs)).to.not.include('fault-secret-never-logged');
        if (fault.attempts !== undefined) expect(h.fake.requestsFor(fault.attempts.action, FAILING)).to.have.length(fault.attempts.count);

        const after = await connectionRows(h.database.db, regionIds(h.fake, FAILING));
        expect(diffRows(before, after), `${FAILING}'s connections changed`).to.deep.equal([]);
        expect((await readConnections(h.database.db)).has('Amazon EC2/west-new')).to.equal(false);
        await expectHealthySynced(h.database.db);

        h.fake.clearFailures();
        const next = await h.run();
        expect(next).to.include({ ok: true, created: 1, updated: 1 });
        expect((await readConnections(h.database.db)).get('Amazon EC2/Apps/EU/api')?.parameters.hostname).to.equal('10.1.0.99');
      });
    }

    it('throttling (RequestLimitExceeded, 503) twice: retried by the SDK (3 attempts), then the region syncs completely', async function () {
      const h = await syncedThenChanged();
      h.fake.requests.length = 0;
      h.fake.failNext('DescribeInstances', { code: 'RequestLimitExceeded', status: 503, region: FAILING, times: 2 });
      const report: RunReport = await h.run();
      expect(report).to.include({ ok: true, created: 2, updated: 1 });
      expect(h.fake.requestsFor('DescribeInstances', FAILING)).to.have.length(3);
      const connections = await readConnections(h.database.db);
      expect(connections.get('Amazon EC2/west-new')?.parameters.hostname).to.equal('10.1.8.1');
      expect(connections.get('Amazon EC2/Apps/EU/api')?.parameters.hostname).to.equal('10.1.0.99');
    });

    it('a region that does not exist (no endpoint resolves): named with the DNS error, the others sync', async function () {
      const h = await syncedThenChanged({
        settings: { AWS_DISCOVERY_REGIONS: 'us-east-1,eu-west-1,xx-nowhere-1' },
        endpoints: { 'xx-nowhere-1': 'http://ec2.xx-nowhere-1.invalid' },
        client: { maxAttempts: 2 },
      }, ['xx-nowhere-1']);
      const report = await h.run();
      expect(report.failedRegions).to.deep.equal(['xx-nowhere-1']);
      expect(report).to.include({ created: 2, updated: 1 });
      const line = logLinesMatching(h.logs, 'error', /region listing failed/).find((l) => l.region === 'xx-nowhere-1');
      expect(String(line?.error)).to.include('ENOTFOUND').and.include('no EC2 endpoint answers for xx-nowhere-1');
    });

    it('GetPasswordData not allowed: the Windows connection keeps what it has, the report names ec2:GetPasswordData, the rest syncs', async function () {
      const h = await syncedThenChanged();
      const win = h.fake.instances.find((i) => i.instanceId === 'i-0000000000000win1');
      if (win === undefined) throw new Error('fixture changed');
      win.passwordData = encryptLikeEc2('Adm1n-Passw0rd!', PUBLIC_PEM);
      h.memory.passwords.clear(); // as if the 5-minute wait after "no password yet" were over
      const before = await connectionRows(h.database.db, [win.instanceId]);
      h.fake.failNext('GetPasswordData', { code: 'UnauthorizedOperation', status: 403, times: 1000 });

      const report = await h.run();
      expect(report).to.include({ ok: true, created: 2, updated: 1 });
      expect(diffRows(before, await connectionRows(h.database.db, [win.instanceId]))).to.deep.equal([]);
      const warning = logLinesMatching(h.logs, 'warn', /GetPasswordData failed/);
      expect(JSON.stringify(warning)).to.include('UnauthorizedOperation').and.include('grant ec2:GetPasswordData');

      h.fake.clearFailures();
      await h.run();
      expect((await readConnections(h.database.db)).get('Amazon EC2/win-01')?.parameters.password).to.equal('Adm1n-Passw0rd!');
    });

    it('GetConsoleOutput not allowed (host key pinning): connections stay unpinned, the report names ec2:GetConsoleOutput', async function () {
      const h = await syncedThenChanged();
      h.fake.failNext('GetConsoleOutput', { code: 'UnauthorizedOperation', status: 403, times: 1000 });
      const report = await h.run({ pinHostKeys: true });
      expect(report).to.include({ created: 2, updated: 1 });
      const warning = logLinesMatching(h.logs, 'warn', /GetConsoleOutput failed/);
      expect(JSON.stringify(warning)).to.include('UnauthorizedOperation').and.include('grant ec2:GetConsoleOutput');
      for (const c of (await readConnections(h.database.db)).values()) expect(c.parameters).to.not.have.property('host-key');
    });
  });
}
