import { createHash } from 'node:crypto';

/** Prefix of every lock this program takes; the owner id follows, so daemons of different owners never wait on each other. */
const LOCK_PREFIX = 'guacamole-ec2-discovery:';
/** MySQL rejects longer `GET_LOCK` names. */
const MYSQL_LOCK_NAME_LIMIT = 64;

/**
 * PostgreSQL's advisory lock key: the first 8 bytes of SHA-256("guacamole-ec2-discovery:<owner id>") as a signed
 * 64-bit integer, in decimal (node-postgres sends it as text, cast to bigint in the query).
 */
export function postgresLockKey(ownerId: string): string {
  const digest = createHash('sha256').update(LOCK_PREFIX + ownerId, 'utf8').digest();
  return digest.readBigInt64BE(0).toString();
}

/**
 * MySQL/MariaDB's lock name: "guacamole-ec2-discovery:<database>/<owner id>", or, when that passes 64 characters, the
 * prefix and the start of SHA-256 of database and owner id. `GET_LOCK` names are server-wide, so the database is part
 * of the name: daemons of two Guacamole databases on one server never skip each other's runs. Lock names are
 * case-insensitive: names that differ only in case share one lock (their runs take turns; nothing else changes).
 */
export function mysqlLockName(database: string, ownerId: string): string {
  const plain = `${LOCK_PREFIX}${database}/${ownerId}`;
  if (plain.length <= MYSQL_LOCK_NAME_LIMIT) return plain;
  const digest = createHash('sha256').update(`${database}\0${ownerId}`, 'utf8').digest('hex');
  return `${LOCK_PREFIX}#${digest.slice(0, MYSQL_LOCK_NAME_LIMIT - LOCK_PREFIX.length - 1)}`;
}
