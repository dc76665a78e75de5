import { expect } from 'chai';
import { createCredentialProvider, memoizeUntilExpiry, REFRESH_MARGIN_MS } from '../../../src/discover/credentials.js';

describe('memoizeUntilExpiry', function () {
  it('reuses credentials without expiry and shares one request among concurrent callers', async function () {
    let calls = 0;
    const provide = memoizeUntilExpiry(async () => ({ accessKeyId: `AKID${++calls}`, secretAccessKey: 's' }));
    const [a, b] = await Promise.all([provide(), provide()]);
    expect(a.accessKeyId).to.equal('AKID1');
    expect(b.accessKeyId).to.equal('AKID1');
    expect((await provide()).accessKeyId).to.equal('AKID1');
    expect(calls).to.equal(1);
  });

  it('renews credentials once they come within the refresh margin of their expiry', async function () {
    let clock = 0;
    let calls = 0;
    const provide = memoizeUntilExpiry(
      async () => ({ accessKeyId: `AKID${++calls}`, secretAccessKey: 's', expiration: new Date(clock + REFRESH_MARGIN_MS + 60_000) }),
      () => clock,
    );
    expect((await provide()).accessKeyId).to.equal('AKID1');
    clock += 59_000;
    expect((await provide()).accessKeyId).to.equal('AKID1');
    clock += 2_000;
    expect((await provide()).accessKeyId).to.equal('AKID2');
  });

  it('asks again after a failure instead of caching it', async function () {
    let calls = 0;
    const provide = memoizeUntilExpiry(async () => {
      if (++calls === 1) throw new Error('refused');
      return { accessKeyId: 'AKID', secretAccessKey: 's' };
    });
    await provide().then(
      () => expect.fail('should fail'),
      (err: Error) => expect(err.message).to.equal('refused'),
    );
    expect((await provide()).accessKeyId).to.equal('AKID');
  });
});

describe('createCredentialProvider', function () {
  it('reports static keys once, never the secret', async function () {
    const sources: string[] = [];
    const provide = createCredentialProvider({
      staticKeys: { accessKeyId: 'AKIDSTATIC', secretAccessKey: 'hidden' },
      onSource: (s) => sources.push(s),
    });
    await provide();
    await provide();
    expect(sources).to.deep.equal(['static keys (AWS_DISCOVERY_ACCESS_KEY_ID)']);
  });
});
