import { ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString } from 'class-validator';
import { PageQueryDto } from '../../common/pagination';
import { EmptyToNull, ToArray, ToBoolean } from '../../common/validation';

export const AGENT_INCLUDES = [
  'agent.blocks',
  'agent.identities',
  'agent.managed_group',
  'agent.pending_approval',
  'agent.secrets',
  'agent.sources',
  'agent.tags',
  'agent.tools',
] as const;
export type AgentInclude = (typeof AGENT_INCLUDES)[number];

export class IncludeQueryDto {
  @ApiPropertyOptional({ type: [String], enum: AGENT_INCLUDES, description: 'Relationships to include in the response.' })
  @IsOptional() @ToArray() @IsIn(AGENT_INCLUDES as unknown as string[], { each: true })
  include?: AgentInclude[];

  @ApiPropertyOptional({ type: [String], description: 'Deprecated: `memory`, `tools`, `tags`, `sources`, ...' })
  @IsOptional() @ToArray() @IsString({ each: true })
  include_relationships?: string[];
}

export class ListAgentsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Only agents with exactly this name.' })
  @IsOptional() @EmptyToNull() @IsString()
  name?: string | null;

  @ApiPropertyOptional({ type: [String], description: 'Agents with any (or, with match_all_tags, all) of these tags.' })
  @IsOptional() @ToArray() @IsString({ each: true })
  tags?: string[];

  @ApiPropertyOptional({ default: false })
  @IsOptional() @ToBoolean() @IsBoolean()
  match_all_tags?: boolean;

  @ApiPropertyOptional({ description: 'Case-insensitive search in the agent name.' })
  @IsOptional() @EmptyToNull() @IsString()
  query_text?: string | null;

  @ApiPropertyOptional({ enum: ['created_at', 'updated_at', 'last_run_completion'], default: 'created_at' })
  @IsOptional() @EmptyToNull() @IsIn(['created_at', 'updated_at', 'last_run_completion'])
  order_by?: 'created_at' | 'updated_at' | 'last_run_completion' | null;

  @ApiPropertyOptional() @IsOptional() @EmptyToNull() @IsString()
  project_id?: string | null;

  @ApiPropertyOptional() @IsOptional() @EmptyToNull() @IsString()
  template_id?: string | null;

  @ApiPropertyOptional() @IsOptional() @EmptyToNull() @IsString()
  base_template_id?: string | null;

  @ApiPropertyOptional({ description: 'Only agents whose last run ended with this stop reason.' })
  @IsOptional() @EmptyToNull() @IsString()
  last_stop_reason?: string | null;

  @ApiPropertyOptional({ description: 'Deprecated: use order.' })
  @IsOptional() @ToBoolean() @IsBoolean()
  ascending?: boolean;

  @ApiPropertyOptional({ type: [String], enum: AGENT_INCLUDES })
  @IsOptional() @ToArray() @IsIn(AGENT_INCLUDES as unknown as string[], { each: true })
  include?: AgentInclude[];

  @ApiPropertyOptional({ type: [String] })
  @IsOptional() @ToArray() @IsString({ each: true })
  include_relationships?: string[];
}

export class ListBlockAgentsQueryDto extends IntersectionType(PageQueryDto, IncludeQueryDto) {}

export class RecompileQueryDto {
  @ApiPropertyOptional({ default: false, description: 'Return the compiled prompt without saving it.' })
  @IsOptional() @ToBoolean() @IsBoolean()
  dry_run?: boolean;

  @ApiPropertyOptional({ default: false, description: 'Accepted for compatibility; the compile time is always refreshed.' })
  @IsOptional() @ToBoolean() @IsBoolean()
  update_timestamp?: boolean;
}
