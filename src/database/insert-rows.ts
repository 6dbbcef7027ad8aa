import type { DataSource, EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import { queryPrepared } from './prepared';
import { ROW_DIGEST } from './row-keys';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

/**
 * SQL of the `xmin` every row the current statement writes carries (its transaction id without the epoch), to compare
 * with `xmin` read back later: equal means the row is still the version written.
 */
const WRITTEN_XMIN = `(pg_current_xact_id()::text::bigint % 4294967296)`;
export const WRITTEN_XMIN_SQL = `${WRITTEN_XMIN}::text`;

/** SQL of the `ROW_DIGEST` of the rows the current statement writes, given the parameter holding their ids (`text[]`). */
export const writtenDigestSql = (ids: string) => `(SELECT ${ROW_DIGEST('w.id', WRITTEN_XMIN)} FROM unnest(${ids}::text[]) AS w(id))`;

interface InsertShape {
  table: string;
  columns: ColumnMetadata[];
  /** What reads each column's value from a row, in order (jsonb ones still as objects). */
  readers: ((row: ObjectLiteral) => unknown)[];
  /** The quoted column names, comma-separated. */
  names: string;
  head: string;
}

const shapes = new WeakMap<object, InsertShape>();

/** The columns an INSERT writes (generated ones are left to the database), read from the entity's metadata once. */
function shapeOf(manager: EntityManager, entity: EntityTarget<ObjectLiteral>): InsertShape {
  const metadata = manager.connection.getMetadata(entity);
  let shape = shapes.get(metadata);
  if (!shape) {
    const columns = metadata.columns.filter((c) => !c.isGenerated && !c.isVirtual);
    const names = columns.map((c) => `"${c.databaseName}"`).join(', ');
    shape = { table: metadata.tableName, columns, readers: columns.map(readerOf), names, head: `INSERT INTO "${metadata.tableName}" (${names}) VALUES ` };
    shapes.set(metadata, shape);
  }
  return shape;
}

/** A column's value in a row: the property itself, unless TypeORM has more to resolve (a relation, an embedded). */
function readerOf(column: ColumnMetadata): (row: ObjectLiteral) => unknown {
  if (column.relationMetadata || column.embeddedMetadata || column.transformer) return (row) => column.getEntityValue(row);
  const property = column.propertyName;
  return (row) => row[property];
}

/**
 * The SQL of a plain multi-row INSERT of fully built rows, its values appended to `params`. Written here
 * rather than by the query builder: this is on every turn's path and the builder costs more CPU than the round trip.
 */
function insertSql(manager: EntityManager, entity: EntityTarget<ObjectLiteral>, rows: ObjectLiteral[], params: unknown[]): string {
  const { columns, readers, head } = shapeOf(manager, entity);
  const tuples = rows.map((row) => {
    const values = columns.map((column, i) => {
      const value = readers[i](row);
      if (value === undefined) return 'DEFAULT';
      params.push(value !== null && (column.type === 'jsonb' || column.type === 'json') ? JSON.stringify(value) : value);
      return `$${params.length}`;
    });
    return `(${values.join(', ')})`;
  });
  return head + tuples.join(', ');
}

/**
 * An INSERT of fully built rows that happens only if `condition` holds in the same statement (for a data-modifying CTE
 * that depends on another one). The rows travel as one JSON parameter, typed by the table's own row type.
 */
export function insertWhenSql(manager: EntityManager, entity: EntityTarget<ObjectLiteral>, rows: ObjectLiteral[], params: unknown[], condition: string): string {
  const { table, columns, readers, names } = shapeOf(manager, entity);
  const json = rows.map((row) => {
    const record: Record<string, unknown> = {};
    columns.forEach((column, i) => (record[column.databaseName] = readers[i](row) ?? null));
    return record;
  });
  params.push(JSON.stringify(json));
  return `INSERT INTO "${table}" (${names}) SELECT ${names} FROM jsonb_populate_recordset(NULL::"${table}", $${params.length}) WHERE ${condition}`;
}

/** A plain INSERT of fully built rows (no select-before-save, nothing read back). */
export async function insertRows<T extends ObjectLiteral>(manager: EntityManager, entity: EntityTarget<T>, rows: T[]): Promise<void> {
  if (rows.length === 0) return;
  const params: unknown[] = [];
  await manager.query(insertSql(manager, entity, rows, params), params);
}

/**
 * Several INSERTs as one statement (data-modifying CTEs): atomic without a transaction, one round trip instead of four
 * (BEGIN, two INSERTs, COMMIT). `then`, given the parameters so far, may supply the statement's final SELECT (another
 * write done in the same statement); its first row is returned, with the `xmin` the written rows carry and the
 * `ROW_DIGEST` of the written rows whose ids are `digestOf`.
 */
export async function insertTogether(
  dataSource: DataSource,
  inserts: [EntityTarget<ObjectLiteral>, ObjectLiteral[]][],
  then?: (params: unknown[]) => string,
  digestOf: string[] = [],
): Promise<{ row?: Record<string, unknown>; xmin: string; digest: string | null }> {
  const params: unknown[] = [];
  const parts = inserts.filter(([, rows]) => rows.length > 0).map(([entity, rows]) => insertSql(dataSource.manager, entity, rows, params));
  const row = then ? `SELECT row_to_json(t) FROM (${then(params)}) t` : 'NULL';
  const digest = digestOf.length ? writtenDigestSql(`$${params.push(digestOf)}`) : 'NULL';
  const select = `SELECT ${WRITTEN_XMIN_SQL} AS xmin, (${row}) AS row, ${digest} AS digest`;
  const ctes = parts.map((sql, i) => `i${i} AS (${sql})`).join(', ');
  const [written] = await queryPrepared<{ xmin: string; row: Record<string, unknown> | null; digest: string | null }>(
    dataSource,
    parts.length ? `WITH ${ctes} ${select}` : select,
    params,
  );
  return { row: written.row ?? undefined, xmin: written.xmin, digest: written.digest };
}
