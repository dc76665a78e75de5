import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { FakeInstance } from '../../support/fake-ec2.js';
import { readConnections } from '../../support/guacamole-queries.js';
import { runCli, summaryOf } from '../../support/run-cli.js';
import { useCliSuite } from '../../support/cli-suite.js';
import { DIALECTS } from '../../support/test-databases.js';

/** Public host keys as `type base64` lines, made by ssh-keygen as cloud-init's would be. */
function hostKeys(): Record<'ecdsa' | 'ed25519' | 'rsa', string> {
  const dir = mkdtempSync(join(tmpdir(), 'ged-hostkeys-'));
  try {
    const line = (type: string) => {
      execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-f', join(dir, type)]);
      return readFileSync(join(dir, `${type}.pub`), 'utf8').split(' ').slice(0, 2).join(' ');
    };
    return { ecdsa: line('ecdsa'), ed25519: line('ed25519'), rsa: line('rsa') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Amazon Linux 2023's console shape: `ec2: ` prefixes, CRLF, kernel noise, fingerprints first. */
function amazonLinuxConsole(keys: Record<string, string>): string {
  return [
    '[    0.000000] Linux version 6.1.0-1.amzn2023.x86_64',
    'ec2: #############################################################',
    'ec2: -----BEGIN SSH HOST KEY FINGERPRINTS-----',
    'ec2: 256 SHA256:abc root@ip-10-0-0-5 (ECDSA)',
    'ec2: -----END SSH HOST KEY FINGERPRINTS-----',
    'ec2: #############################################################',
    '-----BEGIN SSH HOST KEY KEYS-----',
    `${keys.ecdsa} root@ip-10-0-0-5`,
    `[   12.345678] cloud-init[1234]: something else`,
    `${keys.ed25519} root@ip-10-0-0-5`,
    `${keys.rsa} root@ip-10-0-0-5`,
    '-----END SSH HOST KEY KEYS-----',
    'Amazon Linux 2023 login:',
  ].join('\r\n');
}

for (const dialect of DIALECTS) {
  describe(`SSH host key pinning on ${dialect}`, function () {
    const s = useCliSuite(dialect);
    const keys = hostKeys();
    let env: Record<string, string>;
    beforeEach(async function () {
      const box = (id: string, name: string, ip: string, over: Partial<FakeInstance> = {}): FakeInstance => ({
        instanceId: id,
        region: 'us-east-1',
        privateIp: ip,
        tags: { Name: name },
        ...over,
      });
      s.fake.instances = [
        box('i-0000000000000pin1', 'pinned', '10.0.0.5', { consoleOutput: amazonLinuxConsole(keys) }),
        box('i-0000000000000pin2', 'quiet', '10.0.0.6', { consoleOutput: 'no cloud-init here\n' }),
        box('i-0000000000000pin3', 'stopped', '10.0.0.7', { state: 'stopped', consoleOutput: amazonLinuxConsole(keys) }),
        box('i-0000000000000win1', 'windows', '10.0.0.8', { platform: 'windows' }),
      ];
      env = s.env({ AWS_DISCOVERY_PIN_HOST_KEYS: 'true' });
    });

    it('pins the key guacd will be shown, once, for the current hostname, and reports instances without one', async function () {
      const first = await runCli(['--once'], env);
      expect(first.code, first.stdout + first.stderr).to.equal(0);
      // Only running SSH instances are read: not the stopped one, not the Windows one.
      expect(
        s.fake
          .requestsFor('GetConsoleOutput')
          .map((r) => r.params.get('InstanceId'))
          .sort(),
      ).to.deep.equal(['i-0000000000000pin1', 'i-0000000000000pin2']);
      expect(summaryOf(first)).to.include({ consoleReads: 2 });
      let connections = await readConnections(s.database.db);
      // ECDSA first: libssh2 (guacd) offers it first, so that is the key the server presents.
      expect(connections.get('Amazon EC2/pinned')!.parameters['host-key']).to.equal(`10.0.0.5 ${keys.ecdsa}`);
      expect(connections.get('Amazon EC2/quiet')!.parameters).not.to.have.property('host-key');
      expect(
        first.logs.some((l) => l.level === 'warn' && String(l.message).startsWith('SSH host key not pinned: no SSH host keys in the console output')),
      ).to.equal(true);

      // The console rotates and the private IP changes: the pinned key stays, re-written for the new hostname.
      s.fake.instances[0]!.consoleOutput = 'rotated\n';
      s.fake.instances[0]!.privateIp = '10.0.0.55';
      s.fake.requests.length = 0;
      const second = await runCli(['--once'], env);
      expect(s.fake.requestsFor('GetConsoleOutput').map((r) => r.params.get('InstanceId'))).to.deep.equal(['i-0000000000000pin2']);
      connections = await readConnections(s.database.db);
      expect(connections.get('Amazon EC2/pinned')!.parameters).to.include({ hostname: '10.0.0.55', 'host-key': `10.0.0.55 ${keys.ecdsa}` });
      expect(summaryOf(second)).to.include({ updated: 1, consoleReads: 1 });

      // Pinning turned off: the host-key parameters go.
      const off = await runCli(['--once'], { ...env, AWS_DISCOVERY_PIN_HOST_KEYS: 'false' });
      expect(summaryOf(off)).to.include({ updated: 1, consoleReads: 0 });
      expect((await readConnections(s.database.db)).get('Amazon EC2/pinned')!.parameters).not.to.have.property('host-key');
    });

    it('reports a refused GetConsoleOutput with the missing permission and still syncs', async function () {
      s.fake.failNext('GetConsoleOutput', { code: 'UnauthorizedOperation', status: 403, times: 10 });
      const run = await runCli(['--once'], env);
      expect(run.code).to.equal(0);
      expect(summaryOf(run)).to.include({ created: 4 });
      expect(run.stdout).to.include('grant ec2:GetConsoleOutput');
    });
  });
}
