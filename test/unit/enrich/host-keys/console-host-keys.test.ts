import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  hostKeyParameter,
  NO_HOST_KEYS_PROBLEM,
  NO_VALID_KEY_PROBLEM,
  parseConsoleHostKeys,
  preferredHostKey,
  TRUNCATED_BLOCK_PROBLEM,
} from '../../../../src/enrich/host-keys/console-host-keys.js';
import type { HostKey, HostKeyType } from '../../../../src/enrich/host-keys/console-host-keys.js';

/** A host key made by ssh-keygen: the `.pub` line as cloud-init prints it, and its fingerprint line. */
interface GeneratedKey extends HostKey {
  readonly pubLine: string;
  /** `256 SHA256:… root@ip-10-0-0-5 (ECDSA)`, as in the FINGERPRINTS block. */
  readonly fingerprint: string;
}

const COMMENT = 'root@ip-10-0-0-5';
const KERNEL = '[   12.345678] systemd[1]: Started cloud-final.service - Execute cloud user/final scripts.';

function generate(dir: string, name: string, args: string[]): GeneratedKey {
  const file = join(dir, name);
  execFileSync('ssh-keygen', ['-q', ...args, '-N', '', '-C', COMMENT, '-f', file], { stdio: 'pipe' });
  const pubLine = readFileSync(`${file}.pub`, 'utf8').trim();
  const [type, base64] = pubLine.split(' ') as [HostKeyType, string];
  const fingerprint = execFileSync('ssh-keygen', ['-l', '-f', `${file}.pub`], { encoding: 'utf8' }).trim();
  return { type, base64, pubLine, fingerprint };
}

function keysBlock(lines: readonly string[], prefix = ''): string[] {
  return [`-----BEGIN SSH HOST KEY KEYS-----`, ...lines, `-----END SSH HOST KEY KEYS-----`].map((l) => prefix + l);
}

function fingerprintsBlock(keys: readonly GeneratedKey[], prefix = ''): string[] {
  const rule = '#############################################################';
  const lines = ['-----BEGIN SSH HOST KEY FINGERPRINTS-----', ...keys.map((k) => k.fingerprint)];
  return [rule, ...lines, '-----END SSH HOST KEY FINGERPRINTS-----', rule].map((l) => prefix + l);
}

function keysOf(text: string): readonly HostKey[] {
  const result = parseConsoleHostKeys(text);
  if ('problem' in result) return expect.fail(`unexpected problem: ${result.problem}`);
  return result.keys;
}

function bare(...keys: GeneratedKey[]): HostKey[] {
  return keys.map(({ type, base64 }) => ({ type, base64 }));
}

