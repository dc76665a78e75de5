/** What the Guacamole database holds now, as the planner needs it. Read in one transaction by the repository. */

export interface CurrentGroup {
  readonly id: number;
  readonly parentId: number | null;
  readonly name: string;
  /** `ORGANIZATIONAL` or `BALANCING`. */
  readonly type: string;
  /** Created by this daemon (under its owner id). */
  readonly owned: boolean;
}

export interface ConnectionOwner {
  readonly key: string;
  readonly scope: string;
  readonly secretDigest?: string;
}

export interface CurrentConnection {
  readonly id: number;
  readonly parentId: number | null;
  readonly name: string;
  readonly protocol: string;
  /**
   * Present only for connections this daemon created; in an event run's read (see `managedConnections`), only for
   * those of the batch's instances.
   */
  readonly owner?: ConnectionOwner;
  /** Present only for owned connections. */
  readonly parameters?: Readonly<Record<string, string>>;
}

export interface AdminGroupState {
  readonly entityId: number;
  /** The `guacamole_user_group` row exists (without it Guacamole ignores the entity's grants). */
  readonly hasUserGroup: boolean;
  readonly disabled: boolean;
}

/** A bookkeeping row whose Guacamole object is gone (an administrator deleted it). */
export interface StaleRecord {
  readonly objectType: ObjectType;
  readonly guacamoleId: number;
}

export type ObjectType = 'connection' | 'connection_group';

/** A Guacamole with nothing in it yet (what a first look plans against): every connection and folder is a create. */
export const EMPTY_GUACAMOLE: CurrentState = {
  groups: [],
  connections: [],
  readableConnections: new Set(),
  readableGroups: new Set(),
  staleRecords: [],
};

export interface CurrentState {
  readonly groups: readonly CurrentGroup[];
  /** Every connection (name and place), owned ones with owner and parameters. */
  readonly connections: readonly CurrentConnection[];
  readonly adminGroup?: AdminGroupState;
  /** Objects the admin group can READ now. */
  readonly readableConnections: ReadonlySet<number>;
  readonly readableGroups: ReadonlySet<number>;
  readonly staleRecords: readonly StaleRecord[];
  /**
   * Set when the state was read for an event run: `connections` then carry the owner and parameters of the batch's
   * connections only (the others are names and places), and this is how many connections the daemon manages in all.
   */
  readonly managedConnections?: number;
}
