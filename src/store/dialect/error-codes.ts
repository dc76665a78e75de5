import type { DatabaseFaultKind } from './dialect.js';

/** The error's `code` (the SQLSTATE for pg, `ER_…` names for mysql2, Node's socket codes for both), when it is text. */
export function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Node's own codes for a connection that broke, whichever driver held it. */
export const SOCKET_LOST_CODES = ['ECONNRESET', 'ECONNREFUSED', 'EPIPE'] as const;

/** Node's own codes for a server that cannot be reached. */
const NETWORK_CODES = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET'];

/** A driver's connect timeout. */
const CONNECT_TIMEOUT = /connection timeout|timeout expired/i;

/** The codes and messages by which one database says what went wrong with a run's transaction. */
export interface FaultCodes {
  readonly lockTimeout: ReadonlySet<string>;
  readonly statementTimeout: ReadonlySet<string>;
  /** Statement timeouts the server reports without a code of their own. */
  readonly statementTimeoutMessage?: RegExp;
  readonly deadlock: ReadonlySet<string>;
  readonly connectionLost: ReadonlySet<string>;
  /** Lost connections the driver reports without a code. */
  readonly connectionLostMessage: RegExp;
}

/** The fault `err` is by `codes`, checked in this order: lock timeout, statement timeout, deadlock, lost connection. */
export function classifyFault(err: Error, codes: FaultCodes): DatabaseFaultKind | undefined {
  const code = errorCode(err);
  const has = (set: ReadonlySet<string>) => code !== undefined && set.has(code);
  if (has(codes.lockTimeout)) return 'lock-timeout';
  if (has(codes.statementTimeout) || codes.statementTimeoutMessage?.test(err.message) === true) return 'statement-timeout';
  if (has(codes.deadlock)) return 'deadlock';
  if (has(codes.connectionLost) || codes.connectionLostMessage.test(err.message)) return 'connection-lost';
  return undefined;
}

/** A network failure or connect timeout, or one of `loginCodes` (the server refusing the user or the database name). */
export function isConnectFailure(err: unknown, loginCodes: readonly string[]): boolean {
  const code = errorCode(err);
  return (code !== undefined && (NETWORK_CODES.includes(code) || loginCodes.includes(code))) || (err instanceof Error && CONNECT_TIMEOUT.test(err.message));
}
