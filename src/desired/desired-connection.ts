/** A connection as Guacamole should have it, before names are made unique within their folder. */
export interface DesiredConnection {
  /**
   * Identity: `<region>/<instance id>`, or `<account id>/<region>/<instance id>` with AWS_DISCOVERY_ASSUME_ROLES.
   * Renames and moves are updates of the same key.
   */
  readonly key: string;
  /** The listing this connection comes from (the region, or `<account id>/<region>`): a failed listing leaves its connections alone. */
  readonly scope: string;
  readonly instanceId: string;
  /** Display name before disambiguation (clean, at most 128 characters). */
  readonly name: string;
  /** Folder names from ROOT (the base path first). */
  readonly folder: readonly string[];
  readonly protocol: string;
  /** Parameter name → value; values may be secrets and are never logged. */
  readonly parameters: Readonly<Record<string, string>>;
  /**
   * Parameters this run could not obtain (a password not generated yet, a vault that did not answer): the value
   * Guacamole holds, if any, is kept rather than removed.
   */
  readonly preserve?: readonly string[];
  /** Digest of the decrypted password and its key, kept in the bookkeeping (see migrations/). */
  readonly secretDigest?: string;
}

/** An instance left out of this run. Its connection, if one exists, is kept unchanged. */
export interface SkippedInstance {
  readonly key: string;
  readonly scope: string;
  readonly instanceId: string;
  /** A short, stable category (for metrics); the reason says it in words. */
  readonly code?: SkipCode;
  readonly reason: string;
}

/**
 * No usable address yet; a parameter longer than the column; a character the database cannot store; a write the
 * database refused this run (a trigger, a constraint, a name it counts as taken).
 */
export const SKIP_CODES = ['no_address', 'too_long', 'charset', 'rejected'] as const;
export type SkipCode = (typeof SKIP_CODES)[number];

/** A problem that does not stop the connection from being written (e.g. no key: the user will be prompted). */
export interface InstanceWarning {
  readonly key: string;
  readonly instanceId: string;
  readonly message: string;
}

