import { settingGroup, type ConfigEntry } from './config-entry.js';
import type { Dialect } from './config-shape.js';
import { setting, type Parse, type RawSettings, type Setting } from './setting.js';
import { host, integer, requiredText } from './setting-kinds.js';

/**
 * Guacamole's database settings, under the names its own Docker image uses (and, in guacamole.properties, its own
 * JDBC properties: `postgresql-hostname`, `mysql-username`, …). Exactly one of the two databases is configured.
 */

export const DATABASE_PREFIXES = { postgres: 'POSTGRESQL', mysql: 'MYSQL' } as const satisfies Record<Dialect, string>;
export type DatabaseField = 'HOSTNAME' | 'PORT' | 'DATABASE' | 'USERNAME' | 'PASSWORD';

type DatabaseSettings = {
  readonly HOSTNAME: Setting<string>;
  readonly PORT: Setting<number>;
  readonly DATABASE: Setting<string>;
  readonly USERNAME: Setting<string>;
  readonly PASSWORD: Setting<string>;
};

/** Required, and kept as given: a password may begin or end with a space. */
const rawRequired: Parse<string> = (value, name, problems) => {
  if (value === undefined) problems.push(`${name}: required`);
  return value ?? '';
};

/** How one database's settings are named and defaulted; the two databases differ only in these facts. */
interface DatabaseNaming {
  readonly prefix: string;
  readonly defaultPort: number;
  /** An older prefix still accepted for every field, as Guacamole's image accepts it (`POSTGRES_`). */
  readonly legacyPrefix?: string;
  /** The host may name a folder holding the server's Unix socket (node-postgres only). */
  readonly socketFolder: boolean;
}

const NAMING: Readonly<Record<Dialect, DatabaseNaming>> = {
  postgres: { prefix: DATABASE_PREFIXES.postgres, defaultPort: 5432, legacyPrefix: 'POSTGRES', socketFolder: true },
  mysql: { prefix: DATABASE_PREFIXES.mysql, defaultPort: 3306, socketFolder: false },
};

/**
 * One database's settings. Older names are accepted as Guacamole's image accepts them: the whole `POSTGRES_` prefix,
 * `POSTGRESQL_USER` and `MYSQL_USER`.
 */
function databaseSettings({ prefix, defaultPort, legacyPrefix, socketFolder }: DatabaseNaming): DatabaseSettings {
  const legacy = (field: string) => (legacyPrefix === undefined ? [] : [`${legacyPrefix}_${field}`]);
  return {
    HOSTNAME: host(`${prefix}_HOSTNAME`, 'localhost', { socketFolder, legacyNames: legacy('HOSTNAME') }),
    PORT: integer(`${prefix}_PORT`, 1, 65535, defaultPort, { legacyNames: legacy('PORT') }),
    DATABASE: requiredText(`${prefix}_DATABASE`, { legacyNames: legacy('DATABASE') }),
    USERNAME: requiredText(`${prefix}_USERNAME`, { legacyNames: [...legacy('USERNAME'), `${prefix}_USER`, ...legacy('USER')] }),
    PASSWORD: setting(`${prefix}_PASSWORD`, rawRequired, { secret: true, legacyNames: legacy('PASSWORD') }),
  };
}

const DATABASE_SETTINGS: Readonly<Record<Dialect, DatabaseSettings>> = {
  postgres: databaseSettings(NAMING.postgres),
  mysql: databaseSettings(NAMING.mysql),
};

const DIALECTS = Object.keys(DATABASE_SETTINGS) as Dialect[];
const wildcards = DIALECTS.map((d) => `${DATABASE_PREFIXES[d]}_*`);

/** The dialects with at least one setting given (from the environment or guacamole.properties, legacy names included). */
function configuredDialects(raw: RawSettings): Dialect[] {
  return DIALECTS.filter((d) => Object.values(DATABASE_SETTINGS[d]).some((s) => raw[s.name] !== undefined));
}

/**
 * Whether any database setting is given at all. Without one, `--once --dry-run` is a first look planned against an
 * empty Guacamole; anything else needs the database.
 */
export function databaseConfigured(raw: RawSettings): boolean {
  return configuredDialects(raw).length > 0;
}

/** The database Guacamole uses: the one dialect with any setting given; its connection in Config, password in Secrets. */
export const DATABASE: ConfigEntry = settingGroup(
  DIALECTS.flatMap((d) => Object.values(DATABASE_SETTINGS[d])),
  (raw, problems) => {
    const configured = configuredDialects(raw);
    if (configured.length !== 1) {
      const { DATABASE: name, USERNAME: user, PASSWORD: password } = DATABASE_SETTINGS.postgres;
      problems.push(
        configured.length === 0
          ? `${wildcards.join(' or ')}: no database configured (set ${name.name}, ${user.name}, ${password.name}, … or the ${DATABASE_PREFIXES.mysql}_ ones)`
          : `${wildcards.join(' and ')}: both databases are configured; set only the one Guacamole uses`,
      );
      return {};
    }
    const dialect = configured[0] as Dialect;
    const s = DATABASE_SETTINGS[dialect];
    // In this order, as the problems have always been listed.
    const database = s.DATABASE.read(raw, problems);
    const user = s.USERNAME.read(raw, problems);
    const databasePassword = s.PASSWORD.read(raw, problems);
    const port = s.PORT.read(raw, problems);
    return { config: { database: { dialect, host: s.HOSTNAME.read(raw, problems), port, database, user } }, secrets: { databasePassword } };
  },
);
