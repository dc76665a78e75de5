/** Rows per multi-row statement: well under PostgreSQL's 65,535 bind parameters and MySQL's packet limit. */
const CHUNK = 500;

export function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Runs `query` once per chunk of `items` (none for no item) and concatenates the rows, in order. */
export async function queryInChunks<T, R>(items: readonly T[], query: (chunk: T[]) => Promise<readonly R[]>): Promise<R[]> {
  const rows: R[] = [];
  for (const chunk of chunks(items)) for (const row of await query(chunk)) rows.push(row);
  return rows;
}
