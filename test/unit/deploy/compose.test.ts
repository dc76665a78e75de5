import { expect } from 'chai';
import { ALL_SETTINGS } from '../../../src/config/settings.js';
import { keyFileModeWarning } from '../../../src/enrich/keys/key-file-mode.js';
import { type ComposeFile, type ComposeService, interpolate, readComposeFile, repositoryFile } from '../../support/deploy-files.js';

/**
 * docker-compose.yml (the whole example stack) and deploy/compose/docker-compose.ec2-discovery.yml (the daemon added
 * to a stack someone already runs), read as Compose reads them, with the defaults they give: pinned images, the
 * daemon's container locked down, health checks that wait for Guacamole's schema, one set of database settings,
 * and a documented key layout the daemon accepts without a warning. (No Docker engine here: `docker compose config`
 * is not run.)
 */

const STACK = 'docker-compose.yml';
const SNIPPET = 'deploy/compose/docker-compose.ec2-discovery.yml';
const DAEMON = 'ec2-discovery';
const VERSION = (JSON.parse(repositoryFile('package.json')) as { version: string }).version;

const files: Readonly<Record<string, ComposeFile>> = { [STACK]: readComposeFile(STACK), [SNIPPET]: readComposeFile(SNIPPET) };
const stack = files[STACK] as ComposeFile;
const snippet = files[SNIPPET] as ComposeFile;

function service(file: ComposeFile, name: string): ComposeService {
  const found = file.services[name];
  if (found === undefined) throw new Error(`no service ${name}`);
  return found;
}

/** A service's environment as a map; a list entry without `=` (a pass-through) maps to null, as in the map form. */
function environmentOf(s: ComposeService): Record<string, string | null> {
  const env = s.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry: string) => {
        const at = entry.indexOf('=');
        return at === -1 ? [entry, null] : [entry.slice(0, at), entry.slice(at + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? null : String(v)]));
}

function dependencies(s: ComposeService): Record<string, string> {
  const deps = s.depends_on ?? {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((name: string) => [name, 'service_started']));
  return Object.fromEntries(Object.entries(deps).map(([name, d]) => [name, d.condition ?? 'service_started']));
}

function list(value: string | readonly string[] | undefined): string[] {
  return value === undefined ? [] : typeof value === 'string' ? [value] : [...value];
}

