import { expect } from 'chai';
import { createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { checkKsmConfig } from '../../../../src/config/ksm-config.js';
import { createKeeperKeySource } from '../../../../src/enrich/keys/keeper-vault.js';
import { inspectPrivateKey } from '../../../../src/enrich/keys/private-key.js';
import type { KeeperKeySourceOptions } from '../../../../src/enrich/keys/keeper-vault.js';
import type { KeyLookup, PrivateKeyInfo } from '../../../../src/enrich/keys/key-types.js';
import { FakeKeeperVault, createFakeKsmConfig } from '../../../support/fake-keeper.js';

/** A small stand-in for `inspectPrivateKey`: PEM only, encrypted PKCS#8 recognised by its header. */
function inspect(text: string): PrivateKeyInfo | { error: string } {
  const pem = `${text.replace(/\r\n/g, '\n').trim()}\n`;
  if (pem.startsWith('-----BEGIN ENCRYPTED PRIVATE KEY-----')) return { text: pem, format: 'pkcs8', type: 'rsa', encrypted: true };
  try {
    const key = createPrivateKey(pem);
    const type = key.asymmetricKeyType === 'ed25519' ? 'ed25519' : 'rsa';
    return { text: pem, format: pem.includes('BEGIN RSA PRIVATE KEY') ? 'pkcs1' : 'pkcs8', type, encrypted: false };
  } catch {
    return { error: 'is not a PEM private key' };
  }
}

const ed25519 = (): string => generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
const rsaPem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs1' }).toString();
const encryptedPem = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { format: 'pem', type: 'spki' },
  privateKeyEncoding: { format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'correct horse' },
}).privateKey;

const keyPair = (privateKey: string) => ({ type: 'keyPair', value: [{ publicKey: 'ssh-ed25519 AAAA', privateKey }] });
const login = { type: 'login', value: ['ec2-user'] };

function expectFound(lookup: KeyLookup | undefined): Extract<KeyLookup, { status: 'found' }> {
  expect(lookup?.status, JSON.stringify(lookup)).to.equal('found');
  return lookup as Extract<KeyLookup, { status: 'found' }>;
}

function expectProblem(lookup: KeyLookup | undefined, status: KeyLookup['status']): string {
  expect(lookup?.status, JSON.stringify(lookup)).to.equal(status);
  return (lookup as { reason: string }).reason;
}

