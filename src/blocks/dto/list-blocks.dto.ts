import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsOptional, IsString } from 'class-validator';
import { PageQueryDto } from '../../common/pagination';
import { EmptyToNull, ToArray, ToBoolean, ToInt, ToIntArray } from '../../common/validation';

export class ListBlocksQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Only blocks with this label.' })
  @IsOptional() @EmptyToNull() @IsString()
  label?: string | null;

  @ApiPropertyOptional({ description: 'Only template blocks.', default: false })
  @IsOptional() @ToBoolean() @IsBoolean()
  templates_only?: boolean;

  @ApiPropertyOptional({ description: 'Only blocks with this template name.' })
  @IsOptional() @EmptyToNull() @IsString()
  name?: string | null;

  @ApiPropertyOptional({ type: [String], description: 'Blocks tagged with any (or, with match_all_tags, all) of these.' })
  @IsOptional() @ToArray() @IsString({ each: true })
  tags?: string[];

  @ApiPropertyOptional({ default: false })
  @IsOptional() @ToBoolean() @IsBoolean()
  match_all_tags?: boolean;

  @ApiPropertyOptional({ description: 'Case-insensitive substring of the label.' })
  @IsOptional() @EmptyToNull() @IsString()
  label_search?: string | null;

  @ApiPropertyOptional({ description: 'Case-insensitive substring of the description.' })
  @IsOptional() @EmptyToNull() @IsString()
  description_search?: string | null;

  @ApiPropertyOptional({ description: 'Case-insensitive substring of the value.' })
  @IsOptional() @EmptyToNull() @IsString()
  value_search?: string | null;

  @ApiPropertyOptional({ description: 'Blocks attached to more than this many agents.' })
  @IsOptional() @ToInt() @IsInt()
  connected_to_agents_count_gt?: number;

  @ApiPropertyOptional({ description: 'Blocks attached to fewer than this many agents.' })
  @IsOptional() @ToInt() @IsInt()
  connected_to_agents_count_lt?: number;

  @ApiPropertyOptional({ type: [Number], description: 'Blocks attached to exactly one of these numbers of agents.' })
  @IsOptional() @ToIntArray() @IsInt({ each: true })
  connected_to_agents_count_eq?: number[];

  @ApiPropertyOptional()
  @IsOptional() @EmptyToNull() @IsString()
  project_id?: string | null;
}
