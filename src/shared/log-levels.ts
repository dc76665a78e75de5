/** The logger's settings, apart from the logger: reading the configuration loads no winston. */
export type LogFormat = 'json' | 'text';
export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
