import { ApiProperty } from '@nestjs/swagger';
import { BlockResponseDto } from '../../blocks/dto/block.dto';
import { ToolResponseDto } from '../../tools/dto/tool.dto';

export class LlmConfigDto {
  @ApiProperty() model: string;
  @ApiProperty() model_endpoint_type: string;
  @ApiProperty() context_window: number;
  @ApiProperty({ nullable: true, type: String }) handle: string | null;
  @ApiProperty({ nullable: true, type: String }) model_endpoint: string | null;
  @ApiProperty({ nullable: true, type: String }) provider_name: string | null;
  [key: string]: unknown;
}

export class EmbeddingConfigDto {
  @ApiProperty() embedding_endpoint_type: string;
  @ApiProperty() embedding_model: string;
  @ApiProperty() embedding_dim: number;
  @ApiProperty({ nullable: true, type: String }) handle: string | null;
  [key: string]: unknown;
}

export class MemoryDto {
  @ApiProperty({ type: [BlockResponseDto] }) blocks: BlockResponseDto[];
  @ApiProperty({ type: [Object] }) file_blocks: unknown[];
  @ApiProperty() agent_type: string;
  @ApiProperty() git_enabled: boolean;
  @ApiProperty() prompt_template: string;
}

export class AgentStateDto {
  @ApiProperty({ example: 'agent-3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ nullable: true, type: String }) description: string | null;
  @ApiProperty({ description: 'The system prompt template.' }) system: string;
  @ApiProperty() agent_type: string;
  @ApiProperty({ nullable: true, type: String, description: 'Model handle, `provider/model-name`.' }) model: string | null;
  @ApiProperty({ nullable: true, type: String }) embedding: string | null;
  @ApiProperty({ type: LlmConfigDto }) llm_config: LlmConfigDto;
  @ApiProperty({ type: EmbeddingConfigDto, nullable: true }) embedding_config: EmbeddingConfigDto | null;
  @ApiProperty({ type: Object, nullable: true }) model_settings: Record<string, unknown> | null;
  @ApiProperty({ type: Object, nullable: true }) compaction_settings: Record<string, unknown> | null;
  @ApiProperty({ type: Object, nullable: true }) response_format: Record<string, unknown> | null;
  @ApiProperty({ type: [BlockResponseDto] }) blocks: BlockResponseDto[];
  @ApiProperty({ type: MemoryDto, description: 'Deprecated mirror of `blocks`.' }) memory: MemoryDto;
  @ApiProperty({ type: [ToolResponseDto] }) tools: ToolResponseDto[];
  @ApiProperty({ type: [Object] }) tool_rules: Record<string, unknown>[];
  @ApiProperty({ type: [Object], description: 'Deprecated; always empty.' }) sources: unknown[];
  @ApiProperty({ type: [String] }) tags: string[];
  @ApiProperty({ type: [String], description: 'In-context message ids; the first is the system message.' }) message_ids: string[];
  @ApiProperty({ type: Object, nullable: true }) metadata: Record<string, unknown> | null;
  @ApiProperty({ type: [Object] }) identities: unknown[];
  @ApiProperty({ type: [String] }) identity_ids: string[];
  @ApiProperty({ type: [Object] }) secrets: unknown[];
  @ApiProperty({ type: [Object] }) tool_exec_environment_variables: unknown[];
  @ApiProperty({ nullable: true, type: Object }) pending_approval: unknown;
  @ApiProperty() message_buffer_autoclear: boolean;
  @ApiProperty({ nullable: true, type: Boolean }) enable_sleeptime: boolean | null;
  @ApiProperty({ nullable: true, type: Boolean }) hidden: boolean | null;
  @ApiProperty() timezone: string;
  @ApiProperty({ nullable: true, type: Number }) max_files_open: number | null;
  @ApiProperty({ nullable: true, type: Number }) per_file_view_window_char_limit: number | null;
  @ApiProperty({ nullable: true, type: String }) last_run_completion: string | null;
  @ApiProperty({ nullable: true, type: Number }) last_run_duration_ms: number | null;
  @ApiProperty({ nullable: true, type: String }) last_stop_reason: string | null;
  @ApiProperty({ nullable: true, type: String }) project_id: string | null;
  @ApiProperty({ nullable: true, type: String }) template_id: string | null;
  @ApiProperty({ nullable: true, type: String }) base_template_id: string | null;
  @ApiProperty({ nullable: true, type: String }) deployment_id: string | null;
  @ApiProperty({ nullable: true, type: String }) entity_id: string | null;
  @ApiProperty({ nullable: true, type: String }) created_by_id: string | null;
  @ApiProperty({ nullable: true, type: String }) last_updated_by_id: string | null;
  @ApiProperty() created_at: string;
  @ApiProperty() updated_at: string;
}
