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
