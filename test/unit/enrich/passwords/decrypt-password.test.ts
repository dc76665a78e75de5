import { expect } from 'chai';
import { constants, createPrivateKey, privateDecrypt, publicEncrypt } from 'node:crypto';
import { decryptWindowsPassword, removePkcs1Type2Padding, WRONG_KEY_REASON } from '../../../../src/enrich/passwords/decrypt-password.js';
import { inspectPrivateKey } from '../../../../src/enrich/keys/private-key.js';
import type { PrivateKeyInfo } from '../../../../src/enrich/keys/key-types.js';
import { cachedRsaKeyPair, encryptLikeEc2, pemKeyPair, randomPassword, sshKeygen, wrapBase64, type KeyPairFixture } from '../../../support/key-fixtures.js';

function info(text: string): PrivateKeyInfo {
  const inspected = inspectPrivateKey(text);
  if ('error' in inspected) return expect.fail(inspected.error);
  return inspected;
}

function expectPassword(data: string, key: PrivateKeyInfo, password: string): void {
  expect(decryptWindowsPassword(data, key)).to.deep.equal({ ok: true, password });
}

function expectRefused(data: string, key: PrivateKeyInfo, reason: RegExp | string, secret?: string): void {
  const result = decryptWindowsPassword(data, key);
  if (result.ok) expect.fail('expected a refusal, got a password');
  if (typeof reason === 'string') expect(result.reason).to.equal(reason);
  else expect(result.reason).to.match(reason);
  if (secret !== undefined) expect(result.reason).not.to.contain(secret);
}

/** Raw RSA (no padding) of a hand-made block: lets a test choose exactly what "decrypts". */
function encryptRawBlock(block: Buffer, publicPem: string): string {
  return publicEncrypt({ key: publicPem, padding: constants.RSA_NO_PADDING }, block).toString('base64');
}

function pkcs1Block(message: Buffer, size: number, paddingLength = size - 3 - message.length): Buffer {
  const padding = Buffer.alloc(paddingLength, 0x5a);
  const block = Buffer.concat([Buffer.from([0x00, 0x02]), padding, Buffer.from([0x00]), message]);
  return Buffer.concat([block, Buffer.alloc(size - block.length)]);
}

