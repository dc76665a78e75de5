import type { Kysely } from 'kysely';
import type { GroupDelete } from '../plan/change-set.js';
import { recheckGroupDeletes, type GroupContents, type KeepReason } from '../plan/plan-group-deletes.js';
import { chunks } from './chunks.js';
import type { Database } from './tables.js';

/** An owned folder the run meant to delete but kept: something it does not own was put inside since it was read. */
export interface KeptGroup {
  readonly id: number;
  readonly displayPath: string;
  /** What keeps it: a connection, or a folder that stays. */
  readonly holds: KeepReason;
}

export interface GroupDeleteOutcome {
  /** Deleted, children before parents. */
  readonly deleted: readonly number[];
  /** Already gone when the run came to delete them (an administrator deleted them). */
  readonly vanished: readonly number[];
  readonly kept: readonly KeptGroup[];
}

/**
 * Deletes the run's owned folders that are empty at the moment of the delete, children first, and keeps the others.
 * Call it inside the run's transaction after the run's own connections have left them (deleted or moved).
 *
 * A folder's delete cascades to everything inside, so its contents are read under lock, never from the run's
 * earlier snapshot:
 * 1. `SELECT … FOR UPDATE` on the candidate folders. Inserting a connection or a folder into one (or moving one
 *    there) takes a key-share lock on that folder's row through the foreign key (PostgreSQL `FOR KEY SHARE`, InnoDB
 *    a shared record lock), which conflicts with ours: an insert in flight makes us wait until it commits or rolls
 *    back, and once we hold the locks no new insert can land inside until the run ends.
 * 2. The contents with a locking read. On MariaDB/MySQL (REPEATABLE READ) a plain SELECT would read the snapshot
 *    the run took at its start and miss rows committed since; a locking read reads the latest committed rows. On
 *    PostgreSQL (READ COMMITTED) each statement sees every commit before it started, the lock waits included.
 * 3. Deletes by id, one statement per level (and per 500): no subquery on the table being deleted from, which
 *    MySQL refuses (error 1093), and nothing is decided from data that could have changed since step 2.
 */
export async function deleteEmptyGroups(db: Kysely<Database>, groups: readonly GroupDelete[]): Promise<GroupDeleteOutcome> {
  if (groups.length === 0) return { deleted: [], vanished: [], kept: [] };
  const ids = [...new Set(groups.map((g) => g.id))].sort((a, b) => a - b); // one lock order for every run
  const contents = await readContentsLocked(db, ids);
  const recheck = recheckGroupDeletes(contents);
  const deleted: number[] = [];
  for (const level of recheck.deleteLevels) {
    for (const chunk of chunks(level)) {
      await db.deleteFrom('guacamole_connection_group').where('connection_group_id', 'in', chunk).execute();
      deleted.push(...chunk);
    }
  }
  const found = new Set(contents.candidates.map((g) => g.id));
  return {
    deleted,
    vanished: ids.filter((id) => !found.has(id)),
    kept: groups.flatMap((g) => {
      const holds = recheck.kept.get(g.id);
      return holds === undefined ? [] : [{ id: g.id, displayPath: g.displayPath, holds }];
    }),
  };
}

/** Steps 1 and 2: the candidates still present, locked, and what is inside them, read with locking reads. */
async function readContentsLocked(db: Kysely<Database>, ids: readonly number[]): Promise<GroupContents> {
  const candidates: { id: number; parentId: number | null }[] = [];
  for (const chunk of chunks(ids)) {
    const rows = await db
      .selectFrom('guacamole_connection_group')
      .select(['connection_group_id', 'parent_id'])
      .where('connection_group_id', 'in', chunk)
      .orderBy('connection_group_id')
      .forUpdate()
      .execute();
    for (const r of rows) candidates.push({ id: Number(r.connection_group_id), parentId: r.parent_id === null ? null : Number(r.parent_id) });
  }
  const subGroups: { id: number; parentId: number }[] = [];
  const connectionParents: number[] = [];
  for (const chunk of chunks(candidates.map((g) => g.id))) {
    const subs = await db
      .selectFrom('guacamole_connection_group')
      .select(['connection_group_id', 'parent_id'])
      .where('parent_id', 'in', chunk)
      .forUpdate()
      .execute();
    for (const s of subs) subGroups.push({ id: Number(s.connection_group_id), parentId: Number(s.parent_id) });
    const inside = await db.selectFrom('guacamole_connection').select('parent_id').where('parent_id', 'in', chunk).forUpdate().execute();
    for (const c of inside) connectionParents.push(Number(c.parent_id));
  }
  return { candidates, subGroups, connectionParents };
}
