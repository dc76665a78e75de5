import { expect } from 'chai';
import type { FakeInstance } from '../support/fake-ec2.js';
import { readConnections, type ConnectionView } from '../support/guacamole-queries.js';
import { expectRows, snapshotRows } from '../support/row-diff.js';
import { DIALECTS } from '../support/test-databases.js';
import { hostileOwnerSettings } from './hostile-owner.js';
import { logLinesMatching, startHarness, type FaultHarness } from '../faults/fault-harness.js';

/**
 * Hostile tag values, end to end: each instance below is added to the regular fleet, one real run follows, and the
 * database is read back row by row. Every case must leave the run successful, give the instance a connection (or
 * report it), keep the rest of the fleet in sync, and be idempotent (a second run writes nothing).
 */
interface TagCase {
  readonly title: string;
  readonly tags: Record<string, string>;
  /** Checks the instance's connection (found by its owned id); `mysql` tells which database runs. */
  readonly expect: (c: ConnectionView, mysql: boolean) => void;
}

const LONG = 'x'.repeat(256);
const DEEP = Array.from({ length: 40 }, (_, i) => `L${i}`).join('/');

const CASES: readonly TagCase[] = [
  {
    title: 'quotes',
    tags: { Name: `it's "quoted"`, 'kcm:organize': `O'Brien/"dq"` },
    expect: (c) => expect([c.path, c.name]).to.deep.equal([`Amazon EC2/O'Brien/"dq"`, `it's "quoted"`]),
  },
  { title: 'LIKE wildcards', tags: { Name: '100% _done_' }, expect: (c) => expect(c.name).to.equal('100% _done_') },
  {
    title: 'backslashes',
    tags: { Name: 'C:\\temp\\\\x\\', 'kcm:organize': 'a\\b' },
    expect: (c) => expect([c.path, c.name]).to.deep.equal(['Amazon EC2/a\\b', 'C:\\temp\\\\x\\']),
  },
  {
    title: 'SQL fragment',
    tags: { Name: "x'); DROP TABLE guacamole_connection; --" },
    expect: (c) => expect(c.name).to.equal("x'); DROP TABLE guacamole_connection; --"),
  },
  { title: 'HTML', tags: { Name: '<script>alert(1)</script>' }, expect: (c) => expect(c.name).to.equal('<script>alert(1)</script>') },
  { title: 'newlines and tabs', tags: { Name: 'line1\nline2\r\n\tend' }, expect: (c) => expect(c.name).to.equal('line1 line2 end') },
  { title: 'other control characters', tags: { Name: 'bell\u0007esc\u001bdel\u007f' }, expect: (c) => expect(c.name).to.equal('bell esc del') },
  {
    title: 'NUL',
    tags: { Name: 'nul\u0000byte', 'kcm:organize': 'n\u0000ul' },
    expect: (c) => expect([c.path, c.name]).to.deep.equal(['Amazon EC2/n ul', 'nul byte']),
  },
  {
    title: '256 characters',
    tags: { Name: LONG, 'kcm:organize': `${'f'.repeat(200)}/ok` },
    expect: (c) => {
      expect(c.name).to.equal('x'.repeat(128));
      expect(c.path).to.equal(`Amazon EC2/${'f'.repeat(128)}/ok`);
    },
  },
  { title: 'right-to-left text', tags: { Name: 'שלום עולם \u202Eabc' }, expect: (c) => expect(c.name).to.equal('שלום עולם \u202Eabc') },
  { title: 'combining accents (NFD) stored composed', tags: { Name: 'Cafe\u0301' }, expect: (c) => expect(c.name).to.equal('Café') },
  { title: 'emoji and other 4-byte characters', tags: { Name: 'rocket 🚀 𝔘', 'kcm:organize': 'team 🐙' }, expect: (c, mysql) => {
    expect(c.name).to.equal(mysql ? 'rocket \uFFFD \uFFFD' : 'rocket 🚀 𝔘');
    expect(c.path).to.equal(mysql ? 'Amazon EC2/team \uFFFD' : 'Amazon EC2/team 🐙');
  } },
  { title: 'only spaces and controls: the instance id', tags: { Name: ' \t\n ' }, expect: (c) => expect(c.name).to.match(/^i-/) },
  { title: 'organize "/"', tags: { Name: 'root-slash', 'kcm:organize': '/' }, expect: (c) => expect(c.path).to.equal('Amazon EC2') },
  { title: 'organize "//a//b/"', tags: { Name: 'double-slash', 'kcm:organize': '//a//b/' }, expect: (c) => expect(c.path).to.equal('Amazon EC2/a/b') },
  { title: 'organize "../x"', tags: { Name: 'dotdot', 'kcm:organize': '../x' }, expect: (c) => expect(c.path).to.equal('Amazon EC2/x') },
  { title: 'organize "./x"', tags: { Name: 'dot', 'kcm:organize': './x' }, expect: (c) => expect(c.path).to.equal('Amazon EC2/x') },
  { title: 'organize "a/../b"', tags: { Name: 'a-dotdot-b', 'kcm:organize': 'a/../b' }, expect: (c) => expect(c.path).to.equal('Amazon EC2/a/b') },
  { title: 'organize 40 levels deep', tags: { Name: 'deep', 'kcm:organize': DEEP }, expect: (c) => expect(c.path).to.equal(`Amazon EC2/${DEEP}`) },
  {
    title: 'organize segment named like the admin group and the base path',
    tags: { Name: 'mirror', 'kcm:organize': 'AWS EC2 Administrators/Amazon EC2' },
    expect: (c) => expect(c.path).to.equal('Amazon EC2/AWS EC2 Administrators/Amazon EC2'),
  },
  { title: 'record TRUE', tags: { Name: 'rec-upper', 'kcm:record': 'TRUE' }, expect: (c) => expect(c.parameters['recording-path']).to.be.a('string') },
  // Only true/false count (as in the reference product); anything else keeps the default and is reported.
  {
    title: 'record yes keeps the default',
    tags: { Name: 'rec-yes', 'kcm:record': 'yes' },
    expect: (c) => expect(c.parameters).to.not.have.property('recording-path'),
  },
  {
    title: 'record 1 keeps the default',
    tags: { Name: 'rec-one', 'kcm:record': '1' },
    expect: (c) => expect(c.parameters).to.not.have.property('recording-path'),
  },
  {
    title: 'record garbage keeps the default',
    tags: { Name: 'rec-garbage', 'kcm:record': 'maybe;DROP' },
    expect: (c) => expect(c.parameters).to.not.have.property('recording-path'),
  },
  {
    title: 'username with spaces',
    tags: { Name: 'user-space', 'kcm:username': 'john doe' },
    expect: (c) => expect(c.parameters.username).to.equal('ec2-user'),
  },
  {
    title: 'username with a newline',
    tags: { Name: 'user-newline', 'kcm:username': 'root\nid' },
    expect: (c) => expect(c.parameters.username).to.equal('ec2-user'),
  },
  { title: 'username empty', tags: { Name: 'user-empty', 'kcm:username': '' }, expect: (c) => expect(c.parameters.username).to.equal('ec2-user') },
  { title: 'username only spaces', tags: { Name: 'user-blank', 'kcm:username': '   ' }, expect: (c) => expect(c.parameters.username).to.equal('ec2-user') },
];

