import { expect } from 'chai';
import type { DiscoveredInstance, ImageInfo } from '../../../src/discover/instance.js';
import { parseFolderPath } from '../../../src/desired/folder-path.js';
import type { KeyLookup } from '../../../src/enrich/keys/key-types.js';
import { cleanName, NAME_LIMIT, truncate, withSuffix } from '../../../src/desired/names.js';
import { connectionParameters } from '../../../src/desired/parameters.js';
import { toDesiredConnections, type MappingOptions } from '../../../src/desired/to-desired-connections.js';
import { guessUsername } from '../../../src/desired/usernames.js';

const KEY_TEXT = 'SECRET-KEY-TEXT';
const RECORDING = '${HISTORY_PATH}/${HISTORY_UUID}';

function found(text: string): KeyLookup {
  return { status: 'found', key: { text, format: 'pkcs1', type: 'rsa', encrypted: false }, source: 'test' };
}

const options: MappingOptions = { basePath: ['Amazon EC2'], recordByDefault: false, charset: 'utf8mb4', parameterValueLimit: 4096 };

function instance(over: Partial<DiscoveredInstance> = {}): DiscoveredInstance {
  return { scope: 'us-east-1', instanceId: 'i-0abc', state: 'running', imageId: 'ami-1', keyName: 'deploy', privateIp: '10.0.0.5', tags: {}, ...over };
}

function map(
  inst: DiscoveredInstance,
  opts: Partial<MappingOptions> = {},
  image: Omit<ImageInfo, 'imageId'> | undefined = { name: 'al2023-ami-2023.4.20240401.1-kernel-6.1-x86_64' },
  keys: ReadonlyMap<string, KeyLookup> = new Map([['deploy', found(KEY_TEXT)]]),
) {
  const images = new Map<string, ImageInfo>(image === undefined ? [] : [['ami-1', { imageId: 'ami-1', ...image }]]);
  return toDesiredConnections({ instances: [inst], images, keys }, { ...options, ...opts });
}

function one(inst: DiscoveredInstance, opts: Partial<MappingOptions> = {}, image?: Omit<ImageInfo, 'imageId'>) {
  const result = arguments.length >= 3 ? map(inst, opts, image) : map(inst, opts);
  expect(result.connections, JSON.stringify(result.skipped)).to.have.length(1);
  return result.connections[0]!;
}

