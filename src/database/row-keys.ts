/** A row as a statement names it: its id and the `xmin` of the row version (every UPDATE writes a new one). */
export type RowKey = [id: string, xmin: string];

/**
 * SQL aggregating rows (alias `alias`) into one text of `xmin id` pairs, comma-separated, in the given order: cheaper to
 * build and to read than a JSON array of pairs. Ids are ours (`<prefix>-<uuid>`), so neither separator occurs in them.
 */
export const ROW_KEYS = (alias: string, order?: string) =>
  `COALESCE(string_agg(${alias}.xmin::text || ' ' || ${alias}.id, ','${order ? ` ORDER BY ${order}` : ''}), '')`;

/** The pairs `ROW_KEYS` aggregated. */
export function rowKeys(text: string): RowKey[] {
  if (!text) return [];
  return text.split(',').map((pair) => {
    const space = pair.indexOf(' ');
    return [pair.slice(space + 1), pair.slice(0, space)];
  });
}

/**
 * SQL aggregating rows into a digest of which rows they are at which versions: `count:sum` of a 64-bit hash of each id
 * and `xmin` (as a bigint). Two sets of rows with the same digest hold the same rows at the same versions. Cheaper to
 * compute than `ROW_KEYS` (no text per row, no order), and a process that knows a set's digest can add to it the digest
 * of the rows it writes (`addDigests`).
 */
export const ROW_DIGEST = (id: string, xmin: string) => `count(*) || ':' || COALESCE(sum(hashtextextended(${id}, ${xmin})), 0)`;

/** The digest of two disjoint sets of rows together. */
export function addDigests(a: string, b: string): string {
  const [countA, sumA] = a.split(':');
  const [countB, sumB] = b.split(':');
  return `${Number(countA) + Number(countB)}:${BigInt(sumA) + BigInt(sumB)}`;
}
