import { expect } from 'chai';
import { eventQueueLine, formatStatus } from '../../../src/status/format-status.js';

describe('the event queue line of `status`', function () {
  it('receiving, with the last batch; failing, with the error made visible', function () {
    const since = '2026-12-07T03:00:00.000Z';
    const updatedAt = since;
    expect(eventQueueLine({ queue: 'events', state: 'receiving', since, updatedAt })).to.equal(`Event queue events: receiving since ${since}`);
    expect(eventQueueLine({ queue: 'events', state: 'receiving', since, lastBatchAt: '2026-12-07T03:05:00.000Z', updatedAt })).to.equal(
      `Event queue events: receiving since ${since} (last batch applied 2026-12-07T03:05:00.000Z)`,
    );
    const failing = eventQueueLine({ queue: 'events', state: 'failing', since, lastError: 'denied\u001b[31m (AccessDenied)', updatedAt });
    expect(failing).to.match(/^Event queue events: FAILING since 2026-12-07T03:00:00.000Z: denied.*\(AccessDenied\)$/);
    expect(failing).to.not.include('\u001b');
  });

  it('comes before the runs, and only when event mode ran for this owner', function () {
    const base = { ownerId: 'default', runs: [], problems: [], managedConnections: 0, warnings: [] };
    expect(formatStatus(base)).to.not.include('Event queue');
    const text = formatStatus({ ...base, eventQueue: { queue: 'events', state: 'receiving', since: 'x', updatedAt: 'x' } });
    expect(text.split('\n')[2]).to.equal('Event queue events: receiving since x');
  });
});
