import type { StaleRecord } from './current-state.js';

/** An existing group by id, or one this change set creates, by its path key. `null` is ROOT. */
export type GroupRef = { readonly id: number } | { readonly path: string };

export interface GroupCreate {
  /** Path key of the new group (unique within the change set). */
  readonly path: string;
  readonly name: string;
  readonly parent: GroupRef | null;
  /** Human-readable full path, for logs and dry-run. */
  readonly displayPath: string;
}

export interface ConnectionCreate {
  readonly key: string;
  readonly scope: string;
  readonly name: string;
  readonly parent: GroupRef;
  readonly protocol: string;
  readonly parameters: Readonly<Record<string, string>>;
  readonly secretDigest?: string;
  readonly displayPath: string;
}

export interface ConnectionUpdate {
  readonly id: number;
  readonly key: string;
  readonly scope: string;
  readonly name: string;
  readonly parent: GroupRef;
  readonly protocol: string;
  /** What changed: `name`, `folder`, `protocol`, `parameter <name>` (names only, never values). */
  readonly changed: readonly string[];
  readonly setParameters: Readonly<Record<string, string>>;
  readonly removeParameters: readonly string[];
  /** A new digest for the bookkeeping row (the password was fetched again). */
  readonly secretDigest?: string;
  /** Another connection holds the target name until it is renamed in the same run (e.g. two names swap). */
  readonly viaTemporaryName: boolean;
  readonly displayPath: string;
}

export interface ConnectionDelete {
  readonly id: number;
  readonly key: string;
  readonly name: string;
  readonly displayPath: string;
}

export interface GroupDelete {
  readonly id: number;
  readonly displayPath: string;
}

/** A name clash resolved by renaming, or an instance that could not be placed. Data, not a log line. */
export interface Conflict {
  readonly key: string;
  readonly message: string;
}

export type AdminGroupAction = 'none' | 'create' | 'add-user-group';

export interface ChangeSet {
  readonly adminGroup: AdminGroupAction;
  /** Parents before children. */
  readonly createGroups: readonly GroupCreate[];
  readonly createConnections: readonly ConnectionCreate[];
  readonly updateConnections: readonly ConnectionUpdate[];
  readonly deleteConnections: readonly ConnectionDelete[];
  /** Children before parents. */
  readonly deleteGroups: readonly GroupDelete[];
  /** READ for the admin group: existing connections by id, new ones by key. */
  readonly grantConnections: readonly ({ readonly id: number; readonly key?: string } | { readonly key: string })[];
  readonly grantGroups: readonly GroupRef[];
  readonly forgetRecords: readonly StaleRecord[];
  readonly unchanged: number;
  /** Managed connections left as they are this run (failed listing, skipped instance), with why. */
  readonly kept: readonly { readonly key: string; readonly reason: string }[];
  readonly conflicts: readonly Conflict[];
}

export function isEmptyChangeSet(changes: ChangeSet): boolean {
  return (
    changes.adminGroup === 'none' &&
    changes.createGroups.length === 0 &&
    changes.createConnections.length === 0 &&
    changes.updateConnections.length === 0 &&
    changes.deleteConnections.length === 0 &&
    changes.deleteGroups.length === 0 &&
    changes.grantConnections.length === 0 &&
    changes.grantGroups.length === 0 &&
    changes.forgetRecords.length === 0
  );
}
