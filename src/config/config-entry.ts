import type { Config, Secrets } from './config-shape.js';
import type { RawSettings, Setting, SettingDefinition } from './setting.js';

/**
 * One line of the settings table: the settings it reads and the part of `Config` and `Secrets` it fills. Most fill one
 * `Config` field from one setting; a few read one setting into both (the roles: accounts and their external ids) or
 * several settings that are checked together (the access key pair, the database).
 */
export interface ConfigEntry {
  readonly settings: readonly SettingDefinition[];
  read(raw: RawSettings, problems: string[]): ConfigPart;
}

export interface ConfigPart {
  readonly config?: Partial<Config>;
  readonly secrets?: Partial<Secrets>;
}

/** A `Config` field read from one setting. A secret setting cannot be one: its value would be logged. */
export function configField<K extends keyof Config>(field: K, setting: Setting<Config[K]>): ConfigEntry {
  if (setting.secret) throw new Error(`${setting.name} is a secret and cannot fill Config.${field}`);
  return { settings: [setting], read: (raw, problems) => ({ config: { [field]: setting.read(raw, problems) } }) };
}

/**
 * One setting whose value fills parts of `Config` and `Secrets`. For a secret setting, `into` puts the value itself in
 * `Secrets` only (`Config` may learn that it is set); test/unit/config/settings-table.test.ts checks it.
 */
export function splitField<T>(setting: Setting<T>, into: (value: T) => ConfigPart): ConfigEntry {
  return { settings: [setting], read: (raw, problems) => into(setting.read(raw, problems)) };
}

/** Several settings checked together; `read` parses each of them. */
export function settingGroup(settings: readonly SettingDefinition[], read: ConfigEntry['read']): ConfigEntry {
  return { settings, read };
}

/**
 * `first` is read (and reports its problems) before `rest`, but fills Config after them: for a setting whose problems
 * have always come before those of the settings it is listed after in Config (and so in the logged configuration).
 */
export function readFirst(first: ConfigEntry, rest: readonly ConfigEntry[]): ConfigEntry {
  return {
    settings: [...rest.flatMap((e) => e.settings), ...first.settings],
    read: (raw, problems) => {
      const early = first.read(raw, problems);
      const parts = [...rest.map((e) => e.read(raw, problems)), early];
      return {
        config: Object.assign({}, ...parts.map((p) => p.config)) as Partial<Config>,
        secrets: Object.assign({}, ...parts.map((p) => p.secrets)) as Partial<Secrets>,
      };
    },
  };
}
