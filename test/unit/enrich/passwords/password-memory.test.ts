import { expect } from 'chai';
import { PasswordMemory } from '../../../../src/enrich/passwords/password-memory.js';
import type { PasswordOutcome } from '../../../../src/enrich/passwords/password-plan.js';

const NOT_YET: PasswordOutcome = { status: 'unavailable', reason: 'not generated yet', pending: true };

describe('PasswordMemory', function () {
  const now = Date.parse('2026-11-28T12:00:00Z');

  /** Two Windows instances waiting for their password (asked at `now`, no password yet). */
  function waiting(): PasswordMemory {
    const memory = new PasswordMemory();
    const keys = new Set(['us-east-1/i-1', 'us-east-1/i-2']);
    memory.remember(keys, new Map([...keys].map((k) => [k, NOT_YET])), now);
    return memory;
  }

  it('after a full listing, forgets the waits of instances that no longer need a password', function () {
    const memory = waiting();
    memory.remember(new Set(['us-east-1/i-1']), new Map(), now + 1);
    expect([...memory.backoff(now).retryAt.keys()]).to.deep.equal(['us-east-1/i-1']);
  });

  it('after an event run, forgets only among the instances that run knew', function () {
    const memory = waiting();
    // The batch asked about i-1 (terminated: it needs no password any more) and i-3; i-2 was outside the run.
    memory.remember(new Set(), new Map(), now + 1, new Set(['us-east-1/i-1', 'us-east-1/i-3']));
    expect([...memory.backoff(now).retryAt.keys()]).to.deep.equal(['us-east-1/i-2']);
  });
});
