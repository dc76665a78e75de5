/**
 * What one setting is: its environment name, its guacamole.properties key, whether it is a secret, its older names,
 * its default as the documentation writes it, and its parser. Declarations are built with the helpers in
 * setting-kinds.ts and listed once, in settings.ts.
 */

/** Raw setting values by environment name: strings as given, nothing parsed yet. */
export type RawSettings = Readonly<Record<string, string | undefined>>;

/**
 * Parses one raw value (undefined: not set). Problems are pushed, each starting with the setting's name, and never
 * stop the parse: a value (often the default) is still returned so every problem is found at once.
 */
export type Parse<T> = (value: string | undefined, name: string, problems: string[]) => T;

/** Everything about a setting but its parser: what the readers and the documentation checks need. */
export interface SettingDefinition {
  /** The documented environment name, as .env.example and README write it. */
  readonly name: string;
  /** Its key in guacamole.properties, lower case with dashes unless declared otherwise. */
  readonly property: string;
  /** Kept out of the logged configuration: its value may only reach `Secrets`. */
  readonly secret: boolean;
  /** Older environment names still accepted, with a deprecation warning, in order of preference. */
  readonly legacyNames: readonly string[];
  /** The default as .env.example and README write it; undefined: no default (unset means off, or required). */
  readonly documentedDefault?: string;
}

export interface Setting<T> extends SettingDefinition {
  /** Reads and parses this setting's value from the raw settings. */
  read(raw: RawSettings, problems: string[]): T;
}

export interface SettingOptions {
  readonly secret?: boolean;
  /** Only where the derived key (see propertyNameOf) is not the right one. */
  readonly property?: string;
  readonly legacyNames?: readonly string[];
  readonly documentedDefault?: string;
}

export function setting<T>(name: string, parse: Parse<T>, options: SettingOptions = {}): Setting<T> {
  return {
    name,
    property: options.property ?? propertyNameOf(name),
    secret: options.secret ?? false,
    legacyNames: options.legacyNames ?? [],
    ...(options.documentedDefault === undefined ? {} : { documentedDefault: options.documentedDefault }),
    read: (raw, problems) => parse(raw[name], name, problems),
  };
}

/**
 * The `guacamole.properties` name of a setting: lower case, `_` → `-`. `AWS_DISCOVERY_REGIONS` is
 * `aws-discovery-regions`; the database names come out as Guacamole's own JDBC properties (`postgresql-hostname`,
 * `mysql-username`, …).
 */
export function propertyNameOf(name: string): string {
  return name.toLowerCase().replaceAll('_', '-');
}
