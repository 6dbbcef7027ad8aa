import { Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, Unique } from 'typeorm';
import { AgentEntity } from '../agents/agent.entity';
import { BlockEntity } from './block.entity';

/** Attaches a block to an agent under the block's label; one block per label per agent. */
@Entity('agent_blocks')
@Unique('agent_blocks_agent_label_key', ['agentId', 'blockLabel'])
@Index('agent_blocks_block_idx', ['blockId'])
export class AgentBlockEntity {
  @PrimaryColumn('text', { name: 'agent_id' })
  agentId: string;

  @PrimaryColumn('text', { name: 'block_id' })
  blockId: string;

  /** Mirrors blocks.label through a cascading composite foreign key, so the unique label rule holds on relabel. */
  @PrimaryColumn('text', { name: 'block_label' })
  blockLabel: string;

  @ManyToOne(() => AgentEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'agent_id' })
  agent?: AgentEntity;

  @ManyToOne(() => BlockEntity, { onDelete: 'CASCADE', onUpdate: 'CASCADE' })
  @JoinColumn([
    { name: 'block_id', referencedColumnName: 'id' },
    { name: 'block_label', referencedColumnName: 'label' },
  ])
  block?: BlockEntity;
}
