import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { argDefaults, interpolate, readComposeFile, readDockerfile, repositoryFile, repositoryRoot } from '../../support/deploy-files.js';

/**
 * The Dockerfile as Docker reads it, without building it (no Docker engine here): a pinned Node 20 base image for
 * both stages, a non-root user chosen by build arguments with the defaults docker-compose.yml uses, and the health
 * check on /healthz.
 */

const instructions = readDockerfile();
const firstFrom = instructions.findIndex((i) => i.keyword === 'FROM');
const globalArgs = argDefaults(instructions.slice(0, firstFrom));
const lastFrom = instructions.map((i) => i.keyword).lastIndexOf('FROM');
const runtimeStage = instructions.slice(lastFrom);
const runtimeArgs = { ...globalArgs, ...argDefaults(runtimeStage) };
const engines = (JSON.parse(repositoryFile('package.json')) as { engines: { node: string } }).engines.node;

describe('Dockerfile', () => {
  it('builds from files the build context has: every COPY source exists and .dockerignore keeps it; the program as npm pack builds it', () => {
    const ignored = repositoryFile('.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    const sources = instructions
      .filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from'))
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    expect(sources).to.include.members(['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'src', 'migrations']);
    for (const source of sources) {
      expect(existsSync(join(repositoryRoot(), source)), source).to.equal(true);
      expect(ignored, `${source} is left out of the build context`).not.to.include(source);
    }
    expect(instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args)).to.include('npx tsc -p tsconfig.build.json');
  });

  it('builds both stages from one pinned Node 20 image (release and Debian release), at least the engines minimum', () => {
    const froms = instructions.filter((i) => i.keyword === 'FROM').map((i) => interpolate(i.args.split(/\s+/)[0] ?? '', globalArgs));
    expect(froms).to.have.length(2);
    expect(new Set(froms).size, 'one image for both stages').to.equal(1);
    const match = /^node:(20)\.(\d+)\.(\d+)-bookworm-slim(@sha256:[0-9a-f]{64})?$/.exec(froms[0] ?? '');
    expect(match, froms[0]).to.not.equal(null);
    const minimum = /^>=(\d+)\.(\d+)$/.exec(engines);
    expect(minimum, `package.json engines ${engines}`).to.not.equal(null);
    const [, major, minor] = match as RegExpExecArray;
    expect(Number(major)).to.equal(Number((minimum as RegExpExecArray)[1]));
    expect(Number(minor)).to.be.at.least(Number((minimum as RegExpExecArray)[2]));
  });

  it('runs as a non-root user chosen by the UID and GID build arguments, with the defaults compose uses', () => {
    expect(runtimeArgs).to.include({ UID: '1000', GID: '1000' });
    const users = runtimeStage.filter((i) => i.keyword === 'USER');
    expect(users).to.have.length(1);
    expect(users[0]?.args).to.equal('${UID}:${GID}');
    const [uid, gid] = interpolate(users[0]?.args ?? '', runtimeArgs).split(':');
    expect(Number(uid)).to.be.greaterThan(0);
    const compose = readComposeFile('docker-compose.yml').services['ec2-discovery'];
    expect(interpolate(compose?.user ?? '')).to.equal(`${uid}:${gid}`);
  });

  it("renumbers the image's user to the build arguments, and refuses UID 0 (the RUN line in sh, groupmod and usermod recorded)", () => {
    const renumber = runtimeStage.find((i) => i.keyword === 'RUN' && i.args.includes('usermod'));
    expect(renumber, 'the RUN that renumbers the user').to.not.equal(undefined);
    const root = mkdtempSync(join(tmpdir(), 'ged-dockerfile-'));
    try {
      const log = join(root, 'calls');
      for (const tool of ['groupmod', 'usermod']) {
        writeFileSync(join(root, tool), `#!/bin/sh\necho "${tool} $*" >> "${log}"\n`, { mode: 0o755 });
      }
      // Docker runs a RUN line with /bin/sh -c, the ARG values in its environment.
      const run = (uid: string, gid: string) =>
        spawnSync('/bin/sh', ['-c', renumber?.args ?? ''], { env: { PATH: `${root}:/usr/bin:/bin`, UID: uid, GID: gid }, encoding: 'utf8' });
      const calls = () => (existsSync(log) ? readFileSync(log, 'utf8') : '');

      const refused = run('0', '0');
      expect(refused.status).to.equal(1);
      expect(refused.stderr).to.include('UID=0');
      expect(calls(), 'nothing changed').to.equal('');

      expect(run('1001', '998').status).to.equal(0);
      expect(calls()).to.equal('groupmod --non-unique --gid 998 node\nusermod --non-unique --uid 1001 --gid 998 node\n');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('checks health with GET /healthz on the metrics port, and starts node directly', () => {
    const check = runtimeStage.find((i) => i.keyword === 'HEALTHCHECK');
    expect(check?.args).to.include('/healthz').and.to.include('AWS_DISCOVERY_METRICS_PORT');
    expect(runtimeStage.find((i) => i.keyword === 'ENTRYPOINT')?.args).to.equal('["node", "dist/src/cli/main.js"]');
  });
});
