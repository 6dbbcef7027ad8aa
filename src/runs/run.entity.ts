import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { TurnRequest } from '../agent-loop/agent-loop.service';
import { AgentEntity } from '../agents/agent.entity';
import { ConversationEntity } from '../conversations/conversation.entity';

export type RunStatus = 'created' | 'running' | 'completed' | 'failed' | 'cancelled';
export const ACTIVE_STATUSES: RunStatus[] = ['created', 'running'];

/** What the worker needs to execute the turn; stored with the run so any worker can pick it up. */
export type RunRequest = Pick<TurnRequest, 'input' | 'maxSteps' | 'overrideModel' | 'overrideSystem' | 'streamTokens' | 'includeCompactionMessages'>;

/** One turn of an agent, executed by a worker and observed through its event stream. */
@Entity('runs')
@Index('runs_created_at_id_idx', ['createdAt', 'id'])
@Index('runs_agent_created_at_idx', ['agentId', 'createdAt', 'id'])
@Index('runs_active_idx', ['agentId', 'createdAt'], { where: "status IN ('created', 'running')" })
@Index('runs_conversation_created_idx', ['conversationId', 'createdAt'], { where: 'conversation_id IS NOT NULL' })
export class RunEntity {
  @PrimaryColumn('text')
  id: string;

  @Column('text', { name: 'agent_id' })
  agentId: string;

  @ManyToOne(() => AgentEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'agent_id' })
  agent?: AgentEntity;

  @Column('text', { name: 'conversation_id', nullable: true })
  conversationId: string | null;

  @ManyToOne(() => ConversationEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'conversation_id' })
  conversation?: ConversationEntity;

  @Column('text', { default: 'created' })
  status: RunStatus;

  @Column('text', { name: 'stop_reason', nullable: true })
  stopReason: string | null;

  @Column('boolean', { default: false })
  background: boolean;

  /** False while the run waits behind another run of the same context (the `queue` busy policy). */
  @Column('boolean', { default: true })
  dispatched: boolean;

  @Column('jsonb', { default: () => "'{}'" })
  metadata: Record<string, unknown>;

  @Column('jsonb', { name: 'request_config', nullable: true })
  requestConfig: Record<string, unknown> | null;

  @Column('jsonb')
  request: RunRequest;

  @Column('text', { name: 'callback_url', nullable: true })
  callbackUrl: string | null;

  @Column('timestamptz', { name: 'callback_sent_at', nullable: true })
  callbackSentAt: Date | null;

  @Column('int', { name: 'callback_status_code', nullable: true })
  callbackStatusCode: number | null;

  @Column('text', { name: 'callback_error', nullable: true })
  callbackError: string | null;

  /** The worker process executing the run while it is running; its heartbeat in Redis says whether it still lives. */
  @Column('text', { name: 'worker_id', nullable: true })
  workerId: string | null;

  @Column('timestamptz', { name: 'started_at', nullable: true })
  startedAt: Date | null;

  @Column('timestamptz', { name: 'completed_at', nullable: true })
  completedAt: Date | null;

  @Column('bigint', { name: 'ttft_ns', nullable: true })
  ttftNs: string | null;

  @Column('bigint', { name: 'total_duration_ns', nullable: true })
  totalDurationNs: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/** What executing a run needs. */
export type StartedRun = Pick<RunEntity, 'id' | 'agentId' | 'conversationId' | 'request'>;
