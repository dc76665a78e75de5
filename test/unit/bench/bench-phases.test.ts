import { expect } from 'chai';
import { breakDown } from '../../../bench/phases.js';
import type { StatementSpan } from '../../../bench/sql-counter.js';

const span = (startAt: number, endAt: number, kind: StatementSpan['kind']): StatementSpan => ({ startAt, endAt, kind });

describe('the benchmark time breakdown', function () {
  it('cuts a run into consecutive phases that add up to it', function () {
    const ec2 = {
      DescribeInstances: { calls: 12, fromMs: 10, toMs: 900 },
      DescribeImages: { calls: 4, fromMs: 700, toMs: 950 },
      GetPasswordData: { calls: 100, fromMs: 1000, toMs: 3000 },
    };
    const timeline = [
      span(0, 8, 'read'), // image cache
      span(960, 990, 'read'), // stored passwords
      span(3500, 3501, 'control'), // BEGIN
      span(3501, 3510, 'read'),
      span(3510, 3700, 'read'), // the last read of the current state
      span(4000, 4100, 'write'), // planning took 3700 → 4000
      span(4100, 5000, 'write'),
      span(5000, 5010, 'control'), // COMMIT
      span(5100, 5101, 'control'), // the run status's own transaction
      span(5101, 5110, 'write'),
      span(5110, 5111, 'control'),
    ];
    const b = breakDown(ec2, timeline, 5200);
    expect(b).to.deep.equal({
      startMs: 10,
      listingMs: 940,
      keysMs: 50,
      passwordsMs: 2000,
      mappingMs: 500,
      loadMs: 200,
      planMs: 300,
      writeMs: 1010,
      afterMs: 190,
      describeInstancesMs: 890,
      describeImagesMs: 250,
      transactionMs: 1510,
      transactionDatabaseMs: 1199,
    });
    const sum = b.startMs + b.listingMs + b.keysMs + b.passwordsMs + b.mappingMs + b.loadMs + b.planMs + b.writeMs + b.afterMs;
    expect(sum).to.equal(5200);
  });

  it('a run with no password call and no write: planning runs to COMMIT', function () {
    const ec2 = { DescribeInstances: { calls: 1, fromMs: 5, toMs: 100 } };
    const timeline = [span(150, 151, 'control'), span(151, 200, 'read'), span(260, 262, 'control')];
    const b = breakDown(ec2, timeline, 300);
    // A statement before BEGIN (the stored passwords): key work ends there, mapping follows.
    const withRead = breakDown(ec2, [span(100, 120, 'read'), ...timeline], 300);
    expect([withRead.keysMs, withRead.mappingMs]).to.deep.equal([20, 30]);
    expect([b.startMs, b.listingMs, b.keysMs, b.passwordsMs, b.mappingMs, b.loadMs, b.planMs, b.writeMs, b.afterMs]).to.deep.equal([
      5, 95, 0, 0, 50, 50, 60, 2, 38,
    ]);
  });
});