describe('Keeper vault key source (real KSM SDK, fake vault)', () => {
  let fake: FakeKeeperVault;
  let logLines: string[];
  let sleeps: number[];

  const source = (extra: Partial<KeeperKeySourceOptions> = {}) =>
    createKeeperKeySource({
      ksmConfig: fake.ksm.config,
      inspect,
      queryFunction: fake.queryFunction,
      throttleSleep: async (ms) => void sleeps.push(ms),
      logger: {
        debug: (message, meta) => logLines.push(`${message} ${JSON.stringify(meta)}`),
        warn: (message, meta) => logLines.push(`${message} ${JSON.stringify(meta)}`),
      },
      ...extra,
    });

  beforeEach(async () => {
    fake = new FakeKeeperVault();
    logLines = [];
    sleeps = [];
    await fake.start();
  });
  afterEach(() => fake.stop());

  describe('record kinds', () => {
    it('takes the private key of a keyPair field', async () => {
      const key = ed25519();
      const uid = fake.addRecord({ title: 'prod', fields: [login, keyPair(key)] });
      const found = expectFound((await source()(['prod'])).get('prod'));
      expect(found.key.text).to.equal(key);
      expect(found.source).to.equal(`Keeper record "prod" (${uid})`);
      expect(found.warnings).to.equal(undefined);
    });

    it('downloads a single .pem attachment through the SDK', async () => {
      const uid = fake.addRecord({ title: 'build', fields: [login], files: [{ name: 'build.pem', content: rsaPem }] });
      const found = expectFound((await source()(['build'])).get('build'));
      expect(found.key).to.include({ text: rsaPem, format: 'pkcs1', type: 'rsa', encrypted: false });
      expect(found.source).to.equal(`Keeper record "build" (${uid})`);
      expect(fake.count('download')).to.equal(1);
    });

    it('takes a single .key attachment (any case) and ignores other attachments', async () => {
      const key = ed25519();
      fake.addRecord({ title: 'deploy', files: [{ name: 'notes.txt', content: 'hello' }, { name: 'Deploy.KEY', content: key }] });
      expect(expectFound((await source()(['deploy'])).get('deploy')).key.text).to.equal(key);
      expect(fake.count('download')).to.equal(1);
    });

    it('calls two .pem attachments ambiguous and downloads neither', async () => {
      const files = [{ name: 'a.pem', content: ed25519() }, { name: 'b.pem', content: ed25519() }];
      const uid = fake.addRecord({ title: 'twins', files });
      const reason = expectProblem((await source()(['twins'])).get('twins'), 'invalid');
      expect(reason).to.equal(`Keeper record "twins" (${uid}): ambiguous: 2 .pem/.key attachments ("a.pem", "b.pem")`);
      expect(fake.count('download')).to.equal(0);
    });

    it('takes a custom field labelled "Private Key" (hidden or multiline)', async () => {
      const hidden = ed25519();
      const multiline = ed25519();
      fake.addRecord({ title: 'hidden', fields: [login], custom: [{ type: 'secret', label: 'Private Key', value: [hidden] }] });
      const custom = [{ type: 'text', label: 'host', value: ['x'] }, { type: 'multiline', label: 'ssh privatekey', value: [multiline] }];
      fake.addRecord({ title: 'multi', custom });
      const answers = await source()(['hidden', 'multi']);
      expect(expectFound(answers.get('hidden')).key.text).to.equal(hidden);
      expect(expectFound(answers.get('multi')).key.text).to.equal(multiline);
    });

    it('prefers the keyPair field to an attachment and a custom field', async () => {
      const key = ed25519();
      fake.addRecord({
        title: 'both',
        fields: [keyPair(key)],
        custom: [{ type: 'secret', label: 'Private Key', value: [ed25519()] }],
        files: [{ name: 'both.pem', content: ed25519() }],
      });
      expect(expectFound((await source()(['both'])).get('both')).key.text).to.equal(key);
      expect(fake.count('download')).to.equal(0);
    });

    it('skips an empty keyPair field and uses the attachment', async () => {
      const key = ed25519();
      fake.addRecord({ title: 'empty-pair', fields: [{ type: 'keyPair', value: [] }], files: [{ name: 'k.pem', content: key }] });
      expect(expectFound((await source()(['empty-pair'])).get('empty-pair')).key.text).to.equal(key);
    });

    it('finds a record titled with .pem', async () => {
      const key = ed25519();
      fake.addRecord({ title: 'legacy.pem', fields: [keyPair(key)] });
      expect(expectFound((await source()(['legacy'])).get('legacy')).key.text).to.equal(key);
    });

    it('finds a title differing in case when exactly one matches, with a warning', async () => {
      fake.addRecord({ title: 'Web-Key.PEM', fields: [keyPair(ed25519())] });
      const found = expectFound((await source()(['web-key'])).get('web-key'));
      expect(found.warnings).to.deep.equal(['the Keeper record title "Web-Key.PEM" differs in case from the key pair name "web-key"']);
    });

    it('prefers the exact title to titles differing in case', async () => {
      const key = ed25519();
      fake.addRecord({ title: 'Exact', fields: [keyPair(ed25519())] });
      fake.addRecord({ title: 'exact', fields: [keyPair(key)] });
      const found = expectFound((await source()(['exact'])).get('exact'));
      expect(found.key.text).to.equal(key);
      expect(found.warnings).to.equal(undefined);
    });

    it('calls several records matching ignoring case ambiguous', async () => {
      fake.addRecord({ title: 'Staging', fields: [keyPair(ed25519())] });
      fake.addRecord({ title: 'STAGING.pem', fields: [keyPair(ed25519())] });
      const reason = expectProblem((await source()(['staging'])).get('staging'), 'invalid');
      expect(reason).to.match(/^ambiguous: 2 records titled "staging" or "staging\.pem" \(ignoring case\)/);
    });

    it('calls two records with the same title ambiguous, naming their uids', async () => {
      const a = fake.addRecord({ title: 'dup', fields: [keyPair(ed25519())] });
      const b = fake.addRecord({ title: 'dup.pem', files: [{ name: 'dup.pem', content: ed25519() }] });
      const reason = expectProblem((await source()(['dup'])).get('dup'), 'invalid');
      expect(reason).to.equal(`ambiguous: 2 records titled "dup" or "dup.pem" in the Keeper vault (${a}, ${b})`);
    });

    it('counts a record shared directly and through a shared folder once', async () => {
      const key = ed25519();
      fake.addRecord({ title: 'shared', fields: [keyPair(key)], alsoInSharedFolder: true });
      expect(expectFound((await source()(['shared'])).get('shared')).key.text).to.equal(key);
    });

    it('reports a record without a key as invalid', async () => {
      const uid = fake.addRecord({ title: 'nokey', type: 'login', fields: [login, { type: 'password', value: ['hunter2'] }] });
      const reason = expectProblem((await source()(['nokey'])).get('nokey'), 'invalid');
      expect(reason).to.match(new RegExp(`^Keeper record "nokey" \\(${uid}\\) holds no private key`));
    });

    it('reports a name without a record as missing', async () => {
      fake.addRecord({ title: 'other', fields: [keyPair(ed25519())] });
      const reason = expectProblem((await source()(['absent'])).get('absent'), 'missing');
      expect(reason).to.equal('no record titled "absent" or "absent.pem" in the Keeper vault (shared with this application)');
    });

    it('returns a passphrase-protected key as found and encrypted', async () => {
      fake.addRecord({ title: 'locked', files: [{ name: 'locked.pem', content: encryptedPem }] });
      const found = expectFound((await source()(['locked'])).get('locked'));
      expect(found.key.encrypted).to.equal(true);
      expect(found.key.text).to.equal(encryptedPem);
    });

    it('reports text the inspector rejects as invalid, naming record and place, not the text', async () => {
      const custom = [{ type: 'secret', label: 'Private Key', value: ['not-a-key-0123456789'] }];
      const uid = fake.addRecord({ title: 'broken', custom });
      const reason = expectProblem((await source()(['broken'])).get('broken'), 'invalid');
      expect(reason).to.equal(`Keeper record "broken" (${uid}): the custom field "Private Key" is not a PEM private key`);
    });

    it('refuses an attachment too large to be a key without downloading it', async () => {
      fake.addRecord({ title: 'huge', files: [{ name: 'huge.pem', content: ed25519(), size: 5_000_000 }] });
      expect(expectProblem((await source()(['huge'])).get('huge'), 'invalid')).to.match(/too large/);
      expect(fake.count('download')).to.equal(0);
    });
  });

  describe('one vault fetch per run', () => {
    it('answers every name with one get_secret call, downloading within the run', async () => {
      for (const name of ['a', 'b', 'c']) fake.addRecord({ title: name, fields: [keyPair(ed25519())] });
      for (const name of ['d', 'e']) fake.addRecord({ title: `${name}.pem`, files: [{ name: `${name}.pem`, content: ed25519() }] });
      const lookUp = source();
      const answers = await lookUp(['a', 'b', 'c', 'd', 'e', 'e.pem', 'absent', 'a']);
      expect([...answers.keys()]).to.deep.equal(['a', 'b', 'c', 'd', 'e', 'e.pem', 'absent']);
      expect([...answers.values()].map((l) => l.status)).to.deep.equal([...Array<string>(6).fill('found'), 'missing']);
      expect(fake.count('get_secret')).to.equal(1);
      expect(fake.count('download')).to.equal(2); // "e" and "e.pem" share one record: one download
      const again = await lookUp(['d', 'e']);
      expectFound(again.get('d'));
      expect(fake.count('get_secret')).to.equal(2);
      expect(fake.count('download')).to.equal(4);
    });

    it('does not call the vault for an empty list', async () => {
      expect((await source()([])).size).to.equal(0);
      expect(fake.count('get_secret')).to.equal(0);
    });

    it('keeps overlapping runs apart (the SDK clears its file keys on every fetch)', async () => {
      for (const name of ['p', 'q']) fake.addRecord({ title: name, files: [{ name: `${name}.pem`, content: ed25519() }] });
      const lookUp = source();
      let second: Promise<ReadonlyMap<string, KeyLookup>> | undefined;
      // A second run starts while the first downloads; its vault reply comes late. Run unguarded, its fetch
      // would empty the SDK's key cache before the first run decrypts its download ("Unable to load the key").
      fake.onRequest = async (endpoint, count) => {
        if (endpoint === 'download' && count === 1) {
          second = lookUp(['q']);
          await delay(50);
        }
        if (endpoint === 'get_secret' && count === 2) await delay(200);
      };
      expectFound((await lookUp(['p'])).get('p'));
      expectFound((await second!).get('q'));
      expect(fake.count('get_secret')).to.equal(2);
    });
  });

  describe('vault unavailable', () => {
    const names = ['a', 'b', 'c'];
    const consoleError = console.error;
    let stderr: string[];
    beforeEach(() => {
      for (const name of names) fake.addRecord({ title: name, fields: [keyPair(ed25519())] });
      // The SDK writes its warnings with console.error, outside any logger.
      stderr = [];
      console.error = (...args: unknown[]) => void stderr.push(args.map(String).join(' '));
    });
    afterEach(() => {
      console.error = consoleError;
    });

    it('answers unavailable for every name when the vault throttles, after the SDK retries', async () => {
      fake.failNext({ kind: 'throttle' });
      const answers = await source()(names);
      for (const name of names) {
        expect(expectProblem(answers.get(name), 'unavailable')).to.match(/^Keeper vault throttled this application: /);
      }
      expect(fake.count('get_secret')).to.equal(6);
      expect(sleeps).to.have.length(5);
      expect(stderr.filter((line) => line.startsWith('WARNING: Request throttled'))).to.have.length(5);
    });

    it('recovers when the throttling ends within the SDK retries', async () => {
      fake.failNext({ kind: 'throttle' }, 2);
      expectFound((await source()(['a'])).get('a'));
      expect(fake.count('get_secret')).to.equal(3);
    });

    it('answers unavailable for every name when the vault is unreachable', async () => {
      fake.failNext({ kind: 'network' });
      const answers = await source()(names);
      for (const name of names) {
        expect(expectProblem(answers.get(name), 'unavailable')).to.match(/^Keeper vault unreachable: connect ECONNREFUSED/);
      }
      expect(logLines.some((line) => line.startsWith('Keeper vault unavailable'))).to.equal(true);
    });

    it('answers unavailable when a real connection is refused (no queryFunction)', async () => {
      const ksm = createFakeKsmConfig({ hostname: '127.0.0.1:1' });
      const answers = await createKeeperKeySource({ ksmConfig: ksm.config, inspect })(['a']);
      expect(expectProblem(answers.get('a'), 'unavailable')).to.match(/^Keeper vault unreachable: .*ECONNREFUSED/);
    });

    it('answers unavailable when the vault refuses the device (revoked)', async () => {
      const body = JSON.stringify({ result_code: 'access_denied', message: 'Unable to validate application access' });
      fake.failNext({ kind: 'http', status: 403, body });
      const reason = expectProblem((await source()(['a'])).get('a'), 'unavailable');
      expect(reason).to.equal('Keeper vault refused the request: access_denied: Unable to validate application access');
    });

    it('answers unavailable when the configuration belongs to another device', async () => {
      const other = createFakeKsmConfig();
      const reason = expectProblem((await source({ ksmConfig: other.config })(['a'])).get('a'), 'unavailable');
      expect(reason).to.match(/^Keeper vault refused the request: invalid_signature/);
    });

    it('answers unavailable when the appKey does not match the application', async () => {
      const wrongAppKey = createFakeKsmConfig({ ...fake.ksm.json, appKey: randomBytes(32).toString('base64') });
      const reason = expectProblem((await source({ ksmConfig: wrongAppKey.config })(['a'])).get('a'), 'unavailable');
      expect(reason).to.match(/^Keeper vault reply could not be decrypted/);
      expect(stderr.filter((line) => / skipped due to error: /.test(line))).to.have.length(3);
    });

    it('answers unavailable without calling the vault when the configuration is malformed', async () => {
      const reason = expectProblem((await source({ ksmConfig: 'bm90IGpzb24=' })(['a'])).get('a'), 'unavailable');
      expect(reason).to.match(/^Keeper configuration invalid: the KSM configuration is not base64-encoded JSON/);
      expect(fake.count('get_secret')).to.equal(0);
    });

    it('answers unavailable for an attachment whose download link expired', async () => {
      fake.addRecord({ title: 'file', files: [{ name: 'file.pem', content: ed25519() }] });
      fake.expiredDownloads = true;
      const answers = await source()(['a', 'file']);
      expectFound(answers.get('a'));
      expect(expectProblem(answers.get('file'), 'unavailable')).to.match(/the attachment "file\.pem" could not be downloaded/);
      expect(fake.count('get_secret')).to.equal(1);
    });
  });

  describe('with the real inspectPrivateKey', () => {
    const real = () => source({ inspect: inspectPrivateKey });

    it('finds passphrase-protected keys (PKCS#8 and legacy PEM) as encrypted', async () => {
      const legacy = generateKeyPairSync('rsa', { modulusLength: 2048 })
        .privateKey.export({ format: 'pem', type: 'pkcs1', cipher: 'aes-128-cbc', passphrase: 'secret' })
        .toString();
      fake.addRecord({ title: 'pkcs8', files: [{ name: 'pkcs8.pem', content: encryptedPem }] });
      fake.addRecord({ title: 'legacy', fields: [keyPair(legacy)] });
      const answers = await real()(['pkcs8', 'legacy']);
      expect(expectFound(answers.get('pkcs8')).key).to.include({ format: 'pkcs8', encrypted: true });
      expect(expectFound(answers.get('legacy')).key).to.include({ format: 'pkcs1', type: 'rsa', encrypted: true });
    });

    it('normalises line endings and reads the RSA size', async () => {
      const windowsText = `\r\n${rsaPem.replace(/\n/g, '\r\n')}`;
      fake.addRecord({ title: 'crlf', custom: [{ type: 'multiline', label: 'Private Key', value: [windowsText] }] });
      const found = expectFound((await real()(['crlf'])).get('crlf'));
      expect(found.key).to.deep.equal({ text: rsaPem, format: 'pkcs1', type: 'rsa', encrypted: false, bits: 2048 });
    });

    it('reports a public key stored as the private key', async () => {
      const publicKey = generateKeyPairSync('ed25519').publicKey.export({ format: 'pem', type: 'spki' }).toString();
      const uid = fake.addRecord({ title: 'pub', fields: [keyPair(publicKey)] });
      const reason = expectProblem((await real()(['pub'])).get('pub'), 'invalid');
      expect(reason).to.equal(`Keeper record "pub" (${uid}): the keyPair field holds a public key, not a private one`);
    });
  });

  describe('secrets', () => {
    it('never puts the configuration or key text into a reason or a log line', async () => {
      const keyText = ed25519();
      fake.addRecord({ title: 'k1', custom: [{ type: 'secret', label: 'Private Key', value: [`${keyText}garbage`] }] });
      fake.addRecord({ title: 'k2', files: [{ name: 'a.pem', content: keyText }, { name: 'b.pem', content: keyText }] });
      const reasons: string[] = [];
      const collect = (answers: ReadonlyMap<string, KeyLookup>) => {
        for (const lookup of answers.values()) if (lookup.status !== 'found') reasons.push(lookup.reason);
        for (const lookup of answers.values()) if (lookup.status === 'found') reasons.push(lookup.source, ...(lookup.warnings ?? []));
      };
      collect(await source()(['k1', 'k2', 'k3']));
      // An API error quoting the client id, and a config the SDK cannot use, are redacted as well.
      const body = JSON.stringify({ result_code: 'bad_client', message: `client ${fake.ksm.json['clientId']} unknown` });
      fake.failNext({ kind: 'http', status: 400, body });
      collect(await source()(['k1']));
      fake.heal();
      collect(await source({ ksmConfig: createFakeKsmConfig({ appKey: undefined }).config })(['k1']));
      expect(reasons.join('\n')).to.include('[redacted]');
      const secrets = [fake.ksm.config, ...Object.values(fake.ksm.json).filter((v) => v.length > 20), keyText.split('\n')[1]!];
      for (const text of [...reasons, ...logLines]) for (const secret of secrets) expect(text).not.to.include(secret);
    });
  });
});

