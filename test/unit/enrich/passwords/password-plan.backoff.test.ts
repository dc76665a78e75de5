import { expect } from 'chai';
import type { DiscoveredInstance } from '../../../../src/discover/instance.js';
import type { KeyLookup, PrivateKeyInfo } from '../../../../src/enrich/keys/key-types.js';
import { passwordDigest, planPasswordFetches } from '../../../../src/enrich/passwords/password-plan.js';

const RSA: PrivateKeyInfo = { text: 'RSA KEY TEXT\n', format: 'pkcs1', type: 'rsa', encrypted: false, bits: 2048 };
const KEYS = new Map<string, KeyLookup>([['rsa', { status: 'found', key: RSA, source: 'test' }]]);
const win = (id: string): DiscoveredInstance => ({
  scope: 'us-east-1',
  instanceId: id,
  state: 'running',
  platform: 'windows',
  privateIp: '10.0.0.1',
  tags: {},
  keyName: 'rsa',
});

describe('planPasswordFetches with a retry backoff', function () {
  const now = Date.parse('2026-11-28T12:00:00Z');

  it('does not ask again before the retry time, and reports the instance as pending', function () {
    const plan = planPasswordFetches([win('i-1'), win('i-2')], KEYS, new Map(), 10, { retryAt: new Map([['us-east-1/i-1', now + 1000]]), now });
    expect(plan.fetches.map((f) => f.instanceId)).to.deep.equal(['i-2']);
    const outcome = plan.outcomes.get('us-east-1/i-1');
    expect(outcome).to.include({ status: 'unavailable', pending: true });
    expect(outcome?.status === 'unavailable' ? outcome.reason : '').to.match(/asked again after 2026-11-28T12:00:01/);
  });

  it('asks again once the retry time has passed', function () {
    const plan = planPasswordFetches([win('i-1')], KEYS, new Map(), 10, { retryAt: new Map([['us-east-1/i-1', now]]), now });
    expect(plan.fetches.map((f) => f.instanceId)).to.deep.equal(['i-1']);
  });

  it('a verified stored password wins over a pending retry (its outcome is kept)', function () {
    const stored = new Map([['us-east-1/i-1', { password: 'pw', digest: passwordDigest(RSA, 'us-east-1/i-1', 'pw') }]]);
    const plan = planPasswordFetches([win('i-1')], KEYS, stored, 10, { retryAt: new Map([['us-east-1/i-1', now + 1000]]), now });
    expect(plan.fetches).to.have.length(0);
    expect(plan.outcomes.get('us-east-1/i-1')).to.include({ status: 'obtained', password: 'pw' });
  });
});
