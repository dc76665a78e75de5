import type { ChangeSet } from './change-set.js';
import { groupBy } from '../shared/group-by.js';
import type { GrantRevokePlan } from './plan-grant-revokes.js';

/**
 * The change set as a readable tree for `--dry-run`: one folder per heading, `+` create, `~` update (with what
 * changes), `-` delete. Names and places only: parameter values (keys, passwords) never appear.
 */
export function formatPlan(changes: ChangeSet, revokes?: GrantRevokePlan): string {
  const entries: { folder: string; line: string }[] = [
    ...changes.createGroups.map((g) => ({ folder: parentOf(g.displayPath), line: `+ ${lastOf(g.displayPath)}/  (new folder)` })),
    ...changes.deleteGroups.map((g) => ({ folder: parentOf(g.displayPath), line: `- ${lastOf(g.displayPath)}/  (empty folder)` })),
    ...changes.createConnections.map((c) => ({
      folder: c.displayPath,
      line: `+ ${c.name}  [${c.protocol} ${c.parameters.username ?? ''}@${c.parameters.hostname ?? ''}] ${c.key}`,
    })),
    ...changes.updateConnections.map((c) => ({ folder: c.displayPath, line: `~ ${c.name}  (${c.changed.join(', ')}) ${c.key}` })),
    ...changes.deleteConnections.map((c) => ({ folder: c.displayPath, line: `- ${c.name}  (instance gone) ${c.key}` })),
  ];
  const folders = groupBy(entries, (e) => e.folder);

  const lines: string[] = [];
  for (const folder of [...folders.keys()].sort()) {
    lines.push(`${folder === '' ? '(ROOT)' : folder}/`);
    for (const line of (folders.get(folder) ?? []).map((e) => e.line).sort(byName)) lines.push(`  ${line}`);
  }
  for (const c of changes.conflicts) lines.push(`! ${c.key}: ${c.message}`);
  for (const k of changes.kept) lines.push(`= ${k.key}: kept as it is (${k.reason})`);
  if (changes.adminGroup !== 'none') lines.push(`+ user group for READ grants (${changes.adminGroup})`);
  const grants = changes.grantConnections.length + changes.grantGroups.length;
  if (grants > 0) lines.push(`+ ${grants} READ grant(s) for the admin group`);
  if (revokes !== undefined) lines.push(...revokeLines(revokes));
  lines.push(
    `${changes.createConnections.length} to create, ${changes.updateConnections.length} to update, ` +
      `${changes.deleteConnections.length} to delete, ${changes.unchanged} unchanged`,
  );
  return lines.join('\n');
}

/** READ the daemon granted that goes, per grantee and reason (as the database is now, before this plan). */
function revokeLines(revokes: GrantRevokePlan): string[] {
  const lines: string[] = [];
  for (const grants of groupBy(revokes.revoke, (r) => `${r.entityId}/${r.reason}`).values()) {
    const first = grants[0] as GrantRevokePlan['revoke'][number];
    const folders = grants.filter((g) => g.objectType === 'connection_group').map((g) => g.objectName ?? `#${g.objectId}`);
    const connections = grants.length - folders.length;
    const what = [
      ...(connections > 0 ? [`${connections} connection(s)`] : []),
      ...(folders.length > 5 ? [`${folders.length} folders`] : folders.length > 0 ? [`folder(s) ${folders.join(', ')}`] : []),
    ];
    lines.push(`- READ of "${first.entityName ?? `#${first.entityId}`}" on ${what.join(' and ')} (${first.reason})`);
  }
  return lines;
}

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

function lastOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function byName(a: string, b: string): number {
  return a.slice(2).localeCompare(b.slice(2));
}
