import { expect } from 'chai';
import { generateKeyPairSync } from 'node:crypto';
import { combineKeySources } from '../../../../src/enrich/keys/combined-key-source.js';
import { createKeeperKeySource } from '../../../../src/enrich/keys/keeper-vault.js';
import { inspectPrivateKey } from '../../../../src/enrich/keys/private-key.js';
import type { KeyLookup, KeySource, PrivateKeyInfo } from '../../../../src/enrich/keys/key-types.js';
import { FakeKeeperVault } from '../../../support/fake-keeper.js';

const info = (label: string): PrivateKeyInfo => ({ text: `${label}\n`, format: 'pkcs8', type: 'ed25519', encrypted: false });
type Found = Extract<KeyLookup, { status: 'found' }>;
const found = (where: string): Found => ({ status: 'found', key: info(where), source: where });
const problem = (status: 'missing' | 'invalid' | 'unavailable', reason: string): KeyLookup => ({ status, reason });

/** An in-memory key source answering from a table; records the names it is asked for. */
function tableSource(answers: Readonly<Record<string, KeyLookup>>, asked: string[][] = []): KeySource {
  return async (names) => {
    asked.push([...names]);
    return new Map(names.flatMap((name) => (answers[name] === undefined ? [] : [[name, answers[name]] as const])));
  };
}

const failing: KeySource = async () => {
  throw new Error('boom');
};

