import { expect } from 'chai';
import type { DiscoveredInstance } from '../../../src/discover/instance.js';
import type { AddressKind } from '../../../src/config/setting-values.js';
import { resolveEndpoint } from '../../../src/discover/endpoint.js';
import { toDesiredConnections } from '../../../src/desired/to-desired-connections.js';

function instance(tags: Record<string, string> = {}, over: Partial<DiscoveredInstance> = {}): DiscoveredInstance {
  return {
    scope: 'us-east-1',
    instanceId: 'i-1',
    state: 'running',
    privateIp: '10.0.0.5',
    publicIp: '54.0.0.5',
    privateDns: 'ip-10-0-0-5.ec2.internal',
    publicDns: 'ec2-54-0-0-5.compute-1.amazonaws.com',
    ipv6: '2600:1f18::5',
    tags,
    ...over,
  };
}

describe('resolveEndpoint', () => {
  const order: AddressKind[] = ['private-ip', 'public-ip'];
  const cases: {
    title: string;
    tags?: Record<string, string>;
    over?: Partial<DiscoveredInstance>;
    order?: AddressKind[];
    windows?: boolean;
    expected: object;
    problem?: RegExp;
  }[] = [
    { title: 'linux default', expected: { protocol: 'ssh', port: 22, hostname: '10.0.0.5' } },
    { title: 'windows default', windows: true, expected: { protocol: 'rdp', port: 3389, hostname: '10.0.0.5' } },
    { title: 'public IP when there is no private one', over: { privateIp: undefined }, expected: { hostname: '54.0.0.5' } },
    { title: 'no address of the configured kinds', over: { privateIp: undefined, publicIp: undefined }, expected: { protocol: 'ssh', port: 22 } },
    { title: 'address order: public DNS first', order: ['public-dns', 'private-ip'], expected: { hostname: 'ec2-54-0-0-5.compute-1.amazonaws.com' } },
    { title: 'address order: IPv6', order: ['ipv6'], expected: { hostname: '2600:1f18::5' } },
    { title: 'empty DNS name is skipped', order: ['private-dns', 'private-ip'], over: { privateDns: '' }, expected: { hostname: '10.0.0.5' } },
    { title: 'kcm:protocol vnc, default port', tags: { 'kcm:protocol': ' VNC ' }, expected: { protocol: 'vnc', port: 5900 } },
    { title: 'kcm:protocol ssh on Windows', windows: true, tags: { 'kcm:protocol': 'ssh' }, expected: { protocol: 'ssh', port: 22 } },
    { title: 'kcm:port', tags: { 'kcm:port': '2222' }, expected: { protocol: 'ssh', port: 2222 } },
    { title: 'kcm:hostname', tags: { 'kcm:hostname': 'bastion.example.com' }, expected: { hostname: 'bastion.example.com' } },
    { title: 'kcm:hostname IPv6', tags: { 'kcm:hostname': 'fd00::1' }, expected: { hostname: 'fd00::1' } },
    {
      title: 'invalid protocol',
      tags: { 'kcm:protocol': 'http' },
      expected: { protocol: 'ssh', port: 22 },
      problem: /kcm:protocol "http" is not one of ssh, rdp, vnc, telnet; using ssh/,
    },
    { title: 'invalid port', tags: { 'kcm:port': '70000' }, expected: { port: 22 }, problem: /kcm:port "70000" is not a port number/ },
    { title: 'port with junk', tags: { 'kcm:port': '22; DROP TABLE' }, expected: { port: 22 }, problem: /kcm:port/ },
    {
      title: 'invalid hostname',
      tags: { 'kcm:hostname': 'a b\n<script>' },
      expected: { hostname: '10.0.0.5' },
      problem: /kcm:hostname "a b\?<script>" is not a host name/,
    },
  ];
  for (const c of cases) {
    it(c.title, () => {
      const problems: string[] = [];
      const result = resolveEndpoint(instance(c.tags, c.over), c.windows ? 'windows' : 'linux', c.order ?? order, problems);
      expect(result).to.deep.include(c.expected);
      if (c.problem === undefined) expect(problems).to.deep.equal([]);
      else expect(problems.join()).to.match(c.problem);
    });
  }
});

describe('overrides in the mapping', () => {
  const options = { basePath: ['Amazon EC2'], recordByDefault: false, charset: 'utf8mb4' as const, parameterValueLimit: 4096 };
  const map = (i: DiscoveredInstance, addressOrder?: AddressKind[]) =>
    toDesiredConnections({ instances: [i], images: new Map(), keys: new Map() }, { ...options, ...(addressOrder ? { addressOrder } : {}) });

  it('leaves out an instance tagged kcm:ignore=true (any case) and counts it', () => {
    const result = map(instance({ 'kcm:ignore': 'TRUE' }));
    expect(result.connections).to.deep.equal([]);
    expect(result.skipped).to.deep.equal([]);
    expect(result.ignored).to.equal(1);
    expect(map(instance({ 'kcm:ignore': 'no' })).connections).to.have.length(1);
  });

  it('builds a VNC connection on a chosen port and hostname, reporting a bad value', () => {
    const result = map(instance({ 'kcm:protocol': 'vnc', 'kcm:port': '5901', 'kcm:hostname': 'desk.example.com', 'kcm:username': 'x' }));
    expect(result.connections[0]).to.deep.include({ protocol: 'vnc', parameters: { hostname: 'desk.example.com', port: '5901' } });
    const bad = map(instance({ 'kcm:port': 'abc' }));
    expect(bad.connections[0]?.parameters.port).to.equal('22');
    expect(bad.warnings.map((w) => w.message).join()).to.match(/kcm:port "abc"/);
  });

  it('skips an instance without an address of the configured kinds', () => {
    const result = map(instance({}, { publicDns: undefined }), ['public-dns']);
    expect(result.skipped[0]?.reason).to.match(/no address yet \(public-dns\)/);
  });
});
