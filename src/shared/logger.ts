import winston from 'winston';
import type { LogFormat, LogLevel } from './log-levels.js';
import { visibleText } from './visible-text.js';

export type Logger = winston.Logger;

/** The root logger: one line per event on stdout, JSON for machines or plain text for a terminal. */
export function createLogger(options: { level?: LogLevel; format?: LogFormat } = {}): Logger {
  const format = options.format ?? (process.stdout.isTTY ? 'text' : 'json');
  return winston.createLogger({
    level: options.level ?? 'info',
    format:
      format === 'json'
        ? winston.format.combine(winston.format.timestamp(), winston.format.json())
        : winston.format.combine(winston.format.timestamp(), winston.format.printf(textLine)),
    transports: [new winston.transports.Console()],
  });
}

/**
 * One text line: `<time> <LEVEL> [component] message key=value …`. Text from EC2 can hold newlines, NUL or terminal
 * escapes: the message shows them as visible escapes (`\n`, `\u001b`), and a value that is not one plain word (spaces,
 * `=`, quotes, backslashes, control characters, or empty) is printed as a JSON-style quoted string, so one event is
 * always one line and a value can never pose as another field.
 */
export function textLine(info: winston.Logform.TransformableInfo): string {
  const { level, message, timestamp, component, ...rest } = info;
  const fields = Object.entries(rest).map(([key, value]) => `${logValue(key)}=${logValue(value)}`);
  const prefix = component === undefined ? '' : `[${visibleText(String(component))}] `;
  return [`${String(timestamp)} ${level.toUpperCase()} ${prefix}${visibleText(String(message))}`, ...fields].join(' ');
}

/** A plain word stays bare; anything else is quoted. */
const BARE = /^[^\s="\\]+$/u;

function logValue(value: unknown): string {
  if (typeof value !== 'string') return visibleText(JSON.stringify(value) ?? String(value));
  const visible = visibleText(value);
  if (visible === value && BARE.test(value)) return value;
  // Quote and backslash escaped first, then the controls made visible (their escapes keep a single backslash).
  return `"${visibleText(value.replace(/["\\]/g, (c) => `\\${c}`))}"`;
}
