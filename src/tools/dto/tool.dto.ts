import { ApiProperty } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';
import { PageQueryDto } from '../../common/pagination';
import { EmptyToNull, ToArray } from '../../common/validation';

export class ToolResponseDto {
  @ApiProperty({ example: 'tool-0b8d6c7e-2f0a-4d5e-9c1b-3a4f5e6d7c8b' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ nullable: true, type: String }) description: string | null;
  @ApiProperty({ description: 'custom, letta_core, letta_memory_core, letta_sleeptime_core, ...' }) tool_type: string;
  @ApiProperty({ nullable: true, type: String }) source_type: string | null;
  @ApiProperty({ nullable: true, type: String }) source_code: string | null;
  @ApiProperty({ nullable: true, type: Object, description: 'The OpenAI function schema `{name, description, parameters}`.' })
  json_schema: Record<string, unknown> | null;
  @ApiProperty({ nullable: true, type: Object }) args_json_schema: Record<string, unknown> | null;
  @ApiProperty({ type: [String] }) tags: string[];
  @ApiProperty() return_char_limit: number;
  @ApiProperty({ nullable: true, type: [Object] }) pip_requirements: Record<string, unknown>[] | null;
  @ApiProperty({ nullable: true, type: [Object] }) npm_requirements: Record<string, unknown>[] | null;
  @ApiProperty({ nullable: true, type: Boolean }) default_requires_approval: boolean | null;
  @ApiProperty({ nullable: true, type: Boolean }) enable_parallel_execution: boolean | null;
  @ApiProperty({ nullable: true, type: Object }) metadata_: Record<string, unknown> | null;
  @ApiProperty({ nullable: true, type: String }) project_id: string | null;
  @ApiProperty({ nullable: true, type: String }) created_by_id: string | null;
  @ApiProperty({ nullable: true, type: String }) last_updated_by_id: string | null;
}

export class ListToolsQueryDto extends PageQueryDto {
  @ApiProperty({ required: false, description: 'Only the tool with this name.' })
  @IsOptional() @EmptyToNull() @IsString()
  name?: string | null;

  @ApiProperty({ required: false, type: [String], description: 'Only tools with one of these names.' })
  @IsOptional() @ToArray() @IsString({ each: true })
  names?: string[];

  @ApiProperty({ required: false, type: [String], description: 'Only these tool ids.' })
  @IsOptional() @ToArray() @IsString({ each: true })
  tool_ids?: string[];

  @ApiProperty({ required: false, description: 'Case-insensitive substring of the name.' })
  @IsOptional() @EmptyToNull() @IsString()
  search?: string | null;

  @ApiProperty({ required: false, type: [String] })
  @IsOptional() @ToArray() @IsString({ each: true })
  tool_types?: string[];

  @ApiProperty({ required: false, type: [String] })
  @IsOptional() @ToArray() @IsString({ each: true })
  exclude_tool_types?: string[];
}
