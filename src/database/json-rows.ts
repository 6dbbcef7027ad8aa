import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';

const DATE_TYPES = new Set<unknown>(['timestamptz', 'timestamp with time zone', 'timestamp', Date]);

/**
 * Builds entities from rows Postgres rendered as JSON (`row_to_json`, `json_agg`: column names as keys, timestamps as text), so
 * several tables can be read in one statement without an ORM pass over each result.
 */
export function entitiesFromJson<T extends ObjectLiteral>(dataSource: DataSource, target: EntityTarget<T>, rows: Record<string, unknown>[]): T[] {
  const metadata = dataSource.getMetadata(target);
  return rows.map((json) => {
    const entity = metadata.create() as Record<string, unknown>;
    for (const column of metadata.columns) {
      const value = json[column.databaseName];
      if (value === null || value === undefined) entity[column.propertyName] = null;
      else if (DATE_TYPES.has(column.type)) entity[column.propertyName] = new Date(value as string);
      else if (column.type === 'bigint') entity[column.propertyName] = String(value);
      else entity[column.propertyName] = value;
    }
    return entity as T;
  });
}
