/**
 * Preloaded into a CLI under test (`NODE_OPTIONS=--import=<this file's URL>`, with TEST_CONNECT_LOG naming a file):
 * appends `host:port` (or the socket path) of every TCP or Unix socket connection the process opens, so a test can
 * prove which servers it tried to reach. Every client (the AWS SDK's HTTP agent, node-postgres, mysql2) connects
 * through `net.Socket.prototype.connect`.
 */
import { appendFileSync } from 'node:fs';
import net from 'node:net';

const logFile = process.env.TEST_CONNECT_LOG;
if (logFile !== undefined && logFile !== '') {
  const connect = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
    appendFileSync(logFile, `${target(args)}\n`);
    return (connect as (...a: unknown[]) => net.Socket).apply(this, args);
  } as typeof connect;
}

/** `connect(options)`, `connect(port, host)`, `connect(path)`, or net.connect's normalized `[options, callback]`. */
function target(args: readonly unknown[]): string {
  const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
  if (typeof first === 'object' && first !== null) {
    const o = first as { host?: string; port?: number | string; path?: string };
    return o.path ?? `${o.host ?? 'localhost'}:${String(o.port)}`;
  }
  if (typeof first === 'number' || /^\d+$/.test(String(first))) return `${typeof args[1] === 'string' ? args[1] : 'localhost'}:${String(first)}`;
  return String(first);
}
