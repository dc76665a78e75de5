import { expect } from 'chai';
import { readConnections, readGroupPaths } from '../../support/guacamole-queries.js';
import { runCli, summaryOf } from '../../support/run-cli.js';
import { DIALECTS } from '../../support/test-databases.js';
import {
  accountRows,
  accountsEnv,
  box,
  DEV,
  DEV_ROLE,
  OWN_ACCOUNT,
  ownedKeys,
  PROD,
  PROD_EXTERNAL_ID,
  PROD_ROLE,
  secretsIn,
  useAccountFakes,
} from './accounts-fixture.js';

for (const dialect of DIALECTS) {
  describe(`AWS_DISCOVERY_ASSUME_ROLES on ${dialect}`, function () {
    const suite = useAccountFakes(dialect);
    let env: Record<string, string>;
    beforeEach(async function () {
      env = accountsEnv(suite.database, suite.fakes);
    });

    it('puts each account in its alias folder (the id where the alias cannot be read), keyed <account>/<region>/<id>', async function () {
      const result = await runCli(['--once'], env);
      expect(result.code, result.stdout + result.stderr).to.equal(0);
      expect(summaryOf(result)).to.include({ created: 4, deleted: 0 });
      expect([...(await readConnections(suite.database.db)).keys()].sort()).to.deep.equal([
        `Amazon EC2/${DEV}/dev-web`,
        'Amazon EC2/own-alias/own-box',
        'Amazon EC2/prod-alias/prod-db',
        'Amazon EC2/prod-alias/prod-web',
      ]);
      expect(await ownedKeys(suite.database.db)).to.deep.equal([
        `${OWN_ACCOUNT}/us-east-1/i-0000000000000a001`,
        `${PROD}/eu-west-1/i-0000000000000b002`,
        `${PROD}/us-east-1/i-0000000000000b001`,
        `${DEV}/us-east-1/i-0000000000000c001`,
      ].sort());
      // Each account was listed with its own credentials.
      const listedBy = new Set(suite.fakes.ec2.requestsFor('DescribeInstances').map((r) => `${r.account}/${r.region}`));
      expect(listedBy).to.deep.equal(new Set([OWN_ACCOUNT, PROD, DEV].flatMap((a) => [`${a}/us-east-1`, `${a}/eu-west-1`])));
      const aliasWarnings = result.logs.filter((l) => l.level === 'warn' && String(l.message).includes('account alias'));
      expect(aliasWarnings.map((l) => [l.account, l.code])).to.deep.equal([[DEV, 'AccessDenied']]);
      expect(result.logs.some((l) => l.message === 'credentials from static keys (AWS_DISCOVERY_ACCESS_KEY_ID)')).to.equal(true);
      expect(secretsIn(result, suite.fakes)).to.deep.equal([]);
    });

    it('sends RoleSessionName and the external id to AssumeRole, and asks GetCallerIdentity for self', async function () {
      expect((await runCli(['--once'], env)).code).to.equal(0);
      const assumed = suite.fakes.sts
        .requestsFor('AssumeRole')
        .map((r) => [r.params.get('RoleArn'), r.params.get('RoleSessionName'), r.params.get('ExternalId'), r.accessKeyId]);
      expect(assumed.sort()).to.deep.equal(
        [
          [PROD_ROLE, 'guacamole-ec2-discovery', PROD_EXTERNAL_ID, 'AKIDOWNACCOUNT'],
          [DEV_ROLE, 'guacamole-ec2-discovery', null, 'AKIDOWNACCOUNT'],
        ].sort(),
      );
      expect(suite.fakes.sts.requestsFor('GetCallerIdentity')).to.have.length(1);
      // Each account's alias was asked with that account's credentials.
      const aliasAsked = suite.fakes.sts.requestsFor('ListAccountAliases').map((r) => r.accessKeyId?.slice(0, 16));
      expect(aliasAsked.sort()).to.deep.equal(['AKIDOWNACCOUNT', `ASIA${DEV}`, `ASIA${PROD}`].sort());
    });

    it('AWS_DISCOVERY_ACCOUNT_FOLDER: none, or a template with {alias} and {id}', async function () {
      const none = await runCli(['--once'], { ...env, AWS_DISCOVERY_ACCOUNT_FOLDER: 'none' });
      expect(none.code, none.stdout + none.stderr).to.equal(0);
      expect([...(await readConnections(suite.database.db)).keys()].sort()).to.deep.equal([
        'Amazon EC2/dev-web',
        'Amazon EC2/own-box',
        'Amazon EC2/prod-db',
        'Amazon EC2/prod-web',
      ]);
      expect(suite.fakes.sts.requestsFor('ListAccountAliases')).to.have.length(0); // not needed without {alias}

      const custom = await runCli(['--once'], { ...env, AWS_DISCOVERY_ACCOUNT_FOLDER: 'AWS {alias} ({id})' });
      expect(custom.code, custom.stdout + custom.stderr).to.equal(0);
      expect(summaryOf(custom)).to.include({ created: 0, updated: 4, deleted: 0 }); // moved, not recreated
      expect([...(await readConnections(suite.database.db)).keys()].sort()).to.deep.equal([
        `Amazon EC2/AWS ${DEV} (${DEV})/dev-web`,
        `Amazon EC2/AWS own-alias (${OWN_ACCOUNT})/own-box`,
        `Amazon EC2/AWS prod-alias (${PROD})/prod-db`,
        `Amazon EC2/AWS prod-alias (${PROD})/prod-web`,
      ]);
      expect(await readGroupPaths(suite.database.db)).to.deep.equal([
        'Amazon EC2',
        `Amazon EC2/AWS ${DEV} (${DEV})`,
        `Amazon EC2/AWS own-alias (${OWN_ACCOUNT})`,
        `Amazon EC2/AWS prod-alias (${PROD})`,
      ]);
    });

    it('a role refused with AccessDenied leaves that account row for row while the others sync; the report names it', async function () {
      expect((await runCli(['--once'], env)).code).to.equal(0);
      const devBefore = await accountRows(suite.database.db, DEV);
      suite.fakes.sts.refusedRoles.set(DEV_ROLE, { code: 'AccessDenied', status: 403 });
      suite.fakes.ec2.instances = [
        box('i-0000000000000a001', OWN_ACCOUNT, 'own-box-renamed'),
        box('i-0000000000000b001', PROD, 'prod-web'),
        box('i-0000000000000b003', PROD, 'prod-new'),
        // dev: empty; were the failure ignored, dev-web would look terminated
      ];
      const result = await runCli(['--once'], env);
      expect(result.code, result.stdout + result.stderr).to.equal(1);
      const summary = summaryOf(result);
      expect(summary).to.include({ created: 1, updated: 1, deleted: 1 }); // prod-db terminated; dev untouched
      expect(summary.failedAccounts).to.deep.equal([DEV]);
      expect(summary.failedRegions).to.deep.equal([`${DEV}/*`]);
      const line = result.logs.find((l) => l.message === 'account could not be read; its connections are left unchanged');
      expect(line).to.include({ scope: `${DEV}/*`, code: 'AccessDenied' });
      expect(String(line?.error))
        .to.include(`account ${DEV}: AssumeRole of ${DEV_ROLE} failed: AccessDenied`)
        .and.include(`grant sts:AssumeRole on ${DEV_ROLE}`)
        .and.include('trust');
      expect(await accountRows(suite.database.db, DEV)).to.equal(devBefore);
      expect([...(await readConnections(suite.database.db)).keys()].sort()).to.deep.equal([
        `Amazon EC2/${DEV}/dev-web`,
        'Amazon EC2/own-alias/own-box-renamed',
        'Amazon EC2/prod-alias/prod-new',
        'Amazon EC2/prod-alias/prod-web',
      ]);
      expect(suite.fakes.ec2.requests.filter((r) => r.account === DEV && r.action === 'DescribeInstances')).to.have.length(2); // first run only

      const problems = await suite.database.db
        .selectFrom('ec2_discovery_problem')
        .select(['subject', 'kind', 'message'])
        .where('owner_id', '=', 'default')
        .execute();
      const account = problems.find((p) => p.subject === `${DEV}/*`);
      expect(account?.kind).to.equal('account');
      expect(account?.message).to.include('AccessDenied');
      const status = await runCli(['status'], env);
      expect(status.code).to.equal(1);
      expect(status.stdout).to.include('Accounts that could not be read').and.include(`failed accounts: ${DEV}`).and.include('AccessDenied');
      expect(secretsIn(result, suite.fakes)).to.deep.equal([]);
    });

    it('the own account is frozen when GetCallerIdentity fails (its id is unknown); roles still create', async function () {
      expect((await runCli(['--once'], env)).code).to.equal(0);
      const ownBefore = await accountRows(suite.database.db, OWN_ACCOUNT);
      suite.fakes.sts.callerIdentityFailure = { code: 'InvalidClientTokenId', status: 403, message: 'The security token included in the request is invalid.' };
      suite.fakes.ec2.instances = [...suite.fakes.ec2.instances.filter((i) => i.account !== OWN_ACCOUNT), box('i-0000000000000c002', DEV, 'dev-new')];
      const result = await runCli(['--once'], env);
      expect(result.code, result.stdout + result.stderr).to.equal(1);
      expect(summaryOf(result)).to.include({ created: 1, deleted: 0 });
      expect(summaryOf(result).failedAccounts).to.deep.equal(['self']);
      const line = result.logs.find((l) => l.message === 'account could not be read; its connections are left unchanged');
      expect(line).to.include({ scope: '*', code: 'InvalidClientTokenId' });
      expect(String(line?.error)).to.include("the daemon's own account (self): GetCallerIdentity failed: InvalidClientTokenId");
      expect(await accountRows(suite.database.db, OWN_ACCOUNT)).to.equal(ownBefore);
    });

    it('an account removed from the settings loses its connections, within the deletion brake', async function () {
      expect((await runCli(['--once'], env)).code).to.equal(0);
      const withoutDev = { ...env, AWS_DISCOVERY_ASSUME_ROLES: `self ${PROD_ROLE}|${PROD_EXTERNAL_ID}` };
      const braked = await runCli(['--once'], { ...withoutDev, AWS_DISCOVERY_MAX_DELETE_COUNT: '0' });
      expect(braked.code).to.equal(1);
      expect(summaryOf(braked)).to.include({ deleted: 0 });
      expect(String(summaryOf(braked).deletionBrake)).to.include('deletion brake');

      const result = await runCli(['--once'], withoutDev);
      expect(result.code, result.stdout + result.stderr).to.equal(0);
      expect(summaryOf(result)).to.include({ created: 0, deleted: 1 });
      expect(await ownedKeys(suite.database.db)).to.not.include(`${DEV}/us-east-1/i-0000000000000c001`);
      expect(await readGroupPaths(suite.database.db)).to.deep.equal(['Amazon EC2', 'Amazon EC2/own-alias', 'Amazon EC2/prod-alias']);
    });

    it('AWS_DISCOVERY_REGIONS=* asks each account for its own regions, with its own credentials', async function () {
      suite.fakes.ec2.regionsByAccount = { [OWN_ACCOUNT]: ['us-east-1'], [PROD]: ['eu-west-1', 'us-east-1'], [DEV]: ['ap-south-1'] };
      suite.fakes.ec2.instances.push(box('i-0000000000000c009', DEV, 'dev-south', 'ap-south-1'));
      const result = await runCli(['--once'], { ...env, AWS_DISCOVERY_REGIONS: '*' });
      expect(result.code, result.stdout + result.stderr).to.equal(0);
      expect(suite.fakes.ec2.requestsFor('DescribeRegions').map((r) => r.account).sort()).to.deep.equal([OWN_ACCOUNT, PROD, DEV].sort());
      expect(new Set(suite.fakes.ec2.requestsFor('DescribeInstances').map((r) => `${r.account}/${r.region}`))).to.deep.equal(
        new Set([`${OWN_ACCOUNT}/us-east-1`, `${PROD}/eu-west-1`, `${PROD}/us-east-1`, `${DEV}/ap-south-1`]),
      );
      expect([...(await readConnections(suite.database.db)).keys()].sort()).to.deep.equal([
        `Amazon EC2/${DEV}/dev-south`,
        'Amazon EC2/own-alias/own-box',
        'Amazon EC2/prod-alias/prod-db',
        'Amazon EC2/prod-alias/prod-web',
      ]);
    });

    it('without AWS_DISCOVERY_ASSUME_ROLES: the own account only, keys <region>/<id>, no folder, no STS call; turning roles on adopts them', async function () {
      const { AWS_DISCOVERY_ASSUME_ROLES: _roles, ...plain } = env;
      const result = await runCli(['--once'], { ...plain, AWS_DISCOVERY_ACCOUNT_FOLDER: '{id}' });
      expect(result.code, result.stdout + result.stderr).to.equal(0);
      expect(await ownedKeys(suite.database.db)).to.deep.equal(['us-east-1/i-0000000000000a001']);
      expect([...(await readConnections(suite.database.db)).keys()]).to.deep.equal(['Amazon EC2/own-box']);
      expect(suite.fakes.sts.requests).to.have.length(0);

      // Turning roles on with self adopts the own connection (same id, moved into its folder) instead of recreating it.
      const id = (await readConnections(suite.database.db)).get('Amazon EC2/own-box')!.id;
      const dryRun = await runCli(['--once', '--dry-run'], env);
      expect(summaryOf(dryRun)).to.include({ created: 3, updated: 1, deleted: 0 });
      expect(await ownedKeys(suite.database.db)).to.deep.equal(['us-east-1/i-0000000000000a001']); // a dry run writes nothing
      const adopted = await runCli(['--once'], env);
      expect(adopted.code, adopted.stdout + adopted.stderr).to.equal(0);
      expect(summaryOf(adopted)).to.include({ created: 3, updated: 1, deleted: 0 });
      expect((await readConnections(suite.database.db)).get('Amazon EC2/own-alias/own-box')?.id).to.equal(id);
      expect(await ownedKeys(suite.database.db)).to.include(`${OWN_ACCOUNT}/us-east-1/i-0000000000000a001`).and.not.include('us-east-1/i-0000000000000a001');
      const again = await runCli(['--once'], env);
      expect(summaryOf(again)).to.include({ created: 0, updated: 0, deleted: 0, unchanged: 4 });
    });
  });
}
