import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export interface LlmConfig {
  model: string;
  model_endpoint_type: string;
  context_window: number;
  handle?: string | null;
  model_endpoint?: string | null;
  provider_name?: string | null;
  [key: string]: unknown;
}

export interface EmbeddingConfig {
  embedding_endpoint_type: string;
  embedding_model: string;
  embedding_dim: number;
  handle?: string | null;
  [key: string]: unknown;
}

@Entity('agents')
@Index('agents_created_at_id_idx', ['createdAt', 'id'])
@Index('agents_updated_at_id_idx', ['updatedAt', 'id'])
@Index('agents_name_idx', ['name'])
export class AgentEntity {
  @PrimaryColumn('text')
  id: string;

  @Column('text')
  name: string;

  @Column('text', { nullable: true })
  description: string | null;

  @Column('text', { name: 'agent_type' })
  agentType: string;

  /** The raw system prompt template; the compiled text lives in the agent's system message. */
  @Column('text')
  system: string;

  @Column('jsonb', { name: 'llm_config' })
  llmConfig: LlmConfig;

  @Column('jsonb', { name: 'embedding_config', nullable: true })
  embeddingConfig: EmbeddingConfig | null;

  @Column('jsonb', { name: 'model_settings', nullable: true })
  modelSettings: Record<string, unknown> | null;

  @Column('jsonb', { name: 'compaction_settings', nullable: true })
  compactionSettings: Record<string, unknown> | null;

  @Column('jsonb', { name: 'tool_rules', default: () => "'[]'" })
  toolRules: Record<string, unknown>[];

  @Column('jsonb', { name: 'response_format', nullable: true })
  responseFormat: Record<string, unknown> | null;

  @Column('jsonb', { nullable: true })
  metadata: Record<string, unknown> | null;

  @Column('boolean', { name: 'message_buffer_autoclear', default: false })
  messageBufferAutoclear: boolean;

  @Column('boolean', { name: 'enable_sleeptime', nullable: true })
  enableSleeptime: boolean | null;

  @Column('text', { default: 'UTC' })
  timezone: string;

  @Column('int', { name: 'max_files_open', nullable: true })
  maxFilesOpen: number | null;

  @Column('int', { name: 'per_file_view_window_char_limit', nullable: true })
  perFileViewWindowCharLimit: number | null;

  @Column('boolean', { nullable: true })
  hidden: boolean | null;

  @Column('text', { name: 'project_id', nullable: true })
  projectId: string | null;

  @Column('text', { name: 'template_id', nullable: true })
  templateId: string | null;

  @Column('text', { name: 'base_template_id', nullable: true })
  baseTemplateId: string | null;

  @Column('timestamptz', { name: 'last_run_completion', nullable: true })
  lastRunCompletion: Date | null;

  @Column('int', { name: 'last_run_duration_ms', nullable: true })
  lastRunDurationMs: number | null;

  @Column('text', { name: 'last_stop_reason', nullable: true })
  lastStopReason: string | null;

  /** Bumped whenever the agent's memory (its blocks or template) changes; conversations recompile when behind. */
  @Column('bigint', { name: 'memory_version', default: 0 })
  memoryVersion: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