describe('decryptWindowsPassword', () => {
  let rsa2048: KeyPairFixture;
  before(async () => {
    rsa2048 = await cachedRsaKeyPair(2048);
  });

  it('does not rely on RSA_PKCS1_PADDING for decryption, which this Node refuses', function () {
    const password = 'Pa55word!';
    const ciphertext = Buffer.from(encryptLikeEc2(password, rsa2048.publicPem), 'base64');
    let refused: unknown;
    try {
      privateDecrypt({ key: rsa2048.privateText, padding: constants.RSA_PKCS1_PADDING }, ciphertext);
    } catch (err) {
      refused = err;
    }
    // Node ≥ 18.19.1 / 20.11.1 throw here (CVE-2023-46809) unless started with --security-revert; builds whose
    // OpenSSL has implicit rejection allow it again. Either way the manual unpadding must give the password.
    expectPassword(ciphertext.toString('base64'), info(rsa2048.privateText), password);
    if (refused === undefined) this.skip();
    expect(refused).to.have.property('code', 'ERR_INVALID_ARG_VALUE');
    expect(String(refused)).to.contain('RSA_PKCS1_PADDING is no longer supported for private decryption');
  });

  describe('round trips, as EC2 encrypts', () => {
    const cases: [string, () => Promise<KeyPairFixture | undefined>][] = [
      ['PKCS#1 2048', () => cachedRsaKeyPair(2048)],
      ['PKCS#1 4096', () => cachedRsaKeyPair(4096)],
      ['PKCS#8 2048', async () => pemKeyPair('rsa-pkcs8')],
      ['OpenSSH 2048', async () => sshKeygen({ type: 'rsa', bits: 2048 })],
      ['OpenSSH 4096', async () => sshKeygen({ type: 'rsa', bits: 4096 })],
      ['legacy PEM from ssh-keygen -m PEM', async () => sshKeygen({ type: 'rsa', bits: 2048, pem: true })],
    ];
    for (const [title, make] of cases) {
      it(`${title}, key with CRLF, base64 with line breaks`, async () => {
        const pair = (await make()) as KeyPairFixture;
        const key = info(pair.privateText.replace(/\n/g, '\r\n'));
        const password = 'x%Q7;J?nW(.q&MhZe9r$K!u@G2LsbT-d';
        expectPassword(wrapBase64(encryptLikeEc2(password, pair.publicPem)), key, password);
        expectPassword(`  ${encryptLikeEc2(password, pair.publicPem)}\n`, key, password);
      });
    }

    it('200 random 32-character passwords never lose or gain a character', () => {
      const key = info(rsa2048.privateText);
      for (let seed = 1; seed <= 200; seed++) {
        const password = randomPassword(seed);
        expectPassword(encryptLikeEc2(password, rsa2048.publicPem), key, password);
      }
    });

    it('non-ASCII passwords and the longest Windows allows', () => {
      const key = info(rsa2048.privateText);
      for (const password of ['Pässwörd€1', 'パスワード', 'a', 'x'.repeat(127), '€'.repeat(60)]) {
        expectPassword(encryptLikeEc2(password, rsa2048.publicPem), key, password);
      }
    });
  });

  describe('never returns garbage as a password', () => {
    it('wrong key: a reason, never a password', () => {
      const other = info(pemKeyPair('rsa-pkcs1').privateText);
      for (let seed = 1; seed <= 50; seed++) {
        const password = randomPassword(seed);
        expectRefused(encryptLikeEc2(password, rsa2048.publicPem), other, WRONG_KEY_REASON, password);
      }
    });

    it('wrong key of another size', async () => {
      const other = info((await cachedRsaKeyPair(4096)).privateText);
      expectRefused(encryptLikeEc2('Secret123!', rsa2048.publicPem), other, WRONG_KEY_REASON);
    });

    it('truncated, padded or empty data', () => {
      const key = info(rsa2048.privateText);
      const data = encryptLikeEc2('Secret123!', rsa2048.publicPem);
      const bytes = Buffer.from(data, 'base64');
      expectRefused(bytes.subarray(0, 255).toString('base64'), key, WRONG_KEY_REASON);
      expectRefused(bytes.subarray(1).toString('base64'), key, WRONG_KEY_REASON);
      expectRefused(Buffer.concat([bytes, Buffer.from([0])]).toString('base64'), key, WRONG_KEY_REASON);
      expectRefused(Buffer.alloc(256, 0xff).toString('base64'), key, WRONG_KEY_REASON);
      expectRefused(data.slice(0, -4), key, WRONG_KEY_REASON);
      expectRefused('', key, /no password data/);
      expectRefused(' \r\n', key, /no password data/);
    });

    it('data that is not base64', () => {
      const key = info(rsa2048.privateText);
      expectRefused('not base64 at all!', key, /not valid base64/);
      expectRefused(encryptLikeEc2('Secret123!', rsa2048.publicPem).slice(0, -1), key, /not valid base64/);
    });

    it('a block that unpads to control characters, an empty or an overlong message, or invalid UTF-8', () => {
      const key = info(rsa2048.privateText);
      for (const message of ['abc\u0001def', 'tab\there', 'new\nline', '\u007f', '\u200bzero-width', '']) {
        expectRefused(encryptLikeEc2(message, rsa2048.publicPem), key, WRONG_KEY_REASON);
      }
      expectRefused(encryptLikeEc2('x'.repeat(128), rsa2048.publicPem), key, WRONG_KEY_REASON);
      expectRefused(encryptRawBlock(pkcs1Block(Buffer.from([0xc3, 0x28, 0x41]), 256), rsa2048.publicPem), key, WRONG_KEY_REASON);
      expectRefused(encryptRawBlock(pkcs1Block(Buffer.from('\uFEFFpassword'), 256), rsa2048.publicPem), key, WRONG_KEY_REASON);
    });

    it('a block with too little padding (fewer than 8 bytes)', () => {
      // A 1024-bit key, so that the rest of the block is short enough to pass as a password if the check were missing.
      const small = pemKeyPair('rsa-pkcs1', { bits: 1024 });
      const message = Buffer.from('y'.repeat(128 - 3 - 7));
      expectRefused(encryptRawBlock(pkcs1Block(message, 128, 7), small.publicPem), info(small.privateText), WRONG_KEY_REASON);
      expectPassword(encryptRawBlock(pkcs1Block(message.subarray(1), 128, 8), small.publicPem), info(small.privateText), 'y'.repeat(117));
    });
  });

  describe('keys that cannot decrypt', () => {
    it('ED25519: names the type', () => {
      const key = info(pemKeyPair('ed25519-pkcs8').privateText);
      expectRefused('AAAA', key, /ED25519.*cannot be used for Windows/);
    });

    it('ECDSA: names the type', () => {
      expectRefused('AAAA', info(pemKeyPair('ec-sec1').privateText), /ECDSA.*RSA/);
    });

    it('a passphrase-protected key (OpenSSH, PKCS#8, legacy PEM)', () => {
      const keys = [
        sshKeygen({ type: 'rsa', bits: 2048, passphrase: 'secret' }),
        pemKeyPair('rsa-pkcs8', { passphrase: 'secret' }),
        sshKeygen({ type: 'rsa', bits: 2048, pem: true, passphrase: 'secret' }),
      ] as KeyPairFixture[];
      for (const pair of keys) expectRefused(encryptLikeEc2('Secret123!', pair.publicPem), info(pair.privateText), /protected by a passphrase/);
    });

    it('never quotes the key', () => {
      const pair = pemKeyPair('rsa-pkcs1');
      const damaged: PrivateKeyInfo = { ...info(pair.privateText), text: pair.privateText.replace(/\n[A-Za-z0-9+/]{64}\n/, '\n') };
      const result = decryptWindowsPassword(encryptLikeEc2('Secret123!', pair.publicPem), damaged);
      expect(result.ok).to.equal(false);
      expect(JSON.stringify(result)).not.to.contain(pair.privateText.split('\n')[3]);
    });
  });
});