describe('checkKsmConfig', () => {
  const ksm = createFakeKsmConfig();
  const withJson = (json: Record<string, unknown>) => Buffer.from(JSON.stringify(json)).toString('base64');

  const cases: { name: string; value: string; expected: RegExp | undefined }[] = [
    { name: 'a bound device configuration (base64)', value: ksm.config, expected: undefined },
    { name: 'the same JSON unencoded', value: JSON.stringify(ksm.json), expected: undefined },
    { name: 'an empty value', value: '  ', expected: /is empty/ },
    { name: 'text that is not base64 JSON', value: 'xK9/not base64 at all', expected: /is not base64-encoded JSON/ },
    { name: 'base64 of a JSON array', value: Buffer.from('[1]').toString('base64'), expected: /is not base64-encoded JSON/ },
    {
      name: 'no clientId and no hostname',
      value: withJson({ ...ksm.json, clientId: undefined, hostname: '' }),
      expected: /lacks hostname, clientId$/,
    },
    {
      name: 'an unbound one-time-token configuration',
      value: withJson({ ...ksm.json, appKey: undefined, clientKey: 'abc' }),
      expected: /unbound one-time-token/,
    },
    {
      name: 'a privateKey that is not P-256',
      value: withJson({ ...ksm.json, privateKey: randomBytes(138).toString('base64') }),
      expected: /privateKey is not a base64 EC P-256 key/,
    },
    {
      name: 'an appKey of the wrong length',
      value: withJson({ ...ksm.json, appKey: randomBytes(16).toString('base64') }),
      expected: /appKey is not a base64 32-byte key/,
    },
    { name: 'an unknown serverPublicKeyId', value: withJson({ ...ksm.json, serverPublicKeyId: '99' }), expected: /serverPublicKeyId/ },
  ];
  for (const { name, value, expected } of cases) {
    it(`${expected === undefined ? 'accepts' : 'rejects'} ${name}`, () => {
      const problem = checkKsmConfig(value);
      if (expected === undefined) return expect(problem).to.equal(undefined);
      expect(problem).to.match(expected);
      for (const secret of [value.trim(), ...Object.values(ksm.json)]) if (secret.length > 3) expect(problem).not.to.include(secret);
    });
  }
});