describe('parseConsoleHostKeys', () => {
  let dir: string;
  let ed25519: GeneratedKey;
  let ecdsa: GeneratedKey;
  let rsa: GeneratedKey;
  let otherEcdsa: GeneratedKey;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'host-keys-'));
    ed25519 = generate(dir, 'ed25519', ['-t', 'ed25519']);
    ecdsa = generate(dir, 'ecdsa', ['-t', 'ecdsa', '-b', '256']);
    rsa = generate(dir, 'rsa', ['-t', 'rsa', '-b', '2048']);
    otherEcdsa = generate(dir, 'ecdsa-2', ['-t', 'ecdsa', '-b', '256']);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads Amazon Linux 2023 output: `ec2: ` prefixes, fingerprints block before the keys block', () => {
    const text = [
      '[    0.000000] Linux version 6.1.79-99.164.amzn2023.x86_64 (mockbuild@ip-10-0-54-178) (gcc (GCC) 11.4.1)',
      "[   10.512062] cloud-init[1594]: Cloud-init v. 22.2.2 running 'modules:final' at Thu, 01 Feb 2024. Up 10.46 seconds.",
      'ec2: ',
      ...fingerprintsBlock([ecdsa, ed25519], 'ec2: '),
      ...keysBlock([ecdsa.pubLine, ed25519.pubLine], 'ec2: '),
      'ec2: #############################################################',
      '[   10.601234] cloud-init[1594]: Cloud-init v. 22.2.2 finished at Thu, 01 Feb 2024. Datasource DataSourceEc2.',
      '',
      'Amazon Linux 2023.3.20240131',
      'Kernel 6.1.79-99.164.amzn2023.x86_64 on an x86_64 (-)',
      'ip-10-0-0-5 login: ',
    ].join('\n');

    expect(keysOf(text)).to.deep.equal(bare(ecdsa, ed25519));
  });

  it('reads Ubuntu output: syslog-prefixed fingerprints, unprefixed keys with comments', () => {
    const text = [
      "[   25.931774] cloud-init[1107]: Cloud-init v. 23.4.4 running 'modules:final' at Mon, 05 Feb 2024 09:00:00 +0000.",
      'ci-info: no authorized SSH keys fingerprints found for user ubuntu.',
      ...fingerprintsBlock([ecdsa, ed25519, rsa], '<14>Feb  5 09:00:01 cloud-init: '),
      ...keysBlock([ecdsa.pubLine, ed25519.pubLine, rsa.pubLine]),
      '[   26.041122] cloud-init[1107]: Cloud-init v. 23.4.4 finished at Mon, 05 Feb 2024 09:00:01 +0000.',
    ].join('\n');

    expect(keysOf(text)).to.deep.equal(bare(ecdsa, ed25519, rsa));
  });

  it('handles CRLF line ends', () => {
    const text = ['boot', ...keysBlock([ed25519.pubLine, rsa.pubLine], 'ec2: '), 'login: '].join('\r\n');

    expect(keysOf(text)).to.deep.equal(bare(ed25519, rsa));
  });

  it('strips ANSI colour codes and terminal title sequences', () => {
    const text = [
      '\x1b]0;ip-10-0-0-5\x07\x1b[0;32m[  OK  ]\x1b[0m Started \x1b[0;1;39mcloud-final.service\x1b[0m.',
      '\x1b[1;33mec2: \x1b[0m-----BEGIN SSH HOST KEY KEYS-----\x1b[K',
      `\x1b[1;33mec2: \x1b[0m\x1b[32m${ecdsa.pubLine}\x1b[0m`,
      `\x1b[1;33mec2: \x1b[0m${ed25519.pubLine}\x1b[K`,
      '\x1b[1;33mec2: \x1b[0m-----END SSH HOST KEY KEYS-----',
    ].join('\n');

    expect(keysOf(text)).to.deep.equal(bare(ecdsa, ed25519));
  });

  it('skips kernel messages printed between the key lines', () => {
    const text = keysBlock([
      ecdsa.pubLine,
      '[   11.020304] random: crng init done',
      KERNEL,
      ed25519.pubLine,
      '[   11.100000] audit: type=1130 audit(1706778000.123:145): pid=1 uid=0 msg=\'unit=cloud-final\'',
    ]).join('\n');

    expect(keysOf(text)).to.deep.equal(bare(ecdsa, ed25519));
  });

  it('takes the last complete block when the keys were printed twice (reboot, new keys)', () => {
    const text = [
      ...keysBlock([ecdsa.pubLine, ed25519.pubLine]),
      '[    0.000000] Linux version 6.1.79-99.164.amzn2023.x86_64',
      ...keysBlock([otherEcdsa.pubLine, rsa.pubLine]),
    ].join('\n');

    expect(keysOf(text)).to.deep.equal(bare(otherEcdsa, rsa));
  });

  it('keeps the last complete block when a later one is cut off by the end of the output', () => {
    const text = [...keysBlock([ecdsa.pubLine]), KERNEL, '-----BEGIN SSH HOST KEY KEYS-----', otherEcdsa.pubLine].join('\n');

    expect(keysOf(text)).to.deep.equal(bare(ecdsa));
  });

  it('reports a block without END as cut off', () => {
    const text = [KERNEL, 'ec2: -----BEGIN SSH HOST KEY KEYS-----', `ec2: ${ecdsa.pubLine}`, 'ec2: ssh-ed25519 AAAAC3Nz'].join('\n');

    expect(parseConsoleHostKeys(text)).to.deep.equal({ problem: TRUNCATED_BLOCK_PROBLEM });
  });

  it('reports no keys when the window starts inside the block (END without BEGIN)', () => {
    const text = [ed25519.pubLine, '-----END SSH HOST KEY KEYS-----', KERNEL].join('\n');

    expect(parseConsoleHostKeys(text)).to.deep.equal({ problem: NO_HOST_KEYS_PROBLEM });
  });

  it('drops corrupted lines (bad characters, cut in the middle, interrupted) and keeps the others', () => {
    const cut = ed25519.base64.slice(0, 48); // a multiple of 4: still decodes, but the blob is incomplete
    const text = keysBlock([
      `ssh-ed25519 ${cut}`,
      `ssh-rsa ${rsa.base64.slice(0, 40)}*&^%${rsa.base64.slice(44)} ${COMMENT}`,
      `${ecdsa.type} ${ecdsa.base64.slice(0, 30)}[   11.5] random: crng init done`,
      ecdsa.base64.slice(30),
      ed25519.pubLine,
    ]).join('\n');

    expect(keysOf(text)).to.deep.equal(bare(ed25519));
  });

  it('drops a key whose blob is of another type than declared', () => {
    const text = keysBlock([`ssh-rsa ${ed25519.base64} ${COMMENT}`, `ecdsa-sha2-nistp384 ${ecdsa.base64}`, rsa.pubLine]).join('\n');

    expect(keysOf(text)).to.deep.equal(bare(rsa));
  });

  it('reports a complete block without any valid key', () => {
    const text = keysBlock([`ssh-ed25519 ${rsa.base64}`, 'no keys here']).join('\n');

    expect(parseConsoleHostKeys(text)).to.deep.equal({ problem: NO_VALID_KEY_PROBLEM });
  });

  it('reports no keys when there is no block at all, or only the fingerprints block', () => {
    const fingerprintsOnly = [KERNEL, ...fingerprintsBlock([ecdsa, ed25519], 'ec2: '), 'login: '].join('\n');

    expect(parseConsoleHostKeys('')).to.deep.equal({ problem: NO_HOST_KEYS_PROBLEM });
    expect(parseConsoleHostKeys([KERNEL, KERNEL].join('\n'))).to.deep.equal({ problem: NO_HOST_KEYS_PROBLEM });
    expect(parseConsoleHostKeys(fingerprintsOnly)).to.deep.equal({ problem: NO_HOST_KEYS_PROBLEM });
  });

  it('drops a key printed twice in the same block', () => {
    const text = keysBlock([ecdsa.pubLine, ecdsa.pubLine, `ec2: ${ecdsa.type} ${ecdsa.base64}`]).join('\n');

    expect(keysOf(text)).to.deep.equal(bare(ecdsa));
  });

  it('reads every supported key type, ECDSA P-384/P-521 and DSS included', function () {
    const p384 = generate(dir, 'p384', ['-t', 'ecdsa', '-b', '384']);
    const p521 = generate(dir, 'p521', ['-t', 'ecdsa', '-b', '521']);
    const keys = [p384, p521, ed25519, rsa, ecdsa];
    try {
      keys.push(generate(dir, 'dsa', ['-t', 'dsa']));
    } catch {
      // OpenSSH 9.8 and later cannot make DSA keys any more; the other types are still checked.
    }

    expect(keysOf(keysBlock(keys.map((k) => k.pubLine)).join('\n'))).to.deep.equal(bare(...keys));
  });
});