/** Names MySQL's utf8mb3_general_ci takes as equal: each group must still give one connection per instance. */
const LOOK_ALIKES: readonly (readonly string[])[] = [
  ['Prod', 'prod', 'PROD'],
  ['café', 'cafe', 'CAFÉ'],
  ['spaced', 'spaced   '],
  ['Straße', 'Strase'],
  ['ſtar', 'star'],
  ['µ-box', 'μ-box'],
];

const HOSTILE_IDS = CASES.map((_, i) => `i-0000000000hostile${String(i).padStart(2, '0')}`);

function hostileInstances(): FakeInstance[] {
  const cases = CASES.map((c, i) => ({
    instanceId: HOSTILE_IDS[i] as string,
    region: 'us-east-1',
    imageId: 'ami-al2023',
    privateIp: `10.9.0.${i + 1}`,
    tags: c.tags,
  }));
  const alikes = LOOK_ALIKES.flatMap((names, g) =>
    names.map((Name, j) => ({
      instanceId: `i-000000000alike${g}${j}`,
      region: 'us-east-1',
      imageId: 'ami-al2023',
      privateIp: `10.9.1.${g * 10 + j + 1}`,
      tags: { Name, 'kcm:organize': 'Alikes' },
    })),
  );
  return [...cases, ...alikes];
}

