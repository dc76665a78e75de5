import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../../../src/config/config.js';
import { ALL_SETTINGS, type SettingDefinition } from '../../../src/config/settings.js';
import { createFakeKsmConfig } from '../../support/fake-keeper.js';

/**
 * The settings table (src/config/settings.ts) against what documents it: .env.example and README's settings table name
 * every setting and no other, show the declared defaults, and call secret only what is declared secret. Also: a
 * secret setting's value reaches `Secrets` and never `Config`.
 */

function repositoryFile(name: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
  return readFileSync(join(dir, name), 'utf8');
}

const NAMESPACES = ['AWS_DISCOVERY', 'POSTGRESQL', 'MYSQL'];
const SETTING_NAME = new RegExp(`^(?:${NAMESPACES.join('|')})_[A-Z0-9_]+$`);
const byName = new Map<string, SettingDefinition>(ALL_SETTINGS.map((s) => [s.name, s]));
const names = ALL_SETTINGS.map((s) => s.name);

/** `.env.example` lines `NAME=value` or `# NAME=value`, with the comment lines since the previous one. */
function envExampleEntries(): { name: string; value: string; comment: string }[] {
  const entries: { name: string; value: string; comment: string }[] = [];
  let comment: string[] = [];
  for (const line of repositoryFile('.env.example').split('\n')) {
    const match = /^#? ?([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (match === null) {
      comment.push(line);
      continue;
    }
    entries.push({ name: match[1] as string, value: match[2] as string, comment: comment.join('\n') });
    comment = [];
  }
  return entries;
}

/** README's settings table: per row, the names of its first cell (`_SUFFIX` short for the first name's namespace) and its default cell. */
function readmeRows(): { names: string[]; defaults: string[] }[] {
  const rows: { names: string[]; defaults: string[] }[] = [];
  for (const line of repositoryFile('README.md').split('\n')) {
    const cells = line.split(/(?<!\\)\|/).map((c) => c.trim());
    const first = cells[1] ?? '';
    if (!line.startsWith('| `') || !NAMESPACES.some((ns) => first.startsWith(`\`${ns}_`))) continue;
    const written = first.split(', ').map((n) => n.replace(/^`|`$/g, ''));
    const namespace = NAMESPACES.find((ns) => (written[0] as string).startsWith(`${ns}_`)) as string;
    rows.push({ names: written.map((n) => (n.startsWith('_') ? `${namespace}${n}` : n)), defaults: (cells[2] ?? '').split(', ') });
  }
  return rows;
}

describe('the settings table', () => {
  it('declares each setting once, with a distinct guacamole.properties key', () => {
    expect(new Set(names).size).to.equal(names.length);
    expect(new Set(ALL_SETTINGS.map((s) => s.property)).size).to.equal(names.length);
    for (const name of names) expect(name).to.match(SETTING_NAME);
  });

  describe('.env.example', () => {
    const entries = envExampleEntries().filter((e) => SETTING_NAME.test(e.name));

    it('shows every setting once, and no other AWS_DISCOVERY_*, POSTGRESQL_* or MYSQL_* name', () => {
      expect(entries.map((e) => e.name).sort()).to.deep.equal([...names].sort());
    });

    it('shows the declared default where it shows a value for a setting that has one', () => {
      for (const { name, value } of entries) {
        const declared = byName.get(name)?.documentedDefault;
        if (value !== '' && declared !== undefined) expect(value, name).to.equal(declared);
      }
    });

    it('calls secret only settings declared secret', () => {
      for (const { name, comment } of entries) {
        if (/\bSecret\./.test(comment)) expect(byName.get(name)?.secret, name).to.equal(true);
      }
    });
  });

  describe("README's settings table", () => {
    const rows = readmeRows();

    it('names every setting once, and no other', () => {
      expect(rows.flatMap((r) => r.names).sort()).to.deep.equal([...names].sort());
    });

    it('gives the declared default where it gives one in `code`', () => {
      for (const row of rows) {
        row.defaults.forEach((cell, i) => {
          const name = row.names[i];
          const code = /^`([^`]*)`$/.exec(cell);
          if (name === undefined || code === null) return;
          expect(byName.get(name)?.documentedDefault, name).to.equal(code[1]);
        });
      }
    });
  });

  it("puts every secret setting's value in Secrets and never in Config", () => {
    const ksm = createFakeKsmConfig().config;
    const secretValues: Record<string, string> = {
      AWS_DISCOVERY_SECRET_KEY: 'secret-key-value-1',
      AWS_DISCOVERY_KSM_CONFIG: ksm,
      POSTGRESQL_PASSWORD: 'postgres-password-2',
      MYSQL_PASSWORD: 'mysql-password-3',
    };
    expect(ALL_SETTINGS.filter((s) => s.secret).map((s) => s.name)).to.have.members(Object.keys(secretValues));
    for (const prefix of ['POSTGRESQL', 'MYSQL']) {
      const raw = {
        AWS_DISCOVERY_ACCESS_KEY_ID: 'AKID',
        AWS_DISCOVERY_REGIONS: 'us-east-1',
        [`${prefix}_DATABASE`]: 'g',
        [`${prefix}_USERNAME`]: 'u',
        ...Object.fromEntries(Object.entries(secretValues).filter(([name]) => name.startsWith('AWS_') || name.startsWith(prefix))),
      };
      const { config, secrets } = parseConfig(raw);
      for (const [name, value] of Object.entries(raw)) {
        if (!byName.get(name)?.secret) continue;
        expect(JSON.stringify(config), name).not.to.include(value);
        expect(Object.values(secrets), name).to.include(value);
      }
    }
  });
});
