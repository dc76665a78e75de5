/** Errors carry data and say what to do; messages never contain secrets. */

/** Invalid or missing settings. Every problem names its setting; the CLI exits with status 2. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** The database does not look like a Guacamole (1.0.0 or later) JDBC schema. */
export class SchemaMismatchError extends Error {
  override readonly name = 'SchemaMismatchError';
  constructor(readonly missing: readonly string[]) {
    super(
      `the database is not a Guacamole 1.x schema: missing ${missing.join(', ')}. ` +
        'Point the database settings at the database Guacamole uses (initialised with its schema scripts).',
    );
  }
}

/** Turns anything thrown into a one-line message, without stack or secrets. */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' && !err.message.includes(code) ? `${err.message} (${code})` : err.message;
  }
  return String(err);
}
