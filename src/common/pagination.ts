import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { EmptyToNull, ToInt } from './validation';

export type SortOrder = 'asc' | 'desc';

/** `before`/`after` are item ids relative to the requested order, as the Letta SDK pages. */
export class PageQueryDto {
  @ApiPropertyOptional({ description: 'Return items before this id, in the requested order.' })
  @IsOptional()
  @EmptyToNull()
  @IsString()
  before?: string | null;

  @ApiPropertyOptional({ description: 'Return items after this id, in the requested order.' })
  @IsOptional()
  @EmptyToNull()
  @IsString()
  after?: string | null;

  @ApiPropertyOptional({ description: 'Page size (1-1000).' })
  @IsOptional()
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;

  @ApiPropertyOptional({ enum: ['asc', 'desc'] })
  @IsOptional()
  @EmptyToNull()
  @IsIn(['asc', 'desc'])
  order?: SortOrder | null;
}

export interface KeysetPage {
  alias: string;
  /** Table the cursor ids are looked up in. */
  table: string;
  /** Column items are sorted by; ties are broken by id unless the column is unique. */
  sortColumn: string;
  /** The sort column alone orders the rows (messages' `seq`): then an index on (filter, sortColumn) serves the page. */
  unique?: boolean;
  order: SortOrder;
  limit: number;
  after?: string | null;
  before?: string | null;
}

/**
 * Keyset pagination on (sortColumn, id): an index on that pair answers every page in O(limit), however deep.
 * The cursor row is read inside the same statement, so its sort value never round-trips through JS.
 * With `before`, the items nearest the cursor are fetched and returned in the requested order.
 */
export async function keysetPage<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, page: KeysetPage): Promise<T[]> {
  const { alias, table, sortColumn, order, limit } = page;
  const key = page.unique ? `${alias}.${sortColumn}` : `(${alias}.${sortColumn}, ${alias}.id)`;
  const cursor = (param: string) => `(SELECT ${page.unique ? `c.${sortColumn}` : `c.${sortColumn}, c.id`} FROM ${table} c WHERE c.id = :${param})`;
  const forward = order === 'asc' ? '>' : '<';
  const backward = order === 'asc' ? '<' : '>';
  if (page.after) qb.andWhere(`${key} ${forward} ${cursor('pageAfter')}`, { pageAfter: page.after });
  if (page.before) qb.andWhere(`${key} ${backward} ${cursor('pageBefore')}`, { pageBefore: page.before });
  const reverse = Boolean(page.before) && !page.after;
  const direction = (order === 'asc') !== reverse ? 'ASC' : 'DESC';
  qb.orderBy(`${alias}.${sortColumn}`, direction);
  if (!page.unique) qb.addOrderBy(`${alias}.id`, direction);
  qb.limit(limit);
  const rows = await qb.getMany();
  return reverse ? rows.reverse() : rows;
}
