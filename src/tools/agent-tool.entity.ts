import { Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { AgentEntity } from '../agents/agent.entity';
import { ToolEntity } from './tool.entity';

@Entity('agent_tools')
@Index('agent_tools_tool_idx', ['toolId'])
export class AgentToolEntity {
  @PrimaryColumn('text', { name: 'agent_id' })
  agentId: string;

  @PrimaryColumn('text', { name: 'tool_id' })
  toolId: string;

  @ManyToOne(() => AgentEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'agent_id' })
  agent?: AgentEntity;

  @ManyToOne(() => ToolEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tool_id' })
  tool?: ToolEntity;
}
