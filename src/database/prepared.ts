import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';

const names = new Map<string, string>();

/**
 * Runs one of the few statements every turn executes as a named prepared statement, so Postgres parses and plans it
 * once per connection instead of on each call. Only for SQL whose text takes a handful of shapes (the values vary, the
 * text does not): each shape stays prepared on every pooled connection.
 */
export async function queryPrepared<T>(dataSource: DataSource, text: string, values: unknown[]): Promise<T[]> {
  let name = names.get(text);
  if (!name) names.set(text, (name = `mnemo_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`));
  const pool = (dataSource.driver as unknown as { master: Pool }).master;
  return (await pool.query({ name, text, values })).rows as T[];
}
