import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { ToolSchema } from '../llm/llm.types';

@Entity('tools')
@Index('tools_name_key', ['name'], { unique: true })
@Index('tools_created_at_id_idx', ['createdAt', 'id'])
export class ToolEntity {
  @PrimaryColumn('text')
  id: string;

  @Column('text')
  name: string;

  @Column('text', { name: 'tool_type', default: 'custom' })
  toolType: string;

  @Column('text', { nullable: true })
  description: string | null;

  @Column('text', { name: 'source_type', nullable: true })
  sourceType: string | null;

  @Column('text', { name: 'source_code', nullable: true })
  sourceCode: string | null;

  @Column('jsonb', { name: 'json_schema', nullable: true })
  jsonSchema: Record<string, unknown> | null;

  @Column('jsonb', { name: 'args_json_schema', nullable: true })
  argsJsonSchema: Record<string, unknown> | null;

  @Column('jsonb', { default: () => "'[]'" })
  tags: string[];

  @Column('int', { name: 'return_char_limit', default: 50000 })
  returnCharLimit: number;

  @Column('jsonb', { name: 'pip_requirements', nullable: true })
  pipRequirements: Record<string, unknown>[] | null;

  @Column('jsonb', { name: 'npm_requirements', nullable: true })
  npmRequirements: Record<string, unknown>[] | null;

  @Column('boolean', { name: 'default_requires_approval', nullable: true })
  defaultRequiresApproval: boolean | null;

  @Column('boolean', { name: 'enable_parallel_execution', nullable: true, default: false })
  enableParallelExecution: boolean | null;

  @Column('jsonb', { nullable: true })
  metadata: Record<string, unknown> | null;

  @Column('text', { name: 'project_id', nullable: true })
  projectId: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/** The order tools are listed and offered to the model in. */
export const byName = (a: ToolEntity, b: ToolEntity) => a.name.localeCompare(b.name);

const schemas = new WeakMap<ToolEntity, ToolSchema>();

/**
 * The schema a model is given for a tool. Kept per row object: the agent loop shares tool rows between turns and never
 * changes them, so each turn offers (and counts the tokens of) the same schema objects.
 */
export function toolSchema(tool: ToolEntity): ToolSchema {
  let schema = schemas.get(tool);
  if (!schema) {
    const parameters = (tool.jsonSchema?.parameters as Record<string, unknown>) ?? { type: 'object', properties: {} };
    schemas.set(tool, (schema = { name: tool.name, description: tool.description ?? '', parameters }));
  }
  return schema;
}
