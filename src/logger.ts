import winston from 'winston';
import type { LogFormat, LogLevel } from './config/config.js';

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

function textLine(info: winston.Logform.TransformableInfo): string {
  const { level, message, timestamp, component, ...rest } = info;
  const fields = Object.entries(rest)
    .filter(([key]) => typeof key === 'string')
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  const prefix = component === undefined ? '' : `[${String(component)}] `;
  return [`${String(timestamp)} ${level.toUpperCase()} ${prefix}${String(message)}`, ...fields].join(' ');
}
