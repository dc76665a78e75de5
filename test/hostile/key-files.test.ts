import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { FakeInstance } from '../support/fake-ec2.js';
import { readConnections, type ConnectionView } from '../support/guacamole-queries.js';
import { cachedRsaKeyPair, encryptLikeEc2, pemKeyPair } from '../support/key-fixtures.js';
import { expectRows, snapshotRows } from '../support/row-diff.js';
import { DIALECTS } from '../support/test-databases.js';
import { hostileOwnerSettings } from './hostile-owner.js';
import { logLinesMatching, startHarness, type FaultHarness } from '../faults/fault-harness.js';
import { KEY_TEXT } from '../faults/fault-keys.js';

/**
 * Bad key files, end to end through real runs: each SSH instance below names a key pair whose `.pem` is broken in one
 * way. The instance must get its connection without `private-key` (the user is prompted) and a warning naming the
 * instance and the problem, never the key text; the rest of the fleet keeps its keys.
 */
interface KeyCase {
  readonly title: string;
  /** Key pair name (the file is `<name>.pem`). */
  readonly keyName: string;
  /** Makes the file (or whatever stands in its place) in the keys folder. */
  readonly make: (dir: string, outside: string) => void;
  readonly warning: RegExp;
}

const OTHER = pemKeyPair('rsa-pkcs1');

const CASES: readonly KeyCase[] = [
  { title: 'an empty file', keyName: 'empty', make: (d) => writeFileSync(join(d, 'empty.pem'), '', { mode: 0o600 }), warning: /empty\.pem/ },
  {
    title: 'a binary file',
    keyName: 'binary',
    make: (d) => writeFileSync(join(d, 'binary.pem'), Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 37) % 256)), { mode: 0o600 }),
    warning: /binary\.pem/,
  },
  {
    title: 'a public key instead of a private one',
    keyName: 'public',
    make: (d) => writeFileSync(join(d, 'public.pem'), OTHER.publicPem, { mode: 0o600 }),
    warning: /public\.pem.*public key|public key/i,
  },
  {
    title: 'a symbolic link out of the keys folder',
    keyName: 'escape',
    make: (d, o) => symlinkSync(join(o, 'stolen.pem'), join(d, 'escape.pem')),
    warning: /outside the keys folder/,
  },
  { title: 'a folder named x.pem', keyName: 'folder', make: (d) => mkdirSync(join(d, 'folder.pem')), warning: /is a folder/ },
  // A file removed after it was found reads as missing; a link whose target is gone is the deterministic form of that.
  {
    title: 'a file that is gone (link to a removed file)',
    keyName: 'vanished',
    make: (d) => symlinkSync(join(d, 'removed.pem'), join(d, 'vanished.pem')),
    warning: /does not exist/,
  },
];

const idOf = (i: number) => `i-00000000000keys${String(i).padStart(2, '0')}`;

function keyInstances(): FakeInstance[] {
  return CASES.map((c, i) => ({
    instanceId: idOf(i),
    region: 'us-east-1',
    imageId: 'ami-al2023',
    keyName: c.keyName,
    privateIp: `10.8.0.${i + 1}`,
    tags: { Name: `key-${c.keyName}` },
  }));
}

