import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, Unique, UpdateDateColumn, VersionColumn } from 'typeorm';

@Entity('blocks')
@Unique('blocks_id_label_key', ['id', 'label'])
@Index('blocks_created_at_id_idx', ['createdAt', 'id'])
@Index('blocks_label_idx', ['label'])
export class BlockEntity {
  @PrimaryColumn('text')
  id: string;

  @Column('text')
  label: string;

  @Column('text')
  value: string;

  @Column('int', { name: 'char_limit', default: 100000 })
  limit: number;

  @Column('text', { nullable: true })
  description: string | null;

  @Column('jsonb', { default: () => "'{}'" })
  metadata: Record<string, unknown>;

  @Column('jsonb', { default: () => "'[]'" })
  tags: string[];

  @Column('boolean', { name: 'read_only', default: false })
  readOnly: boolean;

  @Column('boolean', { nullable: true })
  hidden: boolean | null;

  @Column('boolean', { name: 'is_template', default: false })
  isTemplate: boolean;

  @Column('text', { name: 'template_name', nullable: true })
  templateName: string | null;

  @Column('boolean', { name: 'preserve_on_migration', default: false })
  preserveOnMigration: boolean;

  @Column('text', { name: 'project_id', nullable: true })
  projectId: string | null;

  /** The agent that created this block inline (`memory_blocks`); deleting that agent deletes it unless shared. */
  @Column('text', { name: 'owner_agent_id', nullable: true })
  ownerAgentId: string | null;

  @VersionColumn({ default: 1 })
  version: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
