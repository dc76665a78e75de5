import type { Generated } from 'kysely';

/**
 * The Guacamole tables this program reads and writes (only the columns it uses; names as in Guacamole's DDL),
 * and its own bookkeeping table. Guacamole's tables are never altered.
 */
export interface GuacamoleConnectionGroupTable {
  connection_group_id: Generated<number>;
  parent_id: number | null;
  connection_group_name: string;
  type: string;
}

export interface GuacamoleConnectionTable {
  connection_id: Generated<number>;
  connection_name: string;
  parent_id: number | null;
  protocol: string;
}

export interface GuacamoleConnectionParameterTable {
  connection_id: number;
  parameter_name: string;
  parameter_value: string;
}

export interface GuacamoleEntityTable {
  entity_id: Generated<number>;
  name: string;
  type: string;
}

export interface GuacamoleUserGroupTable {
  user_group_id: Generated<number>;
  entity_id: number;
  disabled: boolean | number;
}

export interface GuacamoleUserGroupMemberTable {
  user_group_id: number;
  member_entity_id: number;
}

export interface GuacamoleConnectionPermissionTable {
  entity_id: number;
  connection_id: number;
  permission: string;
}

export interface GuacamoleConnectionGroupPermissionTable {
  entity_id: number;
  connection_group_id: number;
  permission: string;
}

/** One row per Guacamole object this daemon created (see migrations/). */
export interface OwnedObjectTable {
  owner_id: string;
  object_type: string;
  guacamole_id: number;
  /** `<region>/<instance id>` for connections; null for groups. */
  instance_key: string | null;
  /** The listing (region) a connection comes from; null for groups. */
  scope: string | null;
  /** Digest of a decrypted password and its key (see migrations/); null when the daemon set none. */
  secret_digest: string | null;
  created_at: Generated<Date>;
}

export const OWNED_OBJECT_TABLE = 'ec2_discovery_owned_object';

/** One row per run (see migrations/): what `status` shows. */
export interface RunTable {
  run_id: string;
  owner_id: string;
  started_at: Date;
  duration_ms: number;
  /** `success`, `partial` (some regions failed or deletions held) or `failure`. */
  result: string;
  /** JSON: counts, failed regions, the brake, the error. */
  summary: string;
}

/** Instances (or regions) with a problem as of the owner's last run. */
export interface ProblemTable {
  owner_id: string;
  /** `<region>/<instance id>`, or a region. */
  subject: string;
  kind: string;
  message: string;
}

/** DescribeImages answers kept across runs (see migrations/2026-11-28-04-image-cache.ts). */
export interface ImageCacheTable {
  region: string;
  image_id: string;
  /** `ImageInfo` as JSON. */
  info: string;
  seen_at: Date;
}

/** One row per READ grant the daemon made for its admin group (see migrations/2026-12-06-07-admin-grants.ts). */
export interface GrantedReadTable {
  owner_id: string;
  /** The grantee's `guacamole_entity` id. */
  entity_id: number;
  /** `connection` or `connection_group`. */
  object_type: string;
  object_id: number;
  granted_at: Generated<Date>;
}

export const GRANTED_READ_TABLE = 'ec2_discovery_granted_read';

/** Event mode's queue as the daemon last saw it, one row per owner (see migrations/2026-12-07-08-event-queue.ts). */
export interface EventQueueTable {
  owner_id: string;
  queue_name: string;
  /** `receiving` or `failing`. */
  state: string;
  since: Date;
  last_error: string | null;
  last_batch_at: Date | null;
  updated_at: Date;
}

export interface Database {
  guacamole_connection_group: GuacamoleConnectionGroupTable;
  guacamole_connection: GuacamoleConnectionTable;
  guacamole_connection_parameter: GuacamoleConnectionParameterTable;
  guacamole_entity: GuacamoleEntityTable;
  guacamole_user_group: GuacamoleUserGroupTable;
  guacamole_user_group_member: GuacamoleUserGroupMemberTable;
  guacamole_connection_permission: GuacamoleConnectionPermissionTable;
  guacamole_connection_group_permission: GuacamoleConnectionGroupPermissionTable;
  [OWNED_OBJECT_TABLE]: OwnedObjectTable;
  ec2_discovery_run: RunTable;
  ec2_discovery_problem: ProblemTable;
  ec2_discovery_image: ImageCacheTable;
  [GRANTED_READ_TABLE]: GrantedReadTable;
  ec2_discovery_event_queue: EventQueueTable;
}
