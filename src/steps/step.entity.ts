import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { AgentEntity } from '../agents/agent.entity';

export type StepStatus = 'pending' | 'success' | 'failed' | 'cancelled';

/** One model call of the agent loop, with its usage and outcome. */
@Entity('steps')
@Index('steps_created_at_id_idx', ['createdAt', 'id'])
@Index('steps_agent_created_at_idx', ['agentId', 'createdAt', 'id'])
@Index('steps_run_idx', ['runId'])
export class StepEntity {
  @PrimaryColumn('text')
  id: string;

  @Column('text', { name: 'agent_id' })
  agentId: string;

  @ManyToOne(() => AgentEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'agent_id' })
  agent?: AgentEntity;

  @Column('text', { name: 'run_id', nullable: true })
  runId: string | null;

  @Column('text', { name: 'provider_name', nullable: true })
  providerName: string | null;

  @Column('text', { name: 'provider_category', nullable: true })
  providerCategory: string | null;

  @Column('text', { nullable: true })
  model: string | null;

  @Column('text', { name: 'model_handle', nullable: true })
  modelHandle: string | null;

  @Column('text', { name: 'model_endpoint', nullable: true })
  modelEndpoint: string | null;

  @Column('int', { name: 'context_window_limit', nullable: true })
  contextWindowLimit: number | null;

  @Column('int', { name: 'prompt_tokens', default: 0 })
  promptTokens: number;

  @Column('int', { name: 'completion_tokens', default: 0 })
  completionTokens: number;

  @Column('int', { name: 'total_tokens', default: 0 })
  totalTokens: number;

  @Column('int', { name: 'cached_input_tokens', nullable: true })
  cachedInputTokens: number | null;

  @Column('int', { name: 'cache_write_tokens', nullable: true })
  cacheWriteTokens: number | null;

  @Column('int', { name: 'reasoning_tokens', nullable: true })
  reasoningTokens: number | null;

  @Column('text', { name: 'stop_reason', nullable: true })
  stopReason: string | null;

  @Column('text', { default: 'pending' })
  status: StepStatus;

  @Column('text', { name: 'error_type', nullable: true })
  errorType: string | null;

  @Column('jsonb', { name: 'error_data', nullable: true })
  errorData: Record<string, unknown> | null;

  @Column('text', { nullable: true })
  feedback: 'positive' | 'negative' | null;

  @Column('jsonb', { default: () => "'[]'" })
  tags: string[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
