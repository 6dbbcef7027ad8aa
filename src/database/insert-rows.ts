import { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';

/** A plain INSERT of fully built rows (no select-before-save); generated columns are read back into them. */
export async function insertRows<T extends ObjectLiteral>(manager: EntityManager, entity: EntityTarget<T>, rows: T[]): Promise<void> {
  if (rows.length === 0) return;
  await manager.createQueryBuilder().insert().into(entity).values(rows as QueryDeepPartialEntity<T>[]).execute();
}

/**
 * Several INSERTs as one statement (data-modifying CTEs): atomic without a transaction, one round trip instead of four
 * (BEGIN, two INSERTs, COMMIT). Generated columns are not read back.
 */
export async function insertTogether(manager: EntityManager, inserts: [EntityTarget<ObjectLiteral>, ObjectLiteral[]][]): Promise<void> {
  const parts: string[] = [];
  const parameters: unknown[] = [];
  for (const [entity, rows] of inserts) {
    if (rows.length === 0) continue;
    const [sql, params] = manager.createQueryBuilder().insert().into(entity).values(rows).updateEntity(false).getQueryAndParameters();
    const offset = parameters.length;
    parts.push(sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`));
    parameters.push(...params);
  }
  if (parts.length === 0) return;
  const ctes = parts.map((sql, i) => `i${i} AS (${sql})`).join(', ');
  await manager.query(`WITH ${ctes} SELECT 1`, parameters);
}
