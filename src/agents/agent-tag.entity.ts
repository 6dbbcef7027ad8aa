import { Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { AgentEntity } from './agent.entity';

@Entity('agent_tags')
@Index('agent_tags_tag_idx', ['tag', 'agentId'])
export class AgentTagEntity {
  @PrimaryColumn('text', { name: 'agent_id' })
  agentId: string;

  @PrimaryColumn('text')
  tag: string;

  @ManyToOne(() => AgentEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'agent_id' })
  agent?: AgentEntity;
}