describe('combineKeySources', () => {
  const vault = {
    found: found('vault'),
    missing: problem('missing', 'no vault record'),
    invalid: problem('invalid', 'ambiguous vault record'),
    unavailable: problem('unavailable', 'Keeper vault unreachable'),
  };
  const folder = {
    found: found('folder'),
    missing: problem('missing', 'no file'),
    invalid: problem('invalid', 'bad file'),
    unavailable: problem('unavailable', 'folder unreadable'),
  };
  type Status = keyof typeof vault;
  const rows: { vault: Status; folder: Status; expected: KeyLookup; folderAsked: boolean }[] = [
    { vault: 'found', folder: 'found', expected: vault.found, folderAsked: false },
    { vault: 'found', folder: 'invalid', expected: vault.found, folderAsked: false },
    { vault: 'invalid', folder: 'found', expected: vault.invalid, folderAsked: false },
    { vault: 'missing', folder: 'found', expected: folder.found, folderAsked: true },
    { vault: 'missing', folder: 'missing', expected: problem('missing', 'no vault record; no file'), folderAsked: true },
    { vault: 'missing', folder: 'invalid', expected: problem('invalid', 'bad file; no vault record'), folderAsked: true },
    {
      vault: 'missing',
      folder: 'unavailable',
      expected: problem('unavailable', 'folder unreadable; no vault record'),
      folderAsked: true,
    },
    {
      vault: 'unavailable',
      folder: 'found',
      expected: { ...folder.found, warnings: ['Keeper vault unreachable; used this key instead'] },
      folderAsked: true,
    },
    { vault: 'unavailable', folder: 'missing', expected: vault.unavailable, folderAsked: true },
    { vault: 'unavailable', folder: 'invalid', expected: vault.unavailable, folderAsked: true },
    { vault: 'unavailable', folder: 'unavailable', expected: vault.unavailable, folderAsked: true },
  ];
  for (const row of rows) {
    const from = row.expected.status === 'found' ? ` from ${row.expected.source}` : '';
    it(`vault ${row.vault} + folder ${row.folder} → ${row.expected.status}${from}`, async () => {
      const asked: string[][] = [];
      const combined = combineKeySources(tableSource({ k: vault[row.vault] }), tableSource({ k: folder[row.folder] }, asked));
      expect((await combined(['k'])).get('k')).to.deep.equal(row.expected);
      expect(asked).to.deep.equal(row.folderAsked ? [['k']] : []);
    });
  }

  it('keeps the warnings of a found key and adds to them', async () => {
    const warned: Found = { ...found('folder'), warnings: ['readable by everyone'] };
    const combined = combineKeySources(tableSource({ k: vault.unavailable }), tableSource({ k: warned }));
    const answer = (await combined(['k'])).get('k');
    expect(answer)
      .to.have.property('warnings')
      .that.deep.equals(['readable by everyone', 'Keeper vault unreachable; used this key instead']);
  });

  it('asks the fallback once, for the unsettled names only, and answers each name once', async () => {
    const asked: string[][] = [];
    const primary = tableSource({ a: vault.found, b: vault.missing, c: vault.invalid, d: vault.unavailable });
    const combined = combineKeySources(primary, tableSource({ b: folder.found, d: folder.missing }, asked));
    const answers = await combined(['a', 'b', 'c', 'd', 'b']);
    expect(asked).to.deep.equal([['b', 'd']]);
    expect([...answers.entries()]).to.deep.equal([
      ['a', vault.found],
      ['b', folder.found],
      ['c', vault.invalid],
      ['d', vault.unavailable],
    ]);
  });

  it('takes a name the primary did not answer to the fallback', async () => {
    const combined = combineKeySources(tableSource({}), tableSource({ k: folder.found }));
    expect((await combined(['k'])).get('k')).to.deep.equal(folder.found);
  });

  it('treats a primary that throws as unavailable', async () => {
    const combined = combineKeySources(failing, tableSource({ a: folder.found, b: folder.missing }));
    const answers = await combined(['a', 'b']);
    expect(answers.get('a')).to.deep.equal({ ...folder.found, warnings: ['key source failed: boom; used this key instead'] });
    expect(answers.get('b')).to.deep.equal(problem('unavailable', 'key source failed: boom'));
  });

  it('treats a fallback that throws as unavailable', async () => {
    const combined = combineKeySources(tableSource({ a: vault.missing, b: vault.found }), failing);
    const answers = await combined(['a', 'b']);
    expect(answers.get('a')).to.deep.equal(problem('unavailable', 'key source failed: boom; no vault record'));
    expect(answers.get('b')).to.deep.equal(vault.found);
  });

  describe('with the Keeper vault source (real SDK, fake vault)', () => {
    let fake: FakeKeeperVault;
    const pem = (): string => generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const vaultKey = pem();
    const folderKey: KeyLookup = { status: 'found', key: info('folder key'), source: '/etc/keys/web.pem' };

    beforeEach(async () => {
      fake = new FakeKeeperVault();
      await fake.start();
      fake.addRecord({ title: 'web', fields: [{ type: 'keyPair', value: [{ privateKey: vaultKey }] }] });
    });
    afterEach(() => fake.stop());

    const combined = () =>
      combineKeySources(
        createKeeperKeySource({ ksmConfig: fake.ksm.config, inspect: inspectPrivateKey, queryFunction: fake.queryFunction }),
        tableSource({ web: folderKey, db: folderKey }),
      );

    it('prefers the vault, falls back to the folder for names the vault lacks', async () => {
      const answers = await combined()(['web', 'db', 'none']);
      const web = answers.get('web') as Found;
      expect(web.status).to.equal('found');
      expect(web.key.text).to.equal(vaultKey);
      expect(web.source).to.match(/^Keeper record "web" \(/);
      expect(answers.get('db')).to.deep.equal(folderKey);
      expect(answers.get('none')).to.deep.equal(
        problem('missing', 'no record titled "none" or "none.pem" in the Keeper vault (shared with this application)'),
      );
      expect(fake.count('get_secret')).to.equal(1);
    });

    it('uses the folder key with a warning while the vault is unreachable, and keeps the rest unavailable', async () => {
      fake.failNext({ kind: 'network' });
      const answers = await combined()(['web', 'none']);
      const web = answers.get('web') as Found;
      expect(web.source).to.equal('/etc/keys/web.pem');
      expect(web.warnings).to.have.length(1);
      expect(web.warnings?.[0]).to.match(/^Keeper vault unreachable: connect ECONNREFUSED .*; used this key instead$/);
      expect(answers.get('none')?.status).to.equal('unavailable');
    });
  });
});
