import { EventEmitter } from 'node:events';
import { expect } from 'chai';
import { handleShutdownSignals } from '../../../src/daemon/shutdown.js';
import { createLogger } from '../../../src/shared/logger.js';

/** A stand-in for `process`: signals are emitted by the test, exits are recorded. */
function harness(forceAfterMs: number) {
  const target = new EventEmitter();
  const exits: number[] = [];
  let exited: () => void = () => {};
  /** Resolves at the first exit (mocha's timeout is the bound). */
  const firstExit = new Promise<void>((resolve) => (exited = resolve));
  const logger = createLogger({ level: 'error' });
  const handle = handleShutdownSignals({ logger, forceAfterMs, target: target as never, exit: (code) => (exits.push(code), exited()) });
  const stderr = process.stderr.write;
  return { target, exits, firstExit, handle, quiet: <T>(fn: () => T): T => {
    process.stderr.write = (() => true) as never;
    try {
      return fn();
    } finally {
      process.stderr.write = stderr;
    }
  } };
}

describe('handleShutdownSignals', function () {
  it('the first signal aborts the signal and nothing else', function () {
    const h = harness(60_000);
    expect(h.handle.signal.aborted).to.equal(false);
    h.target.emit('SIGTERM', 'SIGTERM');
    expect(h.handle.signal.aborted).to.equal(true);
    expect(h.exits).to.deep.equal([]);
    h.handle.dispose();
  });

  it('a second signal forces exit with 128 + its number', function () {
    const h = harness(60_000);
    h.target.emit('SIGINT', 'SIGINT');
    h.quiet(() => h.target.emit('SIGTERM', 'SIGTERM'));
    expect(h.exits).to.deep.equal([143]);
    const h2 = harness(60_000);
    h2.target.emit('SIGTERM', 'SIGTERM');
    h2.quiet(() => h2.target.emit('SIGINT', 'SIGINT'));
    expect(h2.exits).to.deep.equal([130]);
    h.handle.dispose();
    h2.handle.dispose();
  });

  it('a shutdown that takes too long is forced with status 1, even after dispose', async function () {
    const h = harness(50);
    h.target.emit('SIGTERM', 'SIGTERM');
    h.handle.dispose();
    expect(h.target.listenerCount('SIGTERM')).to.equal(0);
    const stderr = process.stderr.write;
    process.stderr.write = (() => true) as never;
    try {
      await h.firstExit;
    } finally {
      process.stderr.write = stderr;
    }
    expect(h.exits).to.deep.equal([1]);
  });
});