describe('removePkcs1Type2Padding', () => {
  const message = Buffer.from('hello');
  const cases: [string, Buffer, string | undefined][] = [
    ['a valid block', pkcs1Block(message, 32), 'hello'],
    ['exactly 8 padding bytes', pkcs1Block(message, 16, 8), 'hello'],
    ['7 padding bytes', Buffer.concat([Buffer.from([0, 2]), Buffer.alloc(7, 1), Buffer.from([0]), message]), undefined],
    ['first byte not 0x00', Buffer.concat([Buffer.from([1, 2]), Buffer.alloc(8, 1), Buffer.from([0]), message]), undefined],
    ['block type 1 (signatures)', Buffer.concat([Buffer.from([0, 1]), Buffer.alloc(8, 0xff), Buffer.from([0]), message]), undefined],
    ['no separator', Buffer.concat([Buffer.from([0, 2]), Buffer.alloc(20, 1)]), undefined],
    ['an empty message', Buffer.concat([Buffer.from([0, 2]), Buffer.alloc(8, 1), Buffer.from([0])]), ''],
    ['too short to hold anything', Buffer.from([0]), undefined],
  ];
  for (const [title, block, expected] of cases) {
    it(title, () => {
      const result = removePkcs1Type2Padding(block);
      expect(result === undefined ? undefined : Buffer.from(result).toString()).to.equal(expected);
    });
  }

  it('agrees with OpenSSL on what a PKCS#1 v1.5 block is', () => {
    const { privateText, publicPem } = pemKeyPair('rsa-pkcs1');
    const raw = privateDecrypt(
      { key: createPrivateKey(privateText), padding: constants.RSA_NO_PADDING },
      Buffer.from(encryptLikeEc2('abc', publicPem), 'base64'),
    );
    expect(Buffer.from(removePkcs1Type2Padding(raw) ?? []).toString()).to.equal('abc');
  });
});
