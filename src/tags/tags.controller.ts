import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { IsIn, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { DataSource } from 'typeorm';
import { escapeLike } from '../common/sql';
import { EmptyToNull, ToInt } from '../common/validation';

export class ListTagsQueryDto {
  @ApiPropertyOptional({ description: 'Tags after this one, in the requested order.' })
  @IsOptional() @EmptyToNull() @IsString()
  after?: string | null;

  @ApiPropertyOptional({ description: 'Tags before this one, in the requested order.' })
  @IsOptional() @EmptyToNull() @IsString()
  before?: string | null;

  @ApiPropertyOptional({ default: 50 })
  @IsOptional() @ToInt() @IsInt() @Min(1) @Max(1000)
  limit?: number;

  @ApiPropertyOptional({ enum: ['asc', 'desc'], default: 'asc' })
  @IsOptional() @EmptyToNull() @IsIn(['asc', 'desc'])
  order?: 'asc' | 'desc' | null;

  @ApiPropertyOptional({ description: 'Case-insensitive substring of the tag.' })
  @IsOptional() @EmptyToNull() @IsString()
  name?: string | null;

  @ApiPropertyOptional({ description: 'Deprecated alias of name.' })
  @IsOptional() @EmptyToNull() @IsString()
  query_text?: string | null;
}

@ApiTags('tags')
@Controller('v1/tags')
export class TagsController {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  @Get()
  @ApiOperation({ summary: 'List the tags in use by agents, alphabetically' })
  @ApiOkResponse({ type: [String] })
  async list(@Query() query: ListTagsQueryDto): Promise<string[]> {
    const desc = query.order === 'desc';
    const params: unknown[] = [];
    const where: string[] = [];
    const search = query.name ?? query.query_text;
    if (search) where.push(`tag ILIKE $${params.push(`%${escapeLike(search)}%`)}`);
    if (query.after) where.push(`tag ${desc ? '<' : '>'} $${params.push(query.after)}`);
    if (query.before) where.push(`tag ${desc ? '>' : '<'} $${params.push(query.before)}`);
    const reverse = Boolean(query.before) && !query.after;
    const direction = desc !== reverse ? 'DESC' : 'ASC';
    const rows: { tag: string }[] = await this.dataSource.query(
      `SELECT DISTINCT tag FROM agent_tags ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY tag ${direction} LIMIT $${params.push(query.limit ?? 50)}`,
      params,
    );
    const tags = rows.map((r) => r.tag);
    return reverse ? tags.reverse() : tags;
  }
}