for (const dialect of DIALECTS) {
  describe(`hostile key files on ${dialect}`, function () {
    let h: FaultHarness;
    let outside: string;

    before(async function () {
      this.timeout(120_000); // an 8192-bit key takes a few seconds to generate
      h = await startHarness(dialect, { settings: hostileOwnerSettings() });
      outside = mkdtempSync(join(tmpdir(), 'ged-outside-'));
      writeFileSync(join(outside, 'stolen.pem'), OTHER.privateText, { mode: 0o600 });
      for (const c of CASES) c.make(h.config.keysDir, outside);
      h.fake.instances.push(...keyInstances());
      await cachedRsaKeyPair(8192);
    });
    after(async function () {
      await h?.close();
      rmSync(outside, { recursive: true, force: true });
    });

    it('each broken key: a connection without private-key and a warning naming the instance; the fleet keeps its keys', async function () {
      const report = await h.run();
      expect(report, JSON.stringify(report)).to.include({ ok: true, skipped: 0 });
      const owned = await h.ownedIds();
      const byId = new Map([...(await readConnections(h.database.db)).values()].map((c) => [c.id, c]));
      for (const [i, c] of CASES.entries()) {
        const connection = byId.get(owned.get(`us-east-1/${idOf(i)}`) ?? -1);
        expect(connection, c.title).to.not.equal(undefined);
        expect(connection!.parameters, c.title).to.not.have.property('private-key');
        const lines = logLinesMatching(h.logs, 'warn', new RegExp(idOf(i)));
        expect(lines.map((l) => String(l.message)).join('\n'), c.title).to.match(c.warning);
      }
      expect(byId.get(owned.get('us-east-1/i-00000000000000db1') ?? -1)?.parameters['private-key']).to.equal(KEY_TEXT);
      const all = JSON.stringify(h.logs);
      expect(all).to.not.include('PRIVATE KEY-----');
      expect(logLinesMatching(h.logs, 'error', /./)).to.deep.equal([]);

      const before = await snapshotRows(h.database.db);
      expect(await h.run()).to.include({ ok: true, created: 0, updated: 0, deleted: 0 });
      await expectRows(h.database.db, before, 'after a second run');
    });

    it('an 8192-bit RSA key (PEM over the 4096-character parameter limit): reported, the instance skipped, its connection kept', async function () {
      const big = await cachedRsaKeyPair(8192);
      writeFileSync(join(h.config.keysDir, 'big.pem'), big.privateText, { mode: 0o600 });
      const id = 'i-0000000000keybig1';
      // First with a key that fits, so there is a connection to keep.
      writeFileSync(join(h.config.keysDir, 'fits.pem'), OTHER.privateText, { mode: 0o600 });
      h.fake.instances.push({ instanceId: id, region: 'us-east-1', imageId: 'ami-al2023', keyName: 'fits', privateIp: '10.8.1.1', tags: { Name: 'big-key' } });
      await h.run();
      const before = (await readConnections(h.database.db)).get('Amazon EC2/big-key');
      expect(before?.parameters['private-key']).to.equal(OTHER.privateText);

      h.fake.instances.find((i) => i.instanceId === id)!.keyName = 'big';
      h.fake.instances.find((i) => i.instanceId === 'i-00000000000000db1')!.privateIp = '10.0.1.77'; // the rest still syncs
      const report = await h.run();
      expect(report).to.include({ ok: true, skipped: 1, updated: 1, deleted: 0 });
      expect(report.skippedByReason).to.deep.equal({ too_long: 1 });
      const line = logLinesMatching(h.logs, 'warn', /instance skipped/).find((l) => String(l.instance).endsWith(id));
      expect(String(line?.message)).to.match(/private-key is \d+ characters; the database allows 4096/);
      const connections = await readConnections(h.database.db);
      expect(connections.get('Amazon EC2/big-key')).to.deep.equal(before); // skipped: kept exactly as it was
      expect(connections.get('Amazon EC2/Databases/MySQL/db-01')?.parameters.hostname).to.equal('10.0.1.77');
    });

    it('a Windows key for another instance: decryption fails, reported, the stored password kept', async function () {
      const id = 'i-00000000000winkey';
      const mine = pemKeyPair('rsa-pkcs1');
      writeFileSync(join(h.config.keysDir, 'winkey.pem'), mine.privateText, { mode: 0o600 });
      h.fake.instances.push({
        instanceId: id,
        region: 'us-east-1',
        platform: 'windows',
        keyName: 'winkey',
        privateIp: '10.8.2.1',
        tags: { Name: 'win-key' },
        passwordData: encryptLikeEc2('Right-Passw0rd', mine.publicPem),
      });
      await h.run();
      const stored = (await readConnections(h.database.db)).get('Amazon EC2/win-key') as ConnectionView;
      expect(stored.parameters.password).to.equal('Right-Passw0rd');

      // The key file is replaced by another instance's key: the password can no longer be decrypted.
      writeFileSync(join(h.config.keysDir, 'winkey.pem'), OTHER.privateText, { mode: 0o600 });
      const report = await h.run();
      expect(report.ok).to.equal(true);
      const lines = logLinesMatching(h.logs, 'warn', new RegExp(id)).map((l) => String(l.message));
      expect(lines.join('\n')).to.match(/password/i);
      expect(JSON.stringify(h.logs)).to.not.include('Right-Passw0rd');
      expect((await readConnections(h.database.db)).get('Amazon EC2/win-key')?.parameters.password).to.equal('Right-Passw0rd');
    });
  });
}
