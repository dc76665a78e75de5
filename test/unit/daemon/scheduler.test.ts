import { expect } from 'chai';
import { GateClosedError, RunGate } from '../../../src/daemon/scheduler.js';

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

describe('RunGate (event batches beside scheduled runs)', function () {
  it('a batch arriving during a full run waits for it, then runs', async function () {
    const r = controllableRun();
    const order: string[] = [];
    const gate = new RunGate(r.run, { onOverlap: () => expect.fail('no overlap expected'), onError: () => expect.fail('no error expected') });
    gate.trigger();
    const batch = gate.runBatch(async () => {
      order.push('batch');
      return 7;
    });
    await tick();
    expect(order).to.deep.equal([]);
    order.push('full ends');
    r.finish();
    expect(await batch).to.equal(7);
    expect(order).to.deep.equal(['full ends', 'batch']);
    await gate.close();
  });

  it('a tick during a batch is queued once and runs right after it; a further tick then is an overlap', async function () {
    const r = controllableRun();
    let overlaps = 0;
    const gate = new RunGate(r.run, { onOverlap: () => (overlaps += 1), onError: () => expect.fail('no error expected') });
    let endBatch: () => void = () => undefined;
    const batch = gate.runBatch(() => new Promise<void>((resolve) => (endBatch = resolve)));
    expect(gate.trigger()).to.equal(true); // queued
    expect(gate.trigger()).to.equal(false); // already queued: skipped
    expect([r.started(), overlaps]).to.deep.equal([0, 1]);
    endBatch();
    await batch;
    await tick();
    expect(r.started()).to.equal(1);
    expect(gate.trigger()).to.equal(false); // the queued run is in progress now
    expect(overlaps).to.equal(2);
    r.finish();
    await gate.close();
  });

  it('a queued tick goes before a batch that arrived after it; a failing batch rejects and frees the gate', async function () {
    const r = controllableRun();
    const order: string[] = [];
    const gate = new RunGate(
      async () => {
        order.push('full');
        await r.run();
      },
      { onOverlap: () => undefined, onError: () => expect.fail('no error expected') },
    );
    let endFirst: () => void = () => undefined;
    const first = gate.runBatch(() => new Promise<void>((resolve) => (endFirst = resolve)));
    gate.trigger();
    const second = gate.runBatch(async () => {
      order.push('second batch');
      throw new Error('apply failed');
    });
    endFirst();
    await first;
    await tick();
    expect(order).to.deep.equal(['full']);
    r.finish();
    let failure: unknown;
    await second.catch((err: unknown) => (failure = err));
    expect((failure as Error).message).to.equal('apply failed');
    expect(order).to.deep.equal(['full', 'second batch']);
    await tick();
    expect(gate.busy).to.equal(false);
    await gate.close();
  });

  it('close() drops a queued tick, refuses waiting and later batches, and waits for the run in progress', async function () {
    const r = controllableRun();
    const gate = new RunGate(r.run, { onOverlap: () => undefined, onError: () => undefined });
    gate.trigger();
    const waiting = gate.runBatch(async () => expect.fail('must not run'));
    const closing = gate.close();
    const refusal = await waiting.then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(refusal).to.be.instanceOf(GateClosedError);
    r.finish();
    await closing;
    expect(await gate.runBatch(async () => 1).catch((err: unknown) => err)).to.be.instanceOf(GateClosedError);
    expect(r.started()).to.equal(1);
  });
});
