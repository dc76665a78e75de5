/** A connection as Guacamole should have it, before names are made unique within their folder. */
export interface DesiredConnection {
  /** Identity: `<region>/<instance id>`. Renames and moves are updates of the same key. */
  readonly key: string;
  /** The listing this connection comes from (the region): a failed listing leaves its connections alone. */
  readonly scope: string;
  readonly instanceId: string;
  /** Display name before disambiguation (clean, at most 128 characters). */
  readonly name: string;
  /** Folder names from ROOT (the base path first). */
  readonly folder: readonly string[];
  readonly protocol: string;
  /** Parameter name → value; values may be secrets and are never logged. */
  readonly parameters: Readonly<Record<string, string>>;
}

/** An instance left out of this run. Its connection, if one exists, is kept unchanged. */
export interface SkippedInstance {
  readonly key: string;
  readonly scope: string;
  readonly instanceId: string;
  readonly reason: string;
}

/** A problem that does not stop the connection from being written (e.g. no key: the user will be prompted). */
export interface InstanceWarning {
  readonly key: string;
  readonly instanceId: string;
  readonly message: string;
}

export function instanceKey(region: string, instanceId: string): string {
  return `${region}/${instanceId}`;
}
