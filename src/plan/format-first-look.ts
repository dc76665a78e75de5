import type { SkippedInstance } from '../desired/desired-connection.js';
import { classifyInstance } from '../discover/classify-instance.js';
import { instanceKey, type DiscoveredInstance } from '../discover/instance.js';
import { TAGS } from '../discover/tags.js';
import { visibleText } from '../shared/visible-text.js';
import type { ChangeSet, ConnectionCreate, GroupRef } from './change-set.js';
import { secretNote, type SecretNote, type SecretSources } from './secret-notes.js';

/** The first line of a first look: what it is, before anything else. */
export const FIRST_LOOK_HEADER = 'no database configured: showing what a first run would create (nothing is written; no database is contacted)';

export interface FirstLookInput extends SecretSources {
  /** The plan against an empty Guacamole: every folder and connection is a create. */
  readonly changes: ChangeSet;
  /** Every listed instance: the names and key pairs behind the connections, and those left out. */
  readonly instances: readonly DiscoveredInstance[];
  /** Instances the mapping could not turn into a connection this run, with why. */
  readonly skipped: readonly SkippedInstance[];
  /** Listings that failed: what they hold is unknown. */
  readonly failed: readonly { readonly scope: string; readonly error: string }[];
  readonly adminGroup: string;
  readonly keysDir: string;
}

interface Folder {
  readonly name: string;
  readonly folders: Folder[];
  readonly connections: string[];
}

/**
 * Pure: a first look as text. The folder tree with each connection (name, protocol, address, login, and whether its
 * key or Windows password was found), then every instance left out and why, failed listings, and a summary line.
 * Secrets never appear: a key is named by its key pair and where it was found. Text from EC2 is made visible.
 */
export function formatFirstLook(input: FirstLookInput): string {
  const byKey = new Map(input.instances.map((i) => [instanceKey(i.scope, i.instanceId), i]));
  const notes: SecretNote[] = [];
  const lines = [FIRST_LOOK_HEADER, ''];
  const tree = folderTree(input.changes, (c) => {
    const instance = byKey.get(c.key);
    const note = instance === undefined ? undefined : secretNote(c, instance, input);
    if (note !== undefined) notes.push(note);
    return connectionLine(c, note);
  });
  for (const folder of tree) lines.push(...folderLines(folder, ''));

  const left = leftOut(input, byKey);
  if (left.length > 0) lines.push('', `skipped (${left.length}):`, ...left.map((l) => `  ${l}`));
  if (input.changes.conflicts.length > 0) lines.push('', 'renamed:', ...input.changes.conflicts.map((c) => `  ${c.key}: ${c.message}`));
  if (input.failed.length > 0) lines.push('', `not listed (${input.failed.length}):`, ...input.failed.map((f) => `  ${f.scope}: ${f.error}`));

  lines.push('');
  if (input.changes.adminGroup !== 'none') lines.push(`user group "${input.adminGroup}" would be created, with READ on every connection and its folders`);
  lines.push(`keys: <key pair name>.pem in ${input.keysDir} (AWS_DISCOVERY_KEYS_DIR)${input.keeperVault ? ', after the Keeper vault' : ''}`);
  lines.push('to create them: configure Guacamole\'s database (POSTGRESQL_* or MYSQL_*) and run --once');
  lines.push(summary(input, notes, left.length));
  return lines.map(visibleText).join('\n');
}

/** The new folders as trees (parents first in the change set), each connection rendered by `line` in its folder. */
function folderTree(changes: ChangeSet, line: (c: ConnectionCreate) => string): Folder[] {
  const nodes = new Map<string, Folder>();
  const roots: Folder[] = [];
  for (const g of changes.createGroups) {
    const node: Folder = { name: g.name, folders: [], connections: [] };
    nodes.set(g.path, node);
    const parent = g.parent === null ? undefined : nodes.get(refKey(g.parent));
    (parent?.folders ?? roots).push(node);
  }
  for (const c of changes.createConnections) {
    let parent = nodes.get(refKey(c.parent));
    if (parent === undefined) {
      // Not a new folder: only an existing one can be (never in an empty Guacamole); shown by its path.
      parent = { name: c.displayPath, folders: [], connections: [] };
      nodes.set(refKey(c.parent), parent);
      roots.push(parent);
    }
    parent.connections.push(line(c));
  }
  return roots;
}