describe('preferredHostKey', () => {
  const key = (type: HostKeyType): HostKey => ({ type, base64: `${type}-blob` });

  const cases: [HostKeyType[], HostKeyType | undefined][] = [
    [['ssh-rsa', 'ssh-ed25519', 'ecdsa-sha2-nistp256'], 'ecdsa-sha2-nistp256'],
    [['ecdsa-sha2-nistp521', 'ecdsa-sha2-nistp384'], 'ecdsa-sha2-nistp384'],
    [['ssh-rsa', 'ecdsa-sha2-nistp521', 'ssh-ed25519'], 'ecdsa-sha2-nistp521'],
    [['ssh-dss', 'ssh-rsa', 'ssh-ed25519'], 'ssh-ed25519'],
    [['ssh-dss', 'ssh-rsa'], 'ssh-rsa'],
    [['ssh-dss'], undefined],
    [[], undefined],
  ];
  for (const [types, expected] of cases) {
    it(`picks ${expected ?? 'nothing'} from [${types.join(', ')}] (libssh2's host key algorithm order)`, () => {
      expect(preferredHostKey(types.map(key))).to.deep.equal(expected === undefined ? undefined : key(expected));
    });
  }

  it('takes the first key of the chosen type', () => {
    const first = { type: 'ssh-ed25519', base64: 'first' } as const;

    expect(preferredHostKey([first, { type: 'ssh-ed25519', base64: 'second' }])).to.equal(first);
  });
});

describe('hostKeyParameter', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'host-key-param-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('is one known_hosts entry for the connection hostname, which ssh-keygen finds under that name', () => {
    execFileSync('ssh-keygen', ['-q', '-t', 'ecdsa', '-b', '256', '-N', '', '-C', COMMENT, '-f', join(dir, 'k')]);
    const [type, base64] = readFileSync(join(dir, 'k.pub'), 'utf8').trim().split(' ') as [HostKeyType, string];

    const value = hostKeyParameter({ type, base64 }, '10.0.0.5');

    expect(value).to.equal(`10.0.0.5 ${type} ${base64}`);
    writeFileSync(join(dir, 'known_hosts'), `${value}\n`);
    const found = execFileSync('ssh-keygen', ['-F', '10.0.0.5', '-f', join(dir, 'known_hosts')], { encoding: 'utf8' });
    expect(found).to.contain(`10.0.0.5 ${type} ${base64}`);
  });

  it('accepts DNS names and IPv6 addresses as they stand in the hostname parameter', () => {
    const key: HostKey = { type: 'ssh-ed25519', base64: 'AAAA' };

    expect(hostKeyParameter(key, 'ip-10-0-0-5.ec2.internal')).to.equal('ip-10-0-0-5.ec2.internal ssh-ed25519 AAAA');
    expect(hostKeyParameter(key, '2001:db8::5')).to.equal('2001:db8::5 ssh-ed25519 AAAA');
  });

  it('refuses a hostname that cannot stand in a known_hosts entry', () => {
    const key: HostKey = { type: 'ssh-ed25519', base64: 'AAAA' };

    for (const hostname of ['', 'two words', 'a,b', '|1|hashed', '#comment', '@cert-authority', '[10.0.0.5]:22']) {
      expect(() => hostKeyParameter(key, hostname), hostname).to.throw(RangeError);
    }
  });
});
