import { PassThrough } from 'node:stream';
import { expect } from 'chai';
import winston from 'winston';
import { REFRESH_MARGIN_MS } from '../../../src/discover/credentials.js';
import { ec2Clients } from '../../../src/cli/run-with-config.js';
import { parseConfig } from '../../../src/config/config.js';
import { createRuntime } from '../../../src/run/runtime.js';
import { DIALECTS } from '../../support/test-databases.js';
import { accountsEnv, DEV, DEV_ROLE, PROD, PROD_ROLE, useAccountFakes } from './accounts-fixture.js';

/**
 * The clock both the fake STS (Expiration) and the daemon (renewal) read; the test moves it. It starts well in the past:
 * the SDK keeps its own wall-clock cache in front of the daemon's, and credentials the wall clock counts as expired make
 * it ask the daemon's cache on every call, so only this clock decides when AssumeRole is called again.
 */
function testClock() {
  let now = Date.parse('2020-01-01T00:00:00Z');
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

/** One daemon's lifetime in this process: the runtime and clients live across runs, as in the scheduled mode. */
function startDaemonInProcess(env: Record<string, string>, now?: () => number) {
  const { config, secrets } = parseConfig(env);
  const output = new PassThrough();
  let logged = '';
  output.on('data', (d: Buffer) => (logged += d.toString()));
  const logger = winston.createLogger({ level: 'debug', format: winston.format.json(), transports: [new winston.transports.Stream({ stream: output })] });
  const ec2 = ec2Clients(
    config,
    secrets,
    undefined,
    () => {},
    (message, meta) => logger.warn(message, meta),
    now,
  );
  const runtime = createRuntime({
    config,
    secrets,
    logger,
    ec2For: ec2.apiFor,
    ...(ec2.accounts ? { accounts: ec2.accounts } : {}),
    readKeys: async () => new Map(),
  });
  return {
    run: async () => {
      const attempt = await runtime.run({ dryRun: false });
      if (attempt.locked) throw new Error('unexpectedly locked');
      return attempt.report;
    },
    logged: () => logged,
    close: async () => {
      await runtime.close();
      ec2.close();
    },
  };
}

for (const dialect of DIALECTS) {
  describe(`assumed-role credentials across a daemon's runs on ${dialect}`, function () {
    const suite = useAccountFakes(dialect);

    it('assumes each role once while its credentials are fresh, again once they near expiry, and reads self and aliases once', async function () {
      const clock = testClock();
      const lifetime = suite.fakes.sts.credentialLifetimeMs;
      suite.fakes.sts.now = clock.now;
      const daemon = startDaemonInProcess(accountsEnv(suite.database, suite.fakes), clock.now);
      try {
        const assumed = () => suite.fakes.sts.requestsFor('AssumeRole').map((r) => r.params.get('RoleArn')).sort();
        expect((await daemon.run()).created).to.equal(4);
        expect(assumed()).to.deep.equal([PROD_ROLE, DEV_ROLE].sort());
        const firstKeys = new Set(suite.fakes.ec2.requests.filter((r) => r.account === PROD).map((r) => r.accessKeyId));

        // The last millisecond before the renewal margin: still cached.
        clock.advance(lifetime - REFRESH_MARGIN_MS - 1);
        expect((await daemon.run()).unchanged).to.equal(4);
        expect(assumed()).to.have.length(2);

        // At the margin: the next run must assume again, and EC2 must see the new keys.
        clock.advance(1);
        suite.fakes.ec2.requests.length = 0;
        const third = await daemon.run();
        expect(third.ok).to.equal(true);
        expect(assumed()).to.deep.equal([PROD_ROLE, PROD_ROLE, DEV_ROLE, DEV_ROLE].sort());
        const thirdKeys = new Set(suite.fakes.ec2.requests.filter((r) => r.account === PROD).map((r) => r.accessKeyId));
        expect(thirdKeys.size).to.be.greaterThan(0);
        expect([...thirdKeys].some((k) => firstKeys.has(k))).to.equal(false);

        // The renewed credentials are cached again.
        expect((await daemon.run()).unchanged).to.equal(4);
        expect(assumed()).to.have.length(4);

        expect(suite.fakes.sts.requestsFor('GetCallerIdentity')).to.have.length(1);
        // prod and self once each; dev's refusal is remembered for the daemon's lifetime and warned once.
        expect(suite.fakes.sts.requestsFor('ListAccountAliases')).to.have.length(3);
        expect(daemon.logged().split('cannot read the account alias').length - 1).to.equal(1);
        for (const secret of suite.fakes.sts.issuedSecrets) expect(daemon.logged()).to.not.include(secret);
      } finally {
        await daemon.close();
      }
    });

    it('a refused role is asked again on the next run (not cached), and recovers', async function () {
      suite.fakes.sts.refusedRoles.set(DEV_ROLE, { code: 'AccessDenied', status: 403 });
      const daemon = startDaemonInProcess(accountsEnv(suite.database, suite.fakes));
      try {
        const first = await daemon.run();
        expect(first.failedAccounts).to.deep.equal([DEV]);
        expect(first.created).to.equal(3);
        suite.fakes.sts.refusedRoles.delete(DEV_ROLE);
        const second = await daemon.run();
        expect(second).to.include({ ok: true, created: 1 });
        expect(suite.fakes.sts.requestsFor('AssumeRole').filter((r) => r.params.get('RoleArn') === DEV_ROLE)).to.have.length(2);
      } finally {
        await daemon.close();
      }
    });
  });
}