function refKey(ref: GroupRef): string {
  return 'path' in ref ? ref.path : `#${ref.id}`;
}

/** A folder, then its subfolders, then its connections, each level sorted by name and indented two spaces. */
function folderLines(folder: Folder, indent: string): string[] {
  const inner = `${indent}  `;
  return [
    `${indent}${folder.name}/`,
    ...[...folder.folders].sort((a, b) => a.name.localeCompare(b.name)).flatMap((f) => folderLines(f, inner)),
    ...[...folder.connections].sort((a, b) => a.localeCompare(b)).map((c) => `${inner}${c}`),
  ];
}

/** `name  ssh 10.0.0.5:22  login: ec2-user  key: found prod (/keys/prod.pem)  recorded` */
function connectionLine(c: ConnectionCreate, note: SecretNote | undefined): string {
  const p = c.parameters;
  const host = p.hostname === undefined ? '?' : p.hostname.includes(':') ? `[${p.hostname}]` : p.hostname;
  const parts = [c.name, `${c.protocol} ${host}${p.port === undefined ? '' : `:${p.port}`}`];
  if (p.username !== undefined) parts.push(`login: ${p.username}`);
  if (note !== undefined) parts.push(note.text);
  if (p['recording-path'] !== undefined) parts.push('recorded');
  return parts.join('  ');
}

/** Every listed instance without a connection: not in a kept state, `kcm:ignore`, or skipped by the mapping. */
function leftOut(input: FirstLookInput, byKey: ReadonlyMap<string, DiscoveredInstance>): string[] {
  const reasons: { key: string; instance?: DiscoveredInstance; reason: string }[] = [];
  for (const [key, instance] of byKey) {
    const { kept, ignored } = classifyInstance(instance);
    if (!kept) reasons.push({ key, instance, reason: `${instance.state}: only pending, running, stopping and stopped instances get a connection` });
    else if (ignored) reasons.push({ key, instance, reason: `${TAGS.ignore}=true` });
  }
  for (const s of input.skipped) {
    const instance = byKey.get(s.key);
    reasons.push({ key: s.key, ...(instance === undefined ? {} : { instance }), reason: s.reason });
  }
  return reasons
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map(({ key, instance, reason }) => {
      const name = instance?.tags[TAGS.name];
      const scope = instance?.scope ?? key.slice(0, key.lastIndexOf('/'));
      return `${instance?.instanceId ?? key}${name === undefined ? '' : ` "${name}"`} (${scope}): ${reason}`;
    });
}

/** `16 connections and 6 folders to create; private keys: 14 found, 2 without; Windows passwords: 1 found; 2 instances skipped` */
function summary(input: FirstLookInput, notes: readonly SecretNote[], skipped: number): string {
  const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  const secrets = (kind: SecretNote['kind'], label: string) => {
    const all = notes.filter((n) => n.kind === kind);
    const found = all.filter((n) => n.attached).length;
    return all.length === 0 ? [] : [`${label}: ${found} found${all.length > found ? `, ${all.length - found} without` : ''}`];
  };
  const { createConnections, createGroups } = input.changes;
  return [
    `${count(createConnections.length, 'connection', 'connections')} and ${count(createGroups.length, 'folder', 'folders')} to create`,
    ...secrets('key', 'private keys'),
    ...secrets('password', 'Windows passwords'),
    `${count(skipped, 'instance', 'instances')} skipped`,
    ...(input.failed.length === 0 ? [] : [`${count(input.failed.length, 'listing', 'listings')} failed`]),
  ].join('; ');
}
