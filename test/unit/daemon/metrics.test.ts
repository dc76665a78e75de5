import { expect } from 'chai';
import { DaemonMetrics } from '../../../src/daemon/metrics.js';
import type { RunReport } from '../../../src/run/run-report.js';
import { parsePrometheusText, sampleValue } from '../../support/prometheus-text.js';

const M = 'guacamole_ec2_discovery_';

function report(skippedByReason: Record<string, number>, brake?: { reason: string; held: number }): RunReport {
  const skipped = Object.values(skippedByReason).reduce((a, b) => a + b, 0);
  return {
    ok: skipped === 0 && brake === undefined, created: 3, updated: 0, deleted: 0, unchanged: 0, skipped, conflicts: 0, failedRegions: [], failedAccounts: [],
    ...(brake === undefined ? {} : { deletionBrake: brake.reason }), deletionsHeld: brake?.held ?? 0,
    instances: 3 + skipped, instancesByRegion: { 'us-east-1': 3 + skipped }, passwordFetches: 0, consoleReads: 0, ignored: 0,
    skippedByReason, durationMs: 1, peakRssMb: 1, dryRun: false,
  };
}

describe('skipped-instance metrics by reason', function () {
  it('every reason exists at zero from the start, then follows the last run (a refused write is `rejected`)', async function () {
    const metrics = new DaemonMetrics(['us-east-1']);
    const read = async () => parsePrometheusText(await metrics.registry.metrics());
    for (const reason of ['any', 'no_address', 'too_long', 'charset', 'rejected'])
      expect(sampleValue(await read(), `${M}skipped_instances`, { reason }), reason).to.equal(0);
    metrics.recordRun('partial', 1, report({ rejected: 2, no_address: 1 }));
    let samples = await read();
    expect(sampleValue(samples, `${M}skipped_instances`, { reason: 'any' })).to.equal(3);
    expect(sampleValue(samples, `${M}skipped_instances`, { reason: 'rejected' })).to.equal(2);
    expect(sampleValue(samples, `${M}skipped_instances`, { reason: 'no_address' })).to.equal(1);
    metrics.recordRun('success', 1, report({}));
    samples = await read();
    expect(sampleValue(samples, `${M}skipped_instances`, { reason: 'rejected' })).to.equal(0);
  });
});

describe('deletions-held metric', function () {
  it('starts at zero, counts what the brake held in the last run, and drops back once a run holds nothing', async function () {
    const metrics = new DaemonMetrics(['us-east-1']);
    const held = async () => sampleValue(parsePrometheusText(await metrics.registry.metrics()), `${M}deletions_held`);
    expect(await held()).to.equal(0);
    metrics.recordRun('partial', 1, report({}, { reason: 'deletion brake: 8 of 10 managed connections would be deleted (limit 5)', held: 8 }));
    expect(await held()).to.equal(8);
    metrics.recordRun('failure', 1); // no report: the last known value stays, like the other gauges of the last run
    expect(await held()).to.equal(8);
    metrics.recordRun('success', 1, report({}));
    expect(await held()).to.equal(0);
  });
});
