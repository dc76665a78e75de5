import { expect } from 'chai';
import { HealthRecord, healthOf, type HealthFacts } from '../../../src/daemon/health.js';

const T0 = Date.UTC(2026, 0, 1);
const s = (seconds: number) => T0 + seconds * 1000;
const MAX = 600;

describe('healthOf (the /healthz rule)', function () {
  const rows: { name: string; facts: HealthFacts; now: number; healthy: boolean; text: RegExp }[] = [
    { name: 'starting, no run finished yet', facts: { startedAt: T0 }, now: s(30), healthy: true, text: /^starting$/ },
    {
      name: 'no run finished within the max age of the start',
      facts: { startedAt: T0 },
      now: s(601),
      healthy: false,
      text: /^unhealthy: no successful run since the start 601s ago \(limit 600s\); no run has finished yet$/,
    },
    {
      name: 'first runs failing, still within the start grace',
      facts: { startedAt: T0, last: { result: 'failure', at: s(5), reason: 'connect ECONNREFUSED' } },
      now: s(60),
      healthy: true,
      text: /^starting: last run: failure: connect ECONNREFUSED$/,
    },
    {
      name: 'failing since the start, past the grace',
      facts: { startedAt: T0, last: { result: 'failure', at: s(700), reason: 'connect ECONNREFUSED' } },
      now: s(700),
      healthy: false,
      text: /^unhealthy: .*since the start 700s ago.*ECONNREFUSED$/,
    },
    {
      name: 'last run succeeded, long ago',
      facts: { startedAt: T0, last: { result: 'success', at: s(10) }, lastHealthyAt: s(10) },
      now: s(5000),
      healthy: true,
      text: /^ok$/,
    },
    {
      name: 'last run skipped: another runner holds the lock',
      facts: { startedAt: T0, last: { result: 'skipped_locked', at: s(900) }, lastHealthyAt: s(900) },
      now: s(5000),
      healthy: true,
      text: /^ok$/,
    },
    {
      name: 'last run partial, success within the max age',
      facts: { startedAt: T0, last: { result: 'partial', at: s(300), reason: 'regions not listed: eu-west-1' }, lastHealthyAt: s(100) },
      now: s(700),
      healthy: true,
      text: /^ok: last success 600s ago; last run: partial: regions not listed: eu-west-1$/,
    },
    {
      name: 'last run failed, last success too old',
      facts: { startedAt: T0, last: { result: 'failure', at: s(800), reason: 'x' }, lastHealthyAt: s(100) },
      now: s(701),
      healthy: false,
      text: /^unhealthy: last successful run 601s ago \(limit 600s\); last run: failure: x$/,
    },
  ];
  for (const row of rows) {
    it(row.name, function () {
      const health = healthOf(row.facts, row.now, MAX);
      expect(health.healthy).to.equal(row.healthy);
      expect(health.text).to.match(row.text);
    });
  }

  it('keeps the reason to one short line', function () {
    const health = healthOf({ startedAt: T0, last: { result: 'failure', at: s(1), reason: `a\nb ${'x'.repeat(500)}` } }, s(1000), MAX);
    expect(health.text).to.not.include('\n');
    expect(health.text.length).to.be.lessThan(320);
  });

  it('HealthRecord remembers the last healthy run across failures', function () {
    const record = new HealthRecord(T0);
    record.record('success', s(10));
    record.record('failure', s(20), 'boom');
    expect(record.facts()).to.deep.equal({ startedAt: T0, last: { result: 'failure', at: s(20), reason: 'boom' }, lastHealthyAt: s(10) });
    expect(healthOf(record.facts(), s(30), MAX).text).to.equal('ok: last success 20s ago; last run: failure: boom');
  });
});

describe('healthOf with the events queue (event mode)', function () {
  const ok: HealthFacts = { startedAt: T0, last: { result: 'success', at: s(10) }, lastHealthyAt: s(10) };
  const failingRun: HealthFacts = { startedAt: T0, last: { result: 'failure', at: s(800), reason: 'x' }, lastHealthyAt: s(100) };
  const queueFailing = (since: number) => ({ since: s(since), reason: 'SQS ReceiveMessage on queue events failed: denied (AccessDenied)' });
  const rows: { name: string; facts: HealthFacts; now: number; healthy: boolean; text: RegExp }[] = [
    { name: 'runs fine, queue receiving', facts: ok, now: s(5000), healthy: true, text: /^ok$/ },
    {
      name: 'runs fine, queue failing within the max age: healthy, and the body says so',
      facts: { ...ok, queueFailing: queueFailing(4500) },
      now: s(5000),
      healthy: true,
      text: /^ok; events queue failing since 500s: SQS ReceiveMessage on queue events failed: denied \(AccessDenied\)$/,
    },
    {
      name: 'runs fine, queue failing longer than the max age: unhealthy',
      facts: { ...ok, queueFailing: queueFailing(4000) },
      now: s(5000),
      healthy: false,
      text: /^unhealthy: events queue failing since 1000s \(limit 600s\): SQS ReceiveMessage .*; runs: ok$/,
    },
    {
      name: 'runs unhealthy, queue failing briefly: unhealthy, both said',
      facts: { ...failingRun, queueFailing: queueFailing(690) },
      now: s(701),
      healthy: false,
      text: /^unhealthy: last successful run 601s ago \(limit 600s\); last run: failure: x; events queue failing since 11s: SQS/,
    },
  ];
  for (const row of rows) {
    it(row.name, function () {
      const health = healthOf(row.facts, row.now, MAX);
      expect(health.healthy).to.equal(row.healthy);
      expect(health.text).to.match(row.text);
    });
  }

  it('HealthRecord records the queue failing and receiving again', function () {
    const record = new HealthRecord(T0);
    record.record('success', s(10));
    record.recordQueue({ since: s(20), reason: 'down' });
    expect(record.facts().queueFailing).to.deep.equal({ since: s(20), reason: 'down' });
    record.recordQueue(undefined);
    expect(record.facts()).to.deep.equal({ startedAt: T0, last: { result: 'success', at: s(10) }, lastHealthyAt: s(10) });
  });
});
