import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsArray, IsBoolean, IsInt, IsObject, IsOptional, IsString, Min, MinLength, ValidateNested } from 'class-validator';
import { IsStringArray } from '../../common/validators';

export const AGENT_TYPES = [
  'memgpt_agent',
  'memgpt_v2_agent',
  'letta_v1_agent',
  'react_agent',
  'workflow_agent',
  'split_thread_agent',
  'sleeptime_agent',
  'voice_convo_agent',
  'voice_sleeptime_agent',
] as const;

export class LlmConfigInputDto {
  @ApiPropertyOptional() @IsString() model: string;
  @ApiPropertyOptional({ description: 'openai, anthropic, ollama, ...' }) @IsString() model_endpoint_type: string;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(1) context_window?: number;
  @ApiPropertyOptional() @IsOptional() @IsString() model_endpoint?: string | null;
  @ApiPropertyOptional() @IsOptional() @IsString() handle?: string | null;
  @ApiPropertyOptional() @IsOptional() @IsString() provider_name?: string | null;
  [key: string]: unknown;
}

export class EmbeddingConfigInputDto {
  @ApiPropertyOptional() @IsString() embedding_endpoint_type: string;
  @ApiPropertyOptional() @IsString() embedding_model: string;
  @ApiPropertyOptional() @IsInt() @Min(1) embedding_dim: number;
  @ApiPropertyOptional() @IsOptional() @IsString() embedding_endpoint?: string | null;
  @ApiPropertyOptional() @IsOptional() @IsInt() embedding_chunk_size?: number | null;
  @ApiPropertyOptional() @IsOptional() @IsString() handle?: string | null;
  [key: string]: unknown;
}

/** Fields CreateAgent and UpdateAgent share. */
export class AgentFieldsDto {
  @ApiPropertyOptional({ description: 'Agent name; a random one is chosen when absent.' })
  @IsOptional() @IsString() @MinLength(1)
  name?: string;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional() @IsString()
  description?: string | null;

  @ApiPropertyOptional({ description: 'System prompt template; `{CORE_MEMORY}` marks where memory goes (appended when absent).' })
  @IsOptional() @IsString()
  system?: string;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional() @IsStringArray()
  tags?: string[];

  @ApiPropertyOptional({ type: Object, nullable: true })
  @IsOptional() @IsObject()
  metadata?: Record<string, unknown> | null;

  @ApiPropertyOptional({ description: 'Model handle, `provider/model-name` (e.g. `openai/gpt-4o-mini`).' })
  @IsOptional() @IsString()
  model?: string | null;

  @ApiPropertyOptional({ description: 'Embedding model handle, `provider/model-name`.', nullable: true })
  @IsOptional() @IsString()
  embedding?: string | null;

  @ApiPropertyOptional({ type: LlmConfigInputDto, description: 'Deprecated: use `model`.' })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => LlmConfigInputDto)
  llm_config?: LlmConfigInputDto | null;

  @ApiPropertyOptional({ type: EmbeddingConfigInputDto, description: 'Deprecated: use `embedding`.' })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => EmbeddingConfigInputDto)
  embedding_config?: EmbeddingConfigInputDto | null;

  @ApiPropertyOptional({ type: Object, description: 'Provider-specific settings, discriminated by `provider_type`.' })
  @IsOptional() @IsObject()
  model_settings?: Record<string, unknown> | null;

  @ApiPropertyOptional({ description: 'Context window size to use, at most the model’s.' })
  @IsOptional() @IsInt() @Min(1)
  context_window_limit?: number | null;

  @ApiPropertyOptional({ description: 'Deprecated: maximum output tokens.' })
  @IsOptional() @IsInt() @Min(1)
  max_tokens?: number | null;

  @ApiPropertyOptional({ description: 'Deprecated: allow parallel tool calls.' })
  @IsOptional() @IsBoolean()
  parallel_tool_calls?: boolean | null;

  @ApiPropertyOptional({ type: Object, description: 'How and when the context is compacted (model, mode, prompt, ...).' })
  @IsOptional() @IsObject()
  compaction_settings?: Record<string, unknown> | null;

  @ApiPropertyOptional({ type: [Object] })
  @IsOptional() @IsArray() @IsObject({ each: true })
  tool_rules?: Record<string, unknown>[] | null;

  @ApiPropertyOptional({ type: [String], description: 'Ids of existing tools to attach.' })
  @IsOptional() @IsStringArray()
  tool_ids?: string[];

  @ApiPropertyOptional({ type: [String], description: 'Ids of existing blocks to attach.' })
  @IsOptional() @IsStringArray()
  block_ids?: string[];

  @ApiPropertyOptional({ type: Object, nullable: true })
  @IsOptional() @IsObject()
  response_format?: Record<string, unknown> | null;

  @ApiPropertyOptional({ default: false })
  @IsOptional() @IsBoolean()
  message_buffer_autoclear?: boolean;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional() @IsBoolean()
  enable_sleeptime?: boolean | null;

  @ApiPropertyOptional({ description: 'IANA time zone of the agent, e.g. `Europe/Paris`.', default: 'UTC' })
  @IsOptional() @IsString()
  timezone?: string | null;

  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(1)
  max_files_open?: number | null;

  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(1)
  per_file_view_window_char_limit?: number | null;

  @ApiPropertyOptional() @IsOptional() @IsBoolean()
  hidden?: boolean | null;

  @ApiPropertyOptional() @IsOptional() @IsString()
  project_id?: string | null;

  @ApiPropertyOptional() @IsOptional() @IsString()
  template_id?: string | null;

  @ApiPropertyOptional() @IsOptional() @IsString()
  base_template_id?: string | null;

  @ApiPropertyOptional({ type: [String], description: 'Folders are not supported yet; only an empty list is accepted.' })
  @IsOptional() @IsStringArray()
  folder_ids?: string[] | null;

  @ApiPropertyOptional({ type: [String], description: 'Deprecated alias of folder_ids.' })
  @IsOptional() @IsStringArray()
  source_ids?: string[] | null;

  @ApiPropertyOptional({ type: [String], description: 'Identities are not supported yet; only an empty list is accepted.' })
  @IsOptional() @IsStringArray()
  identity_ids?: string[] | null;
}
