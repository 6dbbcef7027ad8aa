import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { AgentEntity } from '../agents/agent.entity';

/** A thread of an agent: its own context window and system message; the agent's memory blocks are shared. */
@Entity('conversations')
@Index('conversations_agent_created_idx', ['agentId', 'createdAt', 'id'])
@Index('conversations_created_idx', ['createdAt', 'id'])
export class ConversationEntity {
  @PrimaryColumn('text')
  id: string;

  @Column('text', { name: 'agent_id' })
  agentId: string;

  @ManyToOne(() => AgentEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'agent_id' })
  agent?: AgentEntity;

  @Column('text', { nullable: true })
  summary: string | null;

  @Column('text', { nullable: true })
  description: string | null;

  /** Model handle used instead of the agent's. */
  @Column('text', { nullable: true })
  model: string | null;

  @Column('jsonb', { name: 'model_settings', nullable: true })
  modelSettings: Record<string, unknown> | null;

  @Column('int', { name: 'context_window_limit', nullable: true })
  contextWindowLimit: number | null;

  @Column('timestamptz', { name: 'last_message_at', nullable: true })
  lastMessageAt: Date | null;

  @Column('boolean', { default: false })
  archived: boolean;

  @Column('timestamptz', { name: 'archived_at', nullable: true })
  archivedAt: Date | null;

  @Column('boolean', { nullable: true })
  hidden: boolean | null;

  /** The agent's memory version this conversation's system message was compiled from; older means recompile first. */
  @Column('bigint', { name: 'memory_version', default: 0 })
  memoryVersion: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