describe('toDesiredConnections', () => {
  it('maps a running Linux instance', () => {
    expect(one(instance({ tags: { Name: 'web' } }))).to.deep.equal({
      key: 'us-east-1/i-0abc',
      scope: 'us-east-1',
      instanceId: 'i-0abc',
      name: 'web',
      folder: ['Amazon EC2'],
      protocol: 'ssh',
      parameters: { hostname: '10.0.0.5', port: '22', username: 'ec2-user', 'private-key': KEY_TEXT },
    });
  });

  const nameCases: { tags: Record<string, string>; expected: string }[] = [
    { tags: { Name: 'web' }, expected: 'web' },
    { tags: { Name: '  a\tb\n c  ' }, expected: 'a b c' },
    { tags: { Name: '   ' }, expected: 'i-0abc' },
    { tags: {}, expected: 'i-0abc' },
  ];
  for (const { tags, expected } of nameCases) {
    it(`names ${JSON.stringify(tags)} as ${JSON.stringify(expected)}`, () => {
      expect(one(instance({ tags })).name).to.equal(expected);
    });
  }

  const stateCases: { state: string; kept: boolean }[] = [
    { state: 'pending', kept: true },
    { state: 'running', kept: true },
    { state: 'stopping', kept: true },
    { state: 'stopped', kept: true },
    { state: 'shutting-down', kept: false },
    { state: 'terminated', kept: false },
  ];
  for (const { state, kept } of stateCases) {
    it(`${kept ? 'keeps' : 'drops'} a ${state} instance`, () => {
      const result = map(instance({ state }));
      expect(result.connections).to.have.length(kept ? 1 : 0);
      expect(result.skipped).to.deep.equal([]);
    });
  }

  const hostCases: { privateIp?: string; publicIp?: string; expected: string | undefined }[] = [
    { privateIp: '10.0.0.5', publicIp: '203.0.113.9', expected: '10.0.0.5' },
    { publicIp: '203.0.113.9', expected: '203.0.113.9' },
    { expected: undefined },
  ];
  for (const { privateIp, publicIp, expected } of hostCases) {
    it(`uses hostname ${expected ?? '(none: skipped)'} for private ${privateIp} public ${publicIp}`, () => {
      const result = map(instance({ privateIp, publicIp }));
      if (expected === undefined) {
        expect(result.connections).to.deep.equal([]);
        expect(result.skipped).to.have.length(1);
        expect(result.skipped[0]).to.include({ key: 'us-east-1/i-0abc', scope: 'us-east-1', instanceId: 'i-0abc' });
        expect(result.skipped[0]!.reason).to.match(/no address yet \(private-ip, public-ip\)/);
      } else {
        expect(result.connections[0]!.parameters.hostname).to.equal(expected);
        expect(result.connections[0]!.parameters.port).to.equal('22');
      }
    });
  }

  const usernameCases: { title: string; tags?: Record<string, string>; image: Omit<ImageInfo, 'imageId'> | undefined; expected: string }[] = [
    { title: 'the kcm:username tag', tags: { 'kcm:username': ' deploy ' }, image: { name: 'ubuntu/images/x' }, expected: 'deploy' },
    { title: 'an empty kcm:username tag', tags: { 'kcm:username': ' ' }, image: { name: 'ubuntu/images/x' }, expected: 'ubuntu' },
    { title: 'Amazon Linux', image: { name: 'al2023-ami-2023.4-kernel-6.1-x86_64' }, expected: 'ec2-user' },
    { title: 'Ubuntu', image: { name: 'ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20240423' }, expected: 'ubuntu' },
    { title: 'an unknown image', image: { name: 'my-golden-image' }, expected: 'ec2-user' },
    { title: 'an absent image', image: undefined, expected: 'ec2-user' },
  ];
  for (const { title, tags, image, expected } of usernameCases) {
    it(`takes the username from ${title}`, () => {
      expect(one(instance({ tags: tags ?? {} }), {}, image).parameters.username).to.equal(expected);
    });
  }

  const folderCases: { organize?: string; basePath?: string[]; expected: string[] }[] = [
    { expected: ['Amazon EC2'] },
    { organize: 'Databases/MySQL', expected: ['Amazon EC2', 'Databases', 'MySQL'] },
    { organize: ' /a// b /', expected: ['Amazon EC2', 'a', 'b'] },
    { organize: '../../x/./y', expected: ['Amazon EC2', 'x', 'y'] },
    { organize: 'Web', basePath: ['AWS', 'Prod'], expected: ['AWS', 'Prod', 'Web'] },
  ];
  for (const { organize, basePath, expected } of folderCases) {
    it(`places kcm:organize ${JSON.stringify(organize)} in ${expected.join('/')}`, () => {
      const tags: Record<string, string> = organize === undefined ? {} : { 'kcm:organize': organize };
      expect(one(instance({ tags }), basePath === undefined ? {} : { basePath }).folder).to.deep.equal(expected);
    });
  }

  const recordCases: { tag?: string; byDefault: boolean; expected: boolean }[] = [
    { byDefault: false, expected: false },
    { byDefault: true, expected: true },
    { tag: 'TRUE', byDefault: false, expected: true },
    { tag: ' true ', byDefault: false, expected: true },
    { tag: 'false', byDefault: true, expected: false },
    { tag: 'FALSE', byDefault: true, expected: false },
    { tag: 'yes', byDefault: false, expected: false },
    { tag: 'other', byDefault: true, expected: true },
  ];
  for (const { tag, byDefault, expected } of recordCases) {
    it(`records ${expected ? 'on' : 'off'} for kcm:record ${JSON.stringify(tag)} with default ${byDefault}`, () => {
      const tags: Record<string, string> = tag === undefined ? {} : { 'kcm:record': tag };
      const parameters = one(instance({ tags }), { recordByDefault: byDefault }).parameters;
      const recording = { 'recording-path': RECORDING, 'create-recording-path': 'true', 'typescript-path': RECORDING, 'create-typescript-path': 'true' };
      const base = { hostname: '10.0.0.5', port: '22', username: 'ec2-user', 'private-key': KEY_TEXT };
      expect(parameters).to.deep.equal(expected ? { ...base, ...recording } : base);
    });
  }

  const keyCases: { title: string; keyName?: string; keys: ReadonlyMap<string, KeyLookup>; warning: RegExp }[] = [
    {
      title: 'a missing key file',
      keyName: 'deploy',
      keys: new Map([['deploy', { status: 'missing', reason: 'no file deploy.pem' }]]),
      warning: /key pair "deploy": no file deploy\.pem/,
    },
    {
      title: 'an invalid key file',
      keyName: 'deploy',
      keys: new Map([['deploy', { status: 'invalid', reason: 'not a private key' }]]),
      warning: /not a private key/,
    },
    { title: 'a key not looked up', keyName: 'other', keys: new Map(), warning: /key pair "other": was not looked up/ },
    { title: 'no key pair', keys: new Map(), warning: /without a key pair/ },
  ];
  for (const { title, keyName, keys, warning } of keyCases) {
    it(`writes the connection without private-key and warns for ${title}`, () => {
      const result = map(instance({ keyName }), {}, undefined, keys);
      expect(result.connections).to.have.length(1);
      expect(result.connections[0]!.parameters).not.to.have.property('private-key');
      expect(result.warnings).to.have.length(1);
      expect(result.warnings[0]).to.include({ key: 'us-east-1/i-0abc', instanceId: 'i-0abc' });
      expect(result.warnings[0]!.message).to.match(warning);
    });
  }

  const tooLongCases: { title: string; inst: DiscoveredInstance; keyText: string; parameter: string }[] = [
    { title: 'a long private key', inst: instance(), keyText: `${KEY_TEXT}${'A'.repeat(200)}`, parameter: 'private-key' },
    { title: 'a long username', inst: instance({ tags: { 'kcm:username': 'u'.repeat(101) } }), keyText: KEY_TEXT, parameter: 'username' },
  ];
  for (const { title, inst, keyText, parameter } of tooLongCases) {
    it(`skips an instance with ${title}, naming the parameter`, () => {
      const keys = new Map<string, KeyLookup>([['deploy', found(keyText)]]);
      const result = map(inst, { parameterValueLimit: 100 }, undefined, keys);
      expect(result.connections).to.deep.equal([]);
      expect(result.skipped).to.have.length(1);
      expect(result.skipped[0]!.reason).to.match(new RegExp(`^${parameter} is \\d+ characters; the database allows 100`));
      expect(JSON.stringify(result)).not.to.include(KEY_TEXT);
    });
  }

  it('keeps a value exactly at the limit', () => {
    const keys = new Map<string, KeyLookup>([['deploy', found('k'.repeat(100))]]);
    expect(map(instance(), { parameterValueLimit: 100 }, undefined, keys).connections).to.have.length(1);
  });

  const charsetCases: { charset: 'utf8mb3' | 'utf8mb4'; expected: string }[] = [
    { charset: 'utf8mb4', expected: 'web 🚀 prod' },
    { charset: 'utf8mb3', expected: 'web \uFFFD prod' },
  ];
  for (const { charset, expected } of charsetCases) {
    it(`stores an emoji name as ${JSON.stringify(expected)} with ${charset}`, () => {
      expect(one(instance({ tags: { Name: 'web 🚀 prod', 'kcm:organize': '🚀' } }), { charset })).to.include({ name: expected });
      expect(one(instance({ tags: { 'kcm:organize': '🚀' } }), { charset }).folder[1]).to.equal(charset === 'utf8mb3' ? '\uFFFD' : '🚀');
    });
  }

  it('skips an instance whose private key has a 4-byte character on utf8mb3', () => {
    const keys = new Map<string, KeyLookup>([['deploy', found(`${KEY_TEXT}😀`)]]);
    const result = map(instance(), { charset: 'utf8mb3' }, undefined, keys);
    expect(result.connections).to.deep.equal([]);
    expect(result.skipped[0]!.reason).to.match(/^private-key has a character/);
    expect(JSON.stringify(result)).not.to.include(KEY_TEXT);
  });

  const longNameCases: { title: string; name: string; expected: string }[] = [
    { title: 'ASCII', name: 'x'.repeat(200), expected: 'x'.repeat(128) },
    { title: 'emoji at the cut', name: `${'x'.repeat(127)}😀😀`, expected: `${'x'.repeat(127)}😀` },
    { title: 'emoji only', name: '😀'.repeat(130), expected: '😀'.repeat(128) },
    { title: 'a space at the cut', name: `${'x'.repeat(127)} y`, expected: 'x'.repeat(127) },
  ];
  for (const { title, name, expected } of longNameCases) {
    it(`cuts a long name (${title}) to 128 characters without splitting a surrogate pair`, () => {
      const got = one(instance({ tags: { Name: name } })).name;
      expect(got).to.equal(expected);
      expect([...got].length).to.be.at.most(NAME_LIMIT);
      expect(got).not.to.match(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
    });
  }

  const windowsCases = ['windows', 'Windows', 'WINDOWS'];
  for (const platform of windowsCases) {
    it(`maps platform ${platform} to RDP as Administrator without a key`, () => {
      const result = map(instance({ platform }));
      expect(result.warnings).to.deep.equal([]);
      expect(result.connections[0]).to.deep.include({
        protocol: 'rdp',
        parameters: { hostname: '10.0.0.5', port: '3389', username: 'Administrator', 'ignore-cert': 'true', security: 'any' },
      });
    });
  }

  it('records a Windows connection without typescript parameters, and honours kcm:username', () => {
    const c = one(instance({ platform: 'windows', tags: { 'kcm:record': 'true', 'kcm:username': 'admin' } }));
    expect(c.parameters).to.include({ username: 'admin', 'recording-path': RECORDING, 'create-recording-path': 'true' });
    expect(c.parameters).not.to.have.any.keys('typescript-path', 'create-typescript-path', 'private-key');
  });
});

describe('guessUsername', () => {
  const cases: { image: Omit<ImageInfo, 'imageId'> | undefined; expected: string }[] = [
    { image: { name: 'al2023-ami-2023.4.20240401.1-kernel-6.1-x86_64' }, expected: 'ec2-user' },
    { image: { name: 'amzn2-ami-kernel-5.10-hvm-2.0.20240329.0-x86_64-gp2' }, expected: 'ec2-user' },
    { image: { name: 'ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20240411' }, expected: 'ubuntu' },
    { image: { name: 'debian-12-amd64-20240507-1740' }, expected: 'admin' },
    { image: { name: 'RHEL-9.3.0_HVM-20240117-x86_64-49-Hourly2-GP3' }, expected: 'ec2-user' },
    { image: { name: 'Fedora-Cloud-Base-39-1.5.x86_64-hvm-us-east-1-gp3-0' }, expected: 'fedora' },
    { image: { name: 'Rocky-9-EC2-Base-9.3-20231113.0.x86_64' }, expected: 'rocky' },
    { image: { name: 'CentOS Linux 7 x86_64 HVM EBS ENA 2002_01' }, expected: 'centos' },
    { image: { name: 'CentOS Stream 9 x86_64' }, expected: 'ec2-user' },
    { image: { name: 'AlmaLinux OS 9.3.20231124 x86_64' }, expected: 'ec2-user' },
    { image: { name: 'bitnami-wordpress-6.5.2-r0-debian-12-amd64' }, expected: 'bitnami' },
    { image: { name: 'custom', description: 'Debian 12 (20240507-1740)' }, expected: 'admin' },
    { image: { name: 'custom', ownerId: '099720109477' }, expected: 'ubuntu' },
    { image: { name: 'my-golden-image' }, expected: 'ec2-user' },
    { image: {}, expected: 'ec2-user' },
    { image: undefined, expected: 'ec2-user' },
  ];
  for (const { image, expected } of cases) {
    it(`guesses ${expected} for ${JSON.stringify(image)}`, () => {
      expect(guessUsername(image === undefined ? undefined : { imageId: 'ami-1', ...image })).to.equal(expected);
    });
  }
});

describe('names', () => {
  const cleanCases: { text: string; charset: 'utf8mb3' | 'utf8mb4'; limit?: number; expected: string }[] = [
    { text: ' a  b ', charset: 'utf8mb4', expected: 'a b' },
    { text: 'a\u0000b\u2028c', charset: 'utf8mb4', expected: 'a b c' },
    { text: 'é😀', charset: 'utf8mb3', expected: 'é\uFFFD' },
    { text: 'abc def', charset: 'utf8mb4', limit: 4, expected: 'abc' },
  ];
  for (const { text, charset, limit, expected } of cleanCases) {
    it(`cleanName(${JSON.stringify(text)}, ${charset}, ${limit}) = ${JSON.stringify(expected)}`, () => {
      expect(cleanName(text, charset, limit)).to.equal(expected);
    });
  }

  it('truncate counts code points', () => {
    expect(truncate('😀😀😀', 2)).to.equal('😀😀');
    expect(truncate('ab', 5)).to.equal('ab');
  });

  it('withSuffix keeps the whole suffix within the limit', () => {
    expect(withSuffix('web', 'i-1')).to.equal('web (i-1)');
    const long = withSuffix('x'.repeat(200), 'i-0123456789abcdef0');
    expect([...long].length).to.equal(NAME_LIMIT);
    expect(long.endsWith(' (i-0123456789abcdef0)')).to.equal(true);
  });
});

describe('parseFolderPath', () => {
  const cases: { text: string; expected: string[] }[] = [
    { text: '', expected: [] },
    { text: 'Databases/MySQL', expected: ['Databases', 'MySQL'] },
    { text: ' /a// b /', expected: ['a', 'b'] },
    { text: '../..', expected: [] },
  ];
  for (const { text, expected } of cases) {
    it(`parses ${JSON.stringify(text)}`, () => {
      expect(parseFolderPath(text, 'utf8mb4')).to.deep.equal(expected);
    });
  }
});

describe('connectionParameters', () => {
  const base = { hostname: 'h', username: 'u', record: false };
  const cases: { title: string; input: Parameters<typeof connectionParameters>[0]; expected: Record<string, string> }[] = [
    {
      title: 'ssh with key',
      input: { ...base, protocol: 'ssh', port: 22, privateKey: 'K' },
      expected: { hostname: 'h', port: '22', username: 'u', 'private-key': 'K' },
    },
    { title: 'ssh without key', input: { ...base, protocol: 'ssh', port: 22 }, expected: { hostname: 'h', port: '22', username: 'u' } },
    {
      title: 'ssh with a pinned host key',
      input: { ...base, protocol: 'ssh', port: 2222, hostKey: 'ssh-ed25519 AAAA' },
      expected: { hostname: 'h', port: '2222', username: 'u', 'host-key': 'ssh-ed25519 AAAA' },
    },
    {
      title: 'rdp ignores the key, takes the password',
      input: { ...base, protocol: 'rdp', port: 3389, privateKey: 'K', password: 'P' },
      expected: { hostname: 'h', port: '3389', username: 'u', password: 'P', 'ignore-cert': 'true', security: 'any' },
    },
    {
      title: 'vnc has no username',
      input: { ...base, protocol: 'vnc', port: 5901, record: true },
      expected: { hostname: 'h', port: '5901', 'recording-path': RECORDING, 'create-recording-path': 'true' },
    },
    {
      title: 'telnet records a transcript too',
      input: { ...base, protocol: 'telnet', port: 23, record: true },
      expected: {
        hostname: 'h',
        port: '23',
        username: 'u',
        'recording-path': RECORDING,
        'create-recording-path': 'true',
        'typescript-path': RECORDING,
        'create-typescript-path': 'true',
      },
    },
  ];
  for (const { title, input, expected } of cases) {
    it(title, () => expect(connectionParameters(input)).to.deep.equal(expected));
  }
});