const DATABASE_VARIABLES = ALL_SETTINGS.map((s) => s.name).filter((name) => /^(POSTGRESQL|MYSQL)_/.test(name));
/** `user:` with the file's defaults → numeric uid and gid. */
function userIds(s: ComposeService): { uid: number; gid: number } {
  const [uid, gid] = interpolate(s.user ?? '').split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

describe('docker-compose.yml and the add-on deploy/compose/docker-compose.ec2-discovery.yml', () => {
  for (const [path, file] of Object.entries(files)) {
    describe(path, () => {
      it('pins every image to a version (no latest, no bare major), and names the own image by package.json version', () => {
        for (const [name, s] of Object.entries(file.services)) {
          const image = interpolate(s.image ?? '');
          expect(image, `${name}: image`).to.match(/^[a-z0-9][a-z0-9._/-]*:\d+\.\d+(\.\d+)?(-[a-z0-9.]+)?$/);
          expect(image, name).not.to.match(/:latest$/);
          if (s.build !== undefined) expect(image, `${name}: the image it builds`).to.equal(`guacamole-ec2-discovery:${VERSION}`);
        }
      });

      it('runs the daemon unprivileged: its user, read-only root filesystem with a tmpfs /tmp, no capabilities, no privilege gain', () => {
        const daemon = service(file, DAEMON);
        const { uid, gid } = userIds(daemon);
        expect(uid, 'uid').to.be.a('number').and.to.be.greaterThan(0);
        expect(gid, 'gid').to.be.a('number').and.not.NaN;
        expect(daemon.user).to.equal('${GUACAMOLE_UID:-1000}:${GUACAMOLE_GID:-1000}');
        expect(interpolate(daemon.user ?? '', { GUACAMOLE_UID: '1001', GUACAMOLE_GID: '998' }), 'the variables choose it').to.equal('1001:998');
        expect(daemon.read_only).to.equal(true);
        expect(list(daemon.tmpfs).map((t) => t.split(':')[0])).to.deep.equal(['/tmp']);
        expect(daemon.cap_drop).to.deep.equal(['ALL']);
        expect(daemon.security_opt).to.include('no-new-privileges:true');
        expect(daemon.init).to.equal(true);
        // The image is built for the same user, so `docker run` without --user agrees with compose.
        const build = daemon.build;
        expect(build, 'build').to.be.an('object');
        const args = typeof build === 'object' ? (build.args ?? {}) : {};
        expect(`${interpolate(args.UID ?? '')}:${interpolate(args.GID ?? '')}`).to.equal(`${uid}:${gid}`);
      });

      it("keeps the image's health check for the daemon (GET /healthz), published on loopback only", () => {
        const daemon = service(file, DAEMON);
        expect(daemon.healthcheck, 'no override of the Dockerfile HEALTHCHECK').to.equal(undefined);
        expect(daemon.ports).to.deep.equal(['127.0.0.1:9464:9464']);
      });
    });
  }

  it('hardens the daemon the same way in both files', () => {
    const keys = ['image', 'build', 'user', 'read_only', 'tmpfs', 'cap_drop', 'security_opt', 'init', 'restart', 'ports'] as const;
    const pick = (s: ComposeService) => Object.fromEntries(keys.map((k) => [k, k === 'build' && typeof s.build === 'object' ? s.build.args : s[k]]));
    expect(pick(service(snippet, DAEMON))).to.deep.equal(pick(service(stack, DAEMON)));
  });

  describe(STACK, () => {
    it("postgres is healthy only once Guacamole's tables answer (psql over TCP), and the web app and daemon wait for it", () => {
      const check = service(stack, 'postgres').healthcheck;
      const test = list(check?.test);
      expect(test[0]).to.equal('CMD-SHELL');
      const command = interpolate(test[1] ?? '');
      expect(command).to.match(/\bpsql\b.* -h 127\.0\.0\.1 /);
      expect(command).to.match(/-tAc 'select 1 from guacamole_connection limit 0'$/);
      expect(command).not.to.include('pg_isready');
      expect(dependencies(service(stack, 'guacamole')).postgres).to.equal('service_healthy');
      expect(dependencies(service(stack, DAEMON)).postgres).to.equal('service_healthy');
    });

    it("gives the web app and the daemon one set of database settings, naming the postgres service and postgres' own", () => {
      const app = environmentOf(service(stack, 'guacamole'));
      const daemon = environmentOf(service(stack, DAEMON));
      const names = DATABASE_VARIABLES.filter((n) => n.startsWith('POSTGRESQL_'));
      expect(names).to.have.length(5);
      for (const name of names) {
        expect(app[name], `guacamole: ${name}`).to.be.a('string');
        expect(daemon[name], `${DAEMON}: ${name}`).to.equal(app[name]);
      }
      expect(Object.keys(app).filter((n) => n.startsWith('MYSQL_'))).to.deep.equal([]);
      expect(stack.services).to.have.property(app.POSTGRESQL_HOSTNAME as string);
      const server = environmentOf(service(stack, 'postgres'));
      expect(server.POSTGRES_DB).to.equal(app.POSTGRESQL_DATABASE);
      expect(server.POSTGRES_USER).to.equal(app.POSTGRESQL_USERNAME);
      expect(server.POSTGRES_PASSWORD).to.equal(app.POSTGRESQL_PASSWORD);
      expect(() => interpolate(app.POSTGRESQL_PASSWORD ?? ''), 'a missing password stops compose').to.throw('POSTGRESQL_PASSWORD');
    });

    it('takes capabilities and privilege gain from guacd and the web app too; postgres only loses privilege gain', () => {
      for (const name of ['guacd', 'guacamole']) {
        expect(service(stack, name).cap_drop, name).to.deep.equal(['ALL']);
        expect(service(stack, name).security_opt, name).to.include('no-new-privileges:true');
      }
      expect(service(stack, 'postgres').security_opt).to.include('no-new-privileges:true');
    });

    it('documents a key layout the daemon reads without a warning, for the user compose runs it as', () => {
      const { uid, gid } = userIds(service(stack, DAEMON));
      const reader = { uid, gids: [gid] };
      const layout = / sudo sh -c 'chown -R root:(\d+) (\S+) && chmod 0750 \2 && chmod (0[0-7]{3}) \2\/\*\.pem'$/m.exec(stack.header);
      expect(layout, 'the chown/chmod line in the header').to.not.equal(null);
      const [, group, folder, mode] = layout as RegExpExecArray;
      expect(Number(group), 'the group is the daemon group').to.equal(gid);
      expect(keyFileModeWarning(`${folder}/a.pem`, { mode: Number.parseInt(mode as string, 8), uid: 0, gid }, reader)).to.equal(undefined);
      expect(service(stack, DAEMON).volumes).to.include(`${folder}:/keys:ro`);
      const own = /owned by GUACAMOLE_UID with mode (0[0-7]{3})/.exec(stack.header);
      expect(own, 'the owner-only alternative').to.not.equal(null);
      expect(keyFileModeWarning(`${folder}/a.pem`, { mode: Number.parseInt((own as RegExpExecArray)[1] as string, 8), uid, gid }, reader)).to.equal(undefined);
      // The layout a careless copy gives (world-readable) does warn: the check above can fail.
      expect(keyFileModeWarning(`${folder}/a.pem`, { mode: 0o644, uid: 0, gid }, reader)).to.be.a('string');
    });
  });

  describe(SNIPPET, () => {
    it("adds only the daemon and leaves the stack's services alone", () => {
      expect(Object.keys(snippet.services)).to.deep.equal([DAEMON]);
    });

    it("passes every database variable the daemon reads through from the stack's .env, with no value of its own", () => {
      const env = environmentOf(service(snippet, DAEMON));
      expect(DATABASE_VARIABLES).to.have.length(10);
      for (const name of DATABASE_VARIABLES) {
        // A value here, even empty, would configure that database, and the daemon refuses two.
        expect(env, name).to.have.property(name, null);
      }
      expect(env.AWS_DISCOVERY_KEYS_DIR).to.equal('/keys');
    });

    it("starts after the stack's database service and reads the AWS settings from its own file", () => {
      expect(Object.keys(dependencies(service(snippet, DAEMON)))).to.deep.equal(['db']);
      expect(list(service(snippet, DAEMON).env_file)).to.deep.equal(['ec2-discovery.env']);
      expect(snippet.header).to.include(`docker compose -f docker-compose.yml -f guacamole-ec2-discovery/${SNIPPET} up -d --build`);
    });
  });
});
