import { expect } from 'chai';
import type { Ec2Api } from '../../../src/discover/ec2-client.js';
import { listEnabledRegions } from '../../../src/discover/enabled-regions.js';
import { beforeDeadline, describeAbandonment, ListingAbandonedError, maxPagesFor, PageGuard } from '../../../src/discover/listing-bounds.js';
import { mergeDuplicateInstances } from '../../../src/discover/merge-duplicates.js';
import type { DiscoveredInstance } from '../../../src/discover/instance.js';

/** The reason a call threw, or a failure when it did not throw ListingAbandonedError. */
function abandonment(call: () => void): ListingAbandonedError {
  try {
    call();
  } catch (err) {
    expect(err).to.be.instanceOf(ListingAbandonedError);
    return err as ListingAbandonedError;
  }
  return expect.fail('expected the listing to be abandoned');
}

const never = new Promise<never>(() => undefined);

describe('listing bounds', () => {
  describe('PageGuard', () => {
    it('lets a listing of distinct tokens end on a page without a token', () => {
      const guard = new PageGuard('DescribeInstances', 10);
      for (const token of ['a', 'b', 'c', undefined]) guard.next(token);
      expect(guard.pages).to.equal(4);
    });

    it('refuses the token of the page just read (a paginator stuck on one page)', () => {
      const guard = new PageGuard('DescribeInstances', 10);
      guard.next('a');
      const err = abandonment(() => guard.next('a'));
      expect(err.code).to.equal('RepeatedNextToken');
      expect(err.reason).to.deep.equal({ kind: 'repeated-token', operation: 'DescribeInstances', page: 2, firstSeenAt: 1 });
    });

    it('refuses the token of any earlier page (a cycle), not only the last one', () => {
      const guard = new PageGuard('DescribeInstances', 10);
      for (const token of ['a', 'b', 'c']) guard.next(token);
      expect(abandonment(() => guard.next('a')).reason).to.include({ kind: 'repeated-token', page: 4, firstSeenAt: 1 });
    });

    it('allows exactly maxPages pages: a NextToken on the last allowed page abandons the listing', () => {
      const full = new PageGuard('DescribeInstances', 3);
      for (const token of ['a', 'b', undefined]) full.next(token);
      const over = new PageGuard('DescribeInstances', 3);
      over.next('a');
      over.next('b');
      const err = abandonment(() => over.next('c'));
      expect(err.code).to.equal('TooManyPages');
      expect(err.reason).to.deep.equal({ kind: 'page-limit', operation: 'DescribeInstances', maxPages: 3 });
    });

    it('caps DescribeInstances at pages for 1,000,000 instances', () => {
      expect(maxPagesFor(1000)).to.equal(1000);
      expect(maxPagesFor(5)).to.equal(200_000);
      expect(maxPagesFor(300)).to.equal(3334);
    });
  });

  describe('describeAbandonment', () => {
    const cases = [
      {
        reason: { kind: 'repeated-token', operation: 'DescribeInstances', page: 3, firstSeenAt: 1 } as const,
        expected:
          'DescribeInstances in eu-west-1 returned the NextToken of an earlier page (RepeatedNextToken: page 3 repeats the token of page 1): the listing is ' +
          'abandoned and nothing in eu-west-1 changes this run',
      },
      {
        reason: { kind: 'page-limit', operation: 'DescribeInstances', maxPages: 1000 } as const,
        expected:
          'DescribeInstances in eu-west-1 still returned a NextToken after 1000 pages (TooManyPages: the page cap, far above any real region): the listing ' +
          'is abandoned and nothing in eu-west-1 changes this run',
      },
      {
        reason: { kind: 'deadline', operation: 'DescribeImages', timeoutMs: 60_000, pages: 2 } as const,
        expected:
          'listing eu-west-1 did not finish within 60 s (ListingTimeout, AWS_DISCOVERY_LISTING_TIMEOUT; DescribeImages was still waiting for AWS, 2 ' +
          'DescribeInstances page(s) read): the listing is abandoned and nothing in eu-west-1 changes this run; the next run tries again',
      },
    ];
    for (const { reason, expected } of cases) {
      it(`words ${reason.kind} with the scope`, () => {
        expect(describeAbandonment(reason, 'eu-west-1')).to.equal(expected);
      });
    }
  });

  describe('beforeDeadline', () => {
    it('settles as the work does while the deadline has not passed', async () => {
      const deadline = new AbortController();
      expect(await beforeDeadline(Promise.resolve(7), deadline.signal, () => new Error('late'))).to.equal(7);
      const failing = beforeDeadline(Promise.reject(new Error('AWS said no')), deadline.signal, () => new Error('late'));
      await expectRejection(failing, 'AWS said no');
    });

    it('rejects when the deadline passes, even if the work never settles nor honours any signal', async () => {
      const deadline = new AbortController();
      const bounded = beforeDeadline(never, deadline.signal, () => new Error('late'));
      deadline.abort();
      await expectRejection(bounded, 'late');
    });

    it('rejects at once when the deadline has already passed', async () => {
      await expectRejection(beforeDeadline(never, AbortSignal.abort(), () => new Error('late')), 'late');
    });
  });

  describe('listEnabledRegions with a deadline', () => {
    const silent: Ec2Api = {
      describeInstancePages: () => expect.fail('not used'),
      describeImages: () => expect.fail('not used'),
      getPasswordData: () => expect.fail('not used'),
      getConsoleOutput: () => expect.fail('not used'),
      describeRegions: () => never,
    };

    it('gives up on a DescribeRegions that never answers: every region of the account unknown, not thrown', async () => {
      const deadline = new AbortController();
      const listing = listEnabledRegions(silent, { deadline: { signal: deadline.signal, timeoutMs: 60_000 } });
      deadline.abort();
      const list = await listing;
      expect(list).to.deep.equal({
        ok: false,
        code: 'ListingTimeout',
        error:
          'DescribeRegions did not answer within 60 s (ListingTimeout, AWS_DISCOVERY_LISTING_TIMEOUT): the region list is abandoned and no region of the ' +
          'account changes this run; the next run tries again',
      });
    });

    it('still throws on a shutdown (the run stops, it does not report a failed listing)', async () => {
      const shutdown = new AbortController();
      const listing = listEnabledRegions(
        { ...silent, describeRegions: () => Promise.reject(new Error('aborted')) },
        { signal: shutdown.signal, deadline: { signal: new AbortController().signal, timeoutMs: 60_000 } },
      );
      shutdown.abort();
      await expectRejection(listing, /abort/i);
    });
  });

  describe('mergeDuplicateInstances', () => {
    const instance = (instanceId: string, privateIp: string): DiscoveredInstance => ({
      scope: 'eu-west-1',
      instanceId,
      state: 'running',
      privateIp,
      tags: {},
    });

    it('returns the listing as it is when no id repeats', () => {
      const listed = [instance('i-1', '10.0.0.1'), instance('i-2', '10.0.0.2')];
      const merged = mergeDuplicateInstances(listed);
      expect(merged.instances).to.equal(listed);
      expect(merged.duplicates).to.deep.equal([]);
    });

    it('keeps the last record of each repeated id, in the place of the first, and names each id once', () => {
      const listed = [
        instance('i-1', 'stale'),
        instance('i-2', '10.0.0.2'),
        instance('i-1', 'middle'),
        instance('i-3', 'x'),
        instance('i-3', 'y'),
        instance('i-1', 'fresh'),
      ];
      const merged = mergeDuplicateInstances(listed);
      expect(merged.instances.map((i) => `${i.instanceId}=${i.privateIp}`)).to.deep.equal(['i-1=fresh', 'i-2=10.0.0.2', 'i-3=y']);
      expect(merged.duplicates).to.deep.equal(['i-1', 'i-3']);
    });
  });
});

async function expectRejection(promise: Promise<unknown>, message: string | RegExp): Promise<void> {
  try {
    await promise;
  } catch (err) {
    if (typeof message === 'string') expect((err as Error).message).to.equal(message);
    else expect((err as Error).message).to.match(message);
    return;
  }
  expect.fail('expected a rejection');
}
