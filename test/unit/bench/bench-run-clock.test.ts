import { expect } from 'chai';
import { runClock, windowsMs } from '../../../bench/run-clock.js';

describe("the benchmark's run clock", function () {
  it('stops while the runtime prepares', function () {
    // run() starts at 1000; the schema check 1000–1040, the lock 1040–1045, the second check and migrations 1045–1100.
    const setup = [
      { startAt: 1000, endAt: 1040 },
      { startAt: 1045, endAt: 1100 },
    ];
    const clock = runClock(1000, setup);
    expect([clock(1000), clock(1020), clock(1040), clock(1045), clock(1070), clock(1100), clock(1600)]).to.deep.equal([0, 0, 0, 5, 5, 5, 505]);
    expect(windowsMs(setup)).to.equal(95);
  });

  it('without setup, is the time since the start', function () {
    const clock = runClock(200, []);
    expect([clock(200), clock(950.5)]).to.deep.equal([0, 750.5]);
    expect(windowsMs([])).to.equal(0);
  });
});
