import { expect } from 'chai';
import { RunGate } from '../../../src/daemon/scheduler.js';

/** A run that ends when the test says so. */
function controllableRun() {
  let finish: (err?: Error) => void = () => undefined;
  let started = 0;
  const run = () => {
    started += 1;
    return new Promise<void>((resolve, reject) => {
      finish = (err) => (err === undefined ? resolve() : reject(err));
    });
  };
  return { run, finish: (err?: Error) => finish(err), started: () => started };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('RunGate (overlap of scheduled runs)', function () {
  it('runs when idle and skips, counting, every trigger while a run is in progress', async function () {
    const r = controllableRun();
    let overlaps = 0;
    const gate = new RunGate(r.run, { onOverlap: () => (overlaps += 1), onError: () => expect.fail('no error expected') });
    expect(gate.trigger()).to.equal(true);
    expect(gate.busy).to.equal(true);
    expect(gate.trigger()).to.equal(false);
    expect(gate.trigger()).to.equal(false);
    expect([r.started(), overlaps]).to.deep.equal([1, 2]);
    r.finish();
    await tick();
    expect(gate.busy).to.equal(false);
    expect(gate.trigger()).to.equal(true); // skipped ticks are not queued: the next one simply runs
    expect([r.started(), overlaps]).to.deep.equal([2, 2]);
    r.finish();
    await gate.close();
  });

  it('frees itself after a run that throws, reporting the error', async function () {
    const r = controllableRun();
    const errors: unknown[] = [];
    const gate = new RunGate(r.run, { onOverlap: () => undefined, onError: (err) => errors.push(err) });
    gate.trigger();
    r.finish(new Error('boom'));
    await tick();
    expect(errors.map((e) => (e as Error).message)).to.deep.equal(['boom']);
    expect(gate.trigger()).to.equal(true);
    r.finish();
    await gate.close();
  });

  it('close() waits for the run in progress and refuses new ones', async function () {
    const r = controllableRun();
    let overlaps = 0;
    const gate = new RunGate(r.run, { onOverlap: () => (overlaps += 1), onError: () => undefined });
    gate.trigger();
    let closed = false;
    const closing = gate.close().then(() => (closed = true));
    await tick();
    expect(closed).to.equal(false);
    expect(gate.trigger()).to.equal(false);
    expect(overlaps).to.equal(0); // refused because closed, not counted as an overlap
    r.finish();
    await closing;
    expect(closed).to.equal(true);
    expect(gate.trigger()).to.equal(false);
    expect(r.started()).to.equal(1);
  });

  it('close() on an idle gate resolves at once', async function () {
    const gate = new RunGate(async () => undefined, { onOverlap: () => undefined, onError: () => undefined });
    await gate.close();
    expect(gate.trigger()).to.equal(false);
  });
});