for (const dialect of DIALECTS) {
  describe(`hostile tag values on ${dialect}`, function () {
    let h: FaultHarness;
    let byId: Map<number, ConnectionView>;
    let owned: Map<string, number>;

    before(async function () {
      h = await startHarness(dialect, { settings: hostileOwnerSettings() });
      h.fake.instances.push(...hostileInstances());
      const report = await h.run();
      expect(report.ok, JSON.stringify(report)).to.equal(true);
      byId = new Map([...(await readConnections(h.database.db)).values()].map((c) => [c.id, c]));
      owned = await h.ownedIds();
    });
    after(async function () {
      await h?.close();
    });

    for (const [i, c] of CASES.entries()) {
      it(`${c.title}: a connection, stored as expected`, function () {
        const id = owned.get(`us-east-1/${HOSTILE_IDS[i]}`);
        expect(id, `no connection for ${c.title}`).to.be.a('number');
        c.expect(byId.get(id as number) as ConnectionView, dialect === 'mysql');
      });
    }

    it('look-alike names (case, accents, trailing spaces, ß, ſ, µ) each get their own connection, no unique-key error', function () {
      for (const [g, names] of LOOK_ALIKES.entries()) {
        const connections = names.map((_, j) => byId.get(owned.get(`us-east-1/i-000000000alike${g}${j}`) as number));
        expect(connections.every((c) => c !== undefined), names.join(',')).to.equal(true);
        expect(new Set(connections.map((c) => c!.name)).size).to.equal(names.length);
        for (const c of connections) expect(c!.name).to.match(/ \(i-000000000alike\d\d\)$/); // disambiguated, all of them
      }
      expect(logLinesMatching(h.logs, 'warn', /alike00/).length + logLinesMatching(h.logs, 'info', /alike00/).length).to.be.greaterThan(0);
    });

    it('reports the bad tag values it ignored, naming the instance', function () {
      const unknown = (index: number) => logLinesMatching(h.logs, 'warn', new RegExp(HOSTILE_IDS[index] as string));
      for (const title of [
        'record yes keeps the default',
        'record 1 keeps the default',
        'record garbage keeps the default',
        'username with spaces',
        'username with a newline',
      ]) {
        expect(unknown(CASES.findIndex((c) => c.title === title)), title).to.not.be.empty;
      }
    });

    it('the rest of the fleet is in sync, and a second run writes nothing', async function () {
      const names = [...byId.values()].map((c) => `${c.path}/${c.name}`);
      expect(names).to.include.members(['Amazon EC2/Databases/MySQL/db-01', 'Amazon EC2/jump', 'Amazon EC2/Apps/EU/api', 'Amazon EC2/win-01']);
      expect(owned.size).to.equal(16 + CASES.length + LOOK_ALIKES.flat().length);
      expect(logLinesMatching(h.logs, 'error', /./)).to.deep.equal([]);
      const before = await snapshotRows(h.database.db);
      const second = await h.run();
      expect(second, JSON.stringify(second)).to.include({ ok: true, created: 0, updated: 0, deleted: 0 });
      await expectRows(h.database.db, before, 'after a second run');
    });
  });
}
