/** Rows per multi-row statement: well under PostgreSQL's 65,535 bind parameters and MySQL's packet limit. */
const CHUNK = 500;

export function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
