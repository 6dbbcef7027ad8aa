import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { AgentEntity } from '../agents/agent.entity';
import { ConversationEntity } from '../conversations/conversation.entity';

export type MessageRole = 'system' | 'user' | 'assistant' | 'tool' | 'approval' | 'summary';

/** One content part, in Letta's shape (`text`, `image`, `reasoning`, `redacted_reasoning`, ...). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ContentPart = { type: string; [key: string]: any };

export interface StoredToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface StoredToolReturn {
  tool_call_id: string;
  status: 'success' | 'error';
  func_response: string;
  stdout?: string[] | null;
  stderr?: string[] | null;
}

/**
 * Append-only history. `seq` orders every listing and cursor; `in_context` marks the rows that make up
 * the agent's (or conversation's) context window, so sending a message never rewrites the agent row.
 */
@Entity('messages')
@Index('messages_agent_seq_idx', ['agentId', 'seq'])
@Index('messages_in_context_idx', ['agentId', 'seq'], { where: 'in_context AND conversation_id IS NULL' })
@Index('messages_step_idx', ['stepId'], { where: 'step_id IS NOT NULL' })
@Index('messages_run_seq_idx', ['runId', 'seq'])
@Index('messages_conversation_seq_idx', ['conversationId', 'seq'], { where: 'conversation_id IS NOT NULL' })
@Index('messages_conversation_in_context_idx', ['conversationId', 'seq'], { where: 'in_context AND conversation_id IS NOT NULL' })
@Index('messages_search_idx', { synchronize: false })
export class MessageEntity {
  @PrimaryColumn('text')
  id: string;

  @Column({ type: 'bigint', generated: 'identity', generatedIdentity: 'ALWAYS' })
  seq: string;

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

  @Column('text')
  role: MessageRole;

  @Column('jsonb', { default: () => "'[]'" })
  content: ContentPart[];

  @Column('text', { nullable: true })
  name: string | null;

  @Column('jsonb', { name: 'tool_calls', nullable: true })
  toolCalls: StoredToolCall[] | null;

  @Column('text', { name: 'tool_call_id', nullable: true })
  toolCallId: string | null;

  @Column('jsonb', { name: 'tool_returns', nullable: true })
  toolReturns: StoredToolReturn[] | null;

  @Column('jsonb', { nullable: true })
  approvals: Record<string, unknown>[] | null;

  @Column('text', { name: 'step_id', nullable: true })
  stepId: string | null;

  @Column('text', { name: 'run_id', nullable: true })
  runId: string | null;

  @Column('text', { nullable: true })
  otid: string | null;

  @Column('text', { name: 'sender_id', nullable: true })
  senderId: string | null;

  @Column('text', { name: 'group_id', nullable: true })
  groupId: string | null;

  @Column('text', { nullable: true })
  model: string | null;

  @Column('boolean', { name: 'is_err', nullable: true })
  isErr: boolean | null;

  /** Plain text of the content, tool calls and returns, kept for full-text search of the history. */
  @Column('text', { name: 'search_text', default: '' })
  searchText: string;

  @Column('boolean', { name: 'in_context', default: false })
  inContext: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
